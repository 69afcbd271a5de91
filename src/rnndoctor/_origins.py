"""Gathering provenance after a failure: the user's frames, their locals, and the AST of their code.

Run only once a call has failed. From the frame that called the layer it
reads the call's source line, finds the expressions passed as `input` and
the states, and follows each one back through the function's assignments
(`ast`, never `eval`) to the line that made it: a `torch.zeros(...)`, an
`init_hidden(...)` call (and that method's own source when it takes no
batch), a parameter passed by the caller (the frame above), or the layer's
own result carried over from an earlier call. Values are read from frame
locals only for plain names and `self.<field>`; a DataLoader among the
locals gives the size of the last batch (`rnndoctor.loader`).

Source comes through `linecache`, so IPython cells are readable; code
without source (a REPL, `exec`) or a construct this does not follow gives
fewer facts, never an error: every entry point catches its own failures and
returns what it has. Nothing here imports torch.

`explain` runs the same logic on a traceback's text: its frames are stand-ins
with no locals, and their files are read through its own reader (`read=`),
which decides which files may be read and cleans their lines. With no
values, the batch axis comes from the layer's constructor in the source, and
the data's name is followed through the parameters it is passed by.
"""

from __future__ import annotations

import ast
import functools
import linecache
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from . import _changed
from ._record import replace
from .findings import Applicability, Finding, Fix
from .loader import LoaderFacts, find_loaders
from .provenance import Edit, Kind, Origin, Provenance, rebuilds_layer
from .specs import _DEFAULTS, _POSITIONAL, KINDS
from .specs import Kind as LayerKind

__all__ = ["FrameLike", "constructor", "gather", "pack_call"]


class _CodeLike(Protocol):
    @property
    def co_filename(self) -> str: ...

    @property
    def co_name(self) -> str: ...


class FrameLike(Protocol):
    """A frame, or explain's stand-in for one of a traceback's frames (no locals)."""

    @property
    def f_code(self) -> _CodeLike: ...

    @property
    def f_locals(self) -> Mapping[str, Any]: ...

    @property
    def f_globals(self) -> Mapping[str, Any]: ...


Frames = Sequence[tuple[FrameLike, int]]  # outermost first, each with the line it is at
Reader = Callable[[str], list[str]]  # a file's lines, each ending with its newline; [] unread
Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.Module

_MAKERS = frozenset({"zeros", "ones", "randn", "rand", "empty", "full", "zeros_like", "randn_like",
                     "new_zeros", "new_ones", "new_empty", "new_full"})
_WRAPPERS = frozenset({"to", "cuda", "cpu", "float", "double", "half", "detach", "requires_grad_",
                       "contiguous", "clone", "type", "Variable", "Parameter"})
_DEPTH = 4  # frames followed upwards through parameters, and methods followed downwards
_CHANGED_ON_THE_WAY = frozenset({"RNN201", "RNN202", "RNN203", "RNN205"})  # an encoder's state changed (`_changed`)
_STATES = ("h_0", "c_0")
_reader: ContextVar[Reader] = ContextVar("_reader", default=linecache.getlines)
# what one gathering has found, by question: `_data_in`'s data, `_method_origin`'s edit (h_0's, for c_0)
_found: ContextVar[dict[tuple[object, ...], Any] | None] = ContextVar("_found", default=None)
MAX_TREES = 64
_trees: dict[str, tuple[list[str], ast.Module | None]] = {}  # filename -> (its lines, their AST)


@dataclass(frozen=True)
class _Site:
    """Where a piece of source is: its file's display name, scope and frame (None: not running)."""

    filename: str
    display: str
    scope: Scope
    frame: FrameLike | None
    show: Any = None  # filename -> display name, for the files followed from here

    def at(self, line: int) -> str:
        return f"{self.display}:{line}"


@dataclass(frozen=True)
class _Made:
    """The statement that made a value, and the expression within it."""

    site: _Site
    stmt: ast.stmt
    value: ast.expr
    carried: bool = False
    element: int | None = None  # the state's position in a tuple the maker returns


def gather(frames: Frames, layer: object, finding: Finding, *, input_batch: int | None,
           batch_axis: int | None, history: tuple[tuple[int, int], ...] = (),
           display: Any = None, read: Reader | None = None, via: object = None) -> Provenance:
    """The provenance of `layer`'s call at the innermost of the user's `frames`; never raises.

    `batch_axis` None: read it from the layer's constructor in the source.
    `read`: where the files' lines come from, instead of `linecache`.
    `via`: the function called there with the layer, input and states as its
    arguments (`rnndoctor.check(lstm, x, (h_0, c_0))`), instead of the layer.
    """
    show = display or (lambda name: name)
    loader = _loader(frames)
    token = _reader.set(read) if read is not None else None
    memo = _found.set({})
    try:
        origins = tuple(_origins(frames, layer, finding, input_batch, batch_axis, show, via))
    except Exception:  # an odd construct: fewer facts, never an error
        origins = ()
    finally:
        _found.reset(memo)
        if token is not None:
            _reader.reset(token)
    return Provenance(origins=origins, loader=loader, history=history, input_batch=input_batch)


def constructor(user: tuple[FrameLike, int], finding: Finding, display: Any = None,
                read: Reader | None = None) -> Provenance:
    """The line that built a layer whose constructor failed: the expression of each bad argument.

    `dim / 2` for an int size gets the note that `/` makes a float and the
    same line with `//` as its first fix. Never raises.
    """
    token = _reader.set(read) if read is not None else None
    try:
        origin = _constructor_origin(user, finding, display or (lambda name: name))
    except Exception:
        origin = None
    finally:
        if token is not None:
            _reader.reset(token)
    if origin is None:
        return Provenance()
    return Provenance(origins=(origin, Origin("layer", origin.site, origin.line, "constructed")))


def _constructor_origin(user: tuple[FrameLike, int], finding: Finding, show: Any) -> Origin | None:
    frame, line = user
    site = _site(frame, line, show)
    stmt = _stmt_at(site.scope, line) if site is not None else None
    if site is None or stmt is None or not finding.arguments:
        return None
    name = finding.arguments[0]
    calls = [n for n in ast.walk(stmt) if isinstance(n, ast.Call) and _func_name(n.func) in KINDS]
    if len(calls) != 1:
        return None
    expr = _given(calls[0]).get(name)
    if expr is None:
        return None
    divisions = [n for n in ast.walk(expr) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)]
    text = _line(site, stmt)
    if not divisions:
        return Origin(name, site.at(stmt.lineno), text, "built", ast.unparse(expr))
    changes: dict[ast.expr, str | None] = {
        d: ast.unparse(ast.BinOp(d.left, ast.FloorDiv(), d.right)) for d in divisions}
    edit = _rewritten(site, stmt, changes) if len(divisions) == 1 else None
    return Origin(name, site.at(stmt.lineno), text, "built", ast.unparse(expr),
                  f"`{ast.unparse(expr)}` is a float: `/` always divides to a float; `//` keeps an int",
                  edit, f"divide with `//` where `{name}` is computed")


def _kind(call: ast.Call) -> LayerKind:
    name = _func_name(call.func)
    return next(k for k in KINDS if k == name)


def _given(call: ast.Call) -> dict[str, ast.expr]:
    """A layer constructor's arguments by name, as written."""
    params = _POSITIONAL[_kind(call)]
    return {**dict(zip(params, call.args)), **{k.arg: k.value for k in call.keywords if k.arg}}


def _loader(frames: Frames) -> LoaderFacts | None:
    try:
        found = find_loaders(frame.f_locals for frame, _ in reversed(frames))
    except Exception:
        return None
    return found[0] if len(found) == 1 else None


