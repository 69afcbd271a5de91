"""An encoder's state changed on the way to the decoder: followed back through the change.

`_origins` recognises a state that another recurrent layer returned when it
reaches the decoder as it was returned. Often it is changed on the way:

- the last layer only, `hidden[-1]` (2-D: the decoder gets the wrong rank),
  or `hidden[-1].unsqueeze(0)` (one layer, for a decoder of more);
- a bridge `nn.Linear` applied to it (`self.fc(...)`), sized for another decoder;
- the two directions of a bidirectional encoder's last layer concatenated,
  `torch.cat((h[-2], h[-1]), dim=1)`, for a decoder whose `hidden_size` is H, not 2H;
- the state laid out again: `h_n.view(num_layers, 2, N, H)` then `[-1]` or `.sum(1)`,
  `h.reshape(1, N, -1)`, `.transpose(0, 1)`, `.mean(dim)` (sizes read from numbers, names,
  `self.<field>`, `x.size(i)` and `x.shape[i]`).

Here the expression handed to the decoder is followed back, through the
assignments of the calling function, to the encoder's call, and its shape is
computed step by step from the encoder's state (values are read only for
plain names, `self.<field>` and the modules called). Where that shape is the
one handed over, the edits that make the hand-off fit are written, each at
the line a user would change:

- a bridge `nn.Linear` built with the decoder's `hidden_size`, at the line that built it;
- a decoder built with the size of the state handed to it, at its constructor
  (where the state was made for it: two directions concatenated);
- the last `num_layers` layers of the encoder's state, at the line that picked one (also where a
  bridge was applied to the whole state first: `self.fc(hidden)[-1]`, or on the line before);
- the two directions summed, in place of concatenated;
- for a state laid out again on one line, that line written to hand over each layer's two
  directions summed (or side by side, for a decoder of twice the size), of the last `num_layers`
  layers. It comes first; a decoder rebuilt for the size handed over comes after it, and not at
  all where a `view`/`reshape` merged the hidden axis with another (rows of the batch side by side).

A cell decoder (`nn.GRUCell`, `nn.LSTMCell`) handed an encoder's
(D*num_layers, N, H) state as it was returned gets the last layer, `h[-1]`
(a bidirectional encoder's two directions summed, or side by side for a
cell of twice the size), at the line that hands it over.

An LSTM decoder handed `h` and `c` changed each on its own way gets one edit of both: their
layers picked, their bridges rebuilt (one line for a bridge they share, or two built in a row),
their directions summed (two lines in a row); never an edit of `h` alone, which leaves `c` wrong.

Each is checked by `provenance.rank` on the call it produces. Nothing here
imports torch; anything this does not follow gives no origin, never an error.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ._record import replace
from .findings import Applicability, Finding, Fix
from .provenance import Edit, Origin

__all__ = ["handoff"]

_DEPTH = 8  # assignments followed back from the call
_ELEMENTWISE = frozenset({"tanh", "relu", "sigmoid", "gelu", "elu", "leaky_relu", "dropout", "contiguous",
                          "detach", "clone", "float", "double", "half", "to", "cuda", "cpu", "requires_grad_"})
_RELAID = frozenset({"view", "reshape", "transpose", "sum", "mean"})  # followed by `_relaid`
_SHAPELESS = frozenset({"Tanh", "ReLU", "Sigmoid", "GELU", "ELU", "LeakyReLU", "Dropout", "Identity"})

Shape = tuple[int, ...]


@dataclass(frozen=True)
class _Step:
    """One change on the way: the node that made it, and the statement it is in."""

    kind: str  # "layers" (a layer picked), "cat" (directions side by side), "bridge" (an nn.Linear)
    node: ast.expr
    stmt: ast.stmt
    module: Any = None  # "bridge": the nn.Linear
    parts: tuple[ast.expr, ...] = ()  # "cat": the tensors concatenated
    shape: Shape = ()  # "view": the shape it gave; "layers": the shape it picked from


@dataclass(frozen=True)
class _Value:
    """A tensor's shape, or an LSTM's (h, c) pair of them."""

    shape: Shape | None = None
    pair: tuple[_Value, _Value] | None = None


@dataclass
class _Followed:
    """The encoder found at the end of the way, and the steps taken from it."""

    o: Any  # rnndoctor._origins, whose helpers this uses (it calls this module: no import back)
    site: Any  # its _Site of the calling function
    encoder: Any = None
    encoder_expr: str = ""
    returned: ast.stmt | None = None  # the statement that unpacks the encoder's result
    encoder_func: ast.expr | None = None  # `self.encoder` in that statement
    leaf: str = ""  # the name the encoder's state was given there
    instead: dict[int, int] | None = None  # an edit assumed: id(nn.Linear) -> its out_features; id(cat) -> 0: summed
    first: bool = False  # a state carried from step to step is followed to where it was first made (a cell's)

    def __post_init__(self) -> None:
        self.steps: list[_Step] = []


def handoff(origins: ModuleType, name: str, expr: ast.expr, call: ast.Call, site: Any, line: int,
            decoder: object, finding: Finding, input_batch: int | None) -> Origin | None:
    """The origin of state `name` (`h_0`), passed to `decoder` at `call` as `expr`, where it is an
    encoder's state changed on the way; None otherwise. `origins` is `rnndoctor._origins`."""
    try:
        return _handoff(_Followed(origins, site), name, expr, call, line, decoder, finding, input_batch)
    except Exception:  # an odd construct: fewer facts
        return None


