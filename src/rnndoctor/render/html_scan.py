"""A scan in HTML: the recurrent layers as a chain, then each failing layer's diagram.

The chain runs left to right in the order the layers were first called; each
arrow carries the shape that went into the layer after it. An arrow into a
layer whose call fails is highlighted, dashed and marked with a cross.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..report import Report
from ..rules._fixes import fmt_shape
from ..specs import Packed, TensorInfo
from .diagram import layer_lines
from .html import new_uid, report_body, wrap
from .scan_table import render_failure, render_scan
from .svg import Link, chain_svg

if TYPE_CHECKING:
    from .._scan.report import ScanReport, ScanRow

__all__ = ["scan_html"]


def scan_html(report: ScanReport, uid: str | None = None) -> str:
    """The chain, each layer with findings as its call diagram and findings, then other failures."""
    uid = uid or new_uid()
    rows = sorted(report.rows, key=lambda r: not r.calls)  # not called: at the end
    links = [_link(row, first=i == 0) for i, row in enumerate(rows)]
    last = next((r for r in reversed(rows) if r.calls), None)
    out = f"output {_shape(last.output)}" if last is not None and last.output is not None else ""
    parts = [chain_svg(links, out, uid, f"the recurrent layers of {report.model}", _description(report))]
    for i, row in enumerate(report.rows):
        if row.findings:
            parts.append(f"<p class=\"rnnd-title\">{escape(row.name)}</p>")
            parts.append(report_body(Report(row.findings, row.spec, row.call), f"{uid}-{i}"))
    parts += [f"<pre class=\"rnnd-failure\">{escape(render_failure(f))}</pre>" for f in report.failures]
    return wrap("\n".join(parts), render_scan(report))


def _link(row: ScanRow, first: bool) -> Link:
    kind, arguments = layer_lines(row.spec)
    label = ("input " if first else "") + _shape(row.input) if row.calls else str(row.status)
    return Link((f"{row.name}: {kind}", *arguments), label, row.status == "error", bool(row.calls))


def _shape(value: TensorInfo | Packed | None) -> str:
    if isinstance(value, Packed):
        return f"packed {fmt_shape(value.data.shape)}"
    return fmt_shape(value.shape) if value is not None else "?"


def _description(report: ScanReport) -> str:
    """The chain in words, then the first failing call and its culprit."""
    chain = " -> ".join(f"{row.name} {row.spec!r}" for row in report.rows)
    parts = [f"{report.model}: {chain}"]
    for row in report.rows:
        first = Report(row.findings).first
        if first is not None:
            culprit = f"culprit: {first.arguments[0]}, " if first.arguments else ""
            parts.append(f"the call to {row.name} fails: {culprit}{first.title.replace('`', '')}")
            break
    return "; ".join(parts)
