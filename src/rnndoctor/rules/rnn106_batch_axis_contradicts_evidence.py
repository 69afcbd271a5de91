"""RNN106 batch-axis-contradicts-evidence

## What it catches
An input whose batch, by outside evidence, is on the axis the layer reads as
time: a batch-first tensor given to a layer built with `batch_first=False`, or
the reverse. The evidence is the batch size the data came in with (the
DataLoader's `batch_size` under `guard(semantics=True)`, or `batch_size=` given
to `rnndoctor.check`), found on one axis of `input` and not on the other.
Semantic mode also takes dim 0 of a conv feature map (N, C, ...) as the
batch, and follows the batch from either source through `permute`,
`transpose`, `squeeze`, `unsqueeze`, `flatten`, a `view`/`reshape` that
keeps it whole, subscripts, `nn.Embedding`, `nn.Linear` and pointwise
layers, so a CRNN's `permute(2, 0, 1)` into a `batch_first=True` layer is
caught; the warning names the source and its line, and the layer's call.

## Why is this bad?
nn.RNN, nn.LSTM and nn.GRU read dim 0 of `input` as time and dim 1 as the
batch, unless built with `batch_first=True`. Given the other layout, the
layer runs without error: it steps through the samples as if they were time
steps, and carries each sample's state into the next. Without initial states
there is nothing for torch to compare the batch against, so nothing raises.
Where the sizes of both axes are equal, the evidence cannot tell them apart
and the rule says nothing.

## Example
    lstm = nn.LSTM(10, 20)
    x = torch.randn(32, 7, 10)   # 32 samples of 7 steps, from a DataLoader
    report = rnndoctor.check(lstm, x, batch_size=32)

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)
    x = torch.randn(32, 7, 10)
    report = rnndoctor.check(lstm, x, batch_size=32)

## Fixes, in order
1. Construct the layer with the other `batch_first` (changes the model: its
   outputs take that layout too).
2. Pass `input.transpose(0, 1)`.

## PyTorch reference
`torch.nn.LSTM`: "batch_first – If True, then the input and output tensors are
provided as (batch, seq, feature) instead of (seq, batch, feature)".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ._base import Bound, Candidate, Order, Rule
from ._fixes import change_layer, set_input

__all__ = ["RULE"]


def check(b: Bound) -> Iterator[Candidate]:
    evidence, x, s = b.call.batch, b.x, b.spec
    if evidence is None or x is None or b.packed is not None or s.is_cell:
        return
    if not b.input_ok_rank or b.unbatched or x.ndim != 3:
        return
    read, other = b.batch_axis, 1 - b.batch_axis
    n = evidence.size
    if x.shape[read] == n or x.shape[other] != n:
        return
    if evidence.axis is not None and evidence.axis != other:
        return
    swapped = x.with_shape(x.shape[1], x.shape[0], *x.shape[2:])
    yield Candidate(
        RULE.finding(
            f"`input`'s batch of {n} is on dim {other}, but the {s.kind} reads dim {read} as the "
            "batch",
            ("input", "batch_first"),
            notes=(f"{evidence.source}: dim {other} of `input` ({n}) matches it, dim {read} "
                   f"({x.shape[read]}) does not",
                   f"with `batch_first={s.is_batch_first}`, `input` is read as "
                   f"{'(N, L, H_in)' if s.is_batch_first else '(L, N, H_in)'}: the layer runs "
                   f"through {x.shape[1 - read]} steps of batch {x.shape[read]}, and raises nothing"),
        ),
        Order.WARNING,
        (change_layer(s, f"construct the {s.kind} with `batch_first={not s.is_batch_first}`",
                      batch_first=not s.is_batch_first),
         set_input("pass `input.transpose(0, 1)`", swapped, "input = input.transpose(0, 1)")),
    )


RULE = Rule(
    code="RNN106",
    name="batch-axis-contradicts-evidence",
    severity=Severity.WARNING,
    summary="the batch, by the DataLoader's batch size, is on the axis the layer reads as time",
    stage="forward",
    check=check,
)
