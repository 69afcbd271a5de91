"""The torch boundary: describe real modules and tensors as plain data.

The only core module that touches torch, and only through objects the caller
already has; `import torch` happens lazily, when a function here needs it.
"""

from __future__ import annotations

import sys
from typing import Any

from .spec import KINDS, Call, Hx, Other, Packed, RnnSpec, Seq, TensorInfo

__all__ = ["describe_hx", "describe_input", "is_recurrent", "spec_from_module"]


def _torch() -> Any:
    import torch

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


def spec_from_module(module: Any) -> RnnSpec:
    """Describe a constructed `nn.RNN` / `LSTM` / `GRU` / cell, with its weights' dtype and device."""
    nn = _torch().nn
    kind = next((k for k in KINDS if isinstance(module, getattr(nn, k))), None)
    if kind is None:
        raise TypeError(f"not a recurrent layer: {type(module).__name__}")
    param = next(iter(module.parameters()), None)
    fields: dict[str, Any] = {
        "input_size": module.input_size,
        "hidden_size": module.hidden_size,
        "bias": module.bias,
        "device": _device(param.device) if param is not None else "cpu",
        "dtype": _dtype(param.dtype) if param is not None else "float32",
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


def describe_hx(value: object, like: RnnSpec) -> Hx:
    """`hx` as the rules see it: None, a tensor, a tuple/list of items, or something else."""
    if value is None or isinstance(value, (TensorInfo, Seq, Other)):
        return value
    if is_tensor(value):
        return describe_tensor(value, like)
    shape = as_shape(value)
    if shape is not None:
        return TensorInfo(shape, like.dtype, like.device)
    if isinstance(value, (tuple, list)):
        kind = "list" if isinstance(value, list) else "tuple"
        return Seq(kind, tuple(_item(v, like) for v in value))
    return Other(type(value).__name__)


def _item(value: object, like: RnnSpec) -> TensorInfo | Other | None:
    if value is None or isinstance(value, (TensorInfo, Other)):
        return value
    if is_tensor(value):
        return describe_tensor(value, like)
    shape = as_shape(value)
    return TensorInfo(shape, like.dtype, like.device) if shape is not None else Other(type(value).__name__)


def describe_tensor(t: Any, like: RnnSpec) -> TensorInfo:
    """Shape, dtype and device; a meta tensor stands for one on the layer's device."""
    device = like.device if t.device.type == "meta" else _device(t.device)
    return TensorInfo(tuple(int(n) for n in t.shape), _dtype(t.dtype), device)


def as_shape(value: object) -> tuple[int, ...] | None:
    """A plain shape (a tuple of ints or a torch.Size), or None."""
    if isinstance(value, tuple) and value and all(isinstance(n, int) and not isinstance(n, bool) for n in value):
        return tuple(value)
    return None


def _dtype(dtype: object) -> str:
    return str(dtype).removeprefix("torch.")


def _device(device: Any) -> str:
    return str(device)


def describe_call(spec: RnnSpec, input: object, hx: object) -> Call:
    return Call(describe_input(input, spec), describe_hx(hx, spec))
