"""RNN404 nonpositive-length

## What it catches
An entry of `lengths` that is 0 or negative, as torch reads it: after the cast
to int64, which truncates a length such as 0.5 to 0.

## Why is this bad?
A packed sequence needs at least one time step. PyTorch raises `Length of all
samples has to be greater than 0, but found an element in 'lengths' that is <=
0`, without saying which one. It tests only the last length (the smallest, once
sorted), so with `enforce_sorted=True` a 0 anywhere else is reported as
`` `lengths` array must be sorted in decreasing order ``, which points at the
wrong problem. Empty sequences usually come from empty utterances or
documents, or from a length computed with an off-by-one.

## Example
    lstm = nn.LSTM(10, 20)
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), torch.tensor([5, 3, 0])))

## Use instead
    lstm = nn.LSTM(10, 20)
    lstm(pack_padded_sequence(torch.randn(5, 3, 10), torch.tensor([5, 3, 1])))

## Fixes, in order
1. `lengths.clamp(min=1)`, and mask the outputs of the empty sequences (safe):
   every shape stays as it is, so `h_0` and the targets still line up.
2. Drop the empty sequences from `input` and `lengths` together (safe).

## PyTorch reference
`torch.nn.utils.rnn.pack_padded_sequence`: `lengths`, "list of sequence
lengths of each batch element".
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Severity
from ..specs import Lengths, TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule, padded_axes
from ._fixes import fmt_length, fmt_lengths, set_lengths


def check(b: Bound) -> Iterator[Candidate]:
    lengths = b.call.lengths
    if lengths is None or lengths.ndim != 1 or not lengths.readable:
        return
    bad = [i for i, n in enumerate(lengths.ints) if n <= 0]
    if not bad:
        return
    last_checked = not lengths.enforce_sorted or lengths.ints[-1] <= 0
    yield Candidate(
        RULE.finding(
            _title(lengths, bad),
            ("lengths", "input"),
            notes=_notes(lengths, bad, last_checked),
            raises="RuntimeError",
        ),
        Order.PACK_POSITIVE if last_checked else Order.PACK_SORTED,
        _fixes(b, lengths, bad),
    )


def _title(lengths: Lengths, bad: list[int]) -> str:
    if len(bad) == 1:
        i = bad[0]
        value = fmt_length(lengths.values[i])
        return f"`lengths[{i}]` is {value}, but a packed sequence needs at least 1 step"
    where = " and ".join(map(str, bad)) if len(bad) == 2 else (
        ", ".join(map(str, bad[:-1])) + f", and {bad[-1]}")
    return f"{len(bad)} entries of `lengths` are below 1, at indices {where}"


def _notes(lengths: Lengths, bad: list[int], last_checked: bool) -> tuple[str, ...]:
    notes = [f"`lengths` is {fmt_lengths(lengths.values)}"]
    cut = [lengths.values[i] for i in bad if lengths.values[i] != lengths.ints[i]]
    if cut:
        notes.append(f"torch casts `lengths` to int64, which truncates {fmt_length(cut[0])} to 0")
    if not last_checked:
        notes.append("torch tests only the last length for this, so it reports that `lengths` "
                     "is not sorted in decreasing order")
    return tuple(notes)


def _fixes(b: Bound, lengths: Lengths, bad: list[int]) -> tuple[ProposedFix, ...]:
    clamped = replace(lengths, values=tuple(max(n, 1) for n in lengths.ints), dtype="int64")
    fixes = [set_lengths("pack each empty sequence as 1 step, and mask its output", clamped,
                         "lengths = lengths.clamp(min=1)")]
    padded = b.call.input
    if isinstance(padded, TensorInfo) and padded.ndim >= 2:
        fixes.append(_drop(b, padded, lengths, bad))
    return tuple(fixes)


def _drop(b: Bound, padded: TensorInfo, lengths: Lengths, bad: list[int]) -> ProposedFix:
    _, batch_axis = padded_axes(b.spec.is_batch_first)
    kept = tuple(v for i, v in enumerate(lengths.values) if i not in bad)
    shape = list(padded.shape)
    shape[batch_axis] = len(kept)
    index = "input[keep]" if batch_axis == 0 else "input[:, keep]"
    snippet = f"keep = lengths >= 1\ninput, lengths = {index}, lengths[keep]"
    return set_lengths("drop the empty sequences from the batch", replace(lengths, values=kept),
                       snippet, padded.with_shape(*shape))


RULE = Rule(
    code="RNN404",
    name="nonpositive-length",
    severity=Severity.ERROR,
    summary="an entry of `lengths` is 0 or negative",
    stage="forward",
    check=check,
)
