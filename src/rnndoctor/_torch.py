"""The torch boundary: describe real modules and tensors as plain data.

The only core module that touches torch, and only through objects the caller
already has; `import torch` happens lazily, when a function here needs it.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Hashable
from typing import Any

from ._record import replace
from .report import Report
from .specs import KINDS, Backend, Call, Hx, Lengths, Other, Packed, RnnSpec, Seq, TensorInfo

__all__ = [
    "Known", "backend", "call_key", "describe_call", "describe_hx", "describe_input", "describe_lengths",
    "is_recurrent", "known", "load_torch", "never_compiled", "spec_from_module",
]


Tensor: Any = None  # torch.Tensor and PackedSequence, once load_torch() has run
PackedSequence: Any = None


def load_torch() -> Any:
    """Import torch (the caller already has it, or is about to use it) and keep its classes."""
    global Tensor, PackedSequence
    import torch
    from torch.nn.utils.rnn import PackedSequence as packed

    Tensor, PackedSequence = torch.Tensor, packed
    return torch


def is_tensor(value: object) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def is_packed(value: object) -> bool:
    rnn = sys.modules.get("torch.nn.utils.rnn")
    return rnn is not None and isinstance(value, rnn.PackedSequence)


def is_recurrent(value: object) -> bool:
    """True for instances of the six recurrent classes (and their subclasses)."""
    nn = sys.modules.get("torch.nn")
    if nn is None:
        return False
    return isinstance(value, (nn.RNNBase, nn.RNNCellBase))


_MODULE_ATTRS = ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias",
                 "batch_first", "dropout", "bidirectional", "proj_size")
_NONES = (None,) * len(_MODULE_ATTRS)  # getattr's default for each


class Known:
    """What rnndoctor knows about one module: its spec and the verdicts per call signature."""

    __slots__ = ("spec", "stamp", "verdicts")

    def __init__(self, stamp: tuple[object, ...], spec: RnnSpec) -> None:
        self.stamp = stamp
        self.spec = spec
        self.verdicts: dict[Hashable, Report] = {}


_KNOWN: weakref.WeakKeyDictionary[Any, Known] = weakref.WeakKeyDictionary()
MAX_VERDICTS = 256  # per module; a model sees few distinct signatures


def known(module: Any) -> Known:
    """The module's spec and verdict cache, rebuilt when its configuration or weights change."""
    weight = _first_weight(module)
    stamp = (*map(getattr, (module,) * len(_MODULE_ATTRS), _MODULE_ATTRS, _NONES), weight.dtype, weight.device)
    entry = _KNOWN.get(module)
    if entry is None or entry.stamp != stamp:
        entry = _KNOWN[module] = Known(stamp, _as_constructed(module))
    return entry


def _as_constructed(module: Any) -> RnnSpec:
    """The module's spec, with the arguments its construction passed by position where its source says (RNN311)."""
    from ._lint.runtime import positional_of

    spec = spec_from_module(module)
    try:
        return replace(spec, positional=positional_of(module))
    except Exception:  # ours: the layer is checked without it
        return spec


def _first_weight(module: Any) -> Any:
    flat = getattr(module, "_flat_weights", None)
    return flat[0] if flat else module.weight_ih


def spec_from_module(module: Any) -> RnnSpec:
    """Describe a constructed `nn.RNN` / `LSTM` / `GRU` / cell, with its weights' dtype and device."""
    nn = load_torch().nn
    kind = next((k for k in KINDS if isinstance(module, getattr(nn, k))), None)
    if kind is None:
        raise TypeError(f"not a recurrent layer: {type(module).__name__}")
    weight = _first_weight(module)
    fields: dict[str, Any] = {
        "input_size": module.input_size,
        "hidden_size": module.hidden_size,
        "bias": module.bias,
        "device": _name(weight.device),
        "dtype": _name(weight.dtype),
    }
    if kind in ("RNN", "RNNCell"):
        fields["nonlinearity"] = module.nonlinearity
    if not kind.endswith("Cell"):
        fields.update(
            num_layers=module.num_layers,
            batch_first=module.batch_first,
            dropout=module.dropout,
            bidirectional=module.bidirectional,
            proj_size=module.proj_size,
        )
    return RnnSpec(kind=kind, **fields)