def _handoff(way: _Followed, name: str, expr: ast.expr, call: ast.Call, line: int, decoder: object,
             finding: Finding, input_batch: int | None) -> Origin | None:
    o, site = way.o, way.site
    if site.frame is not None and _is_cell(decoder):
        return _cell(way, name, expr, call, line, decoder, input_batch)
    if site.frame is None or not o._recurrent(decoder) or getattr(decoder, "proj_size", None):
        return None
    if finding.code == "RNN201":
        return _other_kind(way, name, expr, call, line, decoder, finding, input_batch)
    value = _shape(expr, way, line, _DEPTH, input_batch)
    if value is not None and value.pair is not None:  # `hidden` holding (h, c)
        value = value.pair[1 if name == "c_0" else 0]
    if value is None or value.shape is None or way.encoder is None or not way.steps or way.returned is None:
        return None
    handed = value.shape
    if not _agrees(handed, name, finding) or getattr(way.encoder, "proj_size", None):
        return None
    dec: Any = decoder
    enc: Any = way.encoder
    directions = 2 if dec.bidirectional else 1
    need = (dec.num_layers * directions, handed[-2] if len(handed) >= 2 else 0, dec.hidden_size)
    dec_expr = ast.unparse(call.func)
    rebuilt = o._trace(call.func, site, line, (), 0)
    hx = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "hx"), None)
    if _is_lstm(dec) and isinstance(hx, ast.Tuple) and len(hx.elts) == 2:  # `h` and `c` change on their own ways
        ways = [way if e is expr else _Followed(o, site) for e in hx.elts]
        for e, w in zip(hx.elts, ways):
            if w is not way:
                _shape(e, w, line, _DEPTH, input_batch)
        names = ("h_0", "c_0")
        edits = [*_both([_laid_out(w, e, line, need, dec, dec_expr) for w, e in zip(ways, hx.elts)], o, site),
                 *_both([_bridges(w, e, line, need, dec, dec_expr, rebuilt, input_batch, n)
                         for w, e, n in zip(ways, hx.elts, names)], o, site),
                 *_reselected(ways[0], need, dec, dec_expr, ways[1]),
                 *_summed(ways[0], hx.elts[0], line, need, input_batch, "h_0", (ways[1], hx.elts[1]))]
    else:
        edits = [*_laid_out(way, expr, line, need, dec, dec_expr),
                 *_bridges(way, expr, line, need, dec, dec_expr, rebuilt, input_batch, name),
                 *_reselected(way, need, dec, dec_expr), *_summed(way, expr, line, need, input_batch, name)]
    rebuild = None if _rows_mixed(way) else _decoder_sized(way, handed, dec, dec_expr, rebuilt)
    if rebuild is not None:  # a state made on purpose (directions concatenated): the decoder is built for it
        at = 0 if any(s.kind == "cat" for s in way.steps) and not any(s.kind == "bridge" for s in way.steps) \
            else len(edits)
        edits.insert(at, rebuild)
    returned = way.returned
    ret_site = site.at(returned.lineno)
    changes = ", ".join(f"`{ast.unparse(_widest(s))}` at {site.at(s.stmt.lineno)}" for s in _outermost(way.steps))
    where = f", built at {rebuilt.site.at(rebuilt.stmt.lineno)}" if rebuilt is not None else ""
    evidence = (f"`{name}` is the state that `{way.encoder_expr}` returned at {ret_site}, changed on the way "
                f"({changes}): {enc!r} gave {_shown(_leaf_shape(way, input_batch))}, handed over as "
                f"{_shown(handed)}; `{dec_expr}` is {dec!r}{where}")
    return Origin(name, ret_site, o._line(site, returned), "returned", binding=evidence, edits=tuple(edits))


def _rows_mixed(way: _Followed) -> bool:
    """Whether a `view`/`reshape` merged the state's last axis with another one (`h.reshape(1, N, -1)`
    of a bidirectional encoder's (2, N, H) puts two rows of the batch side by side): a decoder built
    for that size would run on the wrong numbers, so it is not offered."""
    enc: Any = way.encoder
    return not any(s.kind == "view" and isinstance(s.node, ast.Call) and isinstance(s.node.func, ast.Attribute)
                   and s.node.func.attr == "transpose" for s in way.steps) and any(
        s.kind == "view" and s.shape and s.shape[-1] != enc.hidden_size and isinstance(s.node, ast.Call)
        and isinstance(s.node.func, ast.Attribute) and s.node.func.attr in ("view", "reshape") for s in way.steps)


def _is_cell(module: object) -> bool:
    return any(c.__name__ in ("RNNCell", "LSTMCell", "GRUCell") for c in type(module).__mro__) and isinstance(
        getattr(module, "hidden_size", None), int)


