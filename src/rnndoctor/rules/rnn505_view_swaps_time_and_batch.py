"""RNN505 view-swaps-time-and-batch

## What it catches
`view` or `reshape` of a recurrent layer's output that moves the batch to
dim 0 of a time-major output (`output.view(N, L, -1)`, `output.view(N, -1)`),
or the time steps to dim 0 of a batch-first one (`output.view(L, N, -1)`).

## Why is this bad?
`view` and `reshape` never move data: they read the same memory in a new
shape. A time-major (L, N, F) output viewed as (N, L, F) does not swap time
and batch; it cuts the memory, step after step, into rows of the new length,
so each "sample" mixes several samples and steps. The shapes fit, and the
model trains on scrambled data. `transpose` (or `permute`) is what swaps axes.
(A batch-first output is not contiguous in torch 2.13 on the CPU, so `view`
raises there; `reshape` runs, and scrambles.)

## Example
    lstm = nn.LSTM(10, 20)
    output, (h_n, c_n) = lstm(torch.randn(7, 32, 10))
    per_sample = output.view(32, 7, 20)

## Use instead
    lstm = nn.LSTM(10, 20)
    output, (h_n, c_n) = lstm(torch.randn(7, 32, 10))
    per_sample = output.transpose(0, 1)

## Fixes, in order
1. Swap the axes with `output.transpose(0, 1)` (and flatten after it, with
   `.reshape(N, -1)`, where that was meant).

## PyTorch reference
`torch.Tensor.view`: "Returns a new tensor with the same data as the self
tensor but of a different shape"; `torch.transpose` swaps two dimensions.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..uses import UseBound, UseCandidate
from ._base import Rule
from ._uses import swaps_time_and_batch, transpose

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p, result = b.produced, b.use.shape
    if not p.is_output or p.through is not None or b.use.op == "index" or p.batch_axis is None \
            or len(result) < 2:
        return  # after a per-position layer, RNN512
    moved = swaps_time_and_batch(p, result)
    if moved is None:
        return
    shape = ", ".join(map(str, result))
    yield UseCandidate(
        RULE.finding(
            f"`output{b.use.text}` reinterprets memory to reorder time and batch, which "
            "scrambles them",
            ("output",),
            notes=(p.describe(),
                   f"{moved}: the ({shape}) result cuts the memory into rows in order, "
                   "mixing samples and steps"),
        ),
        (transpose(p, result),),
    )


RULE = Rule(
    code="RNN505",
    name="view-swaps-time-and-batch",
    severity=Severity.WARNING,
    summary="`view`/`reshape` where `transpose` was meant: time and batch are scrambled",
    stage="use",
    check=check,
)
