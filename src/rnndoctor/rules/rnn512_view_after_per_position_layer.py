"""RNN512 view-after-per-position-layer

## What it catches
`view` or `reshape` that moves the batch to dim 0 of a time-major layout, or
the time steps to dim 0 of a batch-first one, applied not to `output` itself
but to its result through a per-position layer: `fc(output).view(N, L, -1)`,
`torch.relu(output).reshape(N, -1)`, where `fc` is an nn.Linear, an
activation, dropout or a norm over the last axis.

## Why is this bad?
A per-position layer works on the last axis alone and keeps the others as
they are: `fc(output)` of a time-major (L, N, H) output is (L, N, F), laid
out in memory step after step, exactly as `output` was. A `view` to
(N, L, F) does not swap time and batch; it cuts that memory into rows of the
new length, so each "sample" mixes several samples and steps, as RNN505
explains for `output.view`. The Linear between them hides it from a reader
and from RNN505. `transpose` (or `permute`) is what swaps axes.

## Example
    lstm = nn.LSTM(10, 20)
    fc = nn.Linear(20, 5)
    output, (h_n, c_n) = lstm(torch.randn(7, 32, 10))
    logits = fc(output).view(32, 7, 5)

## Use instead
    lstm = nn.LSTM(10, 20)
    fc = nn.Linear(20, 5)
    output, (h_n, c_n) = lstm(torch.randn(7, 32, 10))
    logits = fc(output).transpose(0, 1)

## Fixes, in order
1. Swap the axes of the layer's result with `transpose(0, 1)` (and flatten
   after it, with `.reshape(N, -1)`, where that was meant); `output` in the
   fix stands for the per-position layer's result.

## PyTorch reference
`torch.nn.Linear`: "Input: (*, H_in) where * means any number of dimensions
including none... Output: (*, H_out) where all but the last dimension are
the same shape as the input"; `torch.Tensor.view` keeps the memory order.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Severity
from ..uses import UseBound, UseCandidate
from ._base import Rule
from ._uses import swaps_time_and_batch, transpose

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p, result = b.produced, b.use.shape
    if not p.is_output or p.through is None or b.use.op not in ("view", "reshape") \
            or p.batch_axis is None or len(result) < 2:
        return
    moved = swaps_time_and_batch(p, result)
    if moved is None:
        return
    shape = ", ".join(map(str, result))
    yield UseCandidate(
        RULE.finding(
            f"`{b.use.text.lstrip('.')}` of a {p.through}'s result over `output` reinterprets "
            "memory to reorder time and batch, which scrambles them",
            ("output",),
            notes=(p.describe(),
                   f"a {p.through} works on the last axis alone: its result keeps `output`'s "
                   f"{'batch-first' if p.batch_first else 'time-major'} order in memory",
                   f"{moved}: the ({shape}) result cuts the memory into rows in order, "
                   "mixing samples and steps"),
        ),
        (transpose(replace(p, through=None), result),),
    )


RULE = Rule(
    code="RNN512",
    name="view-after-per-position-layer",
    severity=Severity.WARNING,
    summary="`fc(output).view(...)` where `transpose` was meant: time and batch are scrambled",
    stage="use",
    check=check,
)
