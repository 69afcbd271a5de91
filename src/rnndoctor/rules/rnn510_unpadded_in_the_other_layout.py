"""RNN510 unpadded-in-the-other-layout

## What it catches
`pad_packed_sequence` called without the `batch_first` the batch was packed
with, in a pipeline whose layer has that same `batch_first`: a batch packed
with `batch_first=True` into a `batch_first=True` layer, unpacked as
time-major (the default), or the reverse.

## Why is this bad?
A packed sequence has no layout of its own: `pad_packed_sequence` returns
(T, N, H) unless given `batch_first=True`. In a batch-first pipeline the
result is then read as (N, T, H), and nothing raises where the next step
flattens it: `fc(output).reshape(-1, C)` against `tags.reshape(-1)` has the
same number of rows, so each prediction is scored against another sample's
tag at another step. Where the packing, the layer and the unpacking all
agree, or where only the unpacking is time-major and the layer is too (a CTC
loss wants (T, N, C)), nothing is said.

## Example
    lstm = nn.LSTM(10, 20, batch_first=True)
    x, lengths = torch.randn(4, 7, 10), torch.tensor([7, 5, 3, 2])
    packed = pack_padded_sequence(x, lengths, batch_first=True)
    packed_output, (h_n, c_n) = lstm(packed)
    output, output_lengths = pad_packed_sequence(packed_output)

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)
    x, lengths = torch.randn(4, 7, 10), torch.tensor([7, 5, 3, 2])
    packed = pack_padded_sequence(x, lengths, batch_first=True)
    packed_output, (h_n, c_n) = lstm(packed)
    output, output_lengths = pad_packed_sequence(packed_output, batch_first=True)

## Fixes, in order
1. Unpack with the `batch_first` the batch was packed with.

## PyTorch reference
`torch.nn.utils.rnn.pad_packed_sequence`: "batch_first (bool, optional): if
True, the output will be in B x T x * format, T x B x * otherwise."
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Fix, Severity
from ..uses import Unpadding, UseCandidate, UseFix
from ._base import Rule

__all__ = ["RULE"]


def _layout(batch_first: bool) -> str:
    return "batch-first, (N, T, *)" if batch_first else "time-major, (T, N, *)"


def check(u: object) -> Iterator[UseCandidate]:
    if not isinstance(u, Unpadding) or u.packed_batch_first != u.layer_batch_first \
            or u.padded_batch_first == u.packed_batch_first:
        return
    packed = u.packed_batch_first
    shape = ", ".join(map(str, u.shape))
    yield UseCandidate(
        RULE.finding(
            f"`pad_packed_sequence` returns a {'time-major' if packed else 'batch-first'} output "
            f"from a batch packed {'batch-first' if packed else 'time-major'}",
            ("batch_first",),
            notes=(f"the batch was packed with `batch_first={packed}`, and the layer, {u.layer}, "
                   f"is built with `batch_first={packed}`: the pipeline is {_layout(packed)}",
                   f"`pad_packed_sequence` was given `batch_first={u.padded_batch_first}`: its "
                   f"({shape}) output is {_layout(u.padded_batch_first)}"),
        ),
        (UseFix(Fix(f"unpack with `batch_first={packed}`, as the batch was packed", Applicability.SAFE,
                    f"output, lengths = pad_packed_sequence(packed_output, batch_first={packed})")),),
    )


RULE = Rule(
    code="RNN510",
    name="unpadded-in-the-other-layout",
    severity=Severity.WARNING,
    summary="`pad_packed_sequence` without the `batch_first` the batch was packed with",
    stage="program",
    check=check,
)
