"""RNN405 unsorted-lengths

## What it catches
`lengths` that are not in decreasing order, packed with `enforce_sorted=True`,
the default of `pack_padded_sequence`.

## Why is this bad?
PyTorch raises `` `lengths` array must be sorted in decreasing order when
`enforce_sorted` is True. You can pass `enforce_sorted=False` ... ``, without
saying where the order breaks. Batches straight from a data loader are rarely
sorted by length, so this is the first error most users of packing meet.

## Example
    lstm = nn.LSTM(10, 20)
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), torch.tensor([3, 5, 2])))

## Use instead
    lstm = nn.LSTM(10, 20)
    lengths = torch.tensor([3, 5, 2])
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), lengths, enforce_sorted=False))

## Fixes, in order
1. Pass `enforce_sorted=False` (safe): torch sorts the batch itself and gives
   `h_n`, and the output once unpacked, back in the original order. Only ONNX
   export needs `enforce_sorted=True`.
2. Sort the batch by decreasing length (safe), reordering `input` (and any
   `h_0` or `c_0`) the same way; the outputs then come back in sorted order.

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: "For unsorted sequences, use
`enforce_sorted = False`. ... `enforce_sorted = True` is only necessary for
ONNX export."
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Severity
from ..specs import Lengths
from ._base import Bound, Candidate, Order, ProposedFix, Rule, padded_axes
from ._fixes import fmt_lengths, set_lengths


def check(b: Bound) -> Iterator[Candidate]:
    lengths = b.call.lengths
    if lengths is None or lengths.ndim != 1 or not lengths.enforce_sorted or not lengths.readable:
        return
    rise = _first_rise(lengths)
    if rise is None:
        return
    before, after = rise
    ints = lengths.ints
    yield Candidate(
        RULE.finding(
            f"`lengths` rises from {ints[before]} to {ints[after]} at index {after}, "
            "but `enforce_sorted=True`",
            ("lengths", "enforce_sorted", "input"),
            notes=(f"`lengths` is {fmt_lengths(lengths.values)}",
                   "`enforce_sorted=True` is needed only for ONNX export; with "
                   "`enforce_sorted=False` torch sorts the batch itself, and `h_n` and the "
                   "unpacked output come back in the original order"),
            raises="RuntimeError",
        ),
        Order.PACK_SORTED,
        (_unenforce(b, lengths), _sort(b, lengths)),
    )


def _first_rise(lengths: Lengths) -> tuple[int, int] | None:
    """The first pair of positive lengths (by index) where the later one is longer.

    Lengths of 0 or less are RNN404's, whatever their place.
    """
    positive = [(i, n) for i, n in enumerate(lengths.ints) if n > 0]
    for (i, m), (j, n) in zip(positive, positive[1:]):
        if n > m:
            return i, j
    return None


def _unenforce(b: Bound, lengths: Lengths) -> ProposedFix:
    batch_first = ", batch_first=True" if b.spec.is_batch_first else ""
    return set_lengths("pass `enforce_sorted=False`", replace(lengths, enforce_sorted=False),
                       f"pack_padded_sequence(input, lengths{batch_first}, enforce_sorted=False)")


def _sort(b: Bound, lengths: Lengths) -> ProposedFix:
    _, batch_axis = padded_axes(b.spec.is_batch_first)
    ordered = tuple(sorted(lengths.values, reverse=True))
    lines = ["lengths, order = lengths.sort(descending=True)",
             f"input = input.index_select({batch_axis}, order)"]
    lines += [f"{name} = {name}.index_select(1, order)" for name in b.states]
    return set_lengths("sort the batch by decreasing length", replace(lengths, values=ordered),
                       "\n".join(lines))


RULE = Rule(
    code="RNN405",
    name="unsorted-lengths",
    severity=Severity.ERROR,
    summary="`lengths` is not in decreasing order, with `enforce_sorted=True`",
    stage="forward",
    check=check,
)