def _cell(way: _Followed, name: str, expr: ast.expr, call: ast.Call, line: int, cell: Any,
          batch: int | None) -> Origin | None:
    """A cell decoder (`nn.GRUCell`, `nn.LSTMCell`) handed an encoder's (D*num_layers, N, H) state,
    as it was returned: the edit hands it the last layer, (N, H), at the line that hands it over
    (the one that names the state for the cell, or a line added after the encoder's call)."""
    o, site = way.o, way.site
    way.first = True
    value = _shape(expr, way, line, _DEPTH, batch)
    if value is not None and value.pair is not None:
        value = value.pair[1 if name == "c_0" else 0]
    enc: Any = way.encoder
    if (value is None or value.shape is None or enc is None or way.steps or way.returned is None
            or len(value.shape) != 3 or getattr(enc, "proj_size", None)):
        return None
    torch = site.frame.f_globals.get("torch")
    if not enc.bidirectional and enc.hidden_size == cell.hidden_size:
        one, took = "{0}[-1]", "the last layer of `{}`'s state"
    elif enc.bidirectional and enc.hidden_size == cell.hidden_size:
        one, took = "{0}[-2] + {0}[-1]", "the two directions of `{}`'s last layer, summed"
    elif enc.bidirectional and 2 * enc.hidden_size == cell.hidden_size and getattr(torch, "__name__", "") == "torch":
        one, took = "torch.cat(({0}[-2], {0}[-1]), dim=1)", "the two directions of `{}`'s last layer, side by side"
    else:
        return None
    handed = value.shape
    hx = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "hx"), None)
    given = hx.elts if isinstance(hx, ast.Tuple) else [hx]
    names = [e.id for e in given if isinstance(e, ast.Name)]
    if not names or len(names) != len(given):
        return None
    bound = {id(r[0]): r[0] for n in names if (r := o._reaching(site.scope, n, line)) is not None}
    if len(bound) != 1:
        return None
    stmt = next(iter(bound.values()))
    pair = _is_lstm(enc) and len(names) == 1
    last = f"tuple({one.format('s')} for s in {{0}})" if pair else one
    if stmt is way.returned:  # `_, (h, c) = self.encoder(src)`: a line after it
        edit = f"{o._statement(site, stmt)}\n{', '.join(names)} = {', '.join(last.format(n) for n in names)}"
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Name):
        edit = o._rewritten(site, stmt, {stmt.value: last.format(stmt.value.id)})  # `h = hidden`
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.Tuple) and all(
            isinstance(e, ast.Name) for e in stmt.value.elts):  # `state = (h, c)`
        edit = o._rewritten(site, stmt, {e: one.format(ast.unparse(e)) for e in stmt.value.elts})
    else:
        return None
    dec_expr = ast.unparse(call.func)
    if edit is None:
        return None
    fix = Fix(f"hand `{dec_expr}` {took.format(way.encoder_expr)}: a cell takes (N, H)",
              Applicability.SAFE, edit, site.at(stmt.lineno))
    evidence = (f"`{name}` is the state that `{way.encoder_expr}` returned at {site.at(way.returned.lineno)}: "
                f"{enc!r} gave {_shown(handed)}, (D*num_layers, N, H); `{dec_expr}` is {cell!r}, "
                f"which steps with one layer's (N, H)")
    return Origin(name, site.at(way.returned.lineno), o._line(site, way.returned), "returned", binding=evidence,
                  edits=(Edit(fix, states=(handed[1], cell.hidden_size)),))


def _other_kind(way: _Followed, name: str, expr: ast.expr, call: ast.Call, line: int, dec: Any,
                finding: Finding, batch: int | None) -> Origin | None:
    """A decoder handed the state of an encoder of another kind, as `hx`: an `nn.LSTM` given a GRU's
    (or an RNN's) single tensor gets `(h, torch.zeros_like(h))` at the call; a GRU (or an RNN) given
    an LSTM's `(h, c)` gets `h[0]`, its `h` alone. Or the decoder is built as the encoder is."""
    o, site = way.o, way.site
    value = _shape(expr, way, line, _DEPTH, batch)
    enc: Any = way.encoder
    if (value is None or enc is None or way.returned is None or way.steps or not isinstance(expr, ast.Name)
            or name != "hx" or _is_lstm(enc) == _is_lstm(dec) or (value.pair is not None) != _is_lstm(enc)):
        return None
    dec_expr = ast.unparse(call.func)
    edits = []
    h = expr.id
    if _is_lstm(dec):
        torch = site.frame.f_globals.get("torch")
        at_call = next((f for f in finding.fixes if "zeros_like" in (f.snippet or "")), None)
        handed = f"({h}, torch.zeros_like({h}))" if getattr(torch, "__name__", None) == "torch" else None
    else:
        at_call = next((f for f in finding.fixes if (f.snippet or "").endswith("= hx[0]")), None)
        handed = f"{h}[0]"
    stmt = o._stmt_at(site.scope, line)
    edited = o._rewritten(site, stmt, {expr: handed}) if at_call is not None and handed and stmt else None
    if edited is not None and at_call is not None:
        edits.append(Edit(replace(at_call, snippet=edited, site=site.at(line)), paired=_is_lstm(dec),
                          h_only=not _is_lstm(dec)))
    rebuilt = o._trace(call.func, site, line, (), 0)
    ctor = rebuilt.value if rebuilt is not None else None
    kind = next(k for k in ("LSTM", "GRU", "RNN") if any(c.__name__ == k for c in type(enc).__mro__))
    if isinstance(ctor, ast.Call) and o._func_name(ctor.func) in ("LSTM", "GRU", "RNN") and not any(
            k.arg in ("proj_size", "nonlinearity") for k in ctor.keywords) and (
            len(ctor.args) <= 3 or "RNN" not in (kind, o._func_name(ctor.func))):  # RNN's 4th is nonlinearity
        func = ctor.func
        renamed = ast.Attribute(func.value, kind, func.ctx) if isinstance(func, ast.Attribute) else ast.Name(
            kind, ast.Load())
        edited = o._rewritten(rebuilt.site, rebuilt.stmt, {func: ast.unparse(renamed)})
        if edited is not None:
            edits.append(Edit(Fix(f"build `{dec_expr}` as an nn.{kind}, as `{way.encoder_expr}` is",
                                  Applicability.CHANGES_MODEL, edited, rebuilt.site.at(rebuilt.stmt.lineno)),
                              (("kind", kind),)))
    returned = way.returned
    gives = "the pair (h_n, c_n)" if _is_lstm(enc) else f"one tensor {_shown(value.shape)}"
    takes = "the pair (h_0, c_0)" if _is_lstm(dec) else "one tensor"
    evidence = (f"`{name}` is the state that `{way.encoder_expr}` returned at {site.at(returned.lineno)}: {enc!r} "
                f"gives {gives}, where `{dec_expr}`, {dec!r}, takes {takes}")
    return Origin(name, site.at(returned.lineno), o._line(site, returned), "returned", binding=evidence,
                  edits=tuple(edits))


