"""The torch side of `rnndoctor.scan`: run a model's forward on meta tensors.

Imported only by `scan()`, never by `import rnndoctor`. While a scan runs:
- the model's parameters and buffers are swapped for meta stand-ins through
  `torch.func.functional_call`, which puts the originals back afterwards;
- the six recurrent classes' `forward` is replaced: each call is described,
  diagnosed and answered with correctly shaped meta outputs, without running
  the recurrent kernel (which loops over time steps even on meta);
- `nn.Linear` and `nn.Embedding` that fail are recorded and answered with the
  output they were meant to give, so the scan goes on;
- a torch function mode tags every tensor computed from a recurrent output,
  so failures and findings can name the layer upstream (and a finding whose
  culprit comes from a layer with an error offers no fixes of its own).
"""

from __future__ import annotations

import copy
import dataclasses
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_map_only

from .. import _torch
from .._files import display, user_frames
from .._lint.runtime import positional_arguments
from .._origins import gather
from .._record import replace
from ..engine import diagnose
from ..findings import Dim, Finding, Location, Severity
from ..provenance import with_provenance
from ..report import Report
from ..rules._base import Bound
from ..rules._fixes import fmt_shape
from ..shapes import ExpectedShapes
from ..specs import Call, Packed, RnnSpec, TensorInfo
from .notes import Upstream, classify, finding_links, reason
from .report import Failure, ScanReport, ScanRow

__all__ = ["run"]

_PLAIN = (bool, int, float, complex, str, torch.dtype, torch.device)  # passed on as they are
_RECURRENT = (nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell)
_LOCK = threading.Lock()  # the patches are process-wide: one scan at a time
_DEPTH = 4  # batch objects are searched for tensors this many attributes deep
_SOURCES = "_rnndoctor_sources"  # tensor attribute: the Upstreams a tensor is computed from
_DIRECT = "_rnndoctor_direct"  # tensor attribute: True on a recurrent layer's own outputs
Infos = tuple[TensorInfo | Packed | None, TensorInfo | None, TensorInfo | None]  # output, h_n, c_n


