"""RNN401 unpackable-padded-input

## What it catches
A padded `input` that `pack_padded_sequence` cannot pack: one with no
elements (a batch of 0 sequences, 0 time steps or 0 features), or one with
fewer than 2 dimensions, so that it has no batch axis.

## Why is this bad?
PyTorch raises `Cannot pack empty tensors.` for an empty input, without saying
which dimension is 0, and `IndexError: Dimension out of range (expected to be
in range of [-1, 0], but got 1)` for a 1-D one, which mentions neither packing
nor the batch. An empty batch usually comes from a data loader's last, empty
step or from filtering every sequence out; note that the layer itself accepts a
dense batch of 0 sequences, so only the packing fails.

## Example
    lstm = nn.LSTM(10, 20)
    padded = torch.zeros(5, 0, 10)
    lstm(pack_padded_sequence(padded, torch.tensor([], dtype=torch.int64)))

## Use instead
    lstm = nn.LSTM(10, 20)
    padded = torch.zeros(5, 3, 10)
    lstm(pack_padded_sequence(padded, torch.tensor([5, 3, 2])))

## Fixes, in order
None can be derived from the shapes: skip empty batches before packing, and
give `pack_padded_sequence` the padded batch `(L, N, *)` (or `(N, L, *)` with
`batch_first=True`), not a single sequence.

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: `input` of size `T x B x *`, or
`B x T x *` with `batch_first=True`.
"""

from __future__ import annotations

from collections.abc import Iterator
from math import prod

from ..findings import Severity
from ..specs import Lengths, TensorInfo
from ._base import Bound, Candidate, Order, Rule, padded_axes
from ._fixes import fmt_shape


def check(b: Bound) -> Iterator[Candidate]:
    padded, lengths = b.call.input, b.call.lengths
    if lengths is None or not isinstance(padded, TensorInfo):
        return
    if padded.ndim < 2:
        yield _too_few_dims(padded, lengths, b.spec.is_batch_first)
    elif prod(padded.shape) == 0:
        yield _empty(padded, b.spec.is_batch_first)


def _too_few_dims(padded: TensorInfo, lengths: Lengths, batch_first: bool) -> Candidate:
    noun = "dimension" if padded.ndim == 1 else "dimensions"
    raises, order = _outcome(padded, lengths, batch_first)
    return Candidate(
        RULE.finding(
            f"`input` has {padded.ndim} {noun}, but packing needs a batch axis",
            ("input", "lengths"),
            notes=("`pack_padded_sequence` takes a padded batch of shape (L, N, *), or "
                   "(N, L, *) with `batch_first=True`",),
            raises=raises,
        ),
        order,
    )


def _outcome(padded: TensorInfo, lengths: Lengths, batch_first: bool) -> tuple[str, int]:
    """Where torch fails on an input with no batch axis, and how."""
    count = len(lengths.values)
    if not lengths.enforce_sorted:  # the sort's input.index_select(batch_dim, order) runs first
        if not batch_first or count > prod(padded.shape):
            return "IndexError", Order.PACK_REORDER
        padded = padded.with_shape(count)  # what the sort leaves
    if prod(padded.shape) == 0:
        return "RuntimeError", Order.PACK_EMPTY
    if batch_first:  # the transpose to (L, N, *) runs before the lengths are checked
        return "IndexError", Order.PACK_EMPTY
    return "IndexError", Order.PACK_BATCH


def _empty(padded: TensorInfo, batch_first: bool) -> Candidate:
    time_axis, batch_axis = padded_axes(batch_first)
    names = {time_axis: "L, the time steps", batch_axis: "N, the batch"}
    zeros = [f"dim {i} of `input` ({names.get(i, 'features')})"
             for i, n in enumerate(padded.shape) if n == 0]
    notes = [f"{' and '.join(zeros)} {'is' if len(zeros) == 1 else 'are'} 0"]
    if padded.shape[batch_axis] == 0:
        notes.append("the layer accepts a dense batch of 0 sequences; only packing rejects it")
    return Candidate(
        RULE.finding(
            f"`input` of shape {fmt_shape(padded.shape)} is empty, so it cannot be packed",
            ("input", "lengths"),
            notes=tuple(notes),
            raises="RuntimeError",
        ),
        Order.PACK_EMPTY,
    )


RULE = Rule(
    code="RNN401",
    name="unpackable-padded-input",
    severity=Severity.ERROR,
    summary="the padded `input` is empty or has no batch axis",
    stage="forward",
    check=check,
)