def _outermost(steps: list[_Step]) -> list[_Step]:
    """The steps not inside another one, in the order they were taken."""
    inner = {id(n) for s in steps for n in ast.walk(s.node) if n is not s.node}
    return [s for s in reversed(steps) if id(s.node) not in inner][::-1]


def _shown(shape: Shape | None) -> str:
    return "(" + ", ".join(map(str, shape or ())) + ")"


def _agrees(handed: Shape, name: str, finding: Finding) -> bool:
    """Whether the shape followed is the one torch saw, where the finding shows it."""
    dims = sorted((d for d in finding.dims if d.tensor == name), key=lambda d: d.index)
    return not dims or tuple(d.actual for d in dims) == handed


# ---- the shape, step by step ----------------------------------------------------------------

def _shape(node: ast.expr, way: _Followed, line: int, depth: int, batch: int | None) -> _Value | None:
    """The shape of `node` at `line` of the calling function, followed back to the encoder's state."""
    o = way.o
    if depth <= 0:
        return None
    site = way.site
    if isinstance(node, ast.Name):
        return _named(node.id, way, line, depth, batch)
    if isinstance(node, ast.Tuple) and len(node.elts) == 2:
        h, c = (_shape(e, way, line, depth - 1, batch) for e in node.elts)
        return _Value(pair=(h, c)) if h is not None and c is not None else None
    if isinstance(node, ast.Subscript):
        base = _shape(node.value, way, line, depth - 1, batch)
        if base is None:
            return None
        if base.pair is not None:
            index = _int(node.slice)
            return base.pair[index] if index in (0, 1) else None
        stmt = o._stmt_at(site.scope, line)
        picked = _picked(base.shape, node.slice) if stmt is not None else None
        if stmt is None or picked is None:
            return None
        way.steps.append(_Step("layers", node, stmt, shape=base.shape or ()))
        return _Value(picked)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        left, right = (_shape(n, way, line, depth - 1, batch) for n in (node.left, node.right))
        return left if left is not None and right is not None and left == right else None
    if isinstance(node, ast.Call):
        return _called(node, way, line, depth, batch)
    return None


def _named(name: str, way: _Followed, line: int, depth: int, batch: int | None) -> _Value | None:
    o = way.o
    site = way.site
    reaching = o._reaching(site.scope, name, line)
    if reaching is None or (reaching[2] and not way.first):  # a parameter, or carried from an earlier iteration
        return None
    stmt, value, _ = reaching
    if isinstance(value, ast.Call) and isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        encoder = _encoder_called(value, way)
        if encoder is not None:
            return _returned_state(stmt, stmt.targets[0], name, encoder, value, way, batch)
    return _shape(value, way, stmt.lineno, depth - 1, batch)


def _encoder_called(value: ast.Call, way: _Followed) -> tuple[Any, str] | None:
    o = way.o
    called = o._resolve(value.func, way.site.frame)
    if o._recurrent(called):
        return called, ""
    modules = getattr(called, "named_modules", None)
    inner = [(m, f".{path}") for path, m in modules() if path and o._recurrent(m)] if callable(modules) else []
    return inner[0] if len(inner) == 1 else None


def _returned_state(stmt: ast.Assign, target: ast.expr, name: str, encoder: tuple[Any, str], value: ast.Call,
                    way: _Followed, batch: int | None) -> _Value | None:
    """`_, hidden = self.encoder(src)` or `_, (h, c) = ...`: the state `name` stands for."""
    if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
        return None
    state = target.elts[1]
    enc: Any = encoder[0]
    way.encoder, way.encoder_expr, way.returned = enc, ast.unparse(value.func) + encoder[1], stmt
    way.encoder_func = value.func
    shape = _leaf_shape(way, batch, value)
    if shape is None:
        return None
    one = _Value(shape)
    whole = _Value(pair=(one, one)) if _is_lstm(enc) else one
    if isinstance(state, ast.Name) and state.id == name:
        way.leaf = name
        return whole
    if isinstance(state, ast.Tuple) and whole.pair is not None:
        for i, e in enumerate(state.elts):
            if isinstance(e, ast.Name) and e.id == name:
                way.leaf = name
                return whole.pair[i]
    return None


def _leaf_shape(way: _Followed, batch: int | None, value: ast.Call | None = None) -> Shape | None:
    """The encoder's state: (D*num_layers, N, hidden_size), N from its input where it is a name."""
    o = way.o
    enc: Any = way.encoder
    if enc is None:
        return None
    if value is not None and value.args:
        given = o._resolve(value.args[0], way.site.frame)
        shape = getattr(given, "shape", None)
        if isinstance(shape, tuple) and len(shape) == 3:
            batch = int(shape[0] if enc.batch_first else shape[1])
    if batch is None:
        return None
    return (enc.num_layers * (2 if enc.bidirectional else 1), batch, enc.hidden_size)


def _is_lstm(module: object) -> bool:
    return any(c.__name__ == "LSTM" for c in type(module).__mro__)


