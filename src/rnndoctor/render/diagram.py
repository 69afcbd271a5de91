"""A recurrent call as data to draw: the layer, the tensors going in and out, axis by axis.

`call_diagram(report)` reads a report (its findings' dims, its layer and call);
`shapes_diagram(shapes)` reads `expected_shapes()`. Both give a `Diagram` that
`render.svg` draws. Only the findings mark an axis wrong: a tensor no finding
mentions is shown as given, never judged here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._record import replace
from ..shapes import expected_dims, with_actual
from ..specs import Packed, Seq, TensorInfo

if TYPE_CHECKING:
    from ..findings import Dim, Finding
    from ..report import Report
    from ..shapes import ExpectedShapes
    from ..specs import Call, RnnSpec

__all__ = ["Cell", "Diagram", "Tensor", "call_diagram", "layer_lines", "shapes_diagram"]

MAX_LENGTHS = 8  # values of `lengths` drawn; the rest are counted


@dataclass(frozen=True)
class Cell:
    """One axis: its symbol, the size expected, the size given, and where the expectation comes from."""

    index: int
    symbol: str
    expected: str
    actual: str | None  # None: the tensor has no actual row (expected shapes, outputs)
    wrong: bool = False
    derivation: str = ""


@dataclass(frozen=True)
class Tensor:
    """A box of cells; `note` says what the box stands for when it is not a given tensor."""

    name: str
    cells: tuple[Cell, ...]
    note: str = ""  # "not given: torch starts from zeros"
    label: str = "size"  # what the one row of a tensor without actual sizes shows
    given: bool = True  # False: a state the call leaves out (drawn dashed)

    @property
    def wrong(self) -> bool:
        return any(c.wrong for c in self.cells)

    @property
    def has_actual(self) -> bool:
        return any(c.actual is not None for c in self.cells)

    def shape(self, actual: bool) -> str:
        values = [(c.actual if actual else c.expected) or "?" for c in self.cells]
        return "(" + ", ".join(values) + ("," if len(values) == 1 else "") + ")"


@dataclass(frozen=True)
class Diagram:
    """The layer in the middle, its inputs on the left and its outputs on the right."""

    layer: str  # "LSTM", or the module's repr when no spec is known
    arguments: tuple[str, ...]  # "input_size=10", "num_layers=2", ...
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]
    culprit: str | None = None  # the argument most likely wrong, from the first finding

    @property
    def wrong_cells(self) -> list[tuple[Tensor, Cell]]:
        return [(t, c) for t in self.inputs for c in t.cells if c.wrong]


def layer_lines(spec: RnnSpec) -> tuple[str, tuple[str, ...]]:
    """`("LSTM", ("input_size=10", "hidden_size=20", "num_layers=2"))` from the constructor repr."""
    parts = _top_level(repr(spec)[len(spec.kind) + 1:-1])
    named = [f"{name}={value}" for name, value in zip(("input_size", "hidden_size"), parts[:2])]
    return spec.kind, tuple(named + parts[2:])


def _top_level(args: str) -> list[str]:
    """`"10, (1, 2), x='a, b'"` -> `["10", "(1, 2)", "x='a, b'"]`: split at commas outside brackets and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(args):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(args[start:i].strip())
            start = i + 1
    parts.append(args[start:].strip())
    return [p for p in parts if p]


def call_diagram(report: Report) -> Diagram | None:
    """The call behind a report, or None when there is nothing to draw (no tensor, no layer)."""
    drawn = _finding_dims(report.findings)
    first = report.first or next(iter(report.findings), None)
    culprit = first.arguments[0] if first is not None and first.arguments else None
    if report.spec is None:
        if not drawn:
            return None
        layer = _module_repr(report.findings) or "the layer"
        inputs = tuple(_from_dims(name, dims) for name, dims in drawn.items())
        return Diagram(layer, (), inputs, (), culprit)
    kind, arguments = layer_lines(report.spec)
    if report.call is None:
        return Diagram(kind, arguments, (), (), culprit)
    inputs = _inputs(report.spec, report.call, drawn)
    return Diagram(kind, arguments, inputs, _outputs(report.spec, report.call, drawn), culprit)


def shapes_diagram(shapes: ExpectedShapes) -> Diagram:
    """`expected_shapes()` as the same diagram, with the expected sizes only."""
    kind, arguments = layer_lines(shapes.spec)
    boxes = {name: _expected(name, shapes.dims(name)) for name in shapes}
    ins = tuple(boxes[n] for n in ("input", "h_0", "c_0") if n in boxes)
    outs = tuple(boxes[n] for n in ("output", "h_n", "c_n") if n in boxes)
    return Diagram(kind, arguments, ins, outs)


def _finding_dims(findings: Iterable[Finding]) -> dict[str, tuple[Dim, ...]]:
    """Each tensor's axes as the first finding that describes it gives them."""
    found: dict[str, list[Dim]] = {}
    owner: dict[str, Finding] = {}
    for f in findings:
        for d in f.dims:
            if owner.setdefault(d.tensor, f) is f:
                found.setdefault(d.tensor, []).append(d)
    return {name: tuple(dims) for name, dims in found.items()}


def _module_repr(findings: Iterable[Finding]) -> str | None:
    return next((f.location.module_repr for f in findings if f.location.module_repr), None)


def _from_dims(name: str, dims: tuple[Dim, ...]) -> Tensor:
    return Tensor(name, tuple(Cell(d.index, d.symbol, _size(d.expected), _size(d.actual, "?"),
                                   d.wrong, d.derivation) for d in dims))


