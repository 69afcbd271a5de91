"""The canonical plain-text renderer, in the manner of rustc.

Used by `str(report)`, the exceptions, the CLI and `explain`; colour is only
ever added on top of this text (see `rnndoctor.render.colour`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..findings import Dim, Finding, Fix, Location, Severity
from ..specs import Call, Hx, Other, Packed, Seq, TensorInfo

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["call_summary", "render_finding", "render_report", "render_upstream", "summary_line"]

GUTTER = "   |"
_SEVERITIES = tuple(Severity)  # in order, most severe first


def render_report(report: Report) -> str:
    """Every finding, then a summary line; "no problems found" for a clean report."""
    if not report.findings:
        return "ok: no problems found\n"
    first = report.first
    blocks = [render_finding(f, first=f is first) for f in report.findings]
    return "\n".join(blocks) + "\n" + summary_line(report.findings) + "\n"


def summary_line(findings: Iterable[Finding]) -> str:
    found = [f.severity for f in findings]
    parts = [_plural(found.count(s), s.value) for s in _SEVERITIES if s in found]
    return "found " + ", ".join(parts) if parts else "ok: no problems found"


def render_finding(f: Finding, first: bool = False) -> str:
    """One finding as a block of lines ending in a newline."""
    lines = [f"{f.severity.value}[{f.code}]: {f.title}"]
    where = _location(f.location)
    if where:
        lines.append(f"  --> {where}")
    lines += _dims_block(f.dims)
    if first and f.raises:
        lines.append(f"   = note: torch raises {f.raises} here first")
    lines += [f"   = note: {n}" for n in f.notes]
    lines += _help_lines(f.fixes)
    lines.append("")
    lines.append(f"For more on this {f.severity.value}, run `rnndoctor rule {f.code}`.")
    return "\n".join(lines) + "\n"


def render_upstream(ranked: Finding, at_call: Finding) -> str:
    """What ranking by provenance adds to a finding already shown: its new notes and fixes.

    Printed under an error the guard raised once the error is uncaught; empty
    when provenance found nothing.
    """
    notes = [n for n in ranked.notes if n not in at_call.notes]
    fixes = [f for f in ranked.fixes if f.site is not None or f not in at_call.fixes]
    if not notes and not fixes:
        return ""
    lines = [f"\nrnndoctor: where the values of this {ranked.code} were made"]
    lines += [f"   = note: {n}" for n in notes]
    lines += _help_lines(fixes)
    return "\n".join(lines) + "\n"


def _help_lines(fixes: Iterable[Fix]) -> list[str]:
    """Each fix as a `help:` line, the second on with "or", then where it applies and its snippet."""
    lines = []
    for i, fix in enumerate(fixes):
        lead = "help: " if i == 0 else "help: or "
        suffix = " (changes the model)" if fix.applicability.value == "changes-model" else ""
        lines.append(f"{lead}{fix.title}{suffix}")
        if fix.site:
            lines.append(f"  --> {fix.site}")
        if fix.snippet:
            lines += [f"{GUTTER}   {s}" for s in fix.snippet.splitlines()]
    return lines


def _location(loc: Location) -> str:
    layer = ": ".join(p for p in (loc.module_path, loc.module_repr) if p)
    if loc.call_site:
        return f"{loc.call_site}, in {layer}" if layer else loc.call_site
    return layer


def _dims_block(dims: tuple[Dim, ...]) -> list[str]:
    """A table per tensor: dim headers, symbols, expected, actual, and ^ under the wrong ones."""
    if not dims:
        return []
    lines = [GUTTER]
    tensors: dict[str, list[Dim]] = {}
    for d in dims:
        tensors.setdefault(d.tensor, []).append(d)
    for name, axes in tensors.items():
        columns = [(f"`{name}`", "", "expected", "actual", "")]  # the last row: ^ under the wrong sizes
        for d in axes:
            actual = _size(d.actual, "?")
            columns.append((f"dim {d.index}", d.symbol, _size(d.expected, "any"), actual,
                            "^" * len(actual) if d.wrong else ""))
        widths = [max(map(len, column)) for column in columns]
        lines += [f"{GUTTER}   {'   '.join(map(str.ljust, row, widths))}".rstrip() for row in zip(*columns)]
    return lines


def _size(value: int | None, unknown: str) -> str:
    return unknown if value is None else str(value)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def call_summary(call: Call) -> str:
    """One line: `input (5, 3, 10), hx ((1, 3, 20), (1, 3, 20)), lengths [5, 3, 2]`."""
    parts = [f"input {_value(call.input)}"]
    if call.hx is not None:
        parts.append(f"hx {_value(call.hx)}")
    if call.lengths is not None:
        sorted_note = "" if call.lengths.enforce_sorted else ", enforce_sorted=False"
        values = ", ".join(str(v) if call.lengths.readable else "?" for v in call.lengths.values)
        parts.append(f"lengths [{values}] ({call.lengths.dtype}, {call.lengths.device}{sorted_note})")
    if call.sequences is not None:
        side = "" if call.padding_side == "right" else f", padding_side={_side(call.padding_side)}"
        parts.append(f"from sequences [{', '.join(_value(s) for s in call.sequences)}]{side}")
    if call.unpad is not None:
        details = [f"`{name}` of type {kind}" for name, kind in call.unpad.fields]
        if call.unpad.total_length is not None:
            details.append(f"total_length={_side(call.unpad.total_length)}")
        parts.append("through pad_packed_sequence" + (f" ({', '.join(details)})" if details else ""))
    return ", ".join(parts)


def _side(value: object) -> str:
    """`padding_side` or `total_length` as given: `'up'`, `2.5`, or the type of anything else."""
    return value.type_name if isinstance(value, Other) else repr(value)


def _value(v: Hx | Packed | TensorInfo | Other) -> str:
    if v is None:
        return "None"
    if isinstance(v, TensorInfo):
        shape = f"({v.shape[0]},)" if v.ndim == 1 else "(" + ", ".join(map(str, v.shape)) + ")"
        extra = [x for x in (v.dtype if v.dtype != "float32" else "", v.device if v.device != "cpu" else "") if x]
        return shape + (f" {' '.join(extra)}" if extra else "")
    if isinstance(v, Packed):
        sizes = ", ".join(map(str, v.batch_sizes))
        return f"PackedSequence(data {_value(v.data)}, batch_sizes [{sizes}])"
    if isinstance(v, Seq):
        inner = ", ".join(_value(i) for i in v.items)
        return f"[{inner}]" if v.kind == "list" else f"({inner}{',' if len(v.items) == 1 else ''})"
    return v.type_name
