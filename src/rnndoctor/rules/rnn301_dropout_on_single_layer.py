"""RNN301 dropout-on-single-layer

## What it catches
A non-zero `dropout` on nn.RNN, nn.LSTM or nn.GRU with `num_layers=1`.

## Why is this bad?
These layers apply dropout between stacked layers, to the outputs of every
layer but the last, so a single layer never uses it: training runs without
the regularisation the code asks for. torch only warns, `dropout option adds
dropout after all but last recurrent layer, so non-zero dropout expects
num_layers greater than 1`, and the warning is easily lost in a log.

## Example
    lstm = nn.LSTM(10, 20, dropout=0.5)

## Use instead
    lstm = nn.LSTM(10, 20, num_layers=2, dropout=0.5)

## Fixes, in order
1. Remove `dropout` (safe: the layer computes the same thing).
2. Stack a second layer, so that dropout applies between them (changes the
   model). For dropout on the output of a single layer, apply `nn.Dropout` to
   it instead.

## PyTorch reference
`torch.nn.LSTM`: `dropout`, "If non-zero, introduces a Dropout layer on the
outputs of each LSTM layer except the last layer".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, Rule
from ._fixes import change_layer
from ._values import dropout_problem

NEVER_USED = ("dropout applies to the outputs of every layer but the last, so a layer with "
              "`num_layers=1` never uses it")


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    if s.is_cell or not _reaches_dropout_check(s) or dropout_problem(s.dropout) is not None:
        return
    if not (s.dropout > 0 and s.num_layers == 1):  # type: ignore[operator]
        return
    fixes = (
        change_layer(s, "remove `dropout`", applicability=Applicability.SAFE, dropout=0.0),
        change_layer(s, f"construct the {s.kind} with `num_layers=2`", num_layers=2),
    )
    yield Candidate(
        RULE.finding(
            f"`dropout={s.dropout!r}` has no effect on a single-layer {s.kind}",
            ("dropout", "num_layers"),
            notes=(NEVER_USED, "torch warns about this (UserWarning) and builds the layer"),
        ),
        Order.DROPOUT_WARNING,
        fixes,
    )


def _reaches_dropout_check(s: RnnSpec) -> bool:
    """nn.RNN and nn.GRU raise for a `proj_size` keyword, and nn.RNN for its nonlinearity, first."""
    if s.kind in ("RNN", "GRU") and "proj_size" in s.keywords:
        return False
    return s.kind != "RNN" or s.nonlinearity in ("tanh", "relu")


RULE = Rule(
    code="RNN301",
    name="dropout-on-single-layer",
    severity=Severity.WARNING,
    summary="non-zero `dropout` with `num_layers=1`",
    stage="construct",
    check=check,
)