def run(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *, built_on: str | None = None) -> ScanReport:
    """Scan `model(*args, **kwargs)`; `built_on`: the device a model built on meta for the scan would have had."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"scan() needs an nn.Module, got {type(model).__name__}")
    trace = _Trace(model, built_on)
    dtype = _float_dtype(model)
    meta_args = tuple(_stand_in(a, f"example input {i}", dtype) for i, a in enumerate(args))
    meta_kwargs = {k: _stand_in(v, f"example input `{k}`", dtype) for k, v in kwargs.items()}
    state = _meta_state(model)
    trace.weights = {id(t) for t in state.values()}
    with _LOCK, ExitStack() as scope:
        for context in (_patched(trace), _module_stack(trace), torch.device("meta"),
                        _Lineage(trace), torch.no_grad()):
            scope.enter_context(context)
        try:
            torch.func.functional_call(model, state, meta_args, meta_kwargs, strict=False)
        except Exception as exc:
            trace.stop(exc)
    return trace.report()


def _float_dtype(model: nn.Module) -> torch.dtype:
    """The dtype a plain shape stands for: the model's first floating parameter's."""
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.get_default_dtype()


def _stand_in(value: Any, where: str, dtype: torch.dtype, depth: int = 0) -> Any:
    """An example input with every tensor (and, at the top, every shape) replaced by a meta tensor.

    Containers keep their type: a dict subclass, a named tuple, a dataclass or
    another batch object is copied with the tensors inside it converted. What
    holds no tensor (numpy arrays, numbers, strings) passes as it is.
    """
    if isinstance(value, PackedSequence):
        return value._replace(data=_meta(value.data))
    if isinstance(value, torch.Tensor):
        return _meta(value)
    if depth == 0 and (isinstance(value, torch.Size) or _torch.as_shape(value) is not None):
        return torch.empty(value, dtype=dtype, device="meta")
    if value is None or isinstance(value, (*_PLAIN, nn.Module, type)) or depth >= _DEPTH:
        return value
    if isinstance(value, (list, tuple)):
        items = [_stand_in(v, f"{where}[{i}]", dtype, depth) for i, v in enumerate(value)]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        converted = copy.copy(value)
        for k, v in value.items():
            converted[k] = _stand_in(v, f"{where}[{k!r}]", dtype, depth)
        return converted
    return _with_tensors_converted(value, where, dtype, depth + 1)


def _with_tensors_converted(value: Any, where: str, dtype: torch.dtype, depth: int) -> Any:
    """A copy of a batch object (a dataclass, or any object with attributes) with meta tensors in it."""
    names = ([f.name for f in dataclasses.fields(value)] if dataclasses.is_dataclass(value)
             else list(getattr(value, "__dict__", {})))
    attributes = {name: getattr(value, name) for name in names}
    converted = {name: _stand_in(v, f"{where}.{name}", dtype, depth) for name, v in attributes.items()}
    if all(converted[name] is attributes[name] for name in names):
        return value
    copied = copy.copy(value)
    for name, v in converted.items():
        object.__setattr__(copied, name, v)
    return copied


def _meta(t: torch.Tensor) -> torch.Tensor:
    """A meta tensor like `t`; 1-D real CPU tensors (lengths to pack, integer or float) stay: torch reads them.

    An op that mixes them with meta tensors runs again on meta copies (`_Lineage`).
    """
    if t.device.type == "meta":
        return t
    if t.dim() == 1 and t.device.type == "cpu" and not t.is_complex():
        return t
    return torch.empty_like(t, device="meta")


def _meta_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """Meta stand-ins for every parameter and buffer; the model keeps its own."""
    state: dict[str, torch.Tensor] = {
        name: nn.Parameter(torch.empty_like(p, device="meta"), requires_grad=p.requires_grad)
        for name, p in model.named_parameters()
    }
    state.update((name, torch.empty_like(b, device="meta")) for name, b in model.named_buffers())
    return state


@dataclass
class _Row:
    """A ScanRow being filled in."""

    path: str
    spec: RnnSpec
    calls: int = 0
    call: Call | None = None
    outputs: Infos = (None, None, None)
    findings: dict[tuple[str, str, tuple[Dim, ...]], Finding] = field(default_factory=dict)
    seen: set[tuple[object, ...]] = field(default_factory=set)

    def done(self, finished: bool) -> ScanRow:
        output, h_n, c_n = self.outputs
        return ScanRow(self.path, self.spec, self.calls, self.call, output, h_n, c_n,
                       tuple(self.findings.values()), reached=finished or self.calls > 0)


@dataclass
class _FailedOp:
    exc: BaseException
    name: str
    tensors: list[torch.Tensor]


def _constructed(model: nn.Module, path: str, layer: nn.Module, built_on: str | None) -> RnnSpec:
    """The layer, with the arguments its construction passed by position where its owner's source says (RNN311).

    A layer on meta only because the scan built it there has the device it would have had.
    """
    owner_path, _, attribute = path.rpartition(".")
    owner = model.get_submodule(owner_path) if owner_path else model
    spec = _torch.spec_from_module(layer)
    device = built_on if built_on is not None and spec.device == "meta" else spec.device
    return replace(spec, positional=positional_arguments(type(owner), attribute), device=device)


class _Trace:
    """Everything recorded while the model runs."""

    def __init__(self, model: nn.Module, built_on: str | None) -> None:
        self.model = model
        self.paths = {id(m): path for path, m in model.named_modules()}
        self.rows = {id(m): _Row(path, _constructed(model, path, m, built_on))
                     for path, m in model.named_modules() if isinstance(m, _RECURRENT)}
        if not self.rows:
            raise ValueError(
                f"{type(model).__name__} has no recurrent layers (nn.RNN, nn.LSTM, nn.GRU or "
                f"their cells); a scan has nothing to check"
            )
        self.failures: list[Failure] = []
        self.stack: list[tuple[nn.Module, tuple[Any, ...]]] = []
        self.failed_op: _FailedOp | None = None
        self.weights: set[int] = set()
        self.finished = True

    def recurrent(self, module: nn.Module, input: Any, hx: Any) -> Any:
        """One recurrent call: record it and its findings, and return stand-in outputs."""
        row = self.rows.get(id(module))
        if row is None:
            row = self.rows[id(module)] = _Row(f"({type(module).__name__} outside the model)",
                                               _torch.spec_from_module(module))
        call = _torch.describe_call(row.spec, input, hx)
        sources = _argument_sources(row, input, hx)
        key = (call, tuple(sources.items()))
        if key not in row.seen:
            row.seen.add(key)
            self._diagnose(row, call, sources, module)
        outputs, infos = _outputs(row, call, input)
        row.calls += 1
        if row.calls == 1:
            row.call, row.outputs = call, infos
        return outputs

    def _diagnose(self, row: _Row, call: Call, sources: dict[str, tuple[Upstream, ...]],
                  module: nn.Module) -> None:
        name = row.path or "(model)"
        report = diagnose(row.spec, call, Location(module_path=row.path or None,
                                                   module_repr=repr(row.spec)))
        if report.first is not None:
            report = _ranked(report, module, sys._getframe(1))
        for f in report.findings:
            links = finding_links(f, name, row.spec, sources)
            found = self._after_upstream_errors(replace(f, notes=f.notes + links, origin="scan"), sources)
            row.findings.setdefault((f.code, f.title, f.dims), found)

    def _after_upstream_errors(self, f: Finding, sources: dict[str, tuple[Upstream, ...]]) -> Finding:
        """No fixes for a finding whose culprit comes from a layer with an error of its own.

        That layer's stand-in output has the shape its wrong call gave, so a fix
        here would reshape this layer to fit the mistake upstream.
        """
        failed = {r.path: e.code for r in self.rows.values()
                  for e in r.findings.values() if e.severity is Severity.ERROR}
        for arg in f.arguments:
            up = next((u.path for u in sources.get(arg, ()) if u.path in failed), None)
            if up is not None:
                note = (f"`{arg}` takes its shape from `{up}`, which has an error ({failed[up]}): "
                        f"fix `{up}` first; no fix is offered here until then")
                return replace(f, notes=f.notes + (note,), fixes=())
        return f

    def op_failed(self, exc: BaseException, name: str, values: Any) -> None:
        tensors = [t for t in _tensors(values) if id(t) not in self.weights]
        self.failed_op = _FailedOp(exc, name, tensors)

    def recover(self, module: nn.Module, args: tuple[Any, ...], exc: Exception) -> Any:
        """A failed Linear or Embedding: record it, and give the output it was meant to give."""
        make = next(make for cls, make in _RECOVERABLE.items() if isinstance(module, cls))
        x = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if x is None or x.dim() == 0:
            raise exc
        out = torch.empty(make(module, x), dtype=_float_dtype(module), device="meta")
        _tag(out, _upstream([x]), direct=False)
        shape = fmt_shape(out.shape)
        self.failures.append(self._failure(exc, module, args, recovered=shape))
        return out

    def stop(self, exc: Exception) -> None:
        """The forward failed where nothing could stand in: record where, keep what was scanned."""
        module, args = self.stack[-1] if self.stack else (self.model, ())
        self.failures.append(self._failure(exc, module, args))
        self.finished = False

    def _failure(self, exc: BaseException, module: nn.Module, args: tuple[Any, ...],
                 recovered: str | None = None) -> Failure:
        op = self.failed_op if self.failed_op is not None and self.failed_op.exc is exc else None
        tensors = op.tensors if op is not None else _tensors(args)
        upstream = _upstream(tensors)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        kind, kernel = classify(str(exc))
        path = self.paths.get(id(module), type(module).__name__)
        notes, help = _module_problem(module, path, tensors, upstream)
        notes += (f"torch raised {type(exc).__name__}: {message}",)
        if recovered:
            notes += (f"the scan went on with `{path or '(model)'}` giving {recovered}",)
        return Failure(
            module_path=path, module_type=type(module).__name__,
            module_repr=f"{type(module).__name__}({module.extra_repr()})", kind=kind,
            error=type(exc).__name__, message=message, op=kernel or (op.name if op else None),
            inputs=tuple(tuple(t.shape) for t in tensors),
            upstream=tuple(dict.fromkeys(u.path for u in upstream)),
            notes=notes, help=help, recovered=recovered is not None,
        )

    def report(self) -> ScanReport:
        rows = tuple(row.done(self.finished) for row in self.rows.values())
        return ScanReport(type(self.model).__name__, rows, tuple(self.failures), self.finished)


def _ranked(report: Report, module: nn.Module, frame: FrameType) -> Report:
    """The report ranked by where the call's arguments were made in the model's source
    (`rnndoctor.provenance`): the frames of the forward that called the layer, up to the scan."""
    frames = user_frames(frame)
    try:
        assert report.spec is not None and report.call is not None and report.first is not None
        bound = Bound(report.spec, report.call)
        found = gather(frames, module, report.first, input_batch=None if bound.unbatched else bound.batch,
                       batch_axis=bound.batch_axis, display=display)
        return with_provenance(report, found)
    except Exception:  # fewer facts, never an error
        return report
    finally:
        del frames, frame


def _tensors(values: Any) -> list[torch.Tensor]:
    return [t for t in tree_flatten(values)[0] if isinstance(t, torch.Tensor)]


def _upstream(tensors: list[torch.Tensor]) -> tuple[Upstream, ...]:
    found: dict[Upstream, None] = {}
    for t in tensors:
        found.update(dict.fromkeys(getattr(t, _SOURCES, ())))
    return tuple(found)


def _tag(t: torch.Tensor, sources: tuple[Upstream, ...], direct: bool) -> None:
    setattr(t, _SOURCES, sources)
    setattr(t, _DIRECT, direct)


def _argument_sources(row: _Row, input: Any, hx: Any) -> dict[str, tuple[Upstream, ...]]:
    """The recurrent layers (other than this one) that `input`, `h_0` and `c_0` come from."""
    states = list(hx) if isinstance(hx, (tuple, list)) else [hx]
    arguments = {"input": input, "h_0": states[0] if states else None,
                 "c_0": states[1] if len(states) > 1 else None}
    sources = {}
    for name, value in arguments.items():
        tensors = _tensors(value)
        direct = all(getattr(t, _DIRECT, False) for t in tensors if hasattr(t, _SOURCES))
        found = tuple(Upstream(u.path, u.spec, u.tensor, direct)
                      for u in _upstream(tensors) if u.path != row.path)
        if found:
            sources[name] = found
    return sources


def _outputs(row: _Row, call: Call, input: Any) -> tuple[Any, Infos]:
    """Meta outputs of the shapes the layer gives for this call, tagged with the layer's name."""
    s = row.spec
    shapes, rows = _output_shapes(s, call)
    dtype = getattr(torch, s.dtype)
    h, c = (_made(row, f"{key[0]}_1" if s.is_cell else key, shapes[key], dtype)
            if key in shapes else None for key in ("h_n", "c_n"))
    hidden = (h, c) if s.base == "LSTM" else h
    if s.is_cell:
        return hidden, (None, _info(h, s), _info(c, s))
    if rows is None:
        output: Any = _made(row, "output", shapes["output"], dtype)
        output_info: TensorInfo | Packed | None = _info(output, s)
    else:
        data = _made(row, "output", (rows, shapes["output"][-1]), dtype)
        output = PackedSequence(data, input.batch_sizes, *_indices(input))
        output_info = Packed(TensorInfo(tuple(data.shape), s.dtype, s.device),
                             tuple(input.batch_sizes.tolist()))
    return (output, hidden), (output_info, _info(h, s), _info(c, s))


