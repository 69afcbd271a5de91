"""RNN306 truthy-flag

## What it catches
A `bidirectional` of nn.RNN, nn.LSTM or nn.GRU, or a `bias` of a cell, that is
not a bool: `'no'`, `1`, `None`, a numpy bool.

## Why is this bad?
torch's constructor checks neither: it takes the value's truth, silently. Any
non-empty string is true, so `bidirectional='no'` builds a bidirectional
layer, and `bidirectional=1`, which reads like "one direction", builds two.
For nn.RNN, nn.LSTM and nn.GRU every forward call then fails, either at the
hidden-state check, which expects the states of the directions the value's
truth gives, or inside the kernel, which takes `bidirectional` only as a bool:
`lstm() received an invalid combination of arguments`. Before a call this is a
warning; with a call that passes the earlier checks it is the error torch
raises. A cell's `bias` is used by its truth and works.

## Example
    lstm = nn.LSTM(10, 20, bidirectional='no')

## Use instead
    lstm = nn.LSTM(10, 20, bidirectional=False)

## Fixes, in order
The value's reading ranks the fixes: when it reads as the opposite of its
truth (`'no'`, `'false'`), constructing the layer as it reads comes first
(changes the model); otherwise writing the bool torch uses comes first (safe).

## PyTorch reference
`torch.nn.LSTM`: `bidirectional` is of type bool; `torch.nn.LSTMCell`: `bias`
is of type bool.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer
from ._values import describe, reads_as

_BUILT = {
    ("bidirectional", True): "two directions (D=2)",
    ("bidirectional", False): "one direction (D=1)",
    ("bias", True): "bias weights",
    ("bias", False): "no bias weights",
}


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    name = "bias" if s.is_cell else "bidirectional"
    value = getattr(s, name)
    if isinstance(value, bool):
        return
    used = bool(value)
    notes = [(f"nn.{s.kind} does not check `{name}`; it tests the value's truth, "
              f"so the layer has {_BUILT[name, used]}")]
    if not s.is_cell:
        notes.append("its forward kernel takes `bidirectional` only as a bool, so every call "
                     "raises TypeError")
    fails = not s.is_cell and b.has_call
    yield Candidate(
        RULE.finding(f"`{name}` is {describe(value)}, which torch treats as {used}", (name,),
                     notes=tuple(notes), raises="TypeError" if fails else None,
                     severity=Severity.ERROR if fails else Severity.WARNING),
        Order.KERNEL_ARGS if fails else Order.CONSTRUCT_WARNING,
        _fixes(s, name, used, reads_as(value)),
    )


def _fixes(s: RnnSpec, name: str, used: bool, reading: bool | None) -> tuple[ProposedFix, ...]:
    keep = change_layer(s, f"write `{name}={used}`, the value torch uses",
                        applicability=Applicability.SAFE, **{name: used})
    flip = change_layer(s, f"construct the {s.kind} with `{name}={not used}`",
                        applicability=Applicability.CHANGES_MODEL, **{name: not used})
    return (flip, keep) if reading is (not used) else (keep, flip)


RULE = Rule(
    code="RNN306",
    name="truthy-flag",
    severity=Severity.WARNING,
    summary="`bidirectional` (or a cell's `bias`) is not a bool and is read by its truth",
    stage="construct",
    check=check,
)