def _int(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int(node.operand)
        return -inner if inner is not None else None
    return None


def _picked(shape: Shape | None, index: ast.expr) -> Shape | None:
    """`h[-1]`, `h[-1, :, :]` or `h[-2:]` of a state: the layers picked along its first axis."""
    if shape is None or not shape:
        return None
    if isinstance(index, ast.Tuple) and index.elts and all(
            isinstance(e, ast.Slice) and e.lower is e.upper is e.step is None for e in index.elts[1:]):
        index = index.elts[0]
    at = _int(index)
    if at is not None:
        return shape[1:] if -shape[0] <= at < shape[0] else None
    if isinstance(index, ast.Slice) and index.step is None:
        bounds = [None if b is None else _int(b) for b in (index.lower, index.upper)]
        if any(b is None and given is not None for b, given in zip(bounds, (index.lower, index.upper))):
            return None
        return (len(range(shape[0])[bounds[0]:bounds[1]]), *shape[1:])
    return None


def _called(node: ast.Call, way: _Followed, line: int, depth: int, batch: int | None) -> _Value | None:
    o = way.o
    site = way.site
    func = node.func
    name = o._func_name(func)
    stmt = o._stmt_at(site.scope, line)
    if stmt is None:
        return None
    if name in ("cat", "concat") and isinstance(func, ast.Attribute) and node.args and isinstance(
            node.args[0], (ast.Tuple, ast.List)):
        parts = [_shape(e, way, line, depth - 1, batch) for e in node.args[0].elts]
        axis = _int(node.args[1]) if len(node.args) > 1 else next(
            (_int(k.value) for k in node.keywords if k.arg == "dim"), 0)
        shapes = [p.shape for p in parts if p is not None and p.shape is not None]
        if axis is None or len(shapes) != len(parts) or not shapes:
            return None
        axis = axis % len(shapes[0])
        if any(len(s) != len(shapes[0]) or s[:axis] + s[axis + 1:] != shapes[0][:axis] + shapes[0][axis + 1:]
               for s in shapes):
            return None
        way.steps.append(_Step("cat", node, stmt, parts=tuple(node.args[0].elts)))
        if (way.instead or {}).get(id(node)) == 0:  # the parts summed instead
            return _Value(shapes[0]) if all(s == shapes[0] for s in shapes) else None
        return _Value((*shapes[0][:axis], sum(s[axis] for s in shapes), *shapes[0][axis + 1:]))
    if isinstance(func, ast.Attribute) and o._resolve(func, site.frame) is None and name in (
            "unsqueeze", "squeeze", *_ELEMENTWISE, *_RELAID):  # a tensor's method
        base = _shape(func.value, way, line, depth - 1, batch)
        if base is None or base.shape is None:
            return None
        if name in _ELEMENTWISE:
            return base
        if name in _RELAID:
            relaid = _relaid(name, node, base.shape, way, line, depth, batch)
            if relaid is not None:
                way.steps.append(_Step("view", node, stmt, shape=relaid))
            return None if relaid is None else _Value(relaid)
        axis = _int(node.args[0]) if len(node.args) == 1 else None
        if axis is None:
            return None
        shape = list(base.shape)
        if name == "unsqueeze":
            shape.insert(axis % (len(shape) + 1), 1)
            return _Value(tuple(shape))
        if shape and shape[axis % len(shape)] == 1:
            del shape[axis % len(shape)]
        return _Value(tuple(shape))
    module = o._resolve(func, site.frame)
    if name in _ELEMENTWISE and node.args and module is not None and not hasattr(module, "forward"):
        return _shape(node.args[0], way, line, depth - 1, batch)  # torch.tanh(x), F.relu(x)
    if module is None or len(node.args) != 1:
        return None
    kind = type(module).__name__
    if kind in _SHAPELESS:
        return _shape(node.args[0], way, line, depth - 1, batch)
    features = (getattr(module, "in_features", None), getattr(module, "out_features", None))
    if not (kind == "Linear" and all(isinstance(n, int) for n in features)):
        return None
    base = _shape(node.args[0], way, line, depth - 1, batch)
    if base is None or base.shape is None or base.shape[-1] != features[0]:
        return None
    way.steps.append(_Step("bridge", node, stmt, module))
    linear: Any = module
    out: int = (way.instead or {}).get(id(module), linear.out_features)
    return _Value((*base.shape[:-1], out))


def _relaid(name: str, node: ast.Call, shape: Shape, way: _Followed, line: int, depth: int,
            batch: int | None) -> Shape | None:
    """The shape after `.view(...)`/`.reshape(...)`, `.transpose(a, b)`, or `.sum(dim)`/`.mean(dim)`
    (with `keepdim`), its sizes read as `_dim` reads them."""
    keywords = {k.arg: k.value for k in node.keywords}
    if name in ("view", "reshape"):
        args = node.args[0].elts if len(node.args) == 1 and isinstance(node.args[0], (ast.Tuple, ast.List)) \
            else node.args
        sizes = _sizes(args, way, line, depth, batch)
        if sizes is None or keywords or sizes.count(-1) > 1 or any(s < -1 for s in sizes):
            return None
        total, known = math.prod(shape), math.prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if known == 0 or total % known:
                return None
            sizes = [total // known if s == -1 else s for s in sizes]
        return tuple(sizes) if math.prod(sizes) == total else None
    if name == "transpose":
        axes = _sizes(node.args, way, line, depth, batch)
        if axes is None or len(axes) != 2 or keywords or not all(-len(shape) <= a < len(shape) for a in axes):
            return None
        swapped = list(shape)
        a, b = (x % len(shape) for x in axes)
        swapped[a], swapped[b] = swapped[b], swapped[a]
        return tuple(swapped)
    dim = node.args[0] if node.args else keywords.get("dim")  # sum, mean
    keep = keywords.get("keepdim", node.args[1] if len(node.args) > 1 else None)
    if dim is None or (keep is not None and not isinstance(keep, ast.Constant)) or set(keywords) - {"dim", "keepdim"}:
        return None
    axes = _sizes(dim.elts if isinstance(dim, ast.Tuple) else [dim], way, line, depth, batch)
    if axes is None or not all(-len(shape) <= a < len(shape) for a in axes):
        return None
    reduced = {a % len(shape) for a in axes}
    kept = keep is not None and bool(keep.value)
    return tuple(1 if i in reduced else n for i, n in enumerate(shape) if kept or i not in reduced)


def _sizes(nodes: list[ast.expr], way: _Followed, line: int, depth: int, batch: int | None) -> list[int] | None:
    """The sizes written (`num_layers, 2, N, -1`, `*h.shape[1:]`); None where one can't be read."""
    sizes: list[int] = []
    for node in nodes:
        if isinstance(node, ast.Starred):
            many = _dims(node.value, way, line, depth, batch)
            if many is None:
                return None
            sizes.extend(many)
            continue
        one = _dim(node, way, line, depth, batch)
        if one is None:
            return None
        sizes.append(one)
    return sizes


def _dim(node: ast.expr, way: _Followed, line: int, depth: int, batch: int | None) -> int | None:
    """A size: a number, a name or `self.<field>` holding an int, `x.size(i)`, `x.shape[i]`, or
    `+`, `-`, `*`, `//` of them."""
    known = _int(node)
    if known is not None or depth <= 0:
        return known
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)):
        left, right = (_dim(n, way, line, depth - 1, batch) for n in (node.left, node.right))
        if left is None or right is None or (isinstance(node.op, ast.FloorDiv) and right == 0):
            return None
        ops = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__, ast.FloorDiv: int.__floordiv__}
        return ops[type(node.op)](left, right)
    if isinstance(node, (ast.Name, ast.Attribute)) and not (isinstance(node, ast.Attribute) and node.attr == "shape"):
        value = way.o._resolve(node, way.site.frame)
        if value is None and isinstance(node, ast.Attribute):  # `self.decoder.num_layers`
            owner = way.o._resolve(node.value, way.site.frame)
            value = getattr(owner, node.attr, None) if hasattr(owner, "forward") else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "size" and len(
            node.args) == 1 and not node.keywords:
        of, at = _tensor_shape(node.func.value, way, line, depth, batch), _int(node.args[0])
    elif isinstance(node, ast.Subscript):
        of, at = _dims(node.value, way, line, depth, batch), _int(node.slice)
    else:
        return None
    return of[at] if of is not None and at is not None and -len(of) <= at < len(of) else None


