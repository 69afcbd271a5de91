"""RNN407 float-lengths

## What it catches
`lengths` given as floating-point numbers. A fractional length of 1 or more,
such as 2.7, is an error; floats that are all whole numbers are a warning.
Fractional lengths below 1 truncate to 0 and are RNN404's.

## Why is this bad?
`pack_padded_sequence` casts `lengths` to int64, which truncates toward zero:
2.7 becomes 2, silently, and the last step of that sequence is never read.
torch 2.13 raises nothing. A fractional length means the lengths were computed
from something other than a count of steps (a mean, a ratio, a scaled
duration), so this is an error. Whole-number floats pack correctly today, but
they come from the same float arithmetic, where a count of 5 can come out as
4.9999995 and be truncated to 4; and float16 cannot even hold every count above
2048. That is a warning: the evidence is the dtype, not a wrong value.

## Example
    lstm = nn.LSTM(10, 20)
    lengths = torch.tensor([5.0, 3.0, 2.7])
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), lengths))

## Use instead
    lstm = nn.LSTM(10, 20)
    lengths = torch.tensor([5, 3, 3])
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), lengths))

## Fixes, in order
1. Round `lengths` to whole steps and make them int64 (safe), then check how
   they were computed: a count of steps is best made with integer arithmetic,
   such as `mask.sum(1)`.

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: `lengths` (Tensor or list(int)).
The implementation calls `torch.as_tensor(lengths, dtype=torch.int64)` on a
list and `lengths.to(dtype=torch.int64)` on a tensor.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Finding, Severity
from ..specs import FLOAT_DTYPES, Lengths
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import fmt_length, fmt_lengths, set_lengths


def check(b: Bound) -> Iterator[Candidate]:
    lengths = b.call.lengths
    if lengths is None or not lengths.readable:
        return
    cut = [i for i, v in enumerate(lengths.values) if v >= 1 and v != int(v)]
    whole = bool(lengths.values) and all(v == int(v) for v in lengths.values)
    if cut:
        yield Candidate(_fractional(lengths, cut), Order.SILENT,
                        (_round(lengths, "round `lengths` to whole steps"),))
    elif whole and lengths.dtype in FLOAT_DTYPES:
        yield Candidate(_whole(lengths), Order.WARNING,
                        (_round(lengths, "convert `lengths` to int64"),))


def _fractional(lengths: Lengths, cut: list[int]) -> Finding:
    if len(cut) == 1:
        i = cut[0]
        title = (f"`lengths[{i}]` is {fmt_length(lengths.values[i])}, which torch truncates "
                 f"to {lengths.ints[i]}")
    else:
        title = f"{len(cut)} entries of `lengths` are fractional, and torch truncates them"
    return RULE.finding(
        title,
        ("lengths",),
        notes=(f"`lengths` is {fmt_lengths(lengths.values)}; torch packs "
               f"{fmt_lengths(lengths.ints)}, without an error",),
    )


def _whole(lengths: Lengths) -> Finding:
    return RULE.finding(
        f"`lengths` is {lengths.dtype}, and torch truncates float lengths toward zero",
        ("lengths",),
        notes=("the values are whole numbers, so this call packs correctly, but a float "
               "count such as 4.9999995 is truncated to 4",),
        severity=Severity.WARNING,
    )


def _round(lengths: Lengths, title: str) -> ProposedFix:
    rounded = replace(lengths, values=tuple(round(v) for v in lengths.values), dtype="int64")
    return set_lengths(title, rounded, "lengths = lengths.round().long()")


RULE = Rule(
    code="RNN407",
    name="float-lengths",
    severity=Severity.ERROR,
    summary="`lengths` holds floats, which torch truncates",
    stage="forward",
    check=check,
)
