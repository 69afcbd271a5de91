"""Plain-text views other than a report: expected shapes, the rule catalogue, the demo.

Like `render.text`, these produce the canonical text; colour is added on top
by `render.colour`, and `render.json` gives the same data as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..findings import Dim
from ..rules._base import Rule
from ..shapes import ExpectedShapes
from .text import GUTTER, render_report

if TYPE_CHECKING:
    from .._demo import Outcome, TorchRun

__all__ = ["render_demo", "render_rule", "render_rules", "render_shapes"]

INDENT = "   "
_STAGES = {"construct": "checked when the layer is constructed",
           "forward": "checked when the layer is called",
           "use": "checked by `guard(semantics=True)` as the layer's results are used",
           "program": "checked by `guard(semantics=True)` over what the program does"}


def render_shapes(shapes: ExpectedShapes) -> str:
    """Each tensor's shape and symbols, then every symbol with where its size comes from."""
    names = list(shapes)
    rows = [[name, _shape(shapes.dims(name), size=True), _shape(shapes.dims(name), size=False)]
            for name in names]
    symbols: dict[str, Dim] = {}
    for name in names:
        for d in shapes.dims(name):
            symbols.setdefault(d.symbol, d)
    where = [[sym, "= " + _size(d.expected), d.derivation] for sym, d in symbols.items()]
    states = [f"`{n}`" for n in names if n in ("h_0", "c_0")]
    verb = "are" if len(states) > 1 else "is"
    optional = f"{' and '.join(states)} {verb} optional: torch starts from zeros of these shapes"
    lines = [f"expected shapes for `{shapes.spec!r}`", "", *_table(rows), "", "where",
             *_table(where), "", optional + " when omitted"]
    return "\n".join(lines) + "\n"


def _shape(dims: tuple[Dim, ...], size: bool) -> str:
    return _tuple([(_size(d.expected, d.symbol) if size else d.symbol) for d in dims])


def _tuple(cells: Sequence[str]) -> str:
    """`(4, 32, 100)`, `(N, L, H_in)`, `(20,)`."""
    return f"({cells[0]},)" if len(cells) == 1 else "(" + ", ".join(cells) + ")"


def _size(value: int | None, unknown: str = "any") -> str:
    return unknown if value is None else str(value)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns, three spaces apart, indented; no trailing spaces."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [(INDENT + "   ".join(c.ljust(w) for c, w in zip(r, widths))).rstrip() for r in rows]


def render_rules(rules: Iterable[Rule]) -> str:
    """One line per rule: code, name, severity and summary."""
    listed = list(rules)
    rows = [["code", "name", "severity", "summary"]]
    rows += [[r.code, r.name, r.severity.value, r.summary] for r in listed]
    table = [line.removeprefix(INDENT) for line in _table(rows)]
    noun = "rule" if len(listed) == 1 else "rules"
    footer = [f"{len(listed)} {noun}; `rnndoctor rule CODE` shows one in full"]
    semantic = [r.code for r in listed if r.stage in ("use", "program")]
    if semantic:  # `rnndoctor check` never reports these: say so where they are listed
        footer.append(f"checked only under `guard(semantics=True)`: {', '.join(semantic)}")
    return "\n".join([*table, "", *footer]) + "\n"


def render_rule(rule: Rule) -> str:
    """The rule's documentation (its module docstring), headed by code, name and severity."""
    body = rule.doc.strip().splitlines()
    if body and body[0].strip() == f"{rule.code} {rule.name}":
        body = body[1:]
    head = f"{rule.code} {rule.name} ({rule.severity.value}, {_STAGES[rule.stage]})"
    return "\n".join([head, *body]).rstrip() + "\n"


def render_demo(outcomes: Sequence[Outcome], article: str) -> str:
    """Each example: its code, the article's claim, torch's verdict and ours; then a summary."""
    blocks = [f'rnndoctor demo: the examples of "{article}"\n']
    blocks += [_example(o) for o in outcomes]
    rows = [[o.example.title.split(":")[0], _verdict_code(o), _verdict(o)] for o in outcomes]
    blocks.append("\n".join(["verdicts", *_table(rows)]) + "\n")
    return "\n".join(blocks)


def _example(o: Outcome) -> str:
    ex = o.example
    lines = [ex.title, *(f"{GUTTER}   {line}" for line in ex.code.splitlines()),
             f"the article says: {ex.claim}", _torch_line(o.torch), f"$ {ex.command}"]
    text = "\n".join(lines) + "\n" + render_report(o.report)
    if o.report:
        text += "\n" + render_shapes(o.shapes)
    return text


def _torch_line(run: TorchRun | None) -> str:
    if run is None:
        return "torch: not run"
    if run.error is not None:
        return f"torch {run.version} raises {run.error}: {run.message}"
    outputs = ", ".join(f"{name} {_tuple([str(n) for n in shape])}" for name, shape in run.outputs)
    return f"torch {run.version} runs it: {outputs}"


def _verdict_code(o: Outcome) -> str:
    first = o.report.first
    return f"error[{first.code}]" if first is not None else "valid"


def _verdict(o: Outcome) -> str:
    ex, first = o.example, o.report.first
    if first is not None:
        agreement = "as the article says" if ex.claims_failure else "the article says it runs"
        fixes = "; or ".join(f.title for f in first.fixes)
        return f"{agreement}; help: {fixes}" if fixes else agreement
    if not ex.claims_failure:
        return "as the article says"
    why = ": torch starts from zeros when `h_0` and `c_0` are omitted" if not ex.states else ""
    return f"the article says it fails; it does not{why}"