def _dims(node: ast.expr, way: _Followed, line: int, depth: int, batch: int | None) -> tuple[int, ...] | None:
    """`x.shape`, `x.size()`, or a slice of one (`h.shape[1:]`): the shape of `x`, followed back as the
    state is where it can be, else read from the frame (a plain name, `self.<field>`)."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and node.slice.step is None:
        whole = _dims(node.value, way, line, depth, batch)
        bounds = [None if b is None else _int(b) for b in (node.slice.lower, node.slice.upper)]
        if whole is None or any(b is None and g is not None for b, g in zip(bounds, (node.slice.lower,
                                                                                       node.slice.upper))):
            return None
        return whole[bounds[0]:bounds[1]]
    if isinstance(node, ast.Attribute) and node.attr == "shape":
        tensor = node.value
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "size" and not (
            node.args or node.keywords):
        tensor = node.func.value
    else:
        return None
    return _tensor_shape(tensor, way, line, depth, batch)


def _tensor_shape(tensor: ast.expr, way: _Followed, line: int, depth: int, batch: int | None) -> Shape | None:
    followed = _shape(tensor, _Followed(way.o, way.site, instead=way.instead, first=way.first), line, depth - 1,
                      batch)
    if followed is not None and followed.shape is not None:
        return followed.shape
    shape = getattr(way.o._resolve(tensor, way.site.frame), "shape", None)
    return tuple(int(n) for n in shape) if isinstance(shape, tuple) else None


# ---- the edits ------------------------------------------------------------------------------

def _again(way: _Followed, expr: ast.expr, line: int, batch: int | None, name: str,
           instead: dict[int, int]) -> Shape | None:
    """The shape handed over with the edits `instead` made (`_Followed.instead`)."""
    again = _Followed(way.o, way.site, instead=instead)
    value = _shape(expr, again, line, _DEPTH, batch)
    if value is not None and value.pair is not None:
        value = value.pair[1 if name == "c_0" else 0]
    return value.shape if value is not None else None


def _bridges(way: _Followed, expr: ast.expr, line: int, need: Shape, dec: Any, dec_expr: str, rebuilt: Any,
             batch: int | None, name: str) -> list[Edit]:
    """A bridge `nn.Linear` built with the decoder's `hidden_size`, at the line that built it."""
    o = way.o
    edits = []
    for step in (s for s in way.steps if s.kind == "bridge"):
        module = step.module
        if module.out_features == dec.hidden_size:
            continue
        if _again(way, expr, line, batch, name, {id(module): dec.hidden_size}) != need:
            continue
        built = o._trace(step.node.func, way.site, line, (), 0) if isinstance(step.node, ast.Call) else None
        if built is None or not isinstance(built.value, ast.Call):
            continue
        ctor = built.value
        size = _written_size(way, rebuilt, built, dec.hidden_size)
        changes: dict[ast.expr, str | None]
        if len(ctor.args) >= 2:
            changes = {ctor.args[1]: size}
        else:
            given = next((k.value for k in ctor.keywords if k.arg == "out_features"), None)
            if given is None:
                continue
            changes = {given: size}
        edited = o._rewritten(built.site, built.stmt, changes)
        if edited is None:
            continue
        bridge = ast.unparse(step.node.func) if isinstance(step.node, ast.Call) else "the bridge"
        edits.append(Edit(Fix(f"build `{bridge}` with `out_features={dec.hidden_size}`, the `hidden_size` "
                              f"of `{dec_expr}`",
                              Applicability.CHANGES_MODEL, edited, built.site.at(built.stmt.lineno)),
                          states=need))
    return edits


