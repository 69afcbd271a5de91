"""RNN410 unreadable-lengths

## What it catches
A `lengths` tensor whose values can't be read: a meta tensor, or a fake one
made under `torch._subclasses.fake_tensor.FakeTensorMode` (as `torch.compile`
and `torch.export` trace). Its count, rank, dtype, and device are still
checked (RNN401, RNN402, RNN403); the rules that judge its values (RNN404,
RNN405, RNN406, and RNN407) are skipped. This is a note, not an error.

## Why is this bad?
Nothing is wrong with the call as far as can be told, but less is known:
a length below 1, lengths out of order, a length beyond the padded input, or a
fractional length would go unnoticed. torch itself can't pack such lengths:
`pack_padded_sequence` reads them on the host, so a meta `lengths` fails with
`'lengths' argument should be a 1D CPU int64 tensor` and a fake one with a
data-dependent error.

## Example
    from torch._subclasses.fake_tensor import FakeTensorMode
    lstm = nn.LSTM(10, 20)
    with FakeTensorMode():
        lengths = torch.tensor([5, 3, 2])
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), lengths))

## Use instead
    lstm = nn.LSTM(10, 20)
    lengths = torch.tensor([5, 3, 2])
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), lengths))

## Fixes, in order
None: to have the values checked too, pass the real `lengths`, a CPU tensor or
a list of ints.

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: `lengths` (Tensor or list(int)),
"must be on the CPU if provided as a tensor".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ._base import Bound, Candidate, Order, Rule


def check(b: Bound) -> Iterator[Candidate]:
    lengths = b.call.lengths
    if lengths is None or lengths.readable:
        return
    yield Candidate(
        RULE.finding(
            "the values of `lengths` can't be read, so RNN404 to RNN407 are skipped",
            ("lengths",),
            notes=("a meta or fake tensor holds no data; the count, rank, and device of `lengths` "
                   "are checked",),
        ),
        Order.WARNING,
    )


RULE = Rule(
    code="RNN410",
    name="unreadable-lengths",
    severity=Severity.NOTE,
    summary="`lengths` holds no values to check (a meta or fake tensor)",
    stage="forward",
    check=check,
)
