"""The lint's four formats: text (the run-time rendering, with the source line and a caret), json,
SARIF 2.1.0 for code scanning, and GitHub workflow annotations."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ..findings import Severity
from ..render import json
from ..render.text import render_finding, summary_line
from ..rules import REGISTRY
from . import Diagnostic, FileResult

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def render(results: Sequence[FileResult], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(json.document("lint", _json_body(results)))
    if fmt == "sarif":
        return json.dumps(sarif(results))
    if fmt == "github":
        return "".join(_annotation(d) for r in results for d in r.diagnostics) + \
            "".join(f"::warning file={_prop(r.path)}::{_data('not linted: ' + r.error)}\n"
                    for r in results if r.error)
    return text(results)


def text(results: Sequence[FileResult]) -> str:
    blocks = [render_diagnostic(d) for r in results for d in r.diagnostics]
    blocks += [f"{r.path}: not linted: {r.error}\n" for r in results if r.error]
    return "\n".join(blocks) + ("\n" if blocks else "") + summary(results) + "\n"


def render_diagnostic(d: Diagnostic) -> str:
    """The run-time rendering of the finding, with the source line and a caret under the culprit."""
    lines = render_finding(d.finding).splitlines()
    return "\n".join([*lines[:2], *_snippet(d), *lines[2:]]) + "\n"


def _snippet(d: Diagnostic) -> list[str]:
    number = str(d.line).rjust(2)  # the gutter lines up with the notes' `   |` up to line 99
    pad = " " * len(number)
    source = d.source.rstrip().expandtabs(1)
    end = d.end_column if d.end_line == d.line else len(source) + 1
    width = max(1, min(end, len(source) + 1) - d.column)
    return [f"{pad} |", f"{number} | {source}", f"{pad} | {' ' * (d.column - 1)}{'^' * width}"]


def summary(results: Sequence[FileResult]) -> str:
    """`found 1 error, 2 warnings in 2 files (40 files checked)`; unreadable files are counted too."""
    found = [d.finding for r in results for d in r.diagnostics]
    files = sum(1 for r in results if r.diagnostics)
    checked = _plural(len(results), "file")
    line = f"{summary_line(found)} in {_plural(files, 'file')} ({checked} checked)" if found \
        else f"ok: no problems found ({checked} checked)"
    failed = sum(1 for r in results if r.error)
    return line + (f"; {_plural(failed, 'file')} could not be read" if failed else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _json_body(results: Sequence[FileResult]) -> dict[str, Any]:
    found = [d for r in results for d in r.diagnostics]
    return {
        "files_checked": len(results),
        "summary": {s.value: sum(1 for d in found if d.finding.severity is s) for s in Severity},
        "diagnostics": [{"path": d.path, "cell": d.cell, "line": d.line, "column": d.column,
                         "end_line": d.end_line, "end_column": d.end_column,
                         "finding": json._finding(d.finding)} for d in found],
        "unreadable": [{"path": r.path, "reason": r.error} for r in results if r.error],
    }


def sarif(results: Sequence[FileResult]) -> dict[str, Any]:
    """One SARIF 2.1.0 run: every rule in the driver, one result per diagnostic."""
    index = {rule.code: i for i, rule in enumerate(REGISTRY)}
    try:
        tool_version = version("rnndoctor")
    except PackageNotFoundError:  # a source tree that is not installed
        tool_version = "0"
    rules = [{"id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
              "fullDescription": {"text": r.doc.strip().splitlines()[0] if r.doc.strip() else r.summary},
              "help": {"text": r.doc.strip() or r.summary},
              "defaultConfiguration": {"level": _LEVEL[r.severity]}} for r in REGISTRY]
    found = [d for r in results for d in r.diagnostics]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "rnndoctor", "version": tool_version,
                                "informationUri": "https://pypi.org/project/rnndoctor/", "rules": rules}},
            "results": [_sarif_result(d, index[d.finding.code]) for d in found],
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": f"not linted: {r.error}"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(r.path)}}}]}
                for r in results if r.error]}],
        }],
    }


def _sarif_result(d: Diagnostic, rule_index: int) -> dict[str, Any]:
    f = d.finding
    message = "\n".join([f.title, *(f"note: {n}" for n in f.notes), *(f"help: {x.title}" for x in f.fixes)])
    return {
        "ruleId": f.code, "ruleIndex": rule_index, "level": _LEVEL[f.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(d.path)},
            "region": {"startLine": d.line, "startColumn": d.column,
                       "endLine": d.end_line, "endColumn": d.end_column}}}],
    }


def _uri(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


def _annotation(d: Diagnostic) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(d.finding.severity, "notice")
    props = (f"file={_prop(d.path)},line={d.line},col={d.column},endLine={d.end_line},"
             f"endColumn={d.end_column},title={_prop(d.finding.code + ' ' + d.finding.rule)}")
    return f"::{level} {props}::{_data(d.finding.title)}\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