def _info(t: torch.Tensor | None, s: RnnSpec) -> TensorInfo | None:
    """A stand-in output as the layer's own output would be described: on its device."""
    return TensorInfo(tuple(t.shape), s.dtype, s.device) if t is not None else None


def _made(row: _Row, name: str, shape: tuple[int | None, ...], dtype: torch.dtype) -> torch.Tensor:
    t = torch.empty(tuple(1 if n is None else n for n in shape), dtype=dtype, device="meta")
    _tag(t, (Upstream(row.path, row.spec, name, True),), direct=True)
    return t


def _indices(packed: PackedSequence) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Sort indices for a packed output; CPU stand-ins where the input's are meta.

    `pad_packed_sequence` copies `unsorted_indices` to the CPU, which a meta
    tensor cannot do; the order of the values does not change any shape.
    """
    if packed.sorted_indices is None or packed.sorted_indices.device.type != "meta":
        return packed.sorted_indices, packed.unsorted_indices
    order = torch.arange(packed.sorted_indices.shape[0], device="cpu")
    return order, order


def _output_shapes(s: RnnSpec, call: Call) -> tuple[ExpectedShapes, int | None]:
    """The shapes the layer returns, N and L read from the call; and the rows of packed data."""
    b = Bound(s, call)
    if b.packed is not None:
        return ExpectedShapes(s, b.packed.batch, None), b.packed.data.shape[0]
    if b.unbatched:
        return ExpectedShapes(s, None, _seq_len(b), unbatched=True), None
    batch = b.batch if b.batch is not None else _batch_from_states(b)
    return ExpectedShapes(s, batch, _seq_len(b)), None


def _seq_len(b: Bound) -> int:
    if b.spec.is_cell or not b.input_ok_rank or b.x is None:
        return 1
    return b.x.shape[1 if b.spec.is_batch_first and not b.unbatched else 0]


def _batch_from_states(b: Bound) -> int:
    """N when the input does not tell (it has the wrong rank): the states' batch, or 1."""
    axis = 0 if b.spec.is_cell else 1
    sizes = [t.shape[axis] for t in b.states.values() if t.ndim > axis]
    return sizes[0] if sizes else 1


