"""Inline SVG: the diagram of one call, and a scan's recurrent layers as a chain.

Every string is escaped here, where it meets the markup. Sizes are worked out
from character counts: the text is monospace (see static/style.css), 12px.
Mismatched axes are drawn in the highlight colour, in bold, and with a caret
under the actual size, so that colour is never the only signal; the culprit,
a tensor going in or a constructor argument, is bold, highlighted and marked `<-`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from .diagram import Cell, Diagram, Tensor

__all__ = ["Link", "chain_svg", "diagram_svg", "svg_text"]

CW = 7.25  # advance of one character of DejaVu Sans Mono at 12px, rounded up
ROW = 16
PAD = 8
HEADER = 22
GAP = 56
LABEL_W = 8 * CW + PAD  # "expected"
CULPRIT = " <-"  # after the constructor argument that a finding names first


def attrs(**values: object) -> str:
    """` a="1" b="x"`, escaped; `cls` becomes `class`, `_` in a name becomes `-`."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = "class" if key == "cls" else key.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{escape(_number(value), quote=True)}"')
    return "".join(parts)


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def svg_text(x: float, y: float, text: str, cls: str | None = None, anchor: str | None = None) -> str:
    return f"<text{attrs(x=x, y=y, cls=cls, text_anchor=anchor)}>{escape(text)}</text>"


def _rect(x: float, y: float, w: float, h: float, cls: str) -> str:
    return f"<rect{attrs(x=x, y=y, width=w, height=h, rx=3, cls=cls)}/>"


def _arrow(x1: float, y1: float, x2: float, y2: float, bad: bool) -> str:
    line = f"<line{attrs(x1=x1, y1=y1, x2=x2 - 7, y2=y2, cls='rnnd-arrow' + (' rnnd-arrow-bad' if bad else ''))}/>"
    head = f"{x2 - 8:g},{y2 - 5:g} {x2:g},{y2:g} {x2 - 8:g},{y2 + 5:g}"
    return line + f"<polygon{attrs(points=head, cls='rnnd-head-bad' if bad else 'rnnd-head')}/>"


def _open_svg(uid: str, width: float, height: float, title: str, desc: str) -> str:
    svg = attrs(xmlns="http://www.w3.org/2000/svg", cls="rnnd-diagram", role="img", width=width,
                height=height, viewBox=f"0 0 {width:g} {height:g}",
                aria_labelledby=f"{uid}-title {uid}-desc")
    return (f"<svg{svg}>"
            f"<title{attrs(id=f'{uid}-title')}>{escape(title)}</title>"
            f"\n<desc{attrs(id=f'{uid}-desc')}>{escape(desc)}</desc>")


# ---- one call ------------------------------------------------------------------------------

def _cell_width(c: Cell) -> float:
    return max(len(c.symbol), len(c.expected), len(c.actual or ""), 3) * CW + 2 * PAD


def _tensor_size(t: Tensor) -> tuple[float, float]:
    cells = sum(_cell_width(c) for c in t.cells) + 4 * max(len(t.cells) - 1, 0)
    width = max(2 * PAD + LABEL_W + cells, 2 * PAD + len(t.name + CULPRIT) * CW,
                2 * PAD + len(t.note) * CW)
    rows = 3 if t.has_actual else 2
    height = HEADER + rows * ROW + PAD + (ROW if t.wrong else 0) + PAD + (ROW if t.note else 0)
    return width, height


def _tensor(t: Tensor, x: float, y: float, culprit: bool = False) -> str:
    width, height = _tensor_size(t)
    box = "rnnd-box" + ("" if t.given else " rnnd-box-open")
    name = t.name + (CULPRIT if culprit else "")
    out = [f"<g{attrs(cls='rnnd-tensor', data_tensor=t.name)}>", _rect(x, y, width, height, box),
           svg_text(x + PAD, y + 16, name, "rnnd-name" + (" rnnd-bad-text" if culprit else ""))]
    labels = ["expected", "actual"] if t.has_actual else [t.label]
    for i, label in enumerate(labels):
        out.append(svg_text(x + PAD, y + HEADER + 13 + (i + 1) * ROW, label, "rnnd-label"))
    cx = x + PAD + LABEL_W
    for c in t.cells:
        out.append(_cell(t, c, cx, y + HEADER))
        cx += _cell_width(c) + 4
    if t.note:
        out.append(svg_text(x + PAD, y + height - PAD, t.note, "rnnd-label"))
    out.append("</g>")
    return "\n".join(out)


def _cell(t: Tensor, c: Cell, x: float, y: float) -> str:
    w = _cell_width(c)
    rows = [c.symbol, c.expected] + ([c.actual or ""] if t.has_actual else [])
    h = len(rows) * ROW + PAD + (ROW if t.wrong else 0)
    group = attrs(cls="rnnd-cell" + (" rnnd-bad" if c.wrong else ""), data_tensor=t.name,
                  data_dim=c.index, data_expected=c.expected, data_actual=c.actual)
    out = [f"<g{group}>", f"<title>{escape(cell_title(t.name, c))}</title>",
           _rect(x, y, w, h, "rnnd-cell-bg")]
    for i, text in enumerate(rows):
        out.append(svg_text(x + w / 2, y + 13 + i * ROW, text, None, "middle"))
    if c.wrong:
        out.append(svg_text(x + w / 2, y + 13 + len(rows) * ROW, "^", "rnnd-caret", "middle"))
    out.append("</g>")
    return "\n".join(out)


