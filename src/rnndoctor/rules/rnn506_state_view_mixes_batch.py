"""RNN506 state-view-mixes-batch

## What it catches
`h_n.view(N, -1)` or `h_n.reshape(N, -1)` (and the same for `c_n`) when the
layer has more than one layer or direction, so that `h_n` is
(D*num_layers, N, H_out) with D*num_layers > 1.

## Why is this bad?
In memory `h_n` holds layer-direction 0 for every sample, then
layer-direction 1 for every sample, and so on. Viewed as (N, -1), row 0 takes
the first D*num_layers*H_out numbers: several samples of layer-direction 0,
not one sample's states. Every row mixes samples, and the model trains on it.

## Example
    lstm = nn.LSTM(10, 20, bidirectional=True)
    output, (h_n, c_n) = lstm(torch.randn(7, 32, 10))
    features = h_n.view(32, -1)

## Use instead
    lstm = nn.LSTM(10, 20, bidirectional=True)
    output, (h_n, c_n) = lstm(torch.randn(7, 32, 10))
    features = h_n.transpose(0, 1).reshape(32, -1)

## Fixes, in order
1. Move the batch to dim 0 first: `h_n.transpose(0, 1).reshape(N, -1)` (every
   layer and direction of each sample).
2. For a bidirectional layer, concatenate the last layer's two directions:
   `torch.cat([h_n[-2], h_n[-1]], dim=-1)`.

## PyTorch reference
`torch.nn.LSTM`: "h_n: tensor of shape ... (D*num_layers, N, H_out)", and
`torch.Tensor.view`, which reads the same memory in a new shape.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..uses import UseBound, UseCandidate
from ._base import Rule
from ._uses import cat_directions, transpose

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p, result = b.produced, b.use.shape
    if p.is_output or b.use.op == "index" or p.unbatched or len(result) < 2:
        return
    rows, N = p.shape[0], p.batch
    if rows == 1 or N == 1 or rows == N or result[0] != N or _splits_rows(result, rows, N):
        return
    fixes = (transpose(p, result),) + ((cat_directions(p),) if p.directions == 2 else ())
    yield UseCandidate(
        RULE.finding(
            f"`{p.name}{b.use.text}` mixes samples: dim 0 of `{p.name}` is layers and "
            "directions, not the batch",
            (p.name,),
            notes=(p.describe(),
                   f"in memory, the {p.shape[1]} samples of each of the {rows} layer-directions "
                   f"come one after another, so each row of the ({', '.join(map(str, result))}) "
                   "result holds parts of several samples"),
        ),
        fixes,
    )


def _splits_rows(result: tuple[int, ...], rows: int, N: int) -> bool:
    """`h_n.view(num_layers, 2, N, H)`, as the torch docs show: dim 0 split, the batch kept whole.

    When num_layers happens to equal N, dim 0 of that result is N as well; the
    sizes then fit the correct split, and nothing shows the batch was moved.
    """
    size = 1
    for k in range(len(result) - 1):
        size *= result[k]
        if size == rows and result[k + 1] == N:
            return True
    return False


RULE = Rule(
    code="RNN506",
    name="state-view-mixes-batch",
    severity=Severity.WARNING,
    summary="`h_n.view(N, -1)` with several layers or directions: samples are mixed",
    stage="use",
    check=check,
)
