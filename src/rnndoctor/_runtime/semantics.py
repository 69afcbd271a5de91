"""Semantic mode: follow what recurrent layers return, and warn on uses that compute the wrong thing.

`guard(model, semantics=True)` and `rnndoctor run --semantics` turn it on.
The guard's patched forward tags each `output`, `h_n` and `c_n` it returns
(and a packed output's data) with a `uses.Produced`: the layout, from the
layer's configuration. A `TorchFunctionMode` then sees the operations the
program applies to tensors, and judges the few that matter:

- a subscript or a `view`/`reshape` of a tagged tensor is a `uses.Use`,
  judged by the use rules (RNN5xx);
- `pad_packed_sequence` on tagged data tags the padded output, with its lengths;
- `contiguous`, `detach`, `clone`, `to`, `dropout`, and `index_select` along
  the batch, pass the tag on: as far as the patterns need, and no further;
- a use that is only half the story waits: `h_n[-1]` of a bidirectional
  layer is right beside `h_n[-2]` in a `torch.cat`, `torch.stack` or a sum,
  and `output[:, -1]` is right once cut down to the forward direction. It is
  warned about when the same layer runs again, or the guard exits, if nothing
  settled it by then;
- unpacking a state into names (`out, (h, c) = gru(x)`: Python's iteration,
  which calls `unbind(0)`) is a use, read from the statement that does it;
- a use that is wrong only as an initial state (`h_n[:2]` of a bidirectional
  encoder) waits on its result, and is warned about when a layer's kernel
  (`_VF.gru`, `_VF.lstm`, ...) receives that result as `hx`;
- a torch function that raises on a layer's result (a loss, `bmm`, `cat`)
  gets an explanation in the layer's terms kept on the error, which the
  post-mortem prints (`downstream`); the error itself is torch's;
- a DataLoader batch's tensors carry the batch size (RNN106) through
  `nn.Embedding`, casts and moves to the recurrent call;
- a descending sort of lengths made by the program is followed to its uses,
  and judged when it dies (RNN507).

Every other operation goes straight through: one dictionary lookup. Tags are
kept by `id` beside a weak reference, so no tensor is kept alive, and a tag
dies with its tensor. The mode is thread-local, as torch's modes are: it sees
the thread that entered the guard, and only the guarded model's layers are
tagged there (every layer's, under `guard()` with no model). Wherever Dynamo
traces (torch.compile, with `fullgraph=True` or without), the mode steps aside:
the traced code sees only the torch functions, and the graph is what it would
be without the mode.
"""

from __future__ import annotations

import ast
import functools
import linecache
import operator
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any, Generic, Literal, TypeVar

from .. import _axes
from .. import _torch as _boundary
from .._files import display, is_library, is_rnndoctor
from .._record import replace
from ..errors import RnnDoctorWarning
from ..findings import Finding, Location, Severity
from ..render.text import render_finding
from ..specs import BatchEvidence
from ..uses import (
    Indices,
    Picked,
    Produced,
    Reordering,
    Slice,
    Unpadding,
    Use,
    UseBound,
    judge_all,
    judge_reordering,
    selection,
)
from . import downstream
from . import postmortem as _postmortem

__all__ = ["collected", "failed", "flush", "here", "start", "stop", "track", "warning_class"]


@dataclass(eq=False, slots=True)
class _Source:
    """One tensor a layer returned; every tensor derived from it shares its source."""

    module: weakref.ref[Any]
    packed_batch_first: bool | None = None  # the layer's input was packed with this (RNN510)


@dataclass(eq=False, slots=True)
class _Tag:
    produced: Produced
    source: _Source


Site = tuple[str, int, dict[str, Any]]  # the file, line and globals of the user's code


@dataclass(eq=False, slots=True)
class _Pending:
    """A finding that a concatenation with one of `partners` would make right."""

    finding: Finding
    produced: Produced
    partners: frozenset[tuple[Picked, ...]]
    forward: int | None  # keeping the first `forward` features of the last axis completes it
    site: Site
    source: _Source


@dataclass(eq=False, slots=True)
class _Order:
    """A sort order made from lengths in the program: where, and what was done with it."""

    size: int
    site: Site
    applied: int = 0
    inverted: bool = False
    packed: bool = False
    escaped: bool = False
    lengths: int = 0  # of the tensors applied to, the lengths a batch was then packed with


V = TypeVar("V")


class _ByTensor(Generic[V]):
    """Values kept beside tensors: by `id`, with a weak reference, so no tensor is kept alive.

    An entry goes when its tensor dies (after `on_death(value)`, if given), unless
    `keep_dead`: then it stays until popped, as a finding must.
    """

    def __init__(self, on_death: Callable[[V], None] | None = None, keep_dead: bool = False) -> None:
        self.entries: dict[int, tuple[weakref.ref[Any], V]] = {}  # the mode tests it directly
        self._on_death, self._keep_dead = on_death, keep_dead

    def __len__(self) -> int:
        return len(self.entries)

    def put(self, tensor: Any, value: V) -> None:
        key = id(tensor)
        gone = None if self._keep_dead else functools.partial(self._gone, key)
        self.entries[key] = (weakref.ref(tensor, gone), value)

    def get(self, tensor: Any) -> V | None:
        entry = self.entries.get(id(tensor))
        return entry[1] if entry is not None and entry[0]() is tensor else None

    def pop(self, tensor: Any) -> V | None:
        """The value beside `tensor`, taken out; a stale entry under its `id` goes too."""
        entry = self.entries.pop(id(tensor), None)
        return entry[1] if entry is not None and entry[0]() is tensor else None

    def values(self) -> list[V]:
        return [value for _, value in self.entries.values()]

    def pop_where(self, test: Callable[[V], bool]) -> list[V]:
        """Take out every value that passes `test`."""
        keys = [key for key, (_, value) in self.entries.items() if test(value)]
        return [self.entries.pop(key)[1] for key in keys]

    def clear(self) -> None:
        self.entries.clear()

    def _gone(self, key: int, ref: weakref.ref[Any]) -> None:
        entry = self.entries.get(key)
        if entry is not None and entry[0] is ref:
            del self.entries[key]
            if self._on_death is not None:
                self._on_death(entry[1])