_RECOVERABLE: dict[type[nn.Module], Callable[[Any, torch.Tensor], tuple[int, ...]]] = {
    nn.Linear: lambda m, x: (*x.shape[:-1], m.out_features),
    nn.Embedding: lambda m, x: (*x.shape, m.embedding_dim),
}


def _module_problem(module: nn.Module, path: str, tensors: list[torch.Tensor],
                    upstream: tuple[Upstream, ...]) -> tuple[tuple[str, ...], str | None]:
    """What is wrong with a failed Linear or Embedding, in its own terms, and the fix."""
    x = tensors[0] if tensors else None
    if x is None or x.dim() == 0:
        return (), None
    if isinstance(module, nn.Linear) and x.shape[-1] != module.in_features:
        got = x.shape[-1]
        wrong = Dim("input", x.dim() - 1, "H_in", module.in_features, got)
        links = tuple(r for r in (reason(wrong, u) for u in upstream) if r)
        note = (f"`{path}` was built with `in_features={module.in_features}`, but its input "
                f"{fmt_shape(x.shape)} has {got} features")
        return (*links, note), f"construct `{path}` with `in_features={got}` (changes the model)"
    if isinstance(module, nn.Embedding) and (x.is_floating_point() or x.is_complex()):
        dtype = str(x.dtype).removeprefix("torch.")
        note = f"`{path}` needs integer indices, but its input {fmt_shape(x.shape)} is {dtype}"
        return (note,), "give the example input an integer dtype, such as torch.int64"
    return (), None


