"""`rnndoctor lint`: the run-time rules, applied to source code that is read, never run.

>>> [d.finding.code for d in lint_source("import torch.nn as nn\\nrnn = nn.LSTM(10, 20, dropout=0.5)\\n")]
['RNN301']

A file is parsed with `ast`; `interp` resolves its layers and what each
function does with their results; `judge` builds the same `RnnSpec`, `Call`,
`Produced` and `Use` as the run-time front ends and runs every rule on them.
torch is never imported.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from .._record import replace
from ..findings import Finding, Location
from .interp import read_module
from .judge import Located, constructor_findings, function_findings, strengthen

__all__ = ["Diagnostic", "FileResult", "lint_file", "lint_source", "might_have_layers"]

_NOQA = re.compile(r"#\s*noqa(?::[ \t]*(?P<codes>[A-Z]+[0-9]+(?:[ \t]*,[ \t]*[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_MARKERS = ("RNN", "LSTM", "GRU", "pack_padded_sequence")


@dataclass(frozen=True)
class Diagnostic:
    """A finding at a place in a file: 1-based line and column, and the line's text."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    finding: Finding
    source: str
    cell: int | None = None  # the notebook cell, counted from 1

    @property
    def where(self) -> str:
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"


@dataclass(frozen=True)
class FileResult:
    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    error: str | None = None  # why the file could not be read or parsed


def might_have_layers(text: str) -> bool:
    """A file that never names a recurrent layer or packing cannot give a finding."""
    return any(m in text for m in _MARKERS)


def lint_source(text: str, path: str = "<string>") -> list[Diagnostic]:
    """Every finding in one file's source, with `# noqa` applied. Raises SyntaxError."""
    if not might_have_layers(text):
        return []
    tree = ast.parse(text, filename=path)
    lines = text.splitlines()
    module = read_module(tree, lines)
    found: list[Located] = []
    for layer in module.layers:
        found += constructor_findings(layer)
    uses = [list(function_findings(u)) for u in module.functions]
    found += [x for u in uses for x in u]
    found = strengthen(found)
    located = [_diagnostic(x, path, lines) for x in found]
    return sorted((d for d in located if not _suppressed(d)), key=lambda d: (d.line, d.column, d.finding.code))


def lint_file(path: str) -> FileResult:
    """One file or notebook; an unreadable or unparsable file is a result with `error` set."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if path.endswith(".ipynb"):
            return _notebook(path, text)
        return FileResult(path, tuple(lint_source(text, path)))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return FileResult(path, error=_reason(e))
    except SyntaxError as e:
        return FileResult(path, error=f"line {e.lineno}: {e.msg}")
    except RecursionError:
        return FileResult(path, error="nested too deeply to read")
    except Exception as e:  # noqa: BLE001 - a failure of ours must not stop the other files
        return FileResult(path, error=f"rnndoctor lint failed on this file ({type(e).__name__}); please report it")


def _reason(e: Exception) -> str:
    return e.strerror if isinstance(e, OSError) and e.strerror else str(e).splitlines()[0][:200]


def _notebook(path: str, text: str) -> FileResult:
    """A notebook's code cells, read as one module; magics and shell lines are left out."""
    cells = json.loads(text).get("cells", [])
    lines: list[str] = []
    origin: list[tuple[int, int]] = []
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        for i, line in enumerate(source.splitlines(), 1):
            magic = line.lstrip().startswith(("%", "!", "?"))
            lines.append("" if magic else line)
            origin.append((number, i))
    found = lint_source("\n".join(lines) + "\n", path)
    placed = [replace(d, cell=origin[d.line - 1][0], line=origin[d.line - 1][1],
                      end_line=d.end_line - d.line + origin[d.line - 1][1]) for d in found]
    return FileResult(path, tuple(_with_site(d) for d in placed))


def _diagnostic(x: Located, path: str, lines: list[str]) -> Diagnostic:
    line = getattr(x.node, "lineno", 1)
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    start = _chars(source, getattr(x.node, "col_offset", 0))
    end_line = getattr(x.node, "end_lineno", line) or line
    end_source = lines[end_line - 1] if 0 < end_line <= len(lines) else source
    end = _chars(end_source, getattr(x.node, "end_col_offset", len(source)) or 0)
    d = Diagnostic(path, line, start + 1, end_line, end + 1, x.finding, source)
    return _with_site(d)


def _with_site(d: Diagnostic) -> Diagnostic:
    loc = d.finding.location
    where = Location(module_path=loc.module_path, module_repr=loc.module_repr, call_site=d.where)
    return replace(d, finding=replace(d.finding, location=where))


def _chars(line: str, byte_offset: int) -> int:
    """`ast` columns count UTF-8 bytes; a caret counts characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


def _suppressed(d: Diagnostic) -> bool:
    m = _NOQA.search(d.source)
    if m is None:
        return False
    codes = m.group("codes")
    return codes is None or d.finding.code in {c.strip().upper() for c in codes.split(",")}
