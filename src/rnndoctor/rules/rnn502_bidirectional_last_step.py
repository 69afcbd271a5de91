"""RNN502 bidirectional-last-step

## What it catches
The last time step of a bidirectional layer's output taken as the summary of
the sequence: `output[:, -1]` (batch-first) or `output[-1]` (time-major), with
the backward direction's features in it.

## Why is this bad?
A bidirectional layer's output concatenates, at each step, the forward
direction (features `:H_out`) and the backward direction (features `H_out:`).
The backward direction runs from the last step to the first, so at the last
step it has read a single token. Its summary of the whole sequence is at step
0. The model trains, but half of what it sees knows nothing of the sequence.

## Example
    lstm = nn.LSTM(10, 20, batch_first=True, bidirectional=True)
    output, (h_n, c_n) = lstm(torch.randn(32, 7, 10))
    last = output[:, -1]

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True, bidirectional=True)
    output, (h_n, c_n) = lstm(torch.randn(32, 7, 10))
    last = torch.cat([h_n[-2], h_n[-1]], dim=-1)

## Fixes, in order
1. Concatenate the last layer's two directions from `h_n`:
   `torch.cat([h_n[-2], h_n[-1]], dim=-1)`.
2. Take the forward half of the last step and the backward half of the first.

## PyTorch reference
`torch.nn.LSTM`: "For bidirectional LSTMs, forward and backward are directions
0 and 1 respectively", and "When bidirectional=True, output will contain a
concatenation of the forward and reverse hidden states at each time step".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..uses import All, Indices, Picked, Slice, UseBound, UseCandidate
from ._base import Rule
from ._uses import cat_directions, last_step_per_direction, picked_note

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p = b.produced
    time = p.time_axis
    if not (p.is_output and p.directions == 2 and time is not None and b.picks_last(time)):
        return
    if not _reads_backward(b.picks(len(p.shape) - 1), p.hidden):
        return
    picked = b.picked or ()
    lead = tuple(picked[:time])  # a batch-first output's batch axis, as the use picked it
    batch = tuple(picked[time + 1:len(p.shape) - 1])  # a time-major output's batch axis
    batch += (All(),) * (len(p.shape) - 2 - time - len(batch))
    backward = Slice(p.hidden, 2 * p.hidden, 1)
    partners = frozenset({_trimmed((*lead, 0, *batch)), (*lead, 0, *batch, backward)})
    yield UseCandidate(
        RULE.finding(
            f"`output{b.use.text}` takes the backward direction at the last step, where it has "
            "read one step",
            ("output",),
            notes=(p.describe(),
                   picked_note(b, time),
                   f"D=2 (bidirectional=True): features {p.hidden}..{2 * p.hidden - 1} are the "
                   "backward direction, which runs from the last step to the first"),
        ),
        (cat_directions(p), last_step_per_direction(p)),
        partners,
        forward=p.hidden,
    )


def _trimmed(picked: tuple[Picked, ...]) -> tuple[Picked, ...]:
    """Without the trailing whole axes, as `uses.selection` gives it."""
    while picked and isinstance(picked[-1], All):
        picked = picked[:-1]
    return picked


def _reads_backward(features: object, hidden: int) -> bool:
    """The selection on the feature axis includes some backward feature (H_out and up)."""
    if features is None or isinstance(features, All):
        return True
    if isinstance(features, int):
        return features >= hidden
    if isinstance(features, Slice):
        return any(i >= hidden for i in features.range(2 * hidden))
    return not isinstance(features, Indices)  # which indices is unknown: say nothing


RULE = Rule(
    code="RNN502",
    name="bidirectional-last-step",
    severity=Severity.WARNING,
    summary="the last step of a bidirectional output: its backward half has read one step",
    stage="use",
    check=check,
)