def call_key(input: Any, hx: Any) -> Hashable:
    """Shapes, dtypes, devices and structure of the arguments: what a call's verdict depends on.

    Flat for the common calls, which the guard looks up on every forward.
    """
    if Tensor is None:
        load_torch()
    if type(input) is Tensor:
        if type(hx) is Tensor:
            return (input.shape, input.dtype, input.device, hx.shape, hx.dtype, hx.device)
        if type(hx) is tuple and len(hx) == 2 and type(hx[0]) is Tensor is type(hx[1]):
            h, c = hx
            return (input.shape, input.dtype, input.device, h.shape, h.dtype, h.device,
                    c.shape, c.dtype, c.device)
    return (_signature(input), _signature(hx))  # two items: apart from the flat forms


def _signature(value: Any) -> Hashable:
    """What the verdict depends on in one argument of any kind."""
    if isinstance(value, Tensor):
        return (type(value), value.shape, value.dtype, value.device)
    if isinstance(value, PackedSequence):  # a tuple too: test it first
        return (PackedSequence, _signature(value.data), tuple(value.batch_sizes.tolist()),
                value.sorted_indices is None)
    if type(value) is tuple and all(type(n) is int for n in value):
        return (tuple, value)  # a plain shape: its ints are the whole story
    if isinstance(value, (tuple, list)):
        return (type(value), *map(_signature, value))
    if isinstance(value, (int, float, str)):
        return (type(value), value)
    return (type(value),)


def describe_input(value: object, like: RnnSpec) -> TensorInfo | Packed | Other:
    """A tensor, a PackedSequence, or a plain shape, as the rules see it."""
    if isinstance(value, (TensorInfo, Packed, Other)):
        return value
    if is_packed(value):
        data = describe_tensor(value.data, like)  # type: ignore[attr-defined]
        sizes = tuple(int(n) for n in value.batch_sizes.tolist())  # type: ignore[attr-defined]
        return Packed(data, sizes, value.sorted_indices is not None)  # type: ignore[attr-defined]
    if is_tensor(value):
        return describe_tensor(value, like)
    shape = as_shape(value)
    if shape is not None:
        return TensorInfo(shape, like.dtype, like.device)
    return Other(type(value).__name__)


def describe_hx(value: object, like: RnnSpec, literal: bool = False) -> Hx:
    """`hx` as the rules see it: None, a tensor, a tuple/list of items, or something else.

    A tuple of ints stands for a tensor of that shape, unless `literal`: in a
    real call (the guard's), it is the tuple of ints the layer gets.
    """
    if value is None or isinstance(value, (TensorInfo, Seq, Other)):
        return value
    if is_tensor(value):
        return describe_tensor(value, like)
    shape = None if literal else as_shape(value)
    if shape is not None:
        return TensorInfo(shape, like.dtype, like.device)
    if isinstance(value, (tuple, list)):
        items = tuple(_item(v, like, literal) for v in value)
        return Seq("list", items) if isinstance(value, list) else Seq("tuple", items)
    return Other(type(value).__name__)


def _item(value: object, like: RnnSpec, literal: bool) -> TensorInfo | Other | None:
    if value is None or isinstance(value, (TensorInfo, Other)):
        return value
    if is_tensor(value):
        return describe_tensor(value, like)
    shape = None if literal else as_shape(value)
    return TensorInfo(shape, like.dtype, like.device) if shape is not None else Other(type(value).__name__)