def _expected(name: str, dims: tuple[Dim, ...], note: str = "") -> Tensor:
    cells = tuple(Cell(d.index, d.symbol, _size(d.expected), None, False, d.derivation) for d in dims)
    return Tensor(name, cells, note)


def _inputs(spec: RnnSpec, call: Call, drawn: dict[str, tuple[Dim, ...]]) -> tuple[Tensor, ...]:
    batch, unbatched, packed = _batch(spec, call, drawn)
    given = {"input": _data(call.input), **_states(call)}
    names = ["input", "h_0", "c_0"] if spec.base == "LSTM" else ["input", "h_0"]
    names += [n for n in drawn if n not in names]
    boxes = []
    for name in names:
        if name in drawn:
            boxes.append(_from_dims(name, drawn[name]))
            continue
        expected = _expected_dims(spec, name, batch, unbatched, packed, _seq_len(spec, call))
        tensor = given.get(name)
        if isinstance(tensor, TensorInfo):
            boxes.append(_given(name, expected, tensor.shape))
        elif name in ("h_0", "c_0") and call.hx is None and expected:
            boxes.append(replace(_expected(name, expected, "not given: torch starts from zeros"),
                                 given=False))
    if call.lengths is not None:
        boxes.append(_lengths(call.lengths.values, call.lengths.readable))
    return tuple(boxes)


def _lengths(values: tuple[float, ...], readable: bool) -> Tensor:
    """The `lengths` given to `pack_padded_sequence`: its first values, one cell each ("?" unread)."""
    cells = [Cell(i, f"[{i}]", repr(v) if readable else "?", None) for i, v in enumerate(values[:MAX_LENGTHS])]
    if len(values) > MAX_LENGTHS:
        cells.append(Cell(MAX_LENGTHS, "...", f"{len(values) - MAX_LENGTHS} more", None))
    return Tensor("lengths", tuple(cells), "given to pack_padded_sequence", "value")


def _outputs(spec: RnnSpec, call: Call, drawn: dict[str, tuple[Dim, ...]]) -> tuple[Tensor, ...]:
    batch, unbatched, packed = _batch(spec, call, drawn)
    seq_len = _seq_len(spec, call)
    pairs = [("h_n", "h_0"), ("c_n", "c_0")] if spec.base == "LSTM" else [("h_n", "h_0")]
    if not spec.is_cell:
        pairs.insert(0, ("output", "output"))
    boxes = []
    for shown, name in pairs:
        dims = _expected_dims(spec, name, batch, unbatched, packed, seq_len)
        if dims:
            boxes.append(_expected(shown, dims))
    return tuple(boxes)


def _expected_dims(spec: RnnSpec, name: str, batch: int | None, unbatched: bool, packed: bool,
                   seq_len: int | None) -> tuple[Dim, ...]:
    try:
        return expected_dims(spec, name, batch=batch, seq_len=seq_len, unbatched=unbatched,
                             packed=packed)
    except TypeError:  # a size that is not an int: the constructor rules say so
        return ()


def _given(name: str, expected: tuple[Dim, ...], shape: tuple[int, ...]) -> Tensor:
    """A tensor no finding mentions: its sizes under the expected symbols when the ranks agree."""
    filled = with_actual(expected, shape)
    if filled:
        return Tensor(name, tuple(Cell(d.index, d.symbol, _size(d.expected), _size(d.actual),
                                       False, d.derivation) for d in filled))
    return Tensor(name, tuple(Cell(i, f"dim {i}", "", str(n)) for i, n in enumerate(shape)))


def _batch(spec: RnnSpec, call: Call, drawn: dict[str, tuple[Dim, ...]]) -> tuple[int | None, bool, bool]:
    """N as the findings or the input give it, whether the call is unbatched, and whether packed."""
    if isinstance(call.input, Packed):
        return call.input.batch, False, True
    x = call.input
    if not isinstance(x, TensorInfo):
        return _drawn_batch(drawn), False, False
    rank = 2 if not spec.is_cell else 1
    if x.ndim == rank:
        return None, True, False
    axis = 0 if spec.is_cell or spec.is_batch_first else 1
    found = _drawn_batch(drawn)
    return (found if found is not None else x.shape[axis] if x.ndim > axis else None), False, False


def _drawn_batch(drawn: dict[str, tuple[Dim, ...]]) -> int | None:
    return next((d.expected for dims in drawn.values() for d in dims if d.symbol == "N"), None)


def _seq_len(spec: RnnSpec, call: Call) -> int | None:
    x = call.input
    if spec.is_cell or not isinstance(x, TensorInfo) or x.ndim not in (2, 3):
        return None
    return x.shape[1 if spec.is_batch_first and x.ndim == 3 else 0]


def _data(value: TensorInfo | Packed | object) -> TensorInfo | None:
    if isinstance(value, Packed):
        return value.data
    return value if isinstance(value, TensorInfo) else None


def _states(call: Call) -> dict[str, TensorInfo | None]:
    hx = call.hx
    if isinstance(hx, TensorInfo):
        return {"h_0": hx}
    if isinstance(hx, Seq):
        items = [i if isinstance(i, TensorInfo) else None for i in hx.items]
        return dict(zip(("h_0", "c_0"), items))
    return {}


def _size(value: int | None, unknown: str = "any") -> str:
    return unknown if value is None else str(value)
