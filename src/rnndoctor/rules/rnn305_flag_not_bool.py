"""RNN305 flag-not-bool

## What it catches
A `bias` or `batch_first` of nn.RNN, nn.LSTM or nn.GRU that is not a Python
bool: `1`, `'True'`, `None`, a numpy bool.

## Why is this bad?
Since torch 2.11 these layers raise `TypeError: bias should be of type bool,
got: int`. Older versions took the value's truth instead, so `'False'` (a
non-empty string) meant True; code written for them breaks on upgrade. The
cells still take `bias` by its truth, which is RNN306's.

## Example
    lstm = nn.LSTM(10, 20, batch_first=1)

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)

## Fixes, in order
1. Pass the bool the value reads as: `1` and `'true'` as True, `0`, `'false'`
   and `None` as False (safe). Other values have no reading, and no fix.

## PyTorch reference
`torch.nn.LSTM`: `bias` and `batch_first` are of type bool.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Severity
from ._base import Bound, Candidate, Order, Rule
from ._fixes import change_layer
from ._values import describe, reads_as

_ORDER = {"bias": Order.BIAS_TYPE, "batch_first": Order.BATCH_FIRST_TYPE}
def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    if s.is_cell:
        return
    for name, order in _ORDER.items():
        value = getattr(s, name)
        if isinstance(value, bool):
            continue
        reading = reads_as(value)
        fixes = () if reading is None else (
            change_layer(s, f"pass `{name}={reading}`", applicability=Applicability.SAFE,
                         **{name: reading}),
        )
        note = f"nn.{s.kind} checks `isinstance({name}, bool)` (since torch 2.11)"
        yield Candidate(
            RULE.finding(f"`{name}` is {describe(value)}, not a bool", (name,),
                         notes=(note,), raises="TypeError"),
            order,
            fixes,
        )


RULE = Rule(
    code="RNN305",
    name="flag-not-bool",
    severity=Severity.ERROR,
    summary="`bias` or `batch_first` is not a bool",
    stage="construct",
    check=check,
)