def describe_tensor(t: Any, like: RnnSpec) -> TensorInfo:
    """Shape, dtype and device; a meta tensor stands for one on the layer's device."""
    device = _name(t.device)
    return TensorInfo(tuple(t.shape), _name(t.dtype), like.device if device == "meta" else device)


def describe_lengths(t: Any, enforce_sorted: bool = True) -> Lengths:
    """A `lengths` tensor as the rules see it, its values read where they can be.

    A meta or fake tensor has no values to read (`.tolist()` raises): it is
    described by its count, rank, dtype and device alone (`Lengths.readable`).
    """
    dtype, device, ndim = _name(t.dtype), _name(t.device), t.dim()
    try:
        values: tuple[float, ...] = tuple(t.reshape(-1).tolist())
    except Exception:  # meta, fake, or another tensor subclass that holds no data
        return Lengths((1,) * int(t.numel()), dtype, device, ndim, enforce_sorted, readable=False)
    return Lengths(values, dtype, device, ndim, enforce_sorted)


def as_shape(value: object) -> tuple[int, ...] | None:
    """A plain shape (a tuple of ints or a torch.Size), or None.

    Raises:
        ValueError: for a shape with a negative size, which no tensor has.
    """
    if isinstance(value, tuple) and value and all(isinstance(n, int) and not isinstance(n, bool) for n in value):
        if any(n < 0 for n in value):
            raise ValueError(f"the shape {tuple(value)} has a negative size; sizes are 0 or more")
        return tuple(value)
    return None


_NAMES: dict[object, str] = {}


def _name(obj: object) -> str:
    """`torch.float32` -> "float32", `device(type='cuda', index=0)` -> "cuda:0", memoised."""
    name = _NAMES.get(obj)
    if name is None:
        name = _NAMES[obj] = str(obj).removeprefix("torch.")
    return name


def describe_call(spec: RnnSpec, input: object, hx: object, live: Backend | None = None) -> Call:
    """The call as the rules see it.

    `live`: the backend's facts (`backend()`), for a real layer called here and
    now; with a real `input` too, `hx` is then taken as the layer gets it.
    """
    literal = live is not None and (is_tensor(input) or is_packed(input))
    call = Call(describe_input(input, spec), describe_hx(hx, spec, literal))
    return call if live is None else replace(call, backend=live)


_SUPPORT: list[bool | None] = []  # the CPU's bfloat16 and float16 support in oneDNN, once known
_BACKENDS: dict[tuple[bool | None, ...], Backend] = {}  # one record for each set of facts


def backend() -> Backend:
    """This process's facts that decide where an nn.LSTM call runs on the CPU, now."""
    torch = load_torch()
    if not _SUPPORT:
        _SUPPORT[:] = _supports(torch, "bf16"), _supports(torch, "fp16")
    facts = (bool(torch.backends.mkldnn.is_available() and torch._C._get_mkldnn_enabled()),
             _SUPPORT[0], _SUPPORT[1], bool(torch.is_grad_enabled()))
    found = _BACKENDS.get(facts)
    if found is None:
        found = _BACKENDS[facts] = Backend(*facts)
    return found


def _supports(torch: Any, kind: str) -> bool | None:
    try:
        return bool(getattr(torch.ops.mkldnn, f"_is_mkldnn_{kind}_supported")())
    except (AttributeError, RuntimeError):  # an older torch, or a build without oneDNN
        return None


def never_compiled(code: Any, *, callees: bool = True) -> None:
    """Dynamo never compiles `code` as a frame of its own, nor what it calls unless `callees` is False.

    Tracing a caller still inlines it. A torch without Dynamo has nothing to keep it from.
    """
    try:
        from torch._C._dynamo.eval_frame import (
            _FrameAction,
            _FrameExecStrategy,
            set_code_exec_strategy,
        )
    except ImportError:
        return
    called = _FrameAction.SKIP if callees else _FrameAction.DEFAULT
    set_code_exec_strategy(code, _FrameExecStrategy(_FrameAction.SKIP, called))