def _origins(frames: Frames, layer: object, finding: Finding, input_batch: int | None,
             batch_axis: int | None, show: Any, via: object = None) -> Iterator[Origin]:
    user = list(frames)
    if not user:
        return
    frame, line = user[-1]
    site = _site(frame, line, show)
    if site is None:
        return
    call = _call_to(site, line, layer) if via is None else _as_layer_call(_call_to(site, line, via))
    if call is None:
        return
    # the line that built the layer: only its fixes that rebuild the layer are placed there (`provenance._located`)
    built = _constructed(call.func, site, line, layer, finding) if any(
        rebuilds_layer(f) for f in finding.fixes) else None
    if built is not None:
        yield built
    if batch_axis is None:
        batch_axis = _batch_axis(call.func, site, line)
    data = _unparsed(call.args[0]) if call.args else None
    states = _state_expressions(call)
    called = _layer(call.func, site, line, layer)
    found: list[Origin] = []
    traced: dict[int, tuple[_Made | None, str | None, int | None]] = {}  # `hx` passed as one name: once
    for name, expr in states.items():
        if name not in finding.arguments:
            continue
        if id(expr[0]) not in traced:
            made = _trace(expr[0], site, line, user, _DEPTH)
            here, axis = (data if batch_axis is not None else None), batch_axis
            if made is not None and made.site.frame is not frame:  # made elsewhere: its name for the data
                here, axis = (_data_in(made.site, user, input_batch)
                              or _data_passed(made.site, user, call, batch_axis) or (None, batch_axis))
            traced[id(expr[0])] = made, here, axis
        made, here, axis = traced[id(expr[0])]
        handoff = None
        if finding.code in _CHANGED_ON_THE_WAY:  # an encoder's state, changed on the way (`hidden[-1]`)
            handoff = _changed.handoff(sys.modules[__name__], name, expr[0], call, site, line, layer, finding,
                                       input_batch)
        if handoff is None and made is not None:
            handoff = _handoff(name, made, call, site, line, layer, finding)
        if handoff is not None:
            found.append(handoff)
            continue
        if made is None:
            continue
        element = expr[1] if expr[1] is not None else made.element
        origin = _state_origin(name, made, element, finding, here, input_batch, axis, user, layer=called)
        batch = f"{here}.size({axis})" if here is not None and axis is not None else None
        found.append(_rebuilt(origin, made, element, site, batch, finding))
    yield from _with_next_line(found)
    if call.args:
        made = _trace(call.args[0], site, line, user, _DEPTH)
        if made is not None:
            yield _input_origin(made, finding)
            packing = _pack_lengths(made)
            if packing is not None:
                yield packing


# ---- source -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Layer:
    """The layer called, as the calling code names it, and what its states' first axis counts."""

    expr: str  # "self.lstm", "lstm"; "" where it is called otherwise (`model.rnn(x)`)
    site: _Site  # where it is called
    num_layers: int
    directions: str | None  # "2", "(2 if self.bidirectional else 1)"; None: one direction
    module: object = None  # the layer itself

    def count(self, written: ast.expr, made: _Made) -> str | None:
        """The expression for `D*num_layers` where the states are made; None where none is in scope.

        The layer count already written there is kept when it is the layer's
        (`self.num_layers`); otherwise the layer's own attribute is read, by
        the name it is called with or, failing that, by a name in the frame
        that made the states (`net.rnn`).
        """
        if not isinstance(written, ast.Constant) and _int_value(written, made) == self.num_layers:
            layers = ast.unparse(written)
        elif self.expr and self._reaches(made.site):
            layers = f"{self.expr}.num_layers"
        else:
            frame = made.site.frame
            if frame is None and _class_of(made.site) is not None and _class_of(made.site) is _class_of(self.site):
                frame = self.site.frame  # a method of the same class, not running: `self` is the same
            path = _path_to(self.module, frame) if frame is not None else None
            if path is None:
                return None
            directions = f"(2 if {path}.bidirectional else 1)" if self.directions else None
            return f"{path}.num_layers * {directions}" if directions else f"{path}.num_layers"
        return f"{layers} * {self.directions}" if self.directions else layers

    def _reaches(self, site: _Site) -> bool:
        """Whether `self.expr` names this layer in `site` too."""
        if site.filename != self.site.filename:
            return False
        if self.expr.startswith("self."):
            mine = _class_of(self.site)
            return mine is not None and mine is _class_of(site)
        scope = self.site.scope
        if not isinstance(scope, ast.Module) and (_assignments(scope, self.expr) or self.expr in {
                a.arg for a in (*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs)}):
            return site.scope is scope  # a local of the function that calls it
        return isinstance(site.scope, ast.Module) or not _assignments(site.scope, self.expr)


def _layer(func: ast.expr, site: _Site, line: int, layer: object) -> _Layer | None:
    """The called layer's `_Layer`: its name for a layer called as a plain name or `self.<field>`."""
    num_layers, bidirectional = getattr(layer, "num_layers", None), getattr(layer, "bidirectional", None)
    if not isinstance(num_layers, int) or not isinstance(bidirectional, bool):
        return None
    if not (isinstance(func, ast.Name) or (isinstance(func, ast.Attribute) and _is_self(func.value))):
        return _Layer("", site, num_layers, "2" if bidirectional else None, layer)
    expr = _unparsed(func)
    directions = None
    if bidirectional:
        made = _trace(func, site, line, (), 0)
        written = _constructor_argument(made.value, "bidirectional") if made is not None else None
        flag = ast.unparse(written) if isinstance(written, ast.Attribute) and _is_self(written.value) \
            else f"{expr}.bidirectional"
        directions = "2" if written is None or isinstance(written, ast.Constant) else f"(2 if {flag} else 1)"
    return _Layer(expr, site, num_layers, directions, layer)


def _path_to(layer: object, frame: FrameLike) -> str | None:
    """A name in `frame` (a local, else a global) that reaches `layer`: itself (`rnn`), or a module
    that holds it (`net.rnn`, `self.encoder.layers[0]`); None where none does."""
    if layer is None:
        return None
    scopes = (frame.f_locals,) if frame.f_locals is frame.f_globals else (frame.f_locals, frame.f_globals)
    for scope in scopes:
        for name, value in scope.items():
            if name.startswith("_") or isinstance(value, (ModuleType, type)):
                continue
            if value is layer:
                return name
            modules = getattr(value, "named_modules", None)
            if not callable(modules) or not hasattr(value, "_modules"):
                continue
            path = next((p for p, m in modules() if m is layer and p), None)
            if path is not None and all(part.isidentifier() or part.isdigit() for part in path.split(".")):
                return name + "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in path.split("."))
    return None


def _constructor_argument(value: ast.expr, name: str) -> ast.expr | None:
    """The expression a layer's constructor call passes for `name`, positionally or by keyword."""
    if not isinstance(value, ast.Call) or _func_name(value.func) not in KINDS:
        return None
    return _given(value).get(name)


