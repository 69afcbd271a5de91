"""RNN509 state-unpacked-as-pair

## What it catches
`h_n` (or `c_n`) unpacked into two names, as an nn.LSTM's `(h_n, c_n)` pair
is: `output, (h, c) = gru(x)` on a GRU or RNN whose `h_n` holds two states
(two layers, or one bidirectional layer). Semantic mode reads the statement
that does the unpacking; `h_n.unbind(0)`, written out, is left alone.

## Why is this bad?
nn.GRU and nn.RNN return one state tensor, `h_n` of shape
(D*num_layers, N, H_out); only nn.LSTM returns a pair. Python unpacks a
tensor along dim 0, so `out, (h, c) = gru(x)` does not raise when dim 0 has
two entries: `h` is layer 0's state (or the forward direction) and `c` the
next one. Code written for an LSTM then runs on, feeding a layer's state
where a cell state or the top layer's state was meant. With any other count
Python raises "too many values to unpack".

## Example
    gru = nn.GRU(10, 20, num_layers=2)
    output, (h, c) = gru(torch.randn(7, 32, 10))

## Use instead
    gru = nn.GRU(10, 20, num_layers=2)
    output, h_n = gru(torch.randn(7, 32, 10))
    h = h_n[-1]  # the top layer's final state

## Fixes, in order
1. Keep the state whole: a GRU or an RNN returns one tensor,
   `output, h_n = gru(x)`, and takes it back whole as `h_0`.
2. Take the top layer's final state, `h_n[-1]` (both directions of it,
   `torch.cat([h_n[-2], h_n[-1]], dim=-1)`, for a bidirectional layer).

## PyTorch reference
`torch.nn.GRU`: "Outputs: output, h_n"; `torch.nn.LSTM`: "Outputs: output,
(h_n, c_n)"; `torch.Tensor.__iter__` iterates over dim 0.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Fix, Severity
from ..uses import UseBound, UseCandidate, UseFix
from ._base import Rule
from ._uses import cat_directions, last_state

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p = b.produced
    if p.is_output or b.use.op != "unpack" or p.shape[:1] != b.use.shape or p.shape[0] != 2:
        return
    what = "layer 0 and layer 1" if p.directions == 1 else "the forward and the backward direction"
    top = cat_directions(p) if p.directions == 2 else last_state(p)
    yield UseCandidate(
        RULE.finding(
            f"`{p.name}` is unpacked into two names, as an LSTM's `(h_n, c_n)`, which splits "
            f"{what}",
            (p.name,),
            notes=(p.describe(),
                   f"Python unpacks a tensor along dim 0: the two names get the states of {what}, "
                   f"each of shape {tuple(p.shape[1:])}, and neither is a cell state"),
        ),
        (UseFix(Fix("keep the state whole: a GRU or an RNN returns one tensor", Applicability.SAFE,
                    f"h = {p.name}")),
         top),
    )


RULE = Rule(
    code="RNN509",
    name="state-unpacked-as-pair",
    severity=Severity.WARNING,
    summary="`output, (h, c) = gru(x)`: a two-entry `h_n` split as if it were an LSTM's pair",
    stage="use",
    check=check,
)
