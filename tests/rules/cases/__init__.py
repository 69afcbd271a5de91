"""Rule fixtures, one module per code (ruff style): `ERRORS` then `OK`.

Each case is `(spec, call)`. An ERRORS case must produce its module's code and
no other error; an OK case must produce no finding of that code. Every case
also runs through real torch, which must agree (see test_rules.py).
"""

from __future__ import annotations

from rnndoctor._torch import describe_call
from rnndoctor.specs import BatchEvidence, Call, Lengths, Other, RnnSpec, TensorInfo, spec

__all__ = ["T", "batch", "case", "lengths", "padded", "spec"]


def case(layer: RnnSpec, input: object, hx: object = None, lengths: Lengths | None = None,
         batch: BatchEvidence | None = None) -> tuple[RnnSpec, Call]:
    call = describe_call(layer, input, hx)
    return layer, Call(call.input, call.hx, lengths, batch)


def padded(layer: RnnSpec, *sequences: TensorInfo | Other, hx: object = None,
           pack: bool = False) -> tuple[RnnSpec, Call]:
    """`layer(pad_sequence(sequences, batch_first=layer.batch_first), hx)`, or with `pack`,
    `layer(pack_sequence(sequences), hx)`. A sequence that is not a tensor counts as 1 step."""
    tensors = [s for s in sequences if isinstance(s, TensorInfo)]
    first = tensors[0] if tensors else T(0)
    steps = max((s.shape[0] if isinstance(s, TensorInfo) else 1 for s in sequences), default=0)
    shape = (len(sequences), steps) if layer.is_batch_first and not pack else (steps, len(sequences))
    input = TensorInfo((*shape, *first.shape[1:]), first.dtype, first.device)
    lengths = Lengths(tuple(s.shape[0] if isinstance(s, TensorInfo) else 1 for s in sequences)) if pack else None
    call = describe_call(layer, input, hx)
    return layer, Call(input, call.hx, lengths, sequences=tuple(sequences))


def batch(size: int, axis: int | None = None) -> BatchEvidence:
    """Evidence of the batch size, as `check(..., batch_size=size)` or a DataLoader gives it."""
    return BatchEvidence(size, f"the batch size is {size}", axis)


def T(*shape: int, dtype: str = "float32", device: str = "cpu") -> TensorInfo:
    return TensorInfo(tuple(shape), dtype, device)


def lengths(*values: float, enforce_sorted: bool = True, dtype: str = "int64",
            device: str = "cpu") -> Lengths:
    return Lengths(tuple(values), dtype, device, 1, enforce_sorted)