def _int_value(expr: ast.expr, made: _Made) -> int | None:
    """The value of a plain name or `self.<field>` in the frame that made the states, if an int."""
    frame = made.site.frame
    if frame is None:
        return None
    value = (frame.f_locals.get(expr.id, frame.f_globals.get(expr.id)) if isinstance(expr, ast.Name)
             else _resolve(expr, frame) if isinstance(expr, ast.Attribute) else None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _rebuilt(origin: Origin, made: _Made, element: int | None, calling: _Site, batch: str | None,
             finding: Finding) -> Origin:
    """A state kept in a field that another method (`__init__`) built for a fixed batch: the edit
    builds it again at the start of the calling method, for each batch, or, where that method
    carries the field from call to call, where the batch changes."""
    stmt, scope = made.stmt, calling.scope
    if (made.site.frame is not calling.frame or made.site.scope is scope or origin.edit is None
            or "\n" in origin.edit or batch is None or batch not in origin.edit or isinstance(scope, ast.Module)):
        return origin
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else None
    dim = next((d for d in finding.dims if d.tensor == origin.argument and d.symbol == "N" and d.wrong), None)
    if dim is None or not (isinstance(target, ast.Attribute) and _is_self(target.value)):
        return origin
    field, edit = ast.unparse(target), origin.edit.split("  # ")[0]
    carried = any(isinstance(n, ast.Assign) and any(
        ast.unparse(t) == field or (isinstance(t, ast.Tuple) and field in map(ast.unparse, t.elts))
        for t in n.targets) for n in _own_nodes(scope))
    method = made.site.scope.name if not isinstance(made.site.scope, ast.Module) else "the module"
    pair = any(d.tensor == "c_0" for d in finding.dims) or "c_0" in finding.arguments
    state = f"{field}[{element}]" if pair and element is not None else field
    if carried:
        edit = (f"# at the start of `{scope.name}`, where the batch changes:\n"
                f"if {state}.size({dim.index}) != {batch}:\n    {edit}")
    else:
        edit = f"# at the start of `{scope.name}`, for each batch:\n{edit}"
    return replace(origin, edit=edit,
                   binding=f"`{field}` is built once, in `{method}`, for batch {dim.actual}",
                   edit_title=f"build `{field}` again at the start of `{scope.name}`"
                   + (" when the batch changes" if carried else ", for each batch"))


def _handoff(name: str, made: _Made, call: ast.Call, site: _Site, line: int, decoder: object,
             finding: Finding) -> Origin | None:
    """A state another recurrent layer returned (`_, h = self.encoder(src)`), handed to this one.

    The edits that make it fit: the decoder built with the encoder's
    `hidden_size` or `num_layers`, at the line that built it; or, for a
    bidirectional encoder, the encoder's state with its two directions
    summed (`view(num_layers, 2, N, H).sum(1)`), or concatenated for a
    decoder of twice the size. Each is checked on the call it produces by
    `provenance.rank`.
    """
    value, frame = made.value, made.site.frame
    if not isinstance(value, ast.Call) or frame is None or not isinstance(made.stmt, ast.Assign):
        return None
    called = _resolve(value.func, frame)
    if called is None:  # a method, or a name the frame lacks: no layer returned it
        return None
    shape = tuple(d.actual for d in sorted((d for d in finding.dims if d.tensor == name),
                                           key=lambda d: d.index))
    found = _encoder(called, shape)
    if found is None or found[0] is decoder or not _recurrent(decoder):
        return None
    enc: Any = found[0]
    dec: Any = decoder
    if enc.proj_size or dec.proj_size:
        return None
    layers, batch, hidden = (int(n) for n in shape)  # type: ignore[arg-type]
    enc_expr, dec_expr = ast.unparse(value.func) + found[1], ast.unparse(call.func)
    built = _trace(value.func, made.site, made.stmt.lineno, (), 0)
    rebuilt = _trace(call.func, site, line, (), 0)
    edits: list[Edit] = []
    states = _handed(call, name, finding)
    if enc.bidirectional and not dec.bidirectional and enc.num_layers == dec.num_layers and states:
        summed = "s.view(-1, 2, *s.shape[1:]).sum(dim=1)"
        joined = "torch.cat((s[0::2], s[1::2]), dim=2)"
        here = _statement(made.site, made.stmt)
        if enc.hidden_size == dec.hidden_size:
            edits.append(Edit(Fix(f"sum the two directions of `{enc_expr}`'s state for `{dec_expr}`",
                                  Applicability.SAFE,
                                  f"{here}\n{_each(states, summed)}  # (num_layers, 2, N, H), summed over the 2",
                                  made.site.at(made.stmt.lineno)), states=(layers // 2, batch, hidden)))
        double = _sized(built, rebuilt, enc_expr, "hidden_size", enc.hidden_size, 2)
        wider = _constructed_with(rebuilt, {"hidden_size": double}) if double else None
        if wider is not None and rebuilt is not None:
            edits.append(Edit(Fix(f"concatenate the two directions of `{enc_expr}`'s state, for "
                                  f"`{dec_expr}` built with twice the `hidden_size`", Applicability.CHANGES_MODEL,
                                  f"{here}\n{_each(states, joined)}  # each layer's 2 directions side by side"
                                  f"\n# and at {rebuilt.site.at(rebuilt.stmt.lineno)}, where `{dec_expr}` is built:"
                                  f"\n{wider}", made.site.at(made.stmt.lineno)),
                              (("hidden_size", 2 * enc.hidden_size),), (layers // 2, batch, 2 * hidden)))
    for attr in ("hidden_size", "num_layers"):
        size = _sized(built, rebuilt, enc_expr, attr, getattr(enc, attr), 1)
        edited = _constructed_with(rebuilt, {attr: size}) if size and getattr(enc, attr) != getattr(dec, attr) \
            else None
        if edited is not None and rebuilt is not None:
            edits.append(Edit(Fix(f"build `{dec_expr}` with the `{attr}` of `{enc_expr}`", Applicability.CHANGES_MODEL,
                                  edited, rebuilt.site.at(rebuilt.stmt.lineno)), ((attr, getattr(enc, attr)),)))
    edits += _both_sizes(built, rebuilt, enc, dec, enc_expr, dec_expr, finding)
    given = _resolve(value.args[0], frame) if value.args else None
    on = getattr(given, "shape", None)
    called = f" on input ({', '.join(str(int(n)) for n in on)})" if isinstance(on, tuple) else ""
    where = f", built at {rebuilt.site.at(rebuilt.stmt.lineno)}" if rebuilt is not None else ""
    evidence = (f"`{name}` is the state that `{enc_expr}` returned at {made.site.at(made.stmt.lineno)}: "
                f"{enc!r}{called} gave ({layers}, {batch}, {hidden}); `{dec_expr}` is {dec!r}{where}")
    return Origin(name, made.site.at(made.stmt.lineno), _line(made.site, made.stmt), "returned",
                  binding=evidence, edits=tuple(edits))


def _both_sizes(built: _Made | None, rebuilt: _Made | None, enc: Any, dec: Any, enc_expr: str, dec_expr: str,
                finding: Finding) -> list[Edit]:
    """Where `hidden_size` and `num_layers` both differ (in the same directions), the decoder built
    with both of the encoder's, in one edit of its constructor; the one the finding is about first."""
    attrs = ("hidden_size", "num_layers") if finding.code == "RNN205" else ("num_layers", "hidden_size")
    if rebuilt is None or enc.bidirectional != dec.bidirectional or any(
            getattr(enc, a) == getattr(dec, a) for a in attrs):
        return []
    sizes = {a: _sized(built, rebuilt, enc_expr, a, getattr(enc, a), 1) for a in attrs}
    edited = _constructed_with(rebuilt, {a: v for a, v in sizes.items() if v}) if all(sizes.values()) else None
    if edited is None:
        return []
    return [Edit(Fix(f"build `{dec_expr}` with the `{attrs[0]}` and `{attrs[1]}` of `{enc_expr}`",
                     Applicability.CHANGES_MODEL, edited, rebuilt.site.at(rebuilt.stmt.lineno)),
                 tuple((a, getattr(enc, a)) for a in attrs))]


def _encoder(called: object, shape: tuple[int | None, ...]) -> tuple[object, str] | None:
    """The recurrent layer whose state `called` returned, and its path from it (`""`, `".rnn"`):
    `called` itself, or the one recurrent layer inside a module (an `Encoder` whose forward
    returns its GRU's state), where the state handed over has that layer's `shape`."""
    if len(shape) != 3 or None in shape:
        return None
    modules = getattr(called, "named_modules", None)
    inner = [(called, "")] if _recurrent(called) else [
        (m, f".{path}") for path, m in modules() if path and _recurrent(m)] if callable(modules) else []
    if len(inner) != 1:
        return None
    layer: Any = inner[0][0]
    fits = layer.num_layers * (2 if layer.bidirectional else 1) == shape[0] and layer.hidden_size == shape[2]
    return inner[0] if fits else None  # not, where the state was changed on the way (`hidden[-1]`)


def _recurrent(module: object) -> bool:
    """An nn.RNN, nn.LSTM or nn.GRU (or a subclass), told by its class names alone."""
    return any(c.__name__ in ("RNN", "LSTM", "GRU") for c in type(module).__mro__) and all(
        isinstance(getattr(module, a, None), int) for a in ("num_layers", "hidden_size", "proj_size"))


def _handed(call: ast.Call, name: str, finding: Finding) -> tuple[str, ...]:
    """The names the states are handed over in: `(h, c)`, or one name (a pair, for an LSTM)."""
    hx = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "hx"), None)
    if isinstance(hx, ast.Tuple) and all(isinstance(e, ast.Name) for e in hx.elts):
        return tuple(ast.unparse(e) for e in hx.elts)
    if isinstance(hx, ast.Name):
        pair = any(d.tensor == "c_0" for d in finding.dims) or "c_0" in finding.arguments
        return (hx.id, "") if pair else (hx.id,)
    return ()


def _each(states: tuple[str, ...], change: str) -> str:
    """`change` (written for `s`) applied to each state: `h = ...`, `h, c = (... for s in (h, c))`."""
    if len(states) == 1:
        return f"{states[0]} = {_on(change, states[0])}"
    if states[1] == "":  # one name holding (h, c)
        return f"{states[0]} = tuple({change} for s in {states[0]})"
    names = ", ".join(states)
    return f"{names} = ({change} for s in ({names}))"


def _on(change: str, name: str) -> str:
    """`change`, written for the name `s`, for `name` instead."""
    return ast.unparse(_Renamed(name).visit(ast.parse(change, mode="eval")).body)


class _Renamed(ast.NodeTransformer):
    def __init__(self, name: str) -> None:
        self.name = name

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(self.name, node.ctx) if node.id == "s" else node


def _sized(built: _Made | None, rebuilt: _Made | None, enc_expr: str, attr: str, value: int,
           times: int) -> str | None:
    """The encoder's `attr` (times `times`) as the decoder's constructor line can write it.

    Where the encoder is built before the decoder in the same function: the
    encoder's own expression (`enc_hidden`) or attribute (`self.encoder.num_layers`);
    otherwise, or for a number written there, the number.
    """
    if rebuilt is None:
        return None
    same = built is not None and built.site.scope is rebuilt.site.scope and built.stmt.lineno < rebuilt.stmt.lineno
    written = _constructor_argument(built.value, attr) if built is not None else None
    if not same or isinstance(written, ast.Constant) or (written is None and value == 1 and times == 1):
        return str(value * times)
    text = ast.unparse(written) if written is not None else f"{enc_expr}.{attr}"
    return f"{text} * {times}" if times != 1 else text


def _constructed_with(made: _Made | None, sizes: dict[str, str]) -> str | None:
    """The line that built a layer, with its constructor given `sizes` (by position or keyword)."""
    if made is None or not isinstance(made.value, ast.Call) or _func_name(made.value.func) not in KINDS:
        return None
    ctor = made.value
    params = _POSITIONAL[_kind(ctor)]
    args = list(ctor.args)
    keywords = list(ctor.keywords)
    for name, text in sizes.items():
        new = ast.parse(text, mode="eval").body
        index = params.index(name)
        if index < len(args):
            args[index] = new
        elif any(k.arg == name for k in keywords):
            keywords = [ast.keyword(name, new) if k.arg == name else k for k in keywords]
        else:
            keywords.append(ast.keyword(name, new))
    edited = ast.unparse(ast.Call(ctor.func, args, keywords))
    return _rewritten(made.site, made.stmt, {ctor: edited})


def _with_next_line(origins: list[Origin]) -> Iterator[Origin]:
    """`h_0` and `c_0` made on two lines in a row, the same way: `h_0`'s edit changes both."""
    for origin in origins:
        below = _next_line(origin.site)
        other = next((o for o in origins if o is not origin and o.edit and "\n" not in o.edit
                      and below == o.site), None)
        if origin.edit and "\n" not in origin.edit and other is not None:
            origin = replace(origin, edit=f"{origin.edit}\n{other.edit}")
        yield origin


def _next_line(site: str) -> str:
    path, _, line = site.rpartition(":")
    return f"{path}:{int(line) + 1}" if line.isdigit() else ""


def _site(frame: FrameLike, line: int, show: Any) -> _Site | None:
    filename = frame.f_code.co_filename
    tree = _tree(filename)
    if tree is None:
        return None
    return _Site(filename, show(filename), _scope_at(tree, line, frame.f_code.co_name), frame, show)


def _tree(filename: str) -> ast.Module | None:
    """The file's AST, parsed once for as long as its reader gives the same lines.

    `linecache` gives the same list until the file is reloaded (after it
    changed), so a stored tree is never stale, and no file is statted.
    """
    lines = _reader.get()(filename)
    if not lines:
        return None
    stored = _trees.get(filename)
    if stored is not None and stored[0] is lines:
        return stored[1]
    tree = _parse("".join(lines))
    if len(_trees) >= MAX_TREES:
        _trees.clear()
    _trees[filename] = (lines, tree)
    return tree


def _source_line(filename: str, number: int) -> str:
    lines = _reader.get()(filename)
    return lines[number - 1] if 1 <= number <= len(lines) else ""


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


@functools.lru_cache(maxsize=1024)
def _scope_at(tree: ast.Module, line: int, name: str) -> Scope:
    """The innermost function named `name` that holds `line`; the module outside any."""
    found = [node for node in _functions(tree) if node.name == name
             and node.lineno <= line <= (node.end_lineno or node.lineno)]
    return max(found, key=lambda node: node.lineno) if found else tree


@functools.lru_cache(maxsize=64)
def _functions(tree: ast.Module) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, ...]:
    return tuple(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


@functools.lru_cache(maxsize=256)
def _own_nodes(scope: Scope) -> tuple[ast.AST, ...]:
    """The nodes of `scope`, without those of the functions and classes defined inside it."""
    return tuple(_walk_own(scope))


@functools.lru_cache(maxsize=1024)
def _own_of(scope: Scope, kinds: tuple[type[ast.AST], ...]) -> tuple[Any, ...]:
    """The nodes of `scope` of these kinds, as `_own_nodes` finds them."""
    return tuple(n for n in _own_nodes(scope) if isinstance(n, kinds))


def _walk_own(scope: Scope) -> Iterator[ast.AST]:
    stack: list[ast.AST] = list(scope.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _call_to(site: _Site, line: int, target: object) -> ast.Call | None:
    """The call on `line` of `target` (`self.rnn(...)`, `model(...)`); the outermost call otherwise."""
    calls = _calls_at(site.scope, line)
    if target is not None and site.frame is not None:
        named = [c for c in calls if _resolve(c.func, site.frame) is target]
        if named:
            return named[0]
    return min(calls, key=lambda c: (c.lineno, c.col_offset)) if calls else None


@functools.lru_cache(maxsize=1024)
def _calls_at(scope: Scope, line: int) -> tuple[ast.Call, ...]:
    """The calls with arguments that span `line`."""
    return tuple(n for n in _own_of(scope, (ast.Call,)) if n.args and n.lineno <= line <= (n.end_lineno or n.lineno))


def _as_layer_call(call: ast.Call | None) -> ast.Call | None:
    """`rnndoctor.check(lstm, x, hx)` as the call it checks, `lstm(x, hx=hx)`; its parts keep their places."""
    if call is None:
        return None
    given = {**dict(zip(("layer", "input", "hx"), call.args)),
             **{k.arg: k.value for k in call.keywords if k.arg in ("layer", "input", "hx")}}
    if "layer" not in given or "input" not in given:
        return None
    return ast.Call(given["layer"], [given["input"]],
                    [ast.keyword("hx", given["hx"])] if "hx" in given else [])


def _resolve(expr: ast.expr, frame: FrameLike) -> object:
    """The object a plain name, `self.<field>` or `module.<name>` stands for in `frame`; None for anything else."""
    if isinstance(expr, ast.Name):
        return frame.f_locals.get(expr.id, frame.f_globals.get(expr.id))
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and not _is_self(expr.value):
        module = frame.f_locals.get(expr.value.id, frame.f_globals.get(expr.value.id))
        return vars(module).get(expr.attr) if isinstance(module, ModuleType) else None  # no __getattr__
    if isinstance(expr, ast.Attribute) and _is_self(expr.value):
        owner = frame.f_locals.get("self")
        modules = getattr(owner, "_modules", None)
        if isinstance(modules, dict) and expr.attr in modules:
            return modules[expr.attr]
        return vars(owner).get(expr.attr) if hasattr(owner, "__dict__") else None
    return None


def _state_expressions(call: ast.Call) -> dict[str, tuple[ast.expr, int | None]]:
    """`h_0` and `c_0` (or the one state) as written at the call, each with its tuple position."""
    hx = call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords if k.arg == "hx"), None)
    if hx is None:
        return {}
    if isinstance(hx, ast.Tuple) and len(hx.elts) == 2 and all(isinstance(e, ast.Call) for e in hx.elts):
        return {"h_0": (hx, 0), "c_0": (hx, 1)}  # both built right in the call: one line, one edit
    if isinstance(hx, ast.Tuple) and len(hx.elts) == 2:
        return {"h_0": (hx.elts[0], None), "c_0": (hx.elts[1], None)}
    return {"h_0": (hx, 0), "c_0": (hx, 1), "hx": (hx, None)}


# ---- following a value back -----------------------------------------------------------------

def _trace(expr: ast.expr, site: _Site, line: int, frames: Frames, depth: int) -> _Made | None:
    """The statement that made `expr`'s value, following names, parameters and carried results."""
    while True:
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            expr = expr.value  # hidden[0]: the tuple it comes from
        elif (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
              and expr.func.attr in _WRAPPERS):
            expr = expr.func.value  # h.detach(), h.to(device)
        else:
            break
    if isinstance(expr, ast.Attribute) and _is_self(expr.value):
        return _field(expr.attr, site)
    if isinstance(expr, (ast.Call, ast.Tuple)):  # made right in the call: lstm(x, self.init_hidden())
        stmt = _stmt_at(site.scope, line)
        return _Made(site, stmt, expr) if stmt is not None else None
    if not isinstance(expr, ast.Name):
        return None
    reaching = _reaching(site.scope, expr.id, line)
    if reaching is None:
        return _from_caller(expr.id, site, frames, depth) if depth else None
    stmt, value, carried = reaching
    if not carried and _passes_through(value, expr.id):
        earlier = _reaching(site.scope, expr.id, stmt.lineno)
        if earlier is None:
            return None
        stmt, value, carried = earlier
    element = _element(stmt, expr.id)
    return _Made(site, stmt, value, carried, element)


@functools.lru_cache(maxsize=1024)
def _stmt_at(scope: Scope, line: int) -> ast.stmt | None:
    """The innermost statement that holds `line`."""
    found = [n for n in _own_of(scope, (ast.stmt,)) if n.lineno <= line <= (n.end_lineno or n.lineno)]
    return max(found, key=lambda n: n.lineno) if found else None


def _is_self(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"


@functools.lru_cache(maxsize=1024)
def _assignments(scope: Scope, name: str) -> list[tuple[ast.stmt, ast.expr]]:
    found: list[tuple[ast.stmt, ast.expr]] = []
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign) and any(_binds(t, name) for t in node.targets):
            found.append((node, node.value))
        elif isinstance(node, ast.AnnAssign) and node.value is not None and _binds(node.target, name):
            found.append((node, node.value))
    return sorted(found, key=lambda p: p[0].lineno)


def _binds(target: ast.expr, name: str) -> bool:
    if isinstance(target, ast.Name):
        return target.id == name
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_binds(t, name) for t in target.elts)
    return False


@functools.lru_cache(maxsize=1024)
def _reaching(scope: Scope, name: str, line: int) -> tuple[ast.stmt, ast.expr, bool] | None:
    """The assignment of `name` that the value at `line` comes from, and whether it is carried.

    In a loop, a value assigned before the loop and again at or after `line`
    inside it (`out, h = rnn(x, h)`) is carried from the previous iteration:
    the assignment before the loop made it first.
    """
    assigns = _assignments(scope, name)
    before = [a for a in assigns if a[0].lineno < line]
    loop = _loop_at(scope, line)
    if loop is not None:
        inside = [a for a in before if _within(a[0], loop)]
        if inside:
            return (*inside[-1], False)
        later = [a for a in assigns if _within(a[0], loop) and a[0].lineno >= line]
        if later and before:
            return (*before[-1], True)
    return (*before[-1], False) if before else None


@functools.lru_cache(maxsize=1024)
def _loop_at(scope: Scope, line: int) -> ast.For | ast.While | None:
    loops = [n for n in _own_of(scope, (ast.For, ast.While)) if n.lineno <= line <= (n.end_lineno or n.lineno)]
    return max(loops, key=lambda n: n.lineno) if loops else None


def _within(node: ast.AST, outer: ast.AST) -> bool:
    start, end = getattr(outer, "lineno", 0), getattr(outer, "end_lineno", 0) or 0
    return start <= getattr(node, "lineno", -1) <= end


def _passes_through(value: ast.expr, name: str) -> bool:
    """`h = tuple(e.data for e in h)`, `h = h.detach()`: the value is `name`'s, passed on."""
    return _maker_call(value) is None and name in _names(value)


@functools.lru_cache(maxsize=1024)
def _names(value: ast.AST) -> frozenset[str]:
    return frozenset(n.id for n in ast.walk(value) if isinstance(n, ast.Name))


def _element(stmt: ast.stmt, name: str) -> int | None:
    """`h_0`'s position when the statement unpacks a pair: `h, c = ...` gives 0 for `h`."""
    return None if not isinstance(stmt, ast.Assign) else next(
        (i for t in stmt.targets if isinstance(t, ast.Tuple)
         for i, e in enumerate(t.elts) if isinstance(e, ast.Name) and e.id == name), None)


def _from_caller(name: str, site: _Site, frames: Frames, depth: int) -> _Made | None:
    """A parameter: the argument the caller passed for it, followed in the caller's frame."""
    passed = _passed(name, site, frames)
    if passed is None:
        return None
    argument, caller, line, above = passed
    return _trace(argument, caller, line, above, depth - 1)


def _passed(name: str, site: _Site, frames: Frames) -> tuple[ast.expr, _Site, int, Frames] | None:
    """The argument the caller passed for parameter `name`: its expression, the caller's site and
    line, and the frames from the caller up."""
    scope = site.scope
    if site.frame is None or not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    params = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
    if name not in params:
        return None
    stack = [f for f, _ in frames]
    index = stack.index(site.frame) if site.frame in stack else -1
    callers = [(f, line) for f, line in frames[:index] if f is not site.frame]
    if not callers:
        return None
    frame, line = callers[-1]
    caller = _site(frame, line, site.show)
    call = _call_to(caller, line, site.frame.f_locals.get("self")) if caller is not None else None
    if caller is None or call is None:
        return None
    offset = 1 if params and params[0] == "self" else 0
    position = params.index(name) - offset
    argument = (call.args[position] if 0 <= position < len(call.args) else
                next((k.value for k in call.keywords if k.arg == name), None))
    return (argument, caller, line, frames[:index]) if argument is not None else None


def _field(attr: str, site: _Site) -> _Made | None:
    """`self.<attr>`: its last assignment in the class that holds `site`'s function."""
    owner = _class_of(site)
    found = _fields(owner).get(attr) if owner is not None else None
    if found is None:
        return None
    method, node = found
    return _Made(_Site(site.filename, site.display, method, site.frame, site.show), node, node.value)


@functools.lru_cache(maxsize=256)
def _fields(owner: ast.ClassDef) -> dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.Assign]]:
    """`self.<attr> = ...` in the class's methods: for each field, the first found."""
    found: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.Assign]] = {}
    for method in owner.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in _own_nodes(method):
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Attribute) and _is_self(node.targets[0].value)):
                found.setdefault(node.targets[0].attr, (method, node))
    return found