class _State:
    """Process-wide: the tags, the findings waiting on a partner, what was warned."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.active = 0
        self.tags: _ByTensor[_Tag] = _ByTensor()
        self.picks: _ByTensor[tuple[_Source, tuple[Picked, ...]]] = _ByTensor()  # for partners
        self.pending: _ByTensor[_Pending] = _ByTensor(keep_dead=True)
        self.batches: _ByTensor[BatchEvidence] = _ByTensor()
        self.orders: _ByTensor[_Order] = _ByTensor(on_death=lambda order: _order_gone(order))
        self.as_state: _ByTensor[tuple[Finding, Produced, Site]] = _ByTensor()  # RNN508: h_0?
        self.packs: _ByTensor[bool] = _ByTensor()  # packed data: the batch_first it was packed with
        self.sorted_by: _ByTensor[_Order] = _ByTensor()  # `x[order]`: the order it was sorted by
        self.ready: list[tuple[Reordering, Site]] = []  # gone in a weakref callback, to judge
        self.warned: set[tuple[str, str, int]] = set()
        self.findings: list[Finding] = []


_state = _State()
tracking = _state  # read by the guard's patched forward: `tracking.active`, in any thread
_here = threading.local()  # `depth`: semantic guards entered in this thread


def here() -> bool:
    """Semantic mode is on in this thread (the mode is thread-local, as torch's modes are)."""
    return bool(getattr(_here, "depth", 0))


def collected() -> tuple[Finding, ...]:
    """Every semantic finding warned so far in this process, in order."""
    return tuple(_state.findings)


# ---- turning it on and off ----------------------------------------------------------------

_Mode: Any = None  # the TorchFunctionMode class, made when torch is first needed


def start() -> Any:
    """Turn semantic tracking on in this thread; returns the mode to give to `stop`."""
    global _Mode
    torch = _boundary.load_torch()
    if _Mode is None:
        _Mode = _make_mode(torch)
    mode = _Mode()
    mode.__enter__()
    _here.depth = getattr(_here, "depth", 0) + 1
    with _state.lock:
        _state.active += 1
        _patch_loader(torch)
    return mode


def stop(mode: Any) -> None:
    """Leave the mode; the outermost guard of the thread first warns about what still waits."""
    _here.depth = max(0, getattr(_here, "depth", 0) - 1)
    try:
        if not _here.depth:
            flush()
    except Exception as failure:  # ours; a RnnDoctorWarning filtered as an error is the program's
        if isinstance(failure, warning_class()):
            raise
        failed(failure)
    finally:
        with _state.lock:
            _state.active = max(0, _state.active - 1)
            if not _state.active:
                _state.tags.clear()
                _state.picks.clear()
                _state.batches.clear()
                _state.orders.clear()
                _state.as_state.clear()
                _state.packs.clear()
                _state.sorted_by.clear()
                _unpatch_loader()
        mode.__exit__(None, None, None)


def warning_class() -> type[Warning]:
    return RnnDoctorWarning


def _make_mode(torch: Any) -> type:
    handlers = _handlers(torch)
    get, orders, escaped = handlers.get, _state.orders.entries, _escaped
    compiling = torch.compiler.is_compiling

    class SemanticMode(torch.overrides.TorchFunctionMode):  # type: ignore[misc]
        def __torch_function__(self, func: Any, types: Any, args: Any = (),
                               kwargs: Any = None) -> Any:
            if compiling():  # Dynamo traces this method: it sees only `func`, and no break
                return func(*args, **(kwargs or {}))
            handler = get(func)
            try:
                if handler is None and not orders:
                    return func(*args, **(kwargs or {}))
                kwargs = kwargs or {}
                result = func(*args, **kwargs)
            except Exception as error:  # the program's: explained if a layer's result is in it
                _failed_on(func, args, kwargs or {}, error)
                raise
            try:
                if orders:
                    escaped(func, args, kwargs)
                if handler is not None:
                    handler(func, args, kwargs, result)
            except RnnDoctorWarning:  # warnings filtered as errors: the program asked for it
                raise
            except Exception as failure:  # ours: the program's result stands
                failed(failure)
            return result

    _run_plain(SemanticMode.__torch_function__.__code__)
    return SemanticMode


def _run_plain(code: Any) -> None:
    """Dynamo never compiles this frame, or what it calls; tracing a caller still inlines it.

    Inlined, the frame sees `is_compiling()` and hands Dynamo only the torch
    function. Run as its own frame (an operation in code Dynamo runs eagerly, at a
    graph break), it must not be compiled: the handlers' locks, caches and frame
    reads would break the graph, and Dynamo would constant-fold the check above.
    """
    _boundary.never_compiled(code)


def _failed_on(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], error: Exception) -> None:
    """A torch function raised: keep on the error what a layer's operands were (the post-mortem
    prints it). Nothing of ours may change the error."""
    try:
        if _state.tags and not hasattr(error, downstream.EXPLAINED):
            text = downstream.explain(func, args, kwargs, _produced_by)
            if text is not None:
                setattr(error, downstream.EXPLAINED, text)
    except Exception:  # ours: the program's error goes through as it is
        pass


