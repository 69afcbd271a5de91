"""RNN501 batch-axis-indexed-as-time

## What it catches
`output[-1]` on the output of a recurrent layer built with `batch_first=True`.

## Why is this bad?
With `batch_first=True` the output is (N, L, D*H_out): dim 0 is the batch. So
`output[-1]` is every time step of the last sample, not the last time step of
every sample. The shape often still fits what follows (a Linear over the last
dim), so the model trains on one sample's sequence and raises nothing.

## Example
    lstm = nn.LSTM(10, 20, batch_first=True)
    output, (h_n, c_n) = lstm(torch.randn(32, 7, 10))
    last = output[-1]

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)
    output, (h_n, c_n) = lstm(torch.randn(32, 7, 10))
    last = output[:, -1]

## Fixes, in order
1. Index the time axis: `output[:, -1]` (unidirectional, unpadded).
2. For a bidirectional layer, concatenate the last layer's directions from
   `h_n`; for a padded output, pick each sequence's last step by its length.

## PyTorch reference
`torch.nn.LSTM`: "output: tensor of shape (L, D*H_out) for unbatched input,
(L, N, D*H_out) when batch_first=False or (N, L, D*H_out) when batch_first=True".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Fix, Severity
from ..uses import Use, UseBound, UseCandidate, UseFix
from ._base import Rule
from ._uses import cat_directions, gather_last, last_state

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p = b.produced
    if not (p.is_output and p.batch_first and p.batch_axis == 0 and p.batch > 1):
        return
    if not b.picks_last(0):
        return
    time = Use.index(slice(None), -1)
    fixes = (
        UseFix(Fix("index the time axis, dim 1", Applicability.SAFE, f"output{time.text}"),
               ((p, time),)),
        cat_directions(p) if p.directions == 2 else last_state(p),
    ) + ((gather_last(p),) if p.lengths is not None else ())
    yield UseCandidate(
        RULE.finding(
            f"`output{b.use.text}` selects the last sample of the batch, not the last time step",
            ("output",),
            notes=(p.describe(),
                   f"dim 0 is the batch (N={p.batch}) because the layer has `batch_first=True`; "
                   f"the time steps are dim 1 (L={p.steps})"),
        ),
        fixes,
    )


RULE = Rule(
    code="RNN501",
    name="batch-axis-indexed-as-time",
    severity=Severity.WARNING,
    summary="`output[-1]` of a batch-first layer: the last sample, not the last step",
    stage="use",
    check=check,
)