def _class_of(site: _Site) -> ast.ClassDef | None:
    """The class whose method `site` is in."""
    tree = _tree(site.filename)
    return _classes(tree).get(site.scope) if tree is not None else None


@functools.lru_cache(maxsize=64)
def _classes(tree: ast.Module) -> dict[ast.AST, ast.ClassDef]:
    """Each class's methods, and the classes they are defined in."""
    return {f: c for c in ast.walk(tree) if isinstance(c, ast.ClassDef) for f in c.body}


def _method_in(owner: ast.ClassDef | None, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    return next((m for m in owner.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and m.name == name), None) if owner is not None else None


# ---- what the maker shows ------------------------------------------------------------------

def _maker_call(value: ast.expr) -> ast.Call | None:
    """`torch.zeros(...)` inside wrappers (`Variable(...)`, `.to(device)`), or None."""
    while isinstance(value, ast.Call):
        name = _func_name(value.func)
        if name in _MAKERS:
            return value
        if name in _WRAPPERS:
            if isinstance(value.func, ast.Attribute) and name != "Variable":
                value = value.func.value
            elif value.args:
                value = value.args[0]
            else:
                return None
        else:
            return None
    return None


def _func_name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _size_args(call: ast.Call) -> list[ast.expr]:
    if len(call.args) == 1 and isinstance(call.args[0], (ast.Tuple, ast.List)):
        return list(call.args[0].elts)
    return list(call.args)


def _state_origin(name: str, made: _Made, element: int | None, finding: Finding, data: str | None,
                  input_batch: int | None, batch_axis: int | None, frames: Frames, *,
                  batch: str | None = None, layer: _Layer | None = None) -> Origin:
    """Where state `name` was made, and that line rewritten to make the size the layer needs.

    The batch is written as the data's size (`x.size(1)`), or as `batch`
    where the data is not in scope; the layer count as the layer's (`layer`).
    """
    value = made.value
    together = value.elts if isinstance(value, ast.Tuple) else []  # (h_0, c_0) on one line
    if element is not None and isinstance(value, ast.Tuple) and element < len(value.elts):
        value = value.elts[element]
        if isinstance(value, ast.Name):  # return (h, c): where `h` was made
            inner = _trace(value, made.site, made.stmt.lineno, (), 0)
            if inner is not None:
                return _state_origin(name, inner, inner.element, finding, data, input_batch,
                                     batch_axis, frames, batch=batch, layer=layer)
    site, stmt = made.site, made.stmt
    kind: Kind = "carried" if made.carried else "built"
    maker = _maker_call(value)
    if maker is None and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        return _method_origin(name, made, value, element, finding, data, input_batch, batch_axis,
                              frames, kind, layer)
    batch = batch or (f"{data}.size({batch_axis})" if data and batch_axis is not None else None)
    text = _line(site, stmt)
    if maker is None:
        edit, title = _suffix_edit(stmt, name, finding)
        return Origin(name, site.at(stmt.lineno), text, kind, edit=edit, edit_title=title)
    sizes = _size_args(maker)
    changes: dict[ast.expr, str | None] = {}
    reads = None
    unreached = None  # the layer count written as a number: no name where the states are made reaches the layer
    for index, symbol, expected, rank in _wrong_axes(finding, name, len(sizes), input_batch):
        if len(sizes) != rank:
            continue
        arg = sizes[index]
        reads = _unparsed(arg)
        counted_as = layer.count(arg, made) if symbol == "D*num_layers" and layer else None
        if symbol == "D*num_layers" and layer and counted_as is None:
            unreached = expected
        new = (batch if symbol == "N" else counted_as) or str(expected)
        changes[arg] = new
        for other in (_maker_call(e) for e in together if symbol in ("N", "D*num_layers")):
            other_sizes = _size_args(other) if other is not None else []
            if len(other_sizes) == rank and _unparsed(other_sizes[index]) == reads:
                changes[other_sizes[index]] = new
    edit = _rewritten(site, stmt, changes)
    resized = any(symbol == "N" for _, symbol, _, _ in _wrong_axes(finding, name, len(sizes), input_batch))
    counted = layer is not None and unreached is None and any(
        symbol == "D*num_layers" for _, symbol, _, _ in _wrong_axes(finding, name, len(sizes), input_batch))
    title = None if edit is None else (
        f"size the states from the batch of `{data}` where they are built" if resized and data
        else "count the states' layers as the layer does (`num_layers` × directions), where they are built"
        if counted and not resized else "build the states with the sizes this layer needs, where they are built")
    if edit is not None and made.carried:
        edit += "  # inside the loop, for each batch"
        title = f"build the states for each batch from the size of `{data}`" if data else title
    if edit is None:
        edit, title = _suffix_edit(stmt, name, finding)
    binding = _binding(reads, made, frames) if reads else None
    if unreached is not None and edit is not None:
        binding = "; ".join(filter(None, (binding, f"no name at {site.at(stmt.lineno)} reaches the layer, so its "
                                                   f"layer count is written as the number {unreached}")))
    return Origin(name, site.at(stmt.lineno), text, kind, reads, binding, edit, title)


def _wrong_axes(finding: Finding, name: str, made_rank: int,
                input_batch: int | None) -> list[tuple[int, str, int, int]]:
    """(axis, symbol, expected size, rank) for each wrong axis of state `name`.

    A batch mismatch that ranks the input first shows no table for the
    states; their batch axis is then the one second from the end.
    """
    rank = sum(d.tensor == name for d in finding.dims)
    axes = [(d.index, d.symbol, d.expected, rank) for d in finding.dims
            if d.tensor == name and d.wrong and d.expected is not None]
    if not rank and finding.code == "RNN204" and input_batch is not None and made_rank in (2, 3):
        axes = [(made_rank - 2, "N", input_batch, made_rank)]
    return axes


def _method_origin(name: str, made: _Made, value: ast.Call, element: int | None, finding: Finding,
                   data: str | None, input_batch: int | None, batch_axis: int | None, frames: Frames,
                   kind: Kind, layer: _Layer | None = None) -> Origin:
    """`net.init_hidden(batch_size)`: the batch passed in, or, with none, the method's own line.

    A method that takes no batch (`self.init_hidden()` reading `self.batch_size`)
    is given one: its lines then read the parameter, and the call passes the
    data's batch.
    """
    site, stmt = made.site, made.stmt
    text = _line(site, stmt)
    batch_wrong = any(d.tensor == name and d.wrong and d.symbol == "N" for d in finding.dims)
    argument = value.args[0] if len(value.args) == 1 else None
    source = (_data_in(site, frames, input_batch)
              or ((data, batch_axis) if data is not None and batch_axis is not None else None)) if batch_wrong else None
    if argument is not None and batch_wrong:
        known = _found.get()
        key = ("method", id(stmt), id(site.frame), kind, source)
        found = known.get(key) if known is not None else None
        if found is None:
            replacement = f"{source[0]}.size({source[1]})" if source else None
            edit = _rewritten(site, stmt, {argument: replacement}) if replacement else None
            if edit is not None and kind == "carried":
                edit += "  # inside the loop, for each batch"
            title = (f"build the states for each batch from the size of `{source[0]}`"
                     if isinstance(source, tuple) else None)
            reads = _unparsed(argument)
            found = reads, _binding(reads, made, frames), edit, title
            if known is not None:
                known[key] = found
        return Origin(name, site.at(stmt.lineno), text, kind, *found)
    inner = _method_return(value, site) if not (argument is not None and batch_wrong) else None
    if inner is None:
        return Origin(name, site.at(stmt.lineno), text, kind)
    if not (batch_wrong and source and not value.args and not value.keywords):
        return _state_origin(name, inner, element, finding, None, input_batch, 0, frames, layer=layer)
    param = _new_name(inner.site.scope, "batch_size")
    origin = _state_origin(name, inner, element, finding, None, input_batch, 0, frames, batch=param,
                           layer=layer)
    passed = f"{ast.unparse(value.func)}({source[0]}.size({source[1]}))"
    edit = _given_a_parameter(inner.site, origin, param, _rewritten(site, stmt, {value: passed}),
                              site.at(stmt.lineno))
    title = (f"give `{ast.unparse(value.func)}` the batch size, and call it with the batch of "
             f"`{source[0]}`")
    return replace(origin, edit=edit, edit_title=title if edit else None)


def _new_name(scope: Scope, name: str) -> str:
    """`name`, or `name_` where `scope` already uses it."""
    used = {n.id for n in _own_nodes(scope) if isinstance(n, ast.Name)} | {
        a.arg for a in ast.walk(scope) if isinstance(a, ast.arg)}
    return name if name not in used else f"{name}_"


def _given_a_parameter(method: _Site, origin: Origin, param: str, call: str | None,
                       where: str) -> str | None:
    """The method's header with `param` added, each of its lines that read the wrong batch
    rewritten to read `param`, and the call that passes it, with where that call is."""
    scope = method.scope
    if (call is None or origin.reads is None or not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
            or not scope.args.args or scope.args.vararg or scope.args.kwonlyargs or scope.args.kwarg
            or scope.args.defaults or scope.args.args[-1].lineno != scope.lineno):
        return None
    last = scope.args.args[-1]
    header = linecache.getline(method.filename, scope.lineno)
    header = f"{header[:last.end_col_offset]}, {param}{header[last.end_col_offset:]}".strip()
    body = []
    for stmt in sorted((n for n in _own_nodes(scope) if isinstance(n, (ast.Assign, ast.Return))),
                       key=lambda n: n.lineno):
        sizes = [a for m in ast.walk(stmt) if isinstance(m, ast.Call) and _maker_call(m) is m
                 for a in _size_args(m) if ast.unparse(a) == origin.reads]
        edited = _rewritten(method, stmt, dict.fromkeys(sizes, param)) if sizes else None
        if sizes and edited is None:
            return None
        if edited is not None:
            body.append(f"    {edited}")
    return "\n".join((header, *body, f"# and at {where}, where it is called:", call)) if body else None


def _method_return(value: ast.Call, site: _Site) -> _Made | None:
    """`self.init_hidden()`: the statement in the method that made what it returns."""
    assert isinstance(value.func, ast.Attribute)
    owner = _resolve(value.func.value, site.frame) if site.frame is not None else None
    method = getattr(type(owner), value.func.attr, None) if owner is not None else None
    code = getattr(method, "__code__", None)
    if code is None and owner is None and _is_self(value.func.value):  # no values (explain)
        own = _method_in(_class_of(site), value.func.attr)
        return _returned(own, _Site(site.filename, site.display, own, None, site.show)) if own else None
    tree = _tree(code.co_filename) if code is not None else None
    if code is None or tree is None:
        return None
    scope = _scope_at(tree, code.co_firstlineno + 1, code.co_name)
    if scope is tree:
        return None
    inner = _Site(code.co_filename, site.show(code.co_filename) if site.show else code.co_filename,
                  scope, None, site.show)
    return _returned(scope, inner)


def _returned(scope: Scope, inner: _Site) -> _Made | None:
    """The statement in a method that made what it returns."""
    returned = [n for n in _own_nodes(scope) if isinstance(n, ast.Return) and n.value is not None]
    if len(returned) != 1:
        return None
    ret = returned[0]
    assert ret.value is not None
    if isinstance(ret.value, ast.Name):
        return _trace(ret.value, inner, ret.lineno, (), 0)
    return _Made(inner, ret, ret.value)


def _data_passed(target: _Site, frames: Frames, call: ast.Call,
                 batch_axis: int | None) -> tuple[str, int] | None:
    """The name the layer's input has in `target`'s function, followed up through parameters.

    `net(inputs, h)` calls `forward(self, x, hidden)`, which calls
    `self.lstm(self.embedding(x), hidden)`: where `net` is called, the data is
    `inputs`, its batch on the layer's batch axis. Only what keeps that axis in
    place is followed (`_fed`). For frames without values (explain).
    """
    if batch_axis is None or not call.args or not frames:
        return None
    frame, line = frames[-1]
    site: _Site | None = _site(frame, line, target.show)
    expr, above = call.args[0], frames
    for _ in range(_DEPTH):
        name = _fed(expr)
        passed = _passed(name, site, above) if name is not None and site is not None else None
        if passed is None:
            return None
        expr, site, _, above = passed
        if site.frame is target.frame:
            name = _fed(expr)
            return (name, batch_axis) if name is not None else None
    return None


def _fed(expr: ast.expr) -> str | None:
    """The plain name the data is computed from without moving its axes: `x` in
    `self.embedding(x)`, `x.float()` or `Variable(x)`."""
    while not isinstance(expr, ast.Name):
        if not isinstance(expr, ast.Call):
            return None
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in _WRAPPERS:
            expr = func.value
        elif expr.args and (isinstance(func, ast.Name) and func.id in _WRAPPERS
                            or isinstance(func, ast.Attribute) and _is_self(func.value)):
            expr = expr.args[0]
        else:
            return None
    return expr.id


def _data_in(site: _Site, frames: Frames, batch: int | None) -> tuple[str, int] | None:
    """The data in `site`'s frame that has this batch: its name and axis (0 preferred)."""
    if site.frame is None or batch is None:
        return None
    known = _found.get()
    key = (id(site.frame), batch)
    if known is not None and key in known:
        data: tuple[str, int] | None = known[key]
        return data
    found = _shaped(site.frame, batch)
    if known is not None:
        known[key] = found
    return found


def _shaped(frame: FrameLike, batch: int) -> tuple[str, int] | None:
    found = []
    for key, value in frame.f_locals.items():
        if key.startswith("_") or isinstance(value, (ModuleType, type)) or callable(value):
            continue  # a module's globals: imports, classes, functions, layers
        shape = getattr(value, "shape", None)
        if not isinstance(shape, tuple) or len(shape) < 2:
            continue
        axes = [i for i in (0, 1) if int(shape[i]) == batch]
        if axes:
            found.append((key, axes[0]))
    return min(found, key=lambda f: f[1]) if found else None


def _rewritten(site: _Site, stmt: ast.stmt, changes: dict[ast.expr, str | None]) -> str | None:
    """The statement's line with each expression replaced; None for a statement over several lines."""
    if not changes or any(v is None for v in changes.values()) or stmt.end_lineno != stmt.lineno:
        return None
    if stmt.end_col_offset is None:
        return None
    line = _source_line(site.filename, stmt.lineno)[:stmt.end_col_offset]
    for node in sorted(changes, key=lambda n: n.col_offset, reverse=True):
        if node.lineno != stmt.lineno or node.end_col_offset is None:
            return None
        line = line[:node.col_offset] + str(changes[node]) + line[node.end_col_offset:]
    return line.strip()


def _line(site: _Site, stmt: ast.stmt) -> str:
    return _source_line(site.filename, stmt.lineno).strip()


@functools.lru_cache(maxsize=1024)
def _unparsed(node: ast.AST) -> str:
    return ast.unparse(node)


@functools.lru_cache(maxsize=256)
def _expression(text: str) -> ast.expr | None:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


def _statement(site: _Site, stmt: ast.stmt) -> str:
    """The statement's line without what follows it (a comment)."""
    return linecache.getline(site.filename, stmt.lineno)[:stmt.end_col_offset].strip()


def _binding(reads: str, made: _Made, frames: Frames) -> str | None:
    """`self.batch_size` is 32, set at model.py:9: the value read, from the running frame."""
    expr = _expression(reads)
    if expr is None:
        return None
    frame = made.site.frame
    if isinstance(expr, ast.Attribute) and _is_self(expr.value):
        assigned = _field(expr.attr, made.site)
        owner = frame.f_locals.get("self") if frame is not None else None
        value = getattr(owner, expr.attr, None) if owner is not None else None
        shown = f" is {value}" if isinstance(value, int) else ""
        where = (f"{',' if shown else ' is'} set at {assigned.site.at(assigned.stmt.lineno)}"
                 if assigned else "")
        return f"`{reads}`{shown}{where}" if shown or where else None
    if isinstance(expr, ast.Name) and frame is not None:
        value = frame.f_locals.get(expr.id, frame.f_globals.get(expr.id))
        return f"`{reads}` is {value}" if isinstance(value, int) and not isinstance(value, bool) else None
    return None


def _batch_axis(func: ast.expr, site: _Site, line: int) -> int | None:
    """The input's batch axis as the layer's constructor in the source sets it; None where it does not show."""
    made = _trace(func, site, line, (), 0)
    call = made.value if made is not None else None
    if not isinstance(call, ast.Call) or _func_name(call.func) not in KINDS:
        return None
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None  # nn.LSTM(*args, **config)
    if _kind(call).endswith("Cell"):
        return 0
    flag = _given(call).get("batch_first")
    if flag is None:
        return 1
    return {True: 0, False: 1}.get(flag.value) if isinstance(flag, ast.Constant) and isinstance(
        flag.value, bool) else None


def _constructed(func: ast.expr, site: _Site, line: int, layer: object, finding: Finding) -> Origin | None:
    """Where the layer called was built: `self.rnn = nn.LSTM(...)` in `__init__`, or a plain name;
    with each fix at the call that rebuilds the layer as that line's edit."""
    made = _trace(func, site, line, (), 0)
    if made is None or not isinstance(made.value, ast.Call):
        return None
    return Origin("layer", made.site.at(made.stmt.lineno), _line(made.site, made.stmt), "constructed",
                  edits=tuple(_rebuilds(made, layer, finding)))


def _rebuilds(made: _Made, layer: object, finding: Finding) -> Iterator[Edit]:
    """Each fix at the call that constructs the layer anew (`nn.GRU(10, 20, batch_first=True)`), as
    the line that built it with the arguments that fix changes, written as the fix writes them."""
    for fix in finding.fixes:
        if not (fix.snippet or "").startswith("nn."):
            continue
        try:
            snippet = ast.parse(fix.snippet or "", mode="eval").body
            if not isinstance(snippet, ast.Call) or _func_name(snippet.func) not in KINDS:
                continue
            given = {name: _constructor_argument(snippet, name) for name in _POSITIONAL[_kind(snippet)]}
            values = {name: ast.literal_eval(e) if e is not None else _DEFAULTS.get(name) for name, e in given.items()
                      if name not in ("device", "dtype")}
        except (SyntaxError, ValueError):  # not a layer written with literals
            continue
        if layer is None:  # explain: no layer to compare with; `nn.LSTM(..., bidirectional=True)` changes what it names
            changes = {k.arg: repr(values[k.arg]) for k in snippet.keywords if k.arg in values} if any(
                isinstance(a, ast.Constant) and a.value is Ellipsis for a in snippet.args) else {}
        else:
            changes = {name: repr(v) for name, v in values.items() if not _same(v, getattr(layer, name, v))}
        edited = _constructed_with(made, changes) if changes else None
        if edited is not None:
            yield Edit(replace(fix, snippet=edited, site=made.site.at(made.stmt.lineno)))
        elif len(changes) == 1 and made.stmt.end_lineno != made.stmt.lineno:
            argument = _argument_line(made, *next(iter(changes.items())))
            if argument is not None:
                yield Edit(replace(fix, snippet=argument[1], site=made.site.at(argument[0])))


def _argument_line(made: _Made, name: str, text: str) -> tuple[int, str] | None:
    """A constructor written over several lines: the line that holds argument `name`, with its
    value written as `text` (`bidirectional=True)`); None where the argument is not on one line."""
    if not isinstance(made.value, ast.Call) or _func_name(made.value.func) not in KINDS:
        return None
    node = _given(made.value).get(name)
    if node is None or node.lineno != node.end_lineno or node.end_col_offset is None:
        return None
    line = _source_line(made.site.filename, node.lineno).rstrip("\n")
    rest = line[node.end_col_offset:]
    if "#" in rest and not any(q in rest.split("#")[0] for q in "'\""):
        rest = rest.split("#")[0]
    return node.lineno, (line[:node.col_offset] + text + rest).strip()


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and a == b


def _input_origin(made: _Made, finding: Finding) -> Origin:
    """The line that made `input`; a fix at the call of the form `input = input.f(...)` moves there."""
    site, stmt = made.site, made.stmt
    edit, title = _suffix_edit(stmt, "input", finding)
    return Origin("input", site.at(stmt.lineno), _line(site, stmt), "built", edit=edit, edit_title=title)


def _pack_lengths(made: _Made) -> Origin | None:
    """`pack_padded_sequence(x, lengths, ...)` made the input: where `lengths` was made, clamped to T.

    torch 2.13 packs lengths longer than the padded sequence without an error;
    the layer then fails (or runs on) with batch sizes that do not match its data.
    """
    value, frame = made.value, made.site.frame
    if not (isinstance(value, ast.Call) and _func_name(value.func) == "pack_padded_sequence"
            and len(value.args) >= 2 and frame is not None):
        return None
    padded = _resolve(value.args[0], frame)
    shape = getattr(padded, "shape", None)
    first = next((k.value for k in value.keywords if k.arg == "batch_first"), None)
    batch_first = isinstance(first, ast.Constant) and first.value is True
    if not isinstance(shape, tuple) or len(shape) < 2:
        return None
    return _lengths_origin(value, made, int(shape[1] if batch_first else shape[0]))


def pack_call(frames: Frames, finding: Finding, steps: int | None, display: Any = None) -> tuple[Origin, ...]:
    """At a failed `pack_padded_sequence(input, lengths, ...)` call: the line that made `lengths`.

    With RNN406 (lengths beyond the `steps` of the padded input), that line
    clamped is the edit. Only the source is read, never a frame's locals: the
    guard calls this while the program runs. Never raises.
    """
    try:
        frame, line = frames[-1]
        site = _site(frame, line, display or (lambda name: name))
        stmt = _stmt_at(site.scope, line) if site is not None else None
        if site is None or stmt is None:
            return ()
        calls = [n for n in _own_nodes(site.scope) if isinstance(n, ast.Call) and len(n.args) >= 2
                 and _func_name(n.func) == "pack_padded_sequence" and n.lineno <= line <= (n.end_lineno or n.lineno)]
        if len(calls) != 1:
            return ()
        origin = _lengths_origin(calls[0], _Made(site, stmt, calls[0]),
                                 steps if finding.code == "RNN406" else None)
    except Exception:  # an odd construct: fewer facts
        return ()
    return () if origin is None else (origin,)


def _lengths_origin(value: ast.Call, made: _Made, steps: int | None) -> Origin | None:
    """Where the `lengths` given to `pack_padded_sequence` at `made` were made; with `steps`,
    that line clamped to them."""
    lengths = _trace(value.args[1], made.site, made.stmt.lineno, (), 0)
    if lengths is None:
        return None
    stmt, site = lengths.stmt, lengths.site
    if steps is None:
        return Origin("lengths", site.at(stmt.lineno), _line(site, stmt), "built")
    edit = None
    if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and stmt.end_lineno == stmt.lineno):
        edit = f"{stmt.targets[0].id} = {ast.unparse(stmt.value)}.clamp(max={steps})"
    return Origin("lengths", site.at(stmt.lineno), _line(site, stmt), "built",
                  None, f"the padded input has {steps} steps ({ast.unparse(value.args[0])}, "
                  f"packed at {made.site.at(made.stmt.lineno)})", edit,
                  f"clamp `lengths` to the {steps} steps of the padded input, or compute them after it is cut")


def _suffix_edit(stmt: ast.stmt, name: str, finding: Finding) -> tuple[str | None, str | None]:
    """A fix at the call of the form `input = input.unsqueeze(-1)`, moved to the line that made it."""
    lead = f"{name} = {name}."
    suffix = next((line[len(lead) - 1:].split("  #")[0] for f in finding.fixes if f.snippet
                   for line in f.snippet.splitlines() if line.startswith(lead)), None)
    if (suffix is None or not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1
            or stmt.end_lineno != stmt.lineno or not isinstance(stmt.targets[0], ast.Name)):
        return None, None
    target = stmt.targets[0].id
    return (f"{target} = {ast.unparse(stmt.value)}{suffix}",
            f"make `{target}` with `{suffix}` where it is built")
