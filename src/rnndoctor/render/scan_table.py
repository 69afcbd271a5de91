"""A scan as a table, in the manner of torchinfo's summary but with the states; then the findings.

`render_scan` gives the canonical plain text (used when output is piped, in
tests and in `str(report)`); `write_scan` draws the table with rich on a
terminal and colours the findings as `render.colour` does everywhere else.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from typing import IO, TYPE_CHECKING

from ..findings import Severity
from ..report import Report
from ..rules._fixes import fmt_shape
from ..specs import Packed, TensorInfo
from . import json
from .output import use_color, write_document
from .text import GUTTER, render_finding

if TYPE_CHECKING:
    from rich.table import Table

    from .._scan.report import Failure, ScanReport, ScanRow

__all__ = ["COLUMNS", "render_failure", "render_scan", "rich_table", "scan_table", "write_scan"]

COLUMNS = ("Layer", "Calls", "input", "h_0", "c_0", "output", "h_n", "c_n", "D", "H_out",
           "dtype", "Result")
GAP = "  "
LAYER_WIDTH = 24  # the rich table wraps each layer's config to this width
MIN_COLUMN = 3  # a folded column keeps at least this many characters


def write_scan(report: ScanReport, *, fmt: str = "text", color: str = "auto",
               file: IO[str] | None = None) -> None:
    """The table and findings (a rich table on a terminal), a "scan" JSON document, or a page.

    On a terminal the table fits its width: cells fold onto more lines, as rich folds them.
    """
    out = sys.stdout if file is None else file
    if fmt == "text" and use_color(color, out):
        _print_rich(report, out)
        return
    isatty = getattr(out, "isatty", None)
    width = shutil.get_terminal_size().columns if isatty is not None and isatty() else None
    write_document(render_scan(report, width), "scan", json.scan_body(report), fmt=fmt,
                   color="never", file=out, html=report._repr_html_)


def render_scan(report: ScanReport, width: int | None = None) -> str:
    """The table (folded to `width` if it is wider), every finding and failure, and a summary line."""
    return "\n".join(scan_table(report, width)) + "\n\n" + _details(report)


def scan_table(report: ScanReport, width: int | None = None) -> list[str]:
    """The plain table: a header, two lines per recurrent module (cells, then config), totals.

    With `width`, a wider table is folded: the widest columns narrow first, and
    their cells break onto more lines (between words where they can).
    """
    cells = _grid(report)
    widths = _widths(cells)
    if width is not None:
        widths = _folded(widths, cells, width)
    body = _rows(cells[0], widths)
    for row, row_cells in zip(report.rows, cells[1:]):
        body += _rows(row_cells, widths) + _wrapped(f"  {row.spec!r}", width, "    ")
    rule = "=" * max(len(line) for line in body)
    header = len(_rows(cells[0], widths))
    return [f"rnndoctor scan: {report.model}", rule, *body[:header], rule, *body[header:], rule,
            *_wrapped(_totals(report), width, ""), rule]


def _folded(widths: list[int], grid: list[list[str]], width: int) -> list[int]:
    """Column widths that fit `width`: the widest column narrows, one character at a time."""
    narrowest = [max(MIN_COLUMN, max(len(w) for cells in grid for w in cells[i].split() or [""]))
                 for i in range(len(widths))]
    folded = list(widths)
    for floor in (narrowest, [MIN_COLUMN] * len(widths)):  # between words first, then inside them
        while sum(folded) + len(GAP) * (len(folded) - 1) > width:
            i = max(range(len(folded)), key=lambda k: (folded[k] - floor[k], folded[k]))
            if folded[i] <= floor[i]:
                break
            folded[i] -= 1
    return folded


def _rows(cells: list[str], widths: list[int]) -> list[str]:
    """One table row: a line, or several where a cell is folded."""
    pieces = [textwrap.wrap(c, w) or [""] if len(c) > w else [c] for c, w in zip(cells, widths)]
    return [_line([p[k] if k < len(p) else "" for p in pieces], widths)
            for k in range(max(len(p) for p in pieces))]


def _wrapped(text: str, width: int | None, indent: str) -> list[str]:
    if width is None or len(text) <= width:
        return [text]
    lead = len(text) - len(text.lstrip())
    return textwrap.wrap(text, width, initial_indent=text[:lead], subsequent_indent=indent or " " * lead)


def _grid(report: ScanReport) -> list[list[str]]:
    """The header, then each recurrent module's cells."""
    return [list(COLUMNS)] + [_cells(row) for row in report.rows]


def _widths(grid: list[list[str]]) -> list[int]:
    return [max(len(cells[i]) for cells in grid) for i in range(len(COLUMNS))]


def _line(cells: list[str], widths: list[int]) -> str:
    return GAP.join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()


