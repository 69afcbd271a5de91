"""RNN501 batch-axis-indexed-as-time

## What it catches
The last position of the batch axis taken as the last time step:
`output[-1]` on a batch-first output, or `output[:, -1]` on a time-major one
(the default, and what `pad_packed_sequence` returns unless given
`batch_first=True`).

## Why is this bad?
A batch-first output is (N, L, D*H_out) and a time-major one (L, N, D*H_out).
Indexed on the batch axis, `-1` is every time step of the last sample, not the
last time step of every sample. The shape often still fits what follows (a
Linear over the last dim), so the model trains on one sample's sequence and
raises nothing.

## Example
    lstm = nn.LSTM(10, 20, batch_first=True)
    output, (h_n, c_n) = lstm(torch.randn(32, 7, 10))
    last = output[-1]

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)
    output, (h_n, c_n) = lstm(torch.randn(32, 7, 10))
    last = output[:, -1]

## Fixes, in order
1. Index the time axis: `output[:, -1]` batch-first, `output[-1]` time-major
   (unidirectional, unpadded).
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
from ._uses import cat_directions, gather_last, last_state, picked_note, whole

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p = b.produced
    batch, time = p.batch_axis, p.time_axis
    if not p.is_output or batch is None or time is None or p.batch == 1:
        return
    if not b.picks_last(batch) or not (whole(b, time) or b.picks_last(time)):
        return
    step = Use.index(slice(None), -1) if p.batch_first else Use.index(-1)
    fixes = (
        UseFix(Fix(f"index the time axis, dim {time}", Applicability.SAFE, f"output{step.text}"),
               ((p, step),)),
        cat_directions(p) if p.directions == 2 else last_state(p),
    ) + ((gather_last(p),) if p.lengths is not None else ())
    flag = "`pad_packed_sequence` was called with" if p.lengths is not None else "the layer has"
    yield UseCandidate(
        RULE.finding(
            f"`output{b.use.text}` selects the last sample of the batch, not the last time step",
            ("output",),
            notes=(p.describe(),
                   picked_note(b, batch),
                   f"dim {batch} is the batch (N={p.batch}) because {flag} "
                   f"`batch_first={p.batch_first}`; the time steps are dim {time} (L={p.steps})"),
        ),
        fixes,
    )


RULE = Rule(
    code="RNN501",
    name="batch-axis-indexed-as-time",
    severity=Severity.WARNING,
    summary="`output[-1]` batch-first, `output[:, -1]` time-major: the last sample, not the last step",
    stage="use",
    check=check,
)