def cell_title(name: str, c: Cell) -> str:
    """`h_0` dim 0 (D*num_layers): expected 4, got 2; D*num_layers = D=2 (...) × num_layers=2."""
    sizes = f"expected {c.expected}, got {c.actual}" if c.actual is not None else f"size {c.expected}"
    why = f"; {c.symbol} = {c.derivation}" if c.derivation else ""
    return f"{name} dim {c.index} ({c.symbol}): {sizes}{why}"


def _column(tensors: Sequence[Tensor]) -> tuple[float, float]:
    sizes = [_tensor_size(t) for t in tensors]
    width = max((w for w, _ in sizes), default=0.0)
    return width, sum(h for _, h in sizes) + PAD * 2 * max(len(sizes) - 1, 0)


def diagram_svg(d: Diagram, uid: str, title: str, desc: str) -> str:
    """The layer in the middle, inputs on the left with arrows in, outputs on the right."""
    marked = [a.split("=", 1)[0] == d.culprit for a in d.arguments]
    lines = [d.layer, *(a + (CULPRIT if m else "") for a, m in zip(d.arguments, marked))]
    layer_w = max(len(s) for s in lines) * CW + 2 * PAD
    layer_h = len(lines) * ROW + 2 * PAD
    left_w, left_h = _column(d.inputs)
    right_w, right_h = _column(d.outputs)
    height = max(left_h, right_h, layer_h) + 2
    layer_x = left_w + GAP if d.inputs else 1.0
    right_x = layer_x + layer_w + GAP
    width = (right_x + right_w if d.outputs else layer_x + layer_w) + 2
    layer_y = (height - layer_h) / 2
    bad = any(t.wrong for t in d.inputs)
    out = [_open_svg(uid, width, height, title, desc),
           _rect(layer_x, layer_y, layer_w, layer_h, "rnnd-layer" + (" rnnd-layer-bad" if bad else ""))]
    for i, line in enumerate(lines):
        cls = "rnnd-name" if i == 0 else "rnnd-bad-text" if marked[i - 1] else None
        out.append(svg_text(layer_x + PAD, layer_y + PAD + 12 + i * ROW, line, cls))
    span = (layer_y + PAD, layer_y + layer_h - PAD)
    y = (height - left_h) / 2
    for t in d.inputs:
        w, h = _tensor_size(t)
        out.append(_tensor(t, left_w - w + 1, y, culprit=t.name == d.culprit))
        out.append(_arrow(left_w + 1, y + h / 2, layer_x, _clamp(y + h / 2, span), t.wrong))
        y += h + 2 * PAD
    y = (height - right_h) / 2
    for t in d.outputs:
        _, h = _tensor_size(t)
        out.append(_arrow(layer_x + layer_w, _clamp(y + h / 2, span), right_x, y + h / 2, False))
        out.append(_tensor(t, right_x, y))
        y += h + 2 * PAD
    return "\n".join(out) + "\n</svg>"


def _clamp(y: float, span: tuple[float, float]) -> float:
    return min(max(y, span[0]), span[1])


# ---- a scan's chain ------------------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """One recurrent layer of a scan and the arrow into it."""

    lines: tuple[str, ...]  # "encoder: LSTM", then its arguments
    label: str  # the shape on the arrow into it: "input (32, 10, 50)"
    bad: bool  # the call through this arrow fails
    called: bool = True


def chain_svg(links: Sequence[Link], out_label: str, uid: str, title: str, desc: str) -> str:
    """Boxes left to right, each arrow labelled with the shape it carries; failing links highlighted."""
    box_h = max(len(link.lines) for link in links) * ROW + 2 * PAD
    top = 4.0
    mid = top + box_h / 2
    x = 1.0
    body = []
    for link in links:
        label = ("✗ " if link.bad else "") + link.label
        length = max(len(label) * CW + 2 * PAD, 60)
        body.append(_chain_label(x, mid, length, label, link.bad))
        body.append(_arrow(x, mid, x + length, mid, link.bad))
        x += length
        w = max(len(s) for s in link.lines) * CW + 2 * PAD
        cls = "rnnd-layer" + (" rnnd-layer-bad" if link.bad else "") + ("" if link.called else " rnnd-box-open")
        body.append(f"<g{attrs(cls='rnnd-link' + (' rnnd-bad' if link.bad else ''), data_label=link.label)}>")
        body.append(_rect(x, top, w, box_h, cls))
        for i, line in enumerate(link.lines):
            body.append(svg_text(x + PAD, top + PAD + 12 + i * ROW, line, "rnnd-name" if i == 0 else None))
        body.append("</g>")
        x += w
    if out_label:
        length = max(len(out_label) * CW + 2 * PAD, 60)
        body.append(_chain_label(x, mid, length, out_label, False))
        body.append(_arrow(x, mid, x + length, mid, False))
        x += length
    width, height = x + 2, top + box_h + 4
    return _open_svg(uid, width, height, title, desc) + "\n" + "\n".join(body) + "\n</svg>"


def _chain_label(x: float, mid: float, length: float, label: str, bad: bool) -> str:
    return svg_text(x + length / 2, mid - 8, label, "rnnd-bad-text" if bad else "rnnd-label", "middle")
