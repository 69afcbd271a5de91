"""RNN406 lengths-exceed-sequence

## What it catches
An entry of `lengths` larger than L, the number of time steps of the padded
`input` (dim 0, or dim 1 with `batch_first=True`).

## Why is this bad?
torch 2.13's `pack_padded_sequence` does not check this. It silently returns a
corrupt PackedSequence whose `batch_sizes` count more rows than its data has,
and the error comes later, in the layer's kernel, with a message that names
neither `lengths` nor `input`: `start (10) + length (1) exceeds dimension size
(10).`, or for some `nn.LSTM` calls `shape '[6, 3, 10]' is invalid for input of
size 150`; `pad_packed_sequence` fails the same way. An `nn.LSTM` outside
oneDNN (with `proj_size`, or not float32) with `input_size=1` raises nothing
at all when the padded `input` is 2-D and holds a single value, and the
length is at most 4*hidden_size (see RNN408). The usual cause is a
padded batch cut to a maximum length whose `lengths` were not cut with it, or
lengths that count a token the padded batch does not hold.

## Example
    lstm = nn.LSTM(10, 20)
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), torch.tensor([7, 3, 2])))

## Use instead
    lstm = nn.LSTM(10, 20)
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), torch.tensor([5, 3, 2])))

## Fixes, in order
1. Clip `lengths` to L (safe), as the padded batch holds no more than L steps.
   If the sequences really are longer, the padded batch was cut short upstream:
   rebuild it (with `pad_sequence`, say) rather than pad it with zeros.

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: "`input` can be of size `T x B x *`
... where `T` is the length of the longest sequence".
"""

from __future__ import annotations

from collections.abc import Iterator
from math import prod

from .._record import replace
from ..findings import Severity
from ..specs import Lengths, TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule, padded_axes
from ._fixes import fmt_count, fmt_lengths, fmt_shape, set_lengths


def check(b: Bound) -> Iterator[Candidate]:
    padded, lengths = b.call.input, b.call.lengths
    if lengths is None or not lengths.readable or not isinstance(padded, TensorInfo) or lengths.ndim != 1:
        return
    if padded.ndim < 2 or prod(padded.shape) == 0 or _count_rejected(b, padded, lengths):
        return
    T = padded.shape[padded_axes(b.spec.is_batch_first)[0]]
    over = [i for i, n in enumerate(lengths.ints) if n > T]
    if not over:
        return
    yield Candidate(
        RULE.finding(
            _title(lengths, over, T),
            ("lengths", "input", "batch_first"),
            notes=_notes(b, padded, lengths),
            raises=None if b.packed_lstm_gates_as_rows else "RuntimeError",
        ),
        Order.SILENT if b.packed_lstm_gates_as_rows else Order.PACKED_LATE,
        (_clip(lengths, T),),
    )


def _count_rejected(b: Bound, padded: TensorInfo, lengths: Lengths) -> bool:
    """torch rejects the number of lengths first, so they do not describe this batch (RNN403)."""
    batch = padded.shape[padded_axes(b.spec.is_batch_first)[1]]
    count = len(lengths.values)
    return count > batch or (count != batch and lengths.enforce_sorted)


def _title(lengths: Lengths, over: list[int], T: int) -> str:
    if len(over) == 1:
        return f"`lengths[{over[0]}]` is {lengths.ints[over[0]]}, but `input` has {fmt_count(T, 'time step')}"
    return f"{len(over)} entries of `lengths` exceed the {fmt_count(T, 'time step')} of `input`"


def _notes(b: Bound, padded: TensorInfo, lengths: Lengths) -> tuple[str, ...]:
    time_axis, batch_axis = padded_axes(b.spec.is_batch_first)
    names = {time_axis: "L", batch_axis: "N", 2: "H_in" if padded.ndim == 3 else "*"}
    read = ", ".join(f"{names[i]}={n}" for i, n in enumerate(padded.shape[:3]))
    notes = [f"`input` {fmt_shape(padded.shape)} is read as ({read}) with "
             f"`batch_first={b.spec.is_batch_first}`; `lengths` is {fmt_lengths(lengths.values)}"]
    if b.packed is not None and b.packed.data.ndim > 0:
        later = ("the layer raises nothing: with a single 1-D value as data, this nn.LSTM "
                 "takes each step's row from the first layer's 1-D gate product instead"
                 if b.packed_lstm_gates_as_rows else "the layer fails later in a kernel")
        notes.append(f"torch 2.13 packs this without an error: `batch_sizes` sum to "
                     f"{sum(b.packed.batch_sizes)}, but the packed data has "
                     f"{fmt_count(b.packed.data.shape[0], 'row')}, and {later}")
    return tuple(notes)


def _clip(lengths: Lengths, T: int) -> ProposedFix:
    clipped = tuple(min(v, T) for v in lengths.values)
    return set_lengths(f"clip `lengths` to {T}", replace(lengths, values=clipped),
                       f"lengths = lengths.clamp(max={T})")


RULE = Rule(
    code="RNN406",
    name="lengths-exceed-sequence",
    severity=Severity.ERROR,
    summary="an entry of `lengths` is longer than the padded `input`",
    stage="forward",
    check=check,
)
