"""RNN307 dropout-invalid

## What it catches
A `dropout` of nn.RNN, nn.LSTM or nn.GRU that is not a probability: outside
[0, 1], a bool, a string (even `'0.1'`), or `None`.

## Why is this bad?
torch first converts it with `float(dropout)`, which raises TypeError for
`None` and ValueError for a string such as `'abc'`; then it raises
`ValueError: dropout should be a number in range [0, 1] representing the
probability of an element being zeroed` for anything that is not a number
(a string that `float()` accepted, a numpy bool), a bool, or a number outside
[0, 1], such as a percentage like `50`.

## Example
    lstm = nn.LSTM(10, 20, num_layers=2, dropout=1.5)

## Use instead
    lstm = nn.LSTM(10, 20, num_layers=2, dropout=0.5)

## Fixes, in order
1. Pass the number a string holds, `0.0` for `None` or `False` (safe).
2. Read a whole number from 2 to 100 as a percentage (changes the model).

## PyTorch reference
`torch.nn.LSTM`: `dropout`, the probability of the dropout applied to the
outputs of each layer except the last. Default: 0.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer
from ._values import dropout_problem, is_bool, is_integral


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    found = None if s.is_cell else dropout_problem(s.dropout)
    if found is None:
        return
    raises, title, note = found
    yield Candidate(RULE.finding(title, ("dropout",), notes=(note,), raises=raises),
                    Order.DROPOUT, _fixes(s, s.dropout))


def _fixes(s: RnnSpec, value: object) -> tuple[ProposedFix, ...]:
    if value is None or (is_bool(value) and not value):
        return (change_layer(s, "pass `dropout=0.0`", applicability=Applicability.SAFE,
                             dropout=0.0),)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return ()
        return (change_layer(s, f"pass `dropout={number}` as a number",
                             applicability=Applicability.SAFE, dropout=number),)
    if is_integral(value) and 1 < value <= 100:  # type: ignore[operator]
        percent = int(value) / 100  # type: ignore[call-overload]
        return (change_layer(s, f"construct the {s.kind} with `dropout={percent}`, reading "
                                f"{value!r} as a percentage", dropout=percent),)
    return ()


RULE = Rule(
    code="RNN307",
    name="dropout-invalid",
    severity=Severity.ERROR,
    summary="`dropout` is not a number in [0, 1]",
    stage="construct",
    check=check,
)