class _Lineage(TorchFunctionMode):
    """Tags each tensor computed from a recurrent output with its origin; notes failed ops."""

    def __init__(self, trace: _Trace) -> None:
        super().__init__()
        self.trace = trace

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        name = getattr(func, "__name__", repr(func))
        try:
            out = func(*args, **kwargs)
        except Exception as exc:
            moved = _on_meta((args, kwargs))
            if moved is None:
                self.trace.op_failed(exc, name, (args, kwargs))
                raise
            try:
                out = func(*moved[0], **moved[1])
            except Exception as again:
                self.trace.op_failed(again, name, moved)
                raise
        upstream = _upstream(_tensors((args, kwargs)))
        if upstream:
            for t in _tensors(out):
                if getattr(t, _SOURCES, None) is None:
                    _tag(t, upstream, direct=False)
        return out


def _on_meta(values: tuple[Any, Any]) -> tuple[Any, Any] | None:
    """An op's `(args, kwargs)` with their CPU tensors (lengths the scan kept on the CPU) copied
    to meta, to run again where it failed mixing them with meta tensors; None where it mixed none.

    On the user's machine both are on the CPU: what fails on meta fails there.
    """
    tensors = _tensors(values)
    if not any(t.device.type == "meta" for t in tensors) or not any(
            t.device.type == "cpu" and t.dim() > 0 for t in tensors):
        return None
    moved: tuple[Any, Any] = tree_map_only(torch.Tensor, lambda t: torch.empty_like(t, device="meta")
                                           if t.device.type == "cpu" and t.dim() > 0 else t, values)
    return moved


@contextmanager
def _patched(trace: _Trace) -> Iterator[None]:
    """Recurrent forwards answered by the trace; Linear and Embedding recovered when they fail."""
    originals: dict[type[nn.Module], Callable[..., Any]] = {
        cls: cls.__dict__["forward"] for cls in (*_RECURRENT, *_RECOVERABLE)}

    def recurrent(module: nn.Module, input: Any, hx: Any = None) -> Any:
        return trace.recurrent(module, input, hx)

    def recovering(original: Callable[..., Any]) -> Callable[..., Any]:
        def forward(module: nn.Module, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(module, *args, **kwargs)
            except Exception as exc:
                return trace.recover(module, args, exc)

        return forward

    patches: dict[type[nn.Module], Callable[..., Any]] = dict.fromkeys(_RECURRENT, recurrent)
    patches.update((cls, recovering(originals[cls])) for cls in _RECOVERABLE)
    try:
        _set_forwards(patches)
        yield
    finally:
        _set_forwards(originals)


def _set_forwards(forwards: dict[type[nn.Module], Callable[..., Any]]) -> None:
    for cls, forward in forwards.items():
        cls.forward = forward


@contextmanager
def _module_stack(trace: _Trace) -> Iterator[None]:
    """Keep the modules being run, innermost last; on an exception, the culprit stays on top."""
    def enter(module: nn.Module, args: tuple[Any, ...]) -> None:
        trace.stack.append((module, args))

    def leave(module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
        del trace.stack[-1]  # a hook that returns a value would replace the module's output

    pre = nn.modules.module.register_module_forward_pre_hook(enter)
    post = nn.modules.module.register_module_forward_hook(leave)
    try:
        yield
    finally:
        pre.remove()
        post.remove()