def _produced_by(value: Any) -> Produced | None:
    tag = _tag_of(value) if _boundary.is_tensor(value) else None
    return _named(tag) if tag is not None else None


def failed(failure: Exception) -> None:
    """rnndoctor's own failure is one note, once, and never an error in the program."""
    if ("failure", "", 0) not in _state.warned:
        _state.warned.add(("failure", "", 0))
        _postmortem.warn(f"rnndoctor's semantic check failed ({type(failure).__name__}: {failure}); "
              "the program runs on, with this use unchecked")


# ---- tagging what the layers return --------------------------------------------------------

def track(module: Any, path: str | None, input: Any, result: Any) -> None:
    """After a forward call of nn.RNN, nn.LSTM or nn.GRU: tag `output`, `h_n` and `c_n`.

    Uses of this layer's previous results that still wait on a partner are
    warned about first: a partner is looked for until the same layer runs
    again, or the guard exits.
    """
    if _state.pending or _state.picks or _state.ready:
        flush(module)
    if _state.batches:
        _check_layout(module, path, input)
    output, states = result
    data = output.data if _boundary.is_packed(output) else output
    h_n, c_n = states if type(states) is tuple else (states, None)
    shapes = (data.shape, h_n.shape, c_n.shape if c_n is not None else None)
    layer = weakref.ref(module)
    packed_batch_first = _state.packs.get(input.data) if _boundary.is_packed(input) else None
    for tensor, produced in zip((data, h_n, c_n), _results(module, path, shapes)):
        _tag(tensor, produced, _Source(layer, packed_batch_first))


MAX_RESULTS = 1024
_results_seen: dict[tuple[object, ...], tuple[Produced, ...]] = {}


def _results(module: Any, path: str | None, shapes: tuple[Any, Any, Any]) -> tuple[Produced, ...]:
    """`output`, `h_n` (and `c_n`) of one call as data; the same layer and shapes give the same."""
    key = (id(module), _boundary.known(module).stamp, path, shapes)
    seen = _results_seen.get(key)
    if seen is None:
        if len(_results_seen) >= MAX_RESULTS:
            _results_seen.clear()
        base = _layer_facts(module, path)
        out, h, c = shapes
        seen = (replace(base, shape=tuple(out)), replace(base, name="h_n", shape=tuple(h)))
        if c is not None:
            seen += (replace(base, name="c_n", shape=tuple(c), hidden=module.hidden_size),)
        _results_seen[key] = seen
    return seen


def _layer_facts(module: Any, path: str | None) -> Produced:
    return Produced(
        "output", (), batch_first=bool(module.batch_first),
        directions=2 if module.bidirectional else 1, layers=int(module.num_layers),
        hidden=int(module.proj_size or module.hidden_size),
        layer=repr(_boundary.known(module).spec), module_path=path,
    )


def _tag(tensor: Any, produced: Produced, source: _Source) -> None:
    _state.tags.put(tensor, _Tag(produced, source))


def _tag_of(tensor: Any) -> _Tag | None:
    return _state.tags.get(tensor)


# ---- the handlers --------------------------------------------------------------------------

Handler = Callable[[Any, tuple[Any, ...], dict[str, Any], Any], None]  # func, args, kwargs, result


def _handlers(torch: Any) -> dict[Any, Handler]:
    T, F, VF = torch.Tensor, torch.nn.functional, torch._C._VariableFunctions
    table: dict[Any, Handler] = {T.__getitem__: _subscript, T.view: _view, T.reshape: _view,
                                 torch.reshape: _view, VF._pad_packed_sequence: _pad_packed,
                                 T.index_select: _reorder, torch.index_select: _reorder}
    for keep in (T.contiguous, T.detach, T.clone, T.to, F.dropout, torch.dropout):
        table[keep] = _keep
    for cast in (T.float, T.double, T.half, T.long, T.int, T.cuda, T.cpu):
        table[cast] = _keep_batch
    table[F.embedding] = _embedding
    for sort in (torch.sort, T.sort, torch.argsort, T.argsort):
        table[sort] = _sort
        _ORDER_ROLES[sort] = (0, "input")  # sorting an order makes its inverse
    table[T.__setitem__] = _assign
    table[T.select] = table[torch.select] = _select
    _ORDER_ROLES.update({T.__getitem__: (1,), T.__setitem__: (1,), T.index_select: (2, "index"),
                         torch.index_select: (2, "index")})  # an order used as the index
    table[VF._pack_padded_sequence] = _pack
    for joined in (torch.cat, torch.concat, torch.concatenate, torch.stack, torch.hstack,
                   torch.add, T.add, T.__add__, T.__radd__):
        table[joined] = _joined
    for split in (torch.split, T.split, torch.chunk, T.chunk):
        table[split] = _split
    table[T.unbind] = table[torch.unbind] = _unbind
    for move in ("permute", "transpose", "t", "unsqueeze", "squeeze", "flatten"):
        table[getattr(T, move)] = _moved
        if hasattr(torch, move):
            table[getattr(torch, move)] = _moved
    _PER_POSITION.update({F.linear: "Linear", F.relu: "ReLU", torch.relu: "ReLU", T.relu: "ReLU",
                          torch.tanh: "Tanh", T.tanh: "Tanh", torch.sigmoid: "Sigmoid",
                          T.sigmoid: "Sigmoid", F.gelu: "GELU", F.leaky_relu: "LeakyReLU", F.elu: "ELU",
                          F.hardtanh: "Hardtanh", F.layer_norm: "LayerNorm", F.softmax: "Softmax",
                          T.softmax: "Softmax", torch.softmax: "Softmax", F.log_softmax: "LogSoftmax",
                          T.log_softmax: "LogSoftmax", torch.log_softmax: "LogSoftmax"})
    for keeps in (*_PER_POSITION, F.batch_norm):
        table[keeps] = _keeps_batch
    for conv in (F.conv1d, F.conv2d, F.conv3d):
        table[conv] = _feature_map
    for kernel in (VF.lstm, VF.gru, VF.rnn_tanh, VF.rnn_relu):
        table[kernel] = _kernel
    return table


