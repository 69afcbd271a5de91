"""HTML for notebooks and browsers: a diagram of the call, then the findings and their fixes.

After xarray's repr (shared/STYLE.md §1.8): the CSS is a package resource read
once; classes start with `rnnd-`; ids are fresh for every render (tests pass
`uid`); there is no JavaScript and nothing is loaded from the network. A hidden
`<pre>` holds the plain text for viewers that strip CSS. Every string that can
come from the user (reprs, source lines, pasted messages) is escaped.

>>> report._repr_html_()           # what Jupyter shows
>>> page(report_html(report), "rnndoctor check")   # what `--format html` writes
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING

from .diagram import Diagram, call_diagram, shapes_diagram
from .svg import cell_title, diagram_svg
from .text import render_report
from .views import render_shapes

if TYPE_CHECKING:
    from ..findings import Finding
    from ..report import Report
    from ..shapes import ExpectedShapes

__all__ = ["inline", "mimebundle", "new_uid", "page", "report_body", "report_html", "shapes_html", "style", "wrap"]

_CODE = re.compile(r"`([^`\n]*)`")


@lru_cache(maxsize=1)
def style() -> str:
    """The stylesheet, read once from the package."""
    return resources.files("rnndoctor.render").joinpath("static", "style.css").read_text("utf-8")


def new_uid() -> str:
    return "rnnd-" + uuid.uuid4().hex[:12]


def inline(text: str) -> str:
    """Escaped text with `backticked` spans as <code>."""
    return _CODE.sub(r"<code>\1</code>", escape(text))


def wrap(body: str, fallback: str) -> str:
    """The stylesheet, the plain-text fallback, and the body shown when CSS applies."""
    return (f"<div class=\"rnnd-repr\"><style>{style()}</style>\n"
            f"<pre class=\"rnnd-text-fallback\">{escape(fallback)}</pre>\n"
            f"<div class=\"rnnd-wrap\" style=\"display:none\">\n{body}\n</div></div>")


def mimebundle(html: str, text: str) -> dict[str, str]:
    return {"text/plain": text, "text/html": html}


def page(fragment: str, title: str) -> str:
    """A self-contained page; its Content-Security-Policy forbids scripts and any fetch."""
    policy = "default-src 'none'; style-src 'unsafe-inline'"
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n"
            f"<title>{escape(title)}</title>\n</head>\n<body>\n{fragment}\n</body>\n</html>\n")


# ---- a report ------------------------------------------------------------------------------

def report_html(report: Report, uid: str | None = None, preamble: Sequence[str] = (),
                fallback: str | None = None) -> str:
    """The diagram, what is wrong in it in words, then every finding as the text renders it."""
    body = report_body(report, uid or new_uid(), preamble)
    return wrap(body, render_report(report) if fallback is None else fallback)


def report_body(report: Report, uid: str, preamble: Sequence[str] = ()) -> str:
    """`report_html` without the stylesheet and the fallback around it."""
    diagram = call_diagram(report)
    parts = [f"<p class=\"rnnd-preamble\">{inline(line.strip())}</p>" for line in preamble]
    if diagram is not None:
        parts.append(diagram_svg(diagram, uid, _title(diagram), _description(diagram, report)))
        parts.append(_derivations(diagram))
    parts += [finding_html(f, first=f is report.first) for f in report.findings]
    parts.append(f"<p class=\"rnnd-summary\">{escape(_summary(report))}</p>")
    return "\n".join(p for p in parts if p)


def _summary(report: Report) -> str:
    return render_report(report).rstrip("\n").rsplit("\n", 1)[-1]


def _title(d: Diagram) -> str:
    layer = d.layer + (f"({', '.join(d.arguments)})" if d.arguments else "")
    return f"the call to {layer}"


def _description(d: Diagram, report: Report) -> str:
    """The text alternative: the culprit first, then each wrong axis, then the tensors."""
    parts = []
    first = report.first or next(iter(report.findings), None)  # a warning when there is no error
    if first is not None and d.culprit:
        parts.append(f"culprit: {d.culprit}, {first.title.replace('`', '')}")
    parts += [cell_title(t.name, c) for t, c in d.wrong_cells]
    shown = [f"{t.name} {t.shape(actual=t.has_actual)}" for t in d.inputs]
    if shown:
        parts.append("inputs: " + ", ".join(shown))
    if d.outputs:
        parts.append("outputs: " + ", ".join(f"{t.name} {t.shape(actual=False)}" for t in d.outputs))
    return "; ".join(parts) if parts else "no tensors"


def _derivations(d: Diagram) -> str:
    """Each mismatched axis in words, with where its expected size comes from."""
    items = []
    for t, c in d.wrong_cells:
        why = f": {escape(c.symbol)} = {escape(c.derivation)}" if c.derivation else ""
        items.append(f"<li><b>^ <code>{escape(t.name)}</code> dim {c.index} ({escape(c.symbol)})</b> "
                     f"expected {escape(c.expected)}, got {escape(c.actual or '?')}{why}</li>")
    return f"<ul class=\"rnnd-derivations\">{''.join(items)}</ul>" if items else ""


def finding_html(f: Finding, first: bool = False) -> str:
    """A finding as `render.text` words it; the dims are in the diagram above."""
    sev = f.severity.value
    head = (f"<p class=\"rnnd-title\"><span class=\"rnnd-sev-{sev}\">{sev}[{escape(f.code)}]</span>: "
            f"{inline(f.title)}</p>")
    parts = [f"<div class=\"rnnd-finding\" data-code=\"{escape(f.code, quote=True)}\">", head]
    where = _location(f)
    if where:
        parts.append(f"<p class=\"rnnd-where\">--&gt; {escape(where)}</p>")
    notes = ([f"torch raises {f.raises} here first"] if first and f.raises else []) + list(f.notes)
    if notes:
        parts.append("<ul class=\"rnnd-notes\">" + "".join(f"<li>note: {inline(n)}</li>" for n in notes)
                     + "</ul>")
    for i, fix in enumerate(f.fixes):
        suffix = " (changes the model)" if fix.applicability.value == "changes-model" else ""
        lead = "help: " if i == 0 else "help: or "
        parts.append(f"<p class=\"rnnd-help\">{lead}{inline(fix.title)}{suffix}</p>")
        if fix.snippet:
            parts.append(f"<pre class=\"rnnd-snippet\"><code>{escape(fix.snippet)}</code></pre>")
    parts.append(f"<p class=\"rnnd-more\">For more on this {sev}, run "
                 f"<code>rnndoctor rule {escape(f.code)}</code>.</p></div>")
    return "\n".join(parts)


def _location(f: Finding) -> str:
    loc = f.location
    layer = ": ".join(p for p in (loc.module_path, loc.module_repr) if p)
    if loc.call_site:
        return f"{loc.call_site}, in {layer}" if layer else loc.call_site
    return layer


# ---- expected shapes -----------------------------------------------------------------------

def shapes_html(shapes: ExpectedShapes, uid: str | None = None) -> str:
    """`expected_shapes()` as the call diagram, expected sizes only, and the text below it."""
    uid = uid or new_uid()
    d = shapes_diagram(shapes)
    desc = "; ".join(f"{t.name} {t.shape(actual=False)}" for t in (*d.inputs, *d.outputs))
    svg = diagram_svg(d, uid, "expected shapes for " + _title(d).removeprefix("the call to "), desc)
    text = render_shapes(shapes)
    listing = f"<pre class=\"rnnd-failure\">{escape(text)}</pre>"
    return wrap(svg + listing, text)