def _cells(row: ScanRow) -> list[str]:
    called = row.calls > 0
    lstm = row.spec.base == "LSTM"
    states = [_value(row.h_0, called), _value(row.c_0, called) if lstm else ""]
    outputs = [_value(row.h_n, called), _value(row.c_n, called) if lstm else ""]
    output = "" if row.spec.is_cell else _value(row.output, called)
    return [row.name, str(row.calls), _value(row.input, called), *states, output, *outputs,
            str(row.spec.D), str(row.spec.H_out), row.spec.dtype, _result(row)]


def _value(v: TensorInfo | Packed | None, called: bool) -> str:
    """A shape; `packed (rows, features)`; `-` for a state not given; empty before any call."""
    if not called:
        return ""
    if isinstance(v, Packed):
        return f"packed {fmt_shape(v.data.shape)}"
    return fmt_shape(v.shape) if v is not None else "-"


def _result(row: ScanRow) -> str:
    if row.status in ("not called", "not reached", "ok"):
        return row.status
    counts = [(sum(1 for f in row.findings if f.severity is s), s.value)
              for s in (Severity.ERROR, Severity.WARNING)]
    return ", ".join(_plural(n, word) for n, word in counts if n)


def _totals(report: ScanReport) -> str:
    layers = _plural(len(report.rows), "recurrent layer")
    note = "; shapes from each layer's first call; -: state not given (zeros)"
    return f"{layers}, {_plural(report.calls, 'call')}{note}"


def _details(report: ScanReport) -> str:
    blocks = []
    for row in report.rows:
        first = Report(row.findings).first
        blocks += [render_finding(f, first=f is first) for f in row.findings]
    blocks += [render_failure(f) for f in report.failures]
    return "\n".join(blocks + [_summary(report)]) + "\n"


def render_failure(f: Failure) -> str:
    """A module other than a recurrent layer that failed, as a block like a finding's."""
    level = "error" if f.kind == "error" else "warning"
    lines = [f"{level}: {_failure_title(f)}", f"  --> {f.name}: {f.module_repr}"]
    if f.inputs:
        noun = "input" if len(f.inputs) == 1 else "inputs"
        lines += [GUTTER, f"{GUTTER}   {noun} {', '.join(fmt_shape(s) for s in f.inputs)}"]
    lines += [f"   = note: {n}" for n in f.notes]
    if f.help:
        lines.append(f"help: {f.help}")
    return "\n".join(lines) + "\n"


def _failure_title(f: Failure) -> str:
    who = f"`{f.name}` ({f.module_type})"
    if f.kind == "no-meta-kernel":
        return f"{who} uses `{f.op}`, which has no meta kernel"
    if f.kind == "needs-values":
        return f"{who} reads tensor values, which a scan does not have"
    if f.upstream:
        return f"{who} failed downstream of " + " and ".join(f"`{u}`" for u in f.upstream)
    return f"{who} failed"


def _summary(report: ScanReport) -> str:
    counts = [(len(report.errors), "error"), (len(report.warnings), "warning"),
              (len(report.failures), "failed module")]
    parts = [_plural(n, word) for n, word in counts if n]
    text = "found " + ", ".join(parts) if parts else "ok: no problems found"
    if not report.finished:
        waiting = sum(1 for row in report.rows if row.status == "not reached")
        text += f"; the scan stopped in `{report.failures[-1].name}`"
        text += f" before {_plural(waiting, 'recurrent layer')}" if waiting else ""
    return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_RESULT_STYLES = {"ok": "green", "error": "bold red", "warning": "yellow"}


def rich_table(report: ScanReport) -> Table:
    """The same cells as the plain table, drawn by rich; each config in its layer's cell."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"rnndoctor scan: {report.model}", title_justify="left",
                  box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), show_edge=False)
    names = max(len(row.name) for row in report.rows)
    for name in COLUMNS:
        table.add_column(name, justify="right" if name in ("Calls", "D", "H_out") else "left",
                         no_wrap=name != "Layer", overflow="fold",
                         max_width=max(names, LAYER_WIDTH) if name == "Layer" else None)
    for row in report.rows:
        cells: list[str | Text] = list(_cells(row))
        cells[0] = Text.assemble((row.name, "bold"), "\n", (repr(row.spec), "dim"))
        cells[-1] = Text(str(cells[-1]), _RESULT_STYLES.get(row.status, "dim"))
        table.add_row(*cells)
    return table


def _rich_width(report: ScanReport) -> int:
    """The rich table's width with every shape on one line: its cells, plus 2 between columns."""
    widths = _widths(_grid(report))
    return max(widths[0], LAYER_WIDTH) + sum(widths[1:]) + 2 * (len(COLUMNS) - 1)


def _print_rich(report: ScanReport, file: IO[str]) -> None:
    from .colour import styled, terminal_console

    console = terminal_console(file)
    if _rich_width(report) > console.width:  # rich would crush the shapes: colour the folded text
        console.print(styled(render_scan(report, console.width)), end="", soft_wrap=True)
        return
    console.print(rich_table(report), soft_wrap=False)
    console.print(_totals(report), style="dim", soft_wrap=True)
    console.print()
    console.print(styled(_details(report)), end="", soft_wrap=True)