def _subscript(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    if _state.batches:
        _moved(func, args, kwargs, result)
    if _state.orders:
        _apply_orders(args[1])
        order = _state.orders.get(args[1])
        if order is not None:
            _state.sorted_by.put(result, order)
    if _state.pending:
        _narrowed(args[0], args[1])
    tag = _tag_of(args[0])
    if tag is not None:
        key = _key(args[1])
        if key is not None:
            use = Use.index(*key)
            if tag.produced.directions == 2:
                picked = UseBound(tag.produced, use).picked
                if picked is not None:
                    _state.picks.put(result, (tag.source, picked))
            _judge(tag, use, result)


def _key(index: Any) -> tuple[object, ...] | None:
    """A subscript as `Use.index` takes it; None for one this mode does not read."""
    items = index if type(index) is tuple else (index,)
    key: list[object] = []
    for item in items:
        if isinstance(item, bool):
            return None
        if _boundary.is_tensor(item) and item.ndim == 0 and item.device.type == "cpu" \
                and not item.dtype.is_floating_point and item.dtype != _boundary.load_torch().bool:
            item = int(item)  # a 0-d integer tensor indexes as its value (no device sync on the CPU)
        elif _is_array(item) and (item.ndim or item.dtype.kind not in "iu"):
            key.append(Indices(item.ndim, bool=True) if item.dtype.kind == "b" else Indices())
            continue  # a numpy array indexes as a tensor of its values
        elif not _boundary.is_tensor(item) and hasattr(item, "__index__"):
            item = operator.index(item)  # numpy.int64 and the like
        if item is None or item is Ellipsis or isinstance(item, (int, slice)):
            if isinstance(item, slice) and not all(
                    v is None or (isinstance(v, int) and not isinstance(v, bool))
                    for v in (item.start, item.stop, item.step)):
                return None
            key.append(item)
        elif _boundary.is_tensor(item) and item.dtype == _boundary.load_torch().bool:
            key.append(Indices(item.ndim, bool=True))
        elif _boundary.is_tensor(item) or isinstance(item, list):
            key.append(Indices())
        else:
            return None
    return tuple(key)


def _is_array(item: object) -> bool:
    """A numpy array: `__index__` takes it only when it is one integer."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(item, numpy.ndarray)


def _select(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`output.select(1, -1)` is `output[:, -1]`."""
    source: Any = args[0] if args else kwargs.get("input")
    dim = args[1] if len(args) > 1 else kwargs.get("dim")
    index = args[2] if len(args) > 2 else kwargs.get("index")
    tag = _tag_of(source)
    if tag is not None and isinstance(dim, int) and isinstance(index, int) and source.ndim:
        use = Use.index(*(slice(None),) * (dim % source.ndim), index)
        _judge(tag, replace(use, text=f".select({dim}, {index})"), result)


def _view(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    source: Any = args[0] if args else kwargs.get("input")
    tag = _tag_of(source)
    if tag is not None and _boundary.is_tensor(result) and result.dtype == source.dtype:
        written = args[1:] if len(args) > 1 else tuple(kwargs.get("shape", result.shape))
        if len(written) == 1 and isinstance(written[0], (tuple, list)):
            written = tuple(written[0])
        op: Literal["view", "reshape"] = "view" if func is _boundary.Tensor.view else "reshape"
        _judge(tag, Use.view(*result.shape, op=op, written=written), result)
    if _state.batches:
        _moved(func, args, kwargs, result)


def _unbind(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`h, c = h_n`: Python iterates a tensor with `unbind(0)`; the statement tells how many names.

    Only the iteration `Tensor.__iter__` does is a use here: `h_n.unbind(0)`,
    written out, splits the states on purpose.
    """
    tag = _tag_of(args[0] if args else kwargs.get("input"))
    if tag is None or tag.produced.is_output:
        return
    site = _iterated_at()
    if site is not None and _unpacks_into_two(*site[:2]):
        _judge(tag, Use.unpack(2), result, site)


def _iterated_at() -> Site | None:
    """The user's line that iterates the tensor, when `Tensor.__iter__` is what called `unbind`."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and is_rnndoctor(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None or frame.f_code.co_name != "__iter__" \
            or not frame.f_code.co_filename.endswith("_tensor.py"):
        return None
    user = frame.f_back
    if user is None or is_library(user.f_code.co_filename):
        return None
    return user.f_code.co_filename, user.f_lineno, user.f_globals


def _unpacks_into_two(filename: str, line: int) -> bool:
    """The line is one assignment whose targets unpack something into exactly two names."""
    return _assigns_two(linecache.getline(filename, line).strip())


@functools.lru_cache(maxsize=256)
def _assigns_two(text: str) -> bool:
    try:
        tree = ast.parse(text)
    except SyntaxError:  # part of a statement over several lines: not read
        return False
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign):
        return False
    return any(isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 2
               and not any(isinstance(e, ast.Starred) for e in node.elts)
               for target in tree.body[0].targets for node in ast.walk(target))


def _keep(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """An operation that keeps the layout: the result keeps the tag."""
    source: Any = args[0] if args else kwargs.get("input")
    if result is source or not _boundary.is_tensor(result) or result.shape != source.shape:
        return
    tag = _tag_of(source)
    if tag is not None:
        _tag(result, tag.produced, tag.source)
    if _state.batches:
        _pass_batch(source, result)
    if _state.pending or _state.picks:
        _carry_waiting(source, result)
    if _state.as_state:
        waiting = _state.as_state.get(source)
        if waiting is not None:
            _state.as_state.put(result, waiting)


def _kernel(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """A recurrent layer's kernel: a use that is wrong as an initial state has become one."""
    if not _state.as_state:
        return
    for arg in args[:3]:  # (input, hx, ...) or, packed, (data, batch_sizes, hx, ...)
        for tensor in arg if isinstance(arg, (tuple, list)) else (arg,):
            waiting = _state.as_state.pop(tensor) if _boundary.is_tensor(tensor) else None
            if waiting is not None:
                _emit(*waiting)


def _keep_batch(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """A cast or a move: a DataLoader batch stays one."""
    if _state.batches and result is not args[0]:
        _pass_batch(args[0], result)


def _embedding(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`nn.Embedding` keeps the axes of its input, and adds one for the features."""
    if _state.batches:
        _pass_batch(args[0] if args else kwargs.get("input"), result)


def _reorder(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`index_select` along the batch: the samples are reordered, the layout is kept."""
    source, dim = args[0], (args[1] if len(args) > 1 else kwargs.get("dim"))
    if _state.orders:
        _apply_orders(args[2] if len(args) > 2 else kwargs.get("index"))
    tag = _tag_of(source)
    if tag is not None and isinstance(dim, int) and result.shape == source.shape:
        if dim % max(source.ndim, 1) == tag.produced.batch_axis:
            produced = tag.produced
            if produced.lengths is not None:  # pad_packed_sequence restores the batch's order
                index = args[2] if len(args) > 2 else kwargs["index"]
                lengths = tuple(produced.lengths[i] for i in index.tolist())
                produced = replace(produced, lengths=lengths)
            _tag(result, produced, tag.source)


def _pad_packed(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`pad_packed_sequence` on a layer's packed output: the padded output and its lengths."""
    tag = _tag_of(args[0])
    if tag is not None:
        padded, lengths = result
        batch_first = bool(args[2] if len(args) > 2 else kwargs.get("batch_first", False))
        produced = replace(tag.produced, shape=tuple(padded.shape), batch_first=batch_first,
                           lengths=tuple(int(n) for n in lengths.tolist()))
        _tag(padded, produced, _Source(tag.source.module))
        packed = tag.source.packed_batch_first
        if packed is not None and tag.produced.layer is not None:
            unpadding = Unpadding(tag.produced.layer, packed, tag.produced.batch_first, batch_first,
                                  tuple(padded.shape))
            findings = judge_reordering(unpadding)
            site = _user_site(past_library=True) if findings else None
            if site is not None:
                for finding in findings:
                    _emit(finding, _named(tag), site)


def _joined(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`torch.cat([h_n[-2], h_n[-1]])` or `h_n[-2] + h_n[-1]`: a use may find its partner here."""
    if _state.pending:
        first = args[0] if args else kwargs.get("tensors", kwargs.get("input"))
        tensors = first if isinstance(first, (tuple, list)) else args[:2]
        chosen = {pick for pick in map(_state.picks.get, tensors) if pick is not None}
        for t in tensors:
            waiting = _state.pending.get(t)
            if waiting is not None and any((waiting.source, partner) in chosen
                                           for partner in waiting.partners):
                _state.pending.pop(t)


def _narrowed(source: Any, index: Any) -> None:
    """`output[-1][:, :H]`: a waiting use whose result is cut down to the forward direction."""
    waiting = _state.pending.get(source)
    if waiting is None or waiting.forward is None:
        return
    key = _key(index)
    if key is None:
        return
    picked = selection(Use.index(*key).key, tuple(source.shape))
    last = source.ndim - 1
    features = picked[last] if picked is not None and len(picked) > last else None
    if isinstance(features, int):
        kept = range(features, features + 1)
    elif isinstance(features, Slice):
        kept = features.range(source.shape[last])
    else:
        return
    if all(i < waiting.forward for i in kept):
        _state.pending.pop(source)


def _split(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`output[-1].split(H, -1)` or `.chunk(2, -1)`: a waiting use separated into directions."""
    if _state.pending:
        source: Any = args[0] if args else kwargs.get("input")
        waiting = _state.pending.get(source)
        dim = args[2] if len(args) > 2 else kwargs.get("dim", 0)
        if waiting is not None and waiting.forward is not None and isinstance(dim, int) \
                and dim % source.ndim == source.ndim - 1 and result[0].shape[-1] == waiting.forward:
            _state.pending.pop(source)


def _carry_waiting(source: Any, result: Any) -> None:
    """What waits on `source` now waits on `result` (`dropout(h_n[-1])`), and `result` may be
    the partner `source` was."""
    waiting = _state.pending.pop(source)
    if waiting is not None:
        _state.pending.put(result, waiting)
    pick = _state.picks.get(source)
    if pick is not None:
        _state.picks.put(result, pick)


# ---- the batch, as the DataLoader gave it (RNN106) -----------------------------------------

_loader_next: Any = None


def _patch_loader(torch: Any) -> None:
    """Note the batch axis of what DataLoaders yield, while semantic mode is on."""
    global _loader_next
    iterator = torch.utils.data.dataloader._BaseDataLoaderIter
    if _loader_next is not None:
        return
    _loader_next = original = iterator.__next__

    @functools.wraps(original)
    def __next__(self: Any) -> Any:
        batch = original(self)
        size = getattr(self._index_sampler, "batch_size", None) if self._auto_collation else None
        if here() and isinstance(size, int):
            _note_batch(batch, _last_batch_size(self) or size)
        return batch

    iterator.__next__ = __next__


def _last_batch_size(iterator: Any) -> int | None:
    """The size of the batch just yielded, when it is the last one and short; else None.

    Without `drop_last`, the last batch holds what is left: a sequence length
    equal to `batch_size` would otherwise pass for the batch there.
    """
    batches = iterator._index_sampler
    try:
        samples, count = len(batches.sampler), len(batches)
    except (AttributeError, TypeError):  # an iterable dataset, or a sampler without a length
        return None
    left: int = samples % batches.batch_size
    if iterator._num_yielded != count or batches.drop_last or not left:
        return None
    return left


def _unpatch_loader() -> None:
    global _loader_next
    if _loader_next is not None:
        iterator = sys.modules["torch.utils.data.dataloader"]._BaseDataLoaderIter
        iterator.__next__ = _loader_next
        _loader_next = None


def _note_batch(batch: Any, size: int) -> None:
    """Tag each tensor of a batch (or of its tuple, list or dict) whose batch axis is plain.

    The axis is the one of size `batch_size`, when exactly one of dims 0 and 1
    has it: a custom `collate_fn` may put the batch on dim 1, and the last
    batch of an epoch may be smaller. Anything else is left alone.
    """
    for t in _tensors(batch, depth=3):
        if t.ndim >= 2 and (t.shape[0] == size) != (t.shape[1] == size):
            axis = 0 if t.shape[0] == size else 1
            source = f"the DataLoader's batch_size is {size}, on dim {axis} of the batch it yielded"
            _state.batches.put(t, BatchEvidence(size, source, axis))


def _tensors(batch: Any, depth: int) -> Iterator[Any]:
    """The tensors of a batch: in it, or in its tuples, lists and dicts, `depth` levels down."""
    if _boundary.is_tensor(batch):
        yield batch
    elif depth and isinstance(batch, (tuple, list, dict)):
        for item in batch.values() if isinstance(batch, dict) else batch:
            yield from _tensors(item, depth - 1)


def _pass_batch(source: Any, result: Any) -> None:
    evidence = _state.batches.get(source)
    if evidence is not None and _boundary.is_tensor(result) and result.ndim > evidence.axis \
            and result.shape[evidence.axis] == evidence.size:
        _state.batches.put(result, evidence)


def _check_layout(module: Any, path: str | None, input: Any) -> None:
    """RNN106, RNN107: the input's batch, by the DataLoader's, is on the axis the layer reads as
    time (or, in a 2-D input, is read as the steps of one sequence)."""
    evidence = _state.batches.get(input)
    if evidence is None:
        return
    from ..engine import diagnose

    spec = _boundary.known(module).spec
    call = replace(_boundary.describe_call(spec, input, None), batch=evidence)
    findings = diagnose(spec, call).findings
    notes = tuple(f for f in findings if f.severity is Severity.NOTE)  # RNN311: a flag given by position
    for finding in findings:
        if finding.code in ("RNN106", "RNN107"):
            site = _user_site(past_library=True)
            if site is not None:
                _emit(finding, _layer_facts(module, path or _path_on_stack(module)), site, notes)


# ---- the batch, followed through the program (RNN106) ---------------------------------------

Moves = Callable[[tuple[Any, ...], dict[str, Any], Any, Any, int], "int | None"]


def _moved(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`permute`, `transpose`, `squeeze`, `unsqueeze`, `flatten`, a certain `view`/`reshape`, a
    subscript: the batch moves with its axis, and is followed as long as it stays whole."""
    if not _state.batches:
        return
    source: Any = args[0] if args else kwargs.get("input")
    evidence = _state.batches.get(source)
    if evidence is None or evidence.axis is None or not _boundary.is_tensor(result):
        return
    name = getattr(func, "__name__", "")
    move = _MOVES.get("__getitem__" if func is _boundary.Tensor.__getitem__ else name)
    axis = move(args[1:], kwargs, source, result, evidence.axis) if move is not None else None
    if axis is not None and axis < result.ndim and result.shape[axis] == evidence.size:
        _state.batches.put(result, replace(evidence, axis=axis))


def _dims(rest: tuple[Any, ...], kwargs: dict[str, Any], key: str) -> tuple[Any, ...]:
    """`x.permute(2, 0, 1)` or `x.permute((2, 0, 1))` or `dims=`."""
    given = rest[0] if len(rest) == 1 and isinstance(rest[0], (tuple, list)) else rest
    return tuple(given or kwargs.get(key, ()))


def _squeezed(rest: tuple[Any, ...], kwargs: dict[str, Any], source: Any, axis: int) -> int | None:
    dim = rest[0] if rest else kwargs.get("dim")
    dims = None if dim is None else tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    return _axes.squeezed(dims, tuple(source.shape), axis)


def _indexed(rest: tuple[Any, ...], source: Any, axis: int) -> int | None:
    key = _key(rest[0]) if rest else None
    return None if key is None else _axes.indexed(key, source.ndim, axis)


_MOVES: dict[str, Moves] = {
    "permute": lambda rest, kw, x, y, axis: _axes.permuted(_dims(rest, kw, "dims"), x.ndim, axis),
    "transpose": lambda rest, kw, x, y, axis: _axes.transposed(
        rest[0] if rest else kw.get("dim0"), rest[1] if len(rest) > 1 else kw.get("dim1"), x.ndim, axis),
    "t": lambda rest, kw, x, y, axis: _axes.transposed(0, 1, x.ndim, axis) if x.ndim == 2 else axis,
    "unsqueeze": lambda rest, kw, x, y, axis: _axes.unsqueezed(rest[0] if rest else kw.get("dim"),
                                                               x.ndim, axis),
    "squeeze": lambda rest, kw, x, y, axis: _squeezed(rest, kw, x, axis),
    "flatten": lambda rest, kw, x, y, axis: _axes.flattened(
        rest[0] if rest else kw.get("start_dim", 0), rest[1] if len(rest) > 1 else kw.get("end_dim", -1),
        x.ndim, axis),
    "view": lambda rest, kw, x, y, axis: _axes.reshaped(tuple(x.shape), tuple(y.shape), axis),
    "reshape": lambda rest, kw, x, y, axis: _axes.reshaped(tuple(x.shape), tuple(y.shape), axis),
    "__getitem__": lambda rest, kw, x, y, axis: _indexed(rest, x, axis),
}


def _keeps_batch(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`nn.Linear` and pointwise layers (activations, norms over the features): every axis but the
    last is kept, and the batch with it; a layer's output keeps its layout (RNN512)."""
    source: Any = args[0] if args else kwargs.get("input")
    tag = _tag_of(source)
    through = _PER_POSITION.get(func)
    if through in ("Softmax", "LogSoftmax"):  # per position only over the last axis
        dim = args[1] if len(args) > 1 else kwargs.get("dim")
        through = through if isinstance(dim, int) and dim in (-1, source.ndim - 1) else None
    if tag is not None and through is not None and tag.produced.is_output \
            and _boundary.is_tensor(result) and result.shape[:-1] == source.shape[:-1]:
        _tag(result, _after(tag.produced, through, tuple(result.shape)), tag.source)
    if _state.batches:
        evidence = _state.batches.get(source)
        if evidence is not None and evidence.axis is not None and evidence.axis < source.ndim - 1:
            _pass_batch(source, result)


_PER_POSITION: dict[Any, str] = {}  # function: the layer it is, for the layers that work per position


@functools.lru_cache(maxsize=256)
def _after(produced: Produced, through: str, shape: tuple[int, ...]) -> Produced:
    return replace(produced, shape=shape, through=through)


def _feature_map(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """A convolution's output is (N, C, ...): its dim 0 is the batch, a source of evidence."""
    weight = args[1] if len(args) > 1 else kwargs.get("weight")
    if not _boundary.is_tensor(result) or weight is None or result.ndim != weight.ndim \
            or result.shape[0] < 2:
        return
    site = _user_site(past_library=True)
    where = f" at {display(site[0])}:{site[1]}" if site is not None else ""
    source = (f"the Conv{weight.ndim - 2}d feature map made{where} has its batch of "
              f"{result.shape[0]} on dim 0, as (N, C, ...)")
    _state.batches.put(result, BatchEvidence(int(result.shape[0]), source, 0))


# ---- a batch sorted by hand for packing (RNN507) -------------------------------------------

def _sort(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """A descending sort of lengths makes an order; sorting an order makes its inverse."""
    source: Any = args[0] if args else kwargs.get("input")
    indices = result if _boundary.is_tensor(result) else result[1]
    order = _state.orders.get(source)
    if order is not None:
        order.inverted = True
        return
    descending = args[2] if len(args) > 2 else kwargs.get("descending", False)
    if descending is True and _boundary.is_tensor(source) and source.ndim == 1 \
            and not source.dtype.is_floating_point:
        site = _user_site()
        if site is not None:  # torch sorts for pack_padded_sequence(enforce_sorted=False)
            _state.orders.put(indices, _Order(len(indices), site))


_ORDER_ROLES: dict[Any, tuple[int | str, ...]] = {}  # arguments where an order is followed


def _escaped(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any] | None) -> None:
    """An order given to a function in a role this mode does not follow (`gather`, `.tolist()`,
    `.to(device)`): what it did there is unknown."""
    followed = _ORDER_ROLES.get(func, ())
    values = [v for i, v in enumerate(args) if i not in followed]
    values += [v for k, v in (kwargs or {}).items() if k not in followed]
    for value in values:
        for item in value if isinstance(value, (tuple, list)) else (value,):
            order = _state.orders.get(item)
            if order is not None:
                order.escaped = True


def _apply_orders(index: Any) -> None:
    """Count an order used as an index; the same tensor twice in one subscript counts once."""
    items = index if isinstance(index, (tuple, list)) else (index,)
    for order in {id(o): o for o in map(_state.orders.get, items) if o is not None}.values():
        order.applied += 1


def _assign(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`inverse[order] = torch.arange(n)`: an order used to put something back."""
    if _state.orders and len(args) > 1:
        _apply_orders(args[1])


def _pack(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
    """`pack_padded_sequence`: every order applied so far has reached a packed batch; the packed
    data keeps the `batch_first` it was packed with (RNN510)."""
    batch_first = args[2] if len(args) > 2 else kwargs.get("batch_first", False)
    _state.packs.put(result[0], bool(batch_first))
    lengths_order = _state.sorted_by.get(args[1] if len(args) > 1 else kwargs.get("lengths"))
    if lengths_order is not None:  # `lengths[order]`: the batch's own lengths, not another tensor
        lengths_order.lengths += 1
    for order in _state.orders.values():
        if order.applied:
            order.packed = True


def _order_gone(order: _Order) -> None:
    """An order can no longer be undone: judge what the program did with it, in `flush`."""
    if not _state.active:
        return
    _state.ready.append((Reordering(order.size, order.applied - order.lengths, order.inverted,
                                    order.packed, order.escaped), order.site))


# ---- judging and warning -------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _judged(produced: Produced, use: Use) -> tuple[Any, ...]:
    return judge_all(produced, use)


def _judge(tag: _Tag, use: Use, result: Any, site: Site | None = None) -> None:
    judged = _judged(tag.produced, use)
    if not judged:
        return
    site = site or _user_site()
    if site is None:  # torch's own code, such as LSTM.forward reading `hx`
        return
    produced = _named(tag)
    for j in judged:
        if j.as_state:
            _state.as_state.put(result, (j.finding, produced, site))
        elif j.waits:
            _state.pending.put(result, _Pending(j.finding, produced, j.partners, j.forward, site,
                                                tag.source))
        else:
            _emit(j.finding, produced, site)


def _named(tag: _Tag) -> Produced:
    """The produced tensor with its layer's path in the model, found on the stack if not known.

    The use is usually in the forward of the model that holds the layer, whose
    `Module.__call__` frame is still on the stack.
    """
    module = tag.source.module()
    if tag.produced.module_path is not None or module is None:
        return tag.produced
    return replace(tag.produced, module_path=_path_on_stack(module))


def _path_on_stack(module: Any) -> str | None:
    """`encoder.rnn`: the module's name in the outermost model being called on the stack."""
    return _postmortem.module_path(module, [frame for frame, _ in _postmortem.user_frames()])


def flush(module: Any = None) -> None:
    """Warn about the uses still waiting on a partner (of `module`'s results, or all): none came.

    Sort orders that died (RNN507) are judged here too: in the program's own
    flow, not in the weakref callback, so a warning filtered as an error raises
    where the program can see it.
    """
    with _state.lock:
        ready, _state.ready = _state.ready, []
        waiting = _state.pending.pop_where(lambda p: _is_from(p.source, module))
        _state.picks.pop_where(lambda pick: _is_from(pick[0], module))
    for reordering, site in ready:
        for finding in judge_reordering(reordering):
            _emit(finding, None, site)
    for p in waiting:
        _emit(p.finding, p.produced, p.site)


def _is_from(source: _Source, module: Any) -> bool:
    """The source is a result of `module` (any, for None), or its layer is gone."""
    layer = source.module()
    return module is None or layer is None or layer is module


def _user_site(past_library: bool = False) -> Site | None:
    """The file, line and globals of the code that did the operation.

    None if torch did it; with `past_library`, the first frame outside torch
    and rnndoctor (the line that called the model).
    """
    frame: FrameType | None = sys._getframe(1)
    skip = is_library if past_library else is_rnndoctor
    while frame is not None and skip(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None or is_library(frame.f_code.co_filename):
        return None
    return frame.f_code.co_filename, frame.f_lineno, frame.f_globals


def _emit(finding: Finding, produced: Produced | None, site: Site, notes: tuple[Finding, ...] = ()) -> None:
    """Warn about `finding` once per line, with `notes` about the same layer after it."""
    filename, line, module_globals = site
    key = (finding.code, filename, line)
    with _state.lock:
        if key in _state.warned:
            return
        _state.warned.add(key)
        where = Location(produced.module_path if produced else None,
                         produced.layer if produced else None,
                         f"{display(filename)}:{line}")
        located = replace(finding, origin="guard", location=where)
        _state.findings.append(located)
    blocks = (located, *(replace(n, location=where) for n in notes))
    text = _postmortem.prefixed("\n\n".join(render_finding(f).rstrip("\n") for f in blocks),
                                _postmortem.rank_prefix())
    shown = display(filename)
    # module=None would make warnings drop it: without a module name, the file's stands in
    warnings.warn_explicit(text, RnnDoctorWarning, shown, line,
                           module=module_globals.get("__name__") or shown.removesuffix(".py"))
