"""RNN403 lengths-count-mismatch

## What it catches
A `lengths` whose number of entries is not the batch size N of the padded
`input`: dim 1 of `input`, or dim 0 with `batch_first=True`.

## Why is this bad?
With `enforce_sorted=True`, PyTorch raises ``Expected `len(lengths)` to be
equal to batch_size, but got 2 (batch_size=3)``, which does not say where the
batch size was read. With `enforce_sorted=False`, torch first reorders `input`
by the sorted lengths, so more lengths than sequences fail in `index_select`
(`RuntimeError: INDICES element is out of DATA bounds, id=3 axis_dim=3`, or
`IndexError: index out of range in self` with `batch_first=True`), and fewer
lengths than sequences raise nothing at all: the sequences without a length
are silently dropped from the batch. rnndoctor flags that case as an error
too. The usual cause is a padded batch laid out the other way round from the
layer's `batch_first`, which makes torch read the time axis as the batch.

## Example
    lstm = nn.LSTM(10, 20)
    padded = torch.randn(3, 5, 10)  # (N, L, H_in), but batch_first=False
    lstm(pack_padded_sequence(padded, torch.tensor([5, 3, 2])))

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)
    padded = torch.randn(3, 5, 10)
    lstm(pack_padded_sequence(padded, torch.tensor([5, 3, 2]), batch_first=True))

## Fixes, in order
When the time axis of `input` has as many entries as `lengths`, the input is
laid out the other way round: construct the layer with the other `batch_first`
(changes the model), or transpose `input`. Otherwise no fix follows from the
shapes: `lengths` needs one entry per sequence of the padded batch.

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: `lengths`, "list of sequence
lengths of each batch element".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Dim, Severity
from ..shapes import batch_derivation
from ..specs import Lengths, TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule, index_select_error, padded_axes
from ._fixes import change_layer, resize_input, set_input


def check(b: Bound) -> Iterator[Candidate]:
    padded, lengths = b.call.input, b.call.lengths
    if lengths is None or lengths.ndim != 1:
        return
    if not isinstance(padded, TensorInfo) or padded.ndim < 2:
        return
    time_axis, batch_axis = padded_axes(b.spec.is_batch_first)
    batch, count = padded.shape[batch_axis], len(lengths.values)
    if count == batch:
        return
    transposed = padded.shape[time_axis] == count
    states_side = _states_agree_with(b, count)
    raises, order = _outcome(padded, lengths, batch_axis)
    entries = "entry" if count == 1 else "entries"
    if transposed:
        arguments: tuple[str, ...] = ("batch_first", "lengths", "input")
    elif states_side:
        arguments = ("input", "lengths")
    else:
        arguments = ("lengths", "input")
    notes = _notes(b, padded, lengths, transposed)
    if states_side:
        notes += (f"the states have batch {count}, one per entry of `lengths`, so `input` is "
                  "ranked as the one to change",)
    fixes = _fixes(b, padded) if transposed else ()
    if states_side and not transposed:
        fixes = (resize_input(f"give `input` batch {count}", padded, batch_axis, count),)
    yield Candidate(
        RULE.finding(
            f"`lengths` has {count} {entries}, but `input` has batch {batch}",
            arguments,
            dims=(Dim("lengths", 0, "N", batch, count, batch_derivation(b.spec)),),
            notes=notes,
            raises=raises,
        ),
        order,
        fixes,
    )


def _states_agree_with(b: Bound, count: int) -> bool:
    """Every given state has batch `count` (dim 1; states of another rank tell nothing)."""
    states = b.states.values()
    return bool(states) and all(t.ndim == 3 and t.shape[1] == count for t in states)


def _outcome(padded: TensorInfo, lengths: Lengths, batch_axis: int) -> tuple[str | None, int]:
    """With enforce_sorted=False, `input.index_select(batch_axis, order)` runs first."""
    count = len(lengths.values)
    if lengths.enforce_sorted:
        return "RuntimeError", Order.PACK_COUNT
    if count > padded.shape[batch_axis]:
        return index_select_error(padded.shape, batch_axis), Order.PACK_REORDER
    if count == 0:
        return "RuntimeError", Order.PACK_EMPTY  # no sequence is left to pack
    return None, Order.SILENT


def _notes(b: Bound, padded: TensorInfo, lengths: Lengths, transposed: bool) -> tuple[str, ...]:
    time_axis, batch_axis = padded_axes(b.spec.is_batch_first)
    count, batch = len(lengths.values), padded.shape[batch_axis]
    notes = [f"N is {batch_derivation(b.spec)}"]
    if transposed:
        notes.append(f"dim {time_axis} of `input` ({count}) equals the number of lengths; "
                     f"dim {batch_axis} ({batch}) does not")
    if not lengths.enforce_sorted and count < batch:
        notes.append(f"with `enforce_sorted=False`, torch 2.13 packs only the first {count} of "
                     f"the {batch} sequences, without an error")
    elif not lengths.enforce_sorted:
        notes.append("with `enforce_sorted=False`, torch reorders `input` by the sorted lengths "
                     "first, and the extra lengths index past its batch")
    return tuple(notes)


def _fixes(b: Bound, padded: TensorInfo) -> tuple[ProposedFix, ...]:
    s, flip = b.spec, not b.spec.is_batch_first
    swapped = padded.with_shape(padded.shape[1], padded.shape[0], *padded.shape[2:])
    return (
        change_layer(s, f"construct the {s.kind} and pack with `batch_first={flip}`",
                     batch_first=flip),
        set_input("pass `input.transpose(0, 1)`", swapped, "input = input.transpose(0, 1)"),
    )


RULE = Rule(
    code="RNN403",
    name="lengths-count-mismatch",
    severity=Severity.ERROR,
    summary="`lengths` does not have one entry per sequence of `input`",
    stage="forward",
    check=check,
)
