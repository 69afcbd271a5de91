"""Turns what the reader found into the run-time rules' inputs, and keeps what holds whatever the unknowns are.

A size, flag or rate the source does not fix gets a stand-in value, twice,
from two sets chosen to disagree (64-ish sizes and one layer against others,
`False` against `True`, no dropout against 0.5). Every rule runs on both, and
a finding stands only if both give it with the same title; notes, tables and
snippets that differ between the two are dropped. So a finding never rests on
a guess.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from .._record import replace
from ..engine import diagnose
from ..findings import Applicability, Finding, Fix, Location, Severity
from ..rules import REGISTRY
from ..specs import _POSITIONAL, Call, Hx, Lengths, RnnSpec, Seq, SpecError, TensorInfo, spec
from ..uses import Produced, Reordering, Unpadding, Use, judge_all, judge_reordering, selection
from .values import UNKNOWN, Dim, Layer, LayerCall, Out, Packed, Slice, Sym, Tensor, Tup, Uses, Value, is_const, is_int

__all__ = ["Located", "STAND_INS", "StandIns", "constructor_findings", "function_findings", "strengthen"]

FORWARD = frozenset(r.code for r in REGISTRY if r.stage == "forward")


@dataclass(frozen=True)
class StandIns:
    """Values for what the source leaves open: constructor arguments, the batch, the steps, and the
    features of a per-position layer (`nn.Linear(hidden, n_tags)`)."""

    arguments: dict[str, object]
    batch: int
    steps: int
    features: int


STAND_INS = (
    StandIns({"input_size": 43, "hidden_size": 47, "num_layers": 2, "nonlinearity": "tanh", "bias": True,
              "batch_first": False, "dropout": 0.0, "bidirectional": False, "proj_size": 0},
             batch=37, steps=41, features=71),
    StandIns({"input_size": 61, "hidden_size": 67, "num_layers": 1, "nonlinearity": "relu", "bias": False,
              "batch_first": True, "dropout": 0.5, "bidirectional": True, "proj_size": 7},
             batch=53, steps=59, features=73),
)


@dataclass(frozen=True)
class Located:
    """A finding and the node its caret goes under."""

    finding: Finding
    node: ast.AST
    layer: Layer | None = None


# ---- constructors ----------------------------------------------------------------------------

def build_spec(layer: Layer, s: StandIns) -> RnnSpec | None:
    """The layer as torch would get it, with stand-ins for what the source leaves open."""
    params = _POSITIONAL[layer.kind]  # type: ignore[index]
    if len(layer.args) > len(params):
        return None
    args = [_argument(v, p, s) for v, p in zip(layer.args, params)]
    kwargs = {k: _argument(v, k, s) for k, v in layer.keywords.items()}
    try:
        return spec(layer.kind, *args, **kwargs)
    except SpecError:
        return None


def _argument(v: Value, name: str, s: StandIns) -> object:
    if name in ("device", "dtype"):  # where the model ends up is not in the constructor
        return None
    return v if is_const(v) else s.arguments.get(name)


def constructor_findings(layer: Layer) -> list[Located]:
    found = _agreed([list(diagnose(sp, None)) if sp else [] for sp in _specs(layer)])
    return [Located(_at(f, layer), _argument_node(layer, f.arguments[0] if f.arguments else ""), layer)
            for f in found]


def _at(f: Finding, layer: Layer) -> Finding:
    """The finding, placed at the layer as the source names and builds it."""
    return replace(f, location=Location(module_path=layer.name or None, module_repr=ast.unparse(layer.node)))


def _specs(layer: Layer) -> list[RnnSpec | None]:
    return [build_spec(layer, s) for s in STAND_INS]


def _argument_node(layer: Layer, name: str) -> ast.AST:
    for k in layer.node.keywords:
        if k.arg == name:
            value: ast.AST = k.value
            return value
    params: tuple[str, ...] = _POSITIONAL.get(layer.kind, ())  # type: ignore[call-overload]
    if name in params and params.index(name) < len(layer.node.args):
        arg: ast.AST = layer.node.args[params.index(name)]
        return arg
    return layer.node


# ---- forward calls -----------------------------------------------------------------------------

def call_findings(call: LayerCall) -> list[Located]:
    runs: list[list[Finding]] = []
    for s in STAND_INS:
        sp = build_spec(call.layer, s)
        c = _call(call, sp) if sp is not None else None
        if sp is None or c is None:
            return []
        runs.append([f for f in diagnose(sp, c) if f.code in FORWARD])
    return [Located(_at(f, call.layer), _call_node(call, f), call.layer) for f in _agreed(runs)]


def _call(call: LayerCall, sp: RnnSpec) -> Call | None:
    hx = _hx(call.hx, sp)
    if hx is UNKNOWN or call.guarded:
        return None
    x = call.input
    if isinstance(x, Packed):
        data, lengths = _shape(x.input), x.lengths
        if data is None or not isinstance(lengths, Tensor) or lengths.values is None or lengths.dtype is None \
                or x.batch_first is not sp.batch_first or not isinstance(x.enforce_sorted, bool):
            return None
        given = Lengths(tuple(lengths.values), lengths.dtype, ndim=len(lengths.shape),  # type: ignore[arg-type]
                        enforce_sorted=x.enforce_sorted)
        return Call(TensorInfo(data, sp.dtype, sp.device), hx, lengths=given)  # type: ignore[arg-type]
    shape = _shape(x)
    if shape is None:
        return None
    return Call(TensorInfo(shape, sp.dtype, sp.device), hx)  # type: ignore[arg-type]


def _hx(v: Value, sp: RnnSpec) -> Hx | object:
    if v is None:
        return None
    shape = _shape(v)
    if shape is not None:
        return TensorInfo(shape, sp.dtype, sp.device)
    if isinstance(v, Tup):
        items = [_shape(i) for i in v.items]
        if all(i is not None for i in items):
            return Seq(v.kind, tuple(TensorInfo(i, sp.dtype, sp.device) for i in items if i is not None))
    return UNKNOWN


def _shape(v: Value) -> tuple[int, ...] | None:
    if isinstance(v, Tensor) and all(is_int(d) for d in v.shape):
        return tuple(v.shape)  # type: ignore[arg-type]
    return None


def _ints(v: Value) -> list[int] | None:
    items = v.values if isinstance(v, Tensor) and len(v.shape) == 1 else v.items if isinstance(v, Tup) else None
    if items is None or not items or not all(is_int(i) for i in items):
        return None
    return list(items)  # type: ignore[arg-type]


def _call_node(call: LayerCall, f: Finding) -> ast.AST:
    wanted = f.arguments[0] if f.arguments else ""
    position = 0 if wanted == "input" else 1 if wanted in ("hx", "h_0", "c_0") else None
    if position is not None and position < len(call.node.args):
        return call.node.args[position]
    return call.node


# ---- uses of the results -------------------------------------------------------------------------

def produced(out: Out, s: StandIns) -> Produced | None:
    """The tensor as semantic mode would see it, with stand-ins for the sizes the source leaves open."""
    p = _produced(out, s)
    if p is None or out.through is None:
        return p
    features = p.shape[-1] if out.features is None else out.features if is_int(out.features) else s.features
    return replace(p, shape=(*p.shape[:-1], features), through=out.through)


def _produced(out: Out, s: StandIns) -> Produced | None:
    sp = build_spec(out.call.layer, s)
    if sp is None or sp.is_cell or not diagnose(sp, None):
        return None
    x = out.call.input.input if isinstance(out.call.input, Packed) else out.call.input
    shape = _shape(x) or ((s.batch, s.steps, sp.I) if sp.is_batch_first else (s.steps, s.batch, sp.I))
    if len(shape) not in (2, 3):
        return None
    unbatched = len(shape) == 2
    batch = 1 if unbatched else shape[0 if sp.is_batch_first else 1]
    steps = shape[0 if unbatched or not sp.is_batch_first else 1]
    layer = _Where(ast.unparse(out.call.layer.node), out.call.layer.name or None, sp.D, sp.layers)
    if out.name != "output":
        rows = (sp.D * sp.layers,) + (() if unbatched else (batch,))
        hidden = sp.H if out.name == "c_n" else sp.H_out
        return layer.produced(out.name, (*rows, hidden), sp.is_batch_first, hidden)
    if out.padded is None:
        lead = (steps,) if unbatched else ((batch, steps) if sp.is_batch_first else (steps, batch))
        return layer.produced("output", (*lead, sp.D * sp.H_out), sp.is_batch_first, sp.H_out)
    return _padded(out, sp, s, batch, steps, layer)


@dataclass(frozen=True)
class _Where:
    """What every `Produced` of one layer shares."""

    text: str
    path: str | None
    directions: int
    layers: int

    def produced(self, name: Literal["output", "h_n", "c_n"], shape: tuple[int, ...], batch_first: bool,
                 hidden: int, lengths: tuple[int, ...] | None = None) -> Produced:
        return Produced(name, shape, batch_first, self.directions, self.layers, hidden, lengths,
                        self.text, self.path)


def _padded(out: Out, sp: RnnSpec, s: StandIns, batch: int, steps: int, layer: _Where) -> Produced | None:
    assert out.padded is not None
    batch_first, given = out.padded
    if not isinstance(batch_first, bool) or batch == 1:
        return None
    lengths = _ints(given)
    if lengths is None:  # no padding for the first stand-in, some for the second
        lengths = [steps] * batch if s is STAND_INS[0] else [steps] + [1] * (batch - 1)
    if len(lengths) != batch or min(lengths) < 1 or max(lengths) > steps:
        return None
    steps = max(lengths)
    lead = (batch, steps) if batch_first else (steps, batch)
    return layer.produced("output", (*lead, sp.D * sp.H_out), batch_first, sp.H_out, tuple(lengths))


def index_use(key: Value) -> Use | None:
    items = key.items if isinstance(key, Tup) else (key,)
    converted: list[object] = []
    for k in items:
        if isinstance(k, Slice):
            parts = (k.start, k.stop, k.step)
            if not all(p is None or is_int(p) for p in parts):
                return None
            converted.append(slice(*parts))
        elif k is None or k is Ellipsis or is_int(k):
            converted.append(k)
        else:
            return None
    return Use.index(*converted)


def view_use(out: Out, sizes: tuple[Value, ...], text: str, p: Produced, s: StandIns) -> Use | None:
    resolved = [_view_size(v, out, p, s) for v in sizes]
    if any(r is None for r in resolved) or resolved.count(-1) > 1:
        return None
    known = 1
    for r in resolved:
        known *= r if r != -1 else 1  # type: ignore[operator]
    total = 1
    for d in p.shape:
        total *= d
    if known <= 0 or total % known:
        return None
    shape = tuple(total // known if r == -1 else r for r in resolved)
    op = "view" if text.startswith(".view") else "reshape"
    return Use(op, shape=shape, text=text)  # type: ignore[arg-type]


def _view_size(v: Value, out: Out, p: Produced, s: StandIns) -> int | None:
    if is_int(v):
        return v  # type: ignore[return-value]
    x = out.call.input.input if isinstance(out.call.input, Packed) else out.call.input
    if isinstance(v, Dim) and v.owner is x and isinstance(x, Sym) and out.padded is None:
        sp = build_spec(out.call.layer, s)
        if sp is None:
            return None
        layout = (s.batch, s.steps, sp.I) if sp.is_batch_first else (s.steps, s.batch, sp.I)
        return layout[v.axis] if -3 <= v.axis < 3 else None
    if isinstance(v, Sym):
        layer = out.call.layer
        params = _POSITIONAL[layer.kind]  # type: ignore[index]
        named = [params[i] for i, a in enumerate(layer.args) if a is v]
        named += [k for k, a in layer.keywords.items() if a is v]
        sp = build_spec(layer, s)
        if len(named) == 1 and sp is not None and named[0] in ("hidden_size", "proj_size", "input_size"):
            return int(getattr(sp, named[0]))
    return None


def function_findings(uses: Uses) -> Iterator[Located]:
    for call in uses.calls:
        yield from call_findings(call)
    for out, key, node in uses.subscripts:
        yield from _subscript(uses, out, key, node)
    for out, sizes, text, node in uses.views:
        yield from _judged(out, node, functools.partial(view_use, out, sizes, text))
    for out, names, node in uses.unpacks:
        yield from _judged(out, node, Use.unpack(names))
    for out, batch_first, node in uses.unpads:
        yield from _unpadding(out, batch_first, node)
    if uses.packs:
        for order in uses.orders:
            r = Reordering(STAND_INS[0].batch, order.applied, order.inverted, True, order.escaped)
            yield from (Located(f, order.node) for f in judge_reordering(r))


def _judged(out: Out, node: ast.expr, use: Use | Callable[[Produced, StandIns], Use | None]) -> Iterator[Located]:
    """The findings of one use of `out` that every stand-in gives; none if a stand-in cannot make the use.

    `use` is the use, or how to make it from the produced tensor and the stand-ins.
    """
    runs = []
    for s in STAND_INS:
        p = produced(out, s)
        u = (use if isinstance(use, Use) else use(p, s)) if p is not None else None
        if p is None or u is None:
            return
        runs.append([j.finding for j in judge_all(p, u)])
    yield from (Located(_at(f, out.call.layer), node, out.call.layer) for f in _agreed(runs))


def _unpadding(packed: Out, batch_first: Value, node: ast.expr) -> Iterator[Located]:
    """`pad_packed_sequence(packed_output, batch_first=...)` against the pack's and the layer's layout (RNN510)."""
    call, runs = packed.call, []
    if not isinstance(call.input, Packed) or not isinstance(call.input.batch_first, bool) \
            or not isinstance(batch_first, bool):
        return
    for s in STAND_INS:
        sp = build_spec(call.layer, s)
        p = produced(Out(call, "output", padded=(batch_first, call.input.lengths)), s)
        if sp is None or p is None or not isinstance(sp.batch_first, bool):
            return
        u = Unpadding(ast.unparse(call.layer.node), call.input.batch_first, sp.batch_first, batch_first, p.shape)
        runs.append(list(judge_reordering(u)))
    yield from (Located(_at(f, call.layer), node, call.layer) for f in _agreed(runs))


def _subscript(uses: Uses, out: Out, key: Value, node: ast.expr) -> Iterator[Located]:
    use = index_use(key)
    if use is None:
        return
    runs = []
    for s in STAND_INS:
        p = produced(out, s)
        if p is None:
            return
        others = {selection(u.key, p.shape) for o, k, n in uses.subscripts
                  if o == out and n is not node and (u := index_use(k)) is not None}
        runs.append([j.finding for j in judge_all(p, use)
                     if not (j.partners & others) and not (j.forward is not None and id(node) in uses.further)])
    yield from (Located(_at(f, out.call.layer), node, out.call.layer) for f in _agreed(runs))


# ---- what holds for every stand-in -----------------------------------------------------------------

def _agreed(runs: list[list[Finding]]) -> list[Finding]:
    """The findings of the first run that every run gives with the same title, and what they share."""
    if not runs:
        return []
    kept = []
    for f in runs[0]:
        twins = [next((g for g in run if (g.code, g.title) == (f.code, f.title)), None) for run in runs[1:]]
        if any(t is None for t in twins):
            continue
        for g in twins:
            assert g is not None
            f = _common(f, g)
        kept.append(f)
    return kept


def _common(f: Finding, g: Finding) -> Finding:
    fixes = []
    for x in f.fixes:
        y = next((y for y in g.fixes if y.title == x.title), None)
        if y is not None:
            fixes.append(x if x.snippet == y.snippet else replace(x, snippet=None))
    severity = f.severity if f.severity is g.severity else Severity.WARNING
    return replace(f, notes=tuple(n for n in f.notes if n in g.notes), fixes=tuple(fixes),
                   dims=f.dims if f.dims == g.dims else (), severity=severity, location=Location(),
                   raises=f.raises if f.raises == g.raises else None)


# ---- a positional `True` in `bias`, contradicted by the program ----------------------------------

def strengthen(found: list[Located]) -> list[Located]:
    """RNN311 on `bias` becomes an error when the same layer's results are read batch-first (RNN501).

    The positional `True` meant `batch_first`: the RNN501 uses are its symptoms, named in a note.
    They stay findings of their own, so that `--ignore RNN311` keeps them.
    """
    kept = list(found)
    for x in found:
        if x.finding.code != "RNN311" or x.layer is None or "bias" not in x.finding.arguments:
            continue
        layer = x.layer
        params = _POSITIONAL[layer.kind]  # type: ignore[index]
        bias = params.index("bias")
        if len(layer.args) <= bias or layer.args[bias] is not True or "batch_first" in layer.keywords \
                or (len(layer.args) > params.index("batch_first") and layer.args[params.index("batch_first")]):
            continue
        symptoms = [y for y in found if y.finding.code == "RNN501" and y.layer is layer]
        if not symptoms:
            continue
        kept = [replace(y, finding=_contradicted(y.finding, layer, symptoms)) if y is x else y for y in kept]
    return kept


def _contradicted(f: Finding, layer: Layer, symptoms: list[Located]) -> Finding:
    reads = ", ".join(f"`{ast.unparse(y.node)}` on line {getattr(y.node, 'lineno', '?')}" for y in symptoms)
    note = (f"{reads} {'reads' if len(symptoms) == 1 else 'read'} the results batch-first, but the "
            f"positional `True` made `bias=True`, so the layer is time-major and selects samples instead "
            f"of steps there")
    sizes = layer.node.args[:_POSITIONAL[layer.kind].index("bias")]  # type: ignore[index]
    snippet = f"nn.{layer.kind}({', '.join(ast.unparse(a) for a in sizes)}, batch_first=True)"
    fix = Fix(f"construct the {layer.kind} with `batch_first=True`, by keyword", Applicability.CHANGES_MODEL, snippet)
    return replace(f, severity=Severity.ERROR, notes=(*f.notes, note), fixes=(fix, *f.fixes))