def _laid_out(way: _Followed, expr: ast.expr, line: int, need: Shape, dec: Any, dec_expr: str) -> list[Edit]:
    """A state laid out again on one line (`h_n.view(num_layers, 2, N, H)[-1]`, `.sum(1)`,
    `h.reshape(1, N, -1)`) that does not fit the decoder: that line hands it the encoder's state as it
    takes it, written from the state's name: the two directions of each layer summed (or side by side,
    for a decoder of twice the size), the last `num_layers` layers of them."""
    enc: Any = way.encoder
    stmts = {id(s.stmt) for s in way.steps}
    outer = _outermost(way.steps)
    if (not any(s.kind == "view" for s in way.steps) or len(stmts) != 1 or len(outer) != 1 or not way.leaf
            or any(s.kind == "bridge" for s in way.steps) or enc.num_layers < dec.num_layers or len(need) != 3):
        return []
    step, at_call = outer[0], way.o._stmt_at(way.site.scope, line)
    node = _widest(step)
    if not (node is expr or (isinstance(expr, ast.Name) and step.stmt is not at_call)) or not any(
            isinstance(n, ast.Name) and n.id == way.leaf for n in ast.walk(node)):
        return []
    leaf, torch = way.leaf, way.site.frame.f_globals.get("torch")
    last = f"[-{dec_expr}.num_layers:]" if enc.num_layers > dec.num_layers else ""
    if enc.bidirectional and dec.hidden_size == enc.hidden_size:
        text, took = f"{leaf}.view(-1, 2, *{leaf}.shape[1:]).sum(dim=1){last}", "each layer's two directions summed"
    elif enc.bidirectional and dec.hidden_size == 2 * enc.hidden_size and getattr(torch, "__name__", "") == "torch":
        text, took = f"torch.cat(({leaf}[0::2], {leaf}[1::2]), dim=2){last}", "each layer's two directions side by side"
    elif not enc.bidirectional and dec.hidden_size == enc.hidden_size and last:
        text, took = f"{leaf}{last}", "its last `num_layers` layers"
    else:
        return []
    if last:
        took += ", of its last `num_layers` layers"
    edited = way.o._rewritten(way.site, step.stmt, {node: text})
    if edited is None:
        return []
    return [Edit(Fix(f"hand `{dec_expr}` the state of `{way.encoder_expr}` as it takes it: {took}",
                     Applicability.SAFE, edited, way.site.at(step.stmt.lineno)), states=need)]


def _both(pair: list[list[Edit]], o: Any, site: Any) -> list[Edit]:
    """The edit of `h`'s way and the one of `c`'s, as one: the same line once (one bridge for
    both), or two lines in a row (`self.fc_h` and `self.fc_c` built one after the other, `h` and `c`
    laid out again one after the other). An edit of one alone would leave the other wrong: none then."""
    if len(pair) != 2 or not all(pair):
        return []
    h, c = pair[0][0], pair[1][0]
    if h.fix.site == c.fix.site and h.fix.snippet == c.fix.snippet:
        return [h]
    at = [str(e.fix.site or "").rpartition(":") for e in (h, c)]
    if at[0][0] != at[1][0] or not (at[0][2].isdigit() and at[1][2].isdigit()) or int(at[1][2]) != int(
            at[0][2]) + 1:
        return []
    named = [e.fix.title.split("`")[1] if e.fix.title.count("`") >= 2 else "" for e in (h, c)]
    title = h.fix.title if named[0] == named[1] else h.fix.title.replace(f"`{named[0]}`",
                                                                         f"`{named[0]}` and `{named[1]}`", 1)
    return [replace(h, fix=replace(h.fix, snippet=f"{h.fix.snippet}\n{c.fix.snippet}", title=title))]


def _written_size(way: _Followed, rebuilt: Any, built: Any, value: int) -> str:
    """The decoder's `hidden_size` as the decoder's constructor writes it, where that expression
    reads the same in the line that built the bridge (a parameter of the same method); else the number."""
    o = way.o
    written = o._constructor_argument(rebuilt.value, "hidden_size") if rebuilt is not None else None
    if (rebuilt is not None and written is not None and not isinstance(written, ast.Constant)
            and built.site.scope is rebuilt.site.scope and isinstance(written, (ast.Name, ast.Attribute))):
        return ast.unparse(written)
    return str(value)


def _reselected(way: _Followed, need: Shape, dec: Any, dec_expr: str, pair: _Followed | None = None) -> list[Edit]:
    """`hidden[-1]` (or `hidden[-1].unsqueeze(0)`) for a decoder of more layers, or of one with a
    2-D state: the last `num_layers` layers of the encoder's state, at the line that picked one.
    With `pair`, the way of the LSTM's other state, picked the same way on the same line or the
    next: both, in one edit."""
    one = _reselection(way, dec, dec_expr)
    if one is None:
        return []
    o, (stmt, node, text) = way.o, one
    title = f"hand `{dec_expr}` the last `num_layers` layers of `{way.encoder_expr}`'s state"
    if pair is None:
        edited = o._rewritten(way.site, stmt, {node: text})
        return [] if edited is None else [Edit(Fix(title, Applicability.SAFE, edited, way.site.at(stmt.lineno)),
                                               states=need)]
    other = _reselection(pair, dec, dec_expr)
    if other is None:
        return []
    if other[0] is stmt:
        edited = o._rewritten(way.site, stmt, {node: text, other[1]: other[2]})
    elif other[0].lineno == stmt.lineno + 1:  # `h = h[-1]` and `c = c[-1]`
        lines = [o._rewritten(way.site, stmt, {node: text}), o._rewritten(way.site, other[0], {other[1]: other[2]})]
        edited = None if None in lines else "\n".join(str(line) for line in lines)
    else:
        edited = None
    return [] if edited is None else [Edit(Fix(title, Applicability.SAFE, edited, way.site.at(stmt.lineno)),
                                           states=need)]


