"""RNN507 sort-not-undone

## What it catches
A batch sorted by length by hand for `pack_padded_sequence` (the old
`enforce_sorted=True` recipe), whose sort order was applied to one tensor only
and never inverted: the layer's outputs stay in sorted order, while the
labels, and whatever else the batch carries, keep the original one.

## Why is this bad?
After `lengths.sort(descending=True)` and `x[order]`, row i of `output` and
`h_n` belongs to sample `order[i]`, not sample i. Unless the order is undone
(`output[order.argsort()]`) or applied to the labels too, each prediction is
scored against another sample's label. The loss still goes down a little,
and nothing raises.

The rule needs evidence: it speaks only when the order was applied to
exactly one tensor, its inverse was never made, it went nowhere else
(`gather`, `.tolist()`, `.to(device)`: what it did there is not known), the
sorted batch was packed, and the order is gone (so nothing can undo it
later). An order also applied to the labels, or inverted, is left alone.

## Example
    lstm = nn.LSTM(10, 20, batch_first=True)
    x, lengths = torch.randn(3, 5, 10), torch.tensor([2, 5, 3])
    sorted_lengths, order = lengths.sort(descending=True)
    packed = pack_padded_sequence(x[order], sorted_lengths, batch_first=True)
    packed_out, (h_n, c_n) = lstm(packed)
    last = h_n[-1]
    del order

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)
    x, lengths = torch.randn(3, 5, 10), torch.tensor([2, 5, 3])
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    packed_out, (h_n, c_n) = lstm(packed)
    last = h_n[-1]

## Fixes, in order
1. Drop the manual sort and pack with `enforce_sorted=False`: torch sorts,
   and puts `output` and `h_n` back in the batch's order.
2. Undo the sort on the results: `h_n[:, order.argsort()]`,
   `output[order.argsort()]` (batch-first).

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: "enforce_sorted (bool, optional):
if True, the input is expected to contain sequences sorted by length in a
decreasing order. If False, the input will get sorted unconditionally."
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Fix, Severity
from ..uses import Reordering, UseCandidate, UseFix
from ._base import Rule

__all__ = ["RULE"]


def check(r: object) -> Iterator[UseCandidate]:
    if not isinstance(r, Reordering) or not r.packed or r.applied != 1 or r.inverted or r.escaped or r.size < 2:
        return
    yield UseCandidate(
        RULE.finding(
            "the batch sorted by length for packing is never put back in its order",
            ("order",),
            notes=(f"the sort order of {r.size} samples was applied to one tensor, the batch "
                   "that was packed, and to nothing else",
                   "its inverse (`order.argsort()`) was never made, and the order is now gone: "
                   "`output` and `h_n` stay in sorted order, while anything else from the batch, such as its "
                   "labels, keeps the original one"),
        ),
        (UseFix(Fix("drop the manual sort and pack with `enforce_sorted=False`", Applicability.SAFE,
                    "pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)")),
         UseFix(Fix("undo the sort on the layer's results", Applicability.SAFE,
                    "h_n = h_n[:, order.argsort()]")),),
    )


RULE = Rule(
    code="RNN507",
    name="sort-not-undone",
    severity=Severity.WARNING,
    summary="a batch sorted by hand for packing, never put back in its order",
    stage="program",
    check=check,
)
