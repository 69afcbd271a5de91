"""RNN402 lengths-not-1d-cpu

## What it catches
A `lengths` tensor that is not 1-D, or that is not on the CPU. The classic case
is `lengths` kept on the GPU next to the padded `input`.

## Why is this bad?
PyTorch raises `'lengths' argument should be a 1D CPU int64 tensor, but got 1D
cuda:0 Long tensor`. The message is accurate but does not say why: torch reads
the lengths on the host to build `batch_sizes`, so they must stay on the CPU
even when `input` is on the GPU. The int64 part of the message cannot be the
problem: `pack_padded_sequence` casts `lengths` to int64 itself (see RNN407 for
what that does to floats). With `enforce_sorted=False`, torch sorts `lengths`
before this check, so a 2-D `lengths` fails earlier, in `index_select`, with
`IndexError: index_select(): Index is supposed to be a vector`, and a `meta`
one with `NotImplementedError: Cannot copy out of meta tensor; no data!`.

## Example
    lstm = nn.LSTM(10, 20)
    lengths = torch.tensor([[5], [3], [2]])
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), lengths))

## Use instead
    lstm = nn.LSTM(10, 20)
    lengths = torch.tensor([5, 3, 2])
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), lengths))

## Fixes, in order
1. Pass `lengths.cpu()`, flattened where it is not 1-D (safe).

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: `lengths` (Tensor or list(int)),
"must be on the CPU if provided as a tensor".
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Severity
from ..specs import Lengths
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import set_lengths


def check(b: Bound) -> Iterator[Candidate]:
    lengths = b.call.lengths
    if lengths is None or (lengths.ndim == 1 and lengths.device == "cpu"):
        return
    raises, order = _outcome(lengths)
    yield Candidate(
        RULE.finding(
            f"`lengths` is a {_describe(lengths)} tensor, but packing needs a 1-D CPU tensor",
            ("lengths",),
            notes=_notes(lengths),
            raises=raises,
        ),
        order,
        (_fix(lengths),),
    )


def _describe(lengths: Lengths) -> str:
    where = "" if lengths.device == "cpu" else f" {lengths.device}"
    return f"{lengths.ndim}-D{where}"


def _outcome(lengths: Lengths) -> tuple[str, int]:
    """torch sorts `lengths` and indexes `input` with the order first when enforce_sorted=False."""
    if not lengths.enforce_sorted and lengths.device == "meta":
        return "NotImplementedError", Order.PACK_SORT  # the order cannot leave the meta device
    if not lengths.enforce_sorted and lengths.ndim > 1:
        return "IndexError", Order.PACK_REORDER
    return "RuntimeError", Order.PACK_LENGTHS


def _notes(lengths: Lengths) -> tuple[str, ...]:
    notes = []
    if lengths.ndim != 1:
        notes.append("`pack_padded_sequence` takes one length per sequence, in a 1-D tensor")
    if lengths.device != "cpu":
        notes.append("torch reads the lengths on the CPU to build `batch_sizes`, whatever the "
                     "device of `input`")
    notes.append("the int64 in torch's message is not the problem: torch casts `lengths` "
                 "to int64 itself")
    order = _outcome(lengths)[1]
    if order == Order.PACK_SORT:
        notes.append("with `enforce_sorted=False`, torch sorts `lengths` first, and cannot "
                     "copy the order off the meta device")
    elif order == Order.PACK_REORDER:
        notes.append("with `enforce_sorted=False`, torch sorts `lengths` first, and "
                     "`index_select` rejects the 2-D order it gets")
    return tuple(notes)


def _fix(lengths: Lengths) -> ProposedFix:
    calls = "" if lengths.ndim == 1 else ".flatten()"
    calls += "" if lengths.device == "cpu" else ".cpu()"
    return set_lengths(f"pass `lengths{calls}`", replace(lengths, ndim=1, device="cpu"),
                       f"lengths = lengths{calls}")


RULE = Rule(
    code="RNN402",
    name="lengths-not-1d-cpu",
    severity=Severity.ERROR,
    summary="`lengths` is not a 1-D tensor on the CPU",
    stage="forward",
    check=check,
)
