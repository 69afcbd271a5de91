"""RNN504 backward-state-only

## What it catches
`h_n[-1]` of a bidirectional layer, used without `h_n[-2]`.

## Why is this bad?
`h_n` is (D*num_layers, N, H_out), ordered by layer and then by direction:
for the last layer, `h_n[-2]` is the forward direction and `h_n[-1]` the
backward one. On its own, `h_n[-1]` is the backward direction only, the code
that was written for a unidirectional layer, and half of the layer's summary
is thrown away. Nothing raises: the shape is the same as in the
unidirectional case.

## Example
    lstm = nn.LSTM(10, 20, bidirectional=True)
    output, (h_n, c_n) = lstm(torch.randn(7, 32, 10))
    last = h_n[-1]

## Use instead
    lstm = nn.LSTM(10, 20, bidirectional=True)
    output, (h_n, c_n) = lstm(torch.randn(7, 32, 10))
    last = torch.cat([h_n[-2], h_n[-1]], dim=-1)

## Fixes, in order
1. Concatenate the last layer's two directions:
   `torch.cat([h_n[-2], h_n[-1]], dim=-1)`.

## PyTorch reference
`torch.nn.LSTM`: "h_n: tensor of shape (D*num_layers, H_out) for unbatched
input or (D*num_layers, N, H_out) containing the final hidden state for each
element in the sequence", and "the directions can be separated using
h_n.view(num_layers, num_directions, batch, hidden_size)".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..uses import UseBound, UseCandidate
from ._base import Rule
from ._uses import cat_directions, picked_note

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p = b.produced
    if p.is_output or p.directions != 2 or not b.picks_last(0):
        return
    rows = p.shape[0]
    yield UseCandidate(
        RULE.finding(
            f"`{p.name}{b.use.text}` is the backward direction of the last layer only",
            (p.name,),
            notes=(p.describe(),
                   picked_note(b, 0),
                   f"D=2 (bidirectional=True): dim 0 holds layer 0 forward, layer 0 backward, "
                   f"and so on; {rows - 2} is the last layer's forward direction and {rows - 1} "
                   "its backward one"),
        ),
        (cat_directions(p),),
        frozenset({(rows - 2, *(b.picked or ())[1:])}),
    )


RULE = Rule(
    code="RNN504",
    name="backward-state-only",
    severity=Severity.WARNING,
    summary="`h_n[-1]` of a bidirectional layer: the backward direction alone",
    stage="use",
    check=check,
)