def _reselection(way: _Followed, dec: Any, dec_expr: str) -> tuple[ast.stmt, ast.expr, str] | None:
    """The statement that picked one layer of the encoder's state, the node that did, and that node
    written to pick the decoder's `num_layers` last layers."""
    enc: Any = way.encoder
    kinds = [s.kind for s in way.steps]
    if enc is None or enc.bidirectional or dec.bidirectional or kinds[-1:] != ["layers"] or set(kinds[:-1]) - {
            "bridge"}:  # a layer picked last, from the state or a bridge's result (`self.fc(hidden)[-1]`)
        return None
    step = way.steps[-1]
    base = step.shape
    if not isinstance(step.node, ast.Subscript) or len(base) != 3 or base[-1] != dec.hidden_size or (
            base[0] < dec.num_layers):
        return None
    return step.stmt, _widest(step), f"{ast.unparse(step.node.value)}[-{dec_expr}.num_layers:]"


def _widest(step: _Step) -> ast.expr:
    """The layer picked, with the `.unsqueeze(0)` that makes it 3-D again where one is applied to it."""
    for node in ast.walk(step.stmt):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.value is step.node
                and node.func.attr == "unsqueeze"):
            return node
    return step.node


def _summed(way: _Followed, expr: ast.expr, line: int, need: Shape, batch: int | None, name: str,
            pair: tuple[_Followed, ast.expr] | None = None) -> list[Edit]:
    """`torch.cat((h[-2], h[-1]), dim=1)` for a decoder of the encoder's `hidden_size`: the two
    directions summed in place of concatenated, at the line that concatenated them. With `pair`, the
    way of the LSTM's `c` and its expression, concatenated the same way on the same line or the
    next: both, in one edit."""
    one = _summing(way, expr, line, need, batch, name)
    if one is None:
        return []
    o, (step, text) = way.o, one
    lines = [(step.stmt, {step.node: text})]
    if pair is not None:
        other = _summing(pair[0], pair[1], line, need, batch, "c_0")
        if other is None:
            return []
        if other[0].stmt is step.stmt:  # both at the call
            lines[0][1][other[0].node] = other[1]
        elif other[0].stmt.lineno == step.stmt.lineno + 1:  # `h = torch.cat(...)` and `c = torch.cat(...)`
            lines.append((other[0].stmt, {other[0].node: other[1]}))
        else:
            return []
    edited = [o._rewritten(way.site, stmt, dict(changes)) for stmt, changes in lines]
    if None in edited:
        return []
    snippet = "\n".join(str(e) for e in edited)
    for changes in (c for _, c in lines):
        for text in changes.values():
            snippet = snippet.replace(f"({text})", text)
    return [Edit(Fix(f"sum the two directions of `{way.encoder_expr}`'s state in place of concatenating them",
                     Applicability.SAFE, snippet, way.site.at(step.stmt.lineno)), states=need)]


def _summing(way: _Followed, expr: ast.expr, line: int, need: Shape, batch: int | None,
             name: str) -> tuple[_Step, str] | None:
    """The one concatenation of directions on the way, and the sum that replaces it, where the
    sum hands the decoder the shape it needs."""
    enc: Any = way.encoder
    cats = [s for s in way.steps if s.kind == "cat"]
    if len(cats) != 1 or not enc.bidirectional or _again(way, expr, line, batch, name, {id(cats[0].node): 0}) != need:
        return None
    return cats[0], "(" + " + ".join(ast.unparse(p) for p in cats[0].parts) + ")"


def _decoder_sized(way: _Followed, handed: Shape, dec: Any, dec_expr: str, rebuilt: Any) -> Edit | None:
    """The decoder built with the `hidden_size` and `num_layers` of the 3-D state handed to it."""
    o = way.o
    if len(handed) != 3 or rebuilt is None or dec.bidirectional:
        return None
    enc: Any = way.encoder
    changes: dict[str, str] = {}
    layer: list[tuple[str, int]] = []
    if handed[2] != dec.hidden_size:
        doubled = any(s.kind == "cat" for s in way.steps) and handed[2] == 2 * enc.hidden_size
        built = o._trace(way.encoder_func, way.site, way.returned.lineno, (), 0) \
            if way.encoder_func is not None and way.returned is not None else None
        changes["hidden_size"] = (o._sized(built, rebuilt, way.encoder_expr, "hidden_size", enc.hidden_size, 2)
                                  or str(handed[2])) if doubled else str(handed[2])
        layer.append(("hidden_size", handed[2]))
    if handed[0] != dec.num_layers:
        changes["num_layers"] = str(handed[0])
        layer.append(("num_layers", handed[0]))
    edited = o._constructed_with(rebuilt, changes) if changes else None
    if edited is None:
        return None
    sizes = " and ".join(f"`{k}={v}`" for k, v in layer)
    return Edit(Fix(f"build `{dec_expr}` with {sizes}, the size of the state handed to it",
                    Applicability.CHANGES_MODEL, edited, rebuilt.site.at(rebuilt.stmt.lineno)), tuple(layer))
