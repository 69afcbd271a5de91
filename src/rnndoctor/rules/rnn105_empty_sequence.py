"""RNN105 empty-sequence

## What it catches
An RNN, LSTM or GRU `input` with no time steps: L = 0 in (L, N, H_in),
(N, L, H_in) with `batch_first=True`, or (L, H_in) unbatched. A batch of 0
sequences (N = 0) with L > 0 is valid and is not flagged; with L = 0 as well,
torch still fails. Cells take one step and have no L. An empty padded batch
given to `pack_padded_sequence` is RNN401's.

## Why is this bad?
PyTorch raises `Expected sequence length to be larger than 0 in RNN`, the same
text for LSTM and GRU, from inside ATen, after every other check has passed.
An empty sequence usually comes from slicing (`x[:, :0]`), from an empty
sample, or from a data loader whose sequences were all filtered away.

## Example
    gru = nn.GRU(input_size=10, hidden_size=20)
    gru(torch.randn(0, 4, 10))

## Use instead
    gru = nn.GRU(input_size=10, hidden_size=20)
    x = torch.randn(0, 4, 10)
    if x.size(0) > 0:
        output, h_n = gru(x)

## Fixes, in order
1. Skip the call when the sequence is empty (safe): there is no step to run,
   and the initial state is the final one.

## PyTorch reference
`torch.nn.GRU`, Inputs: `input` of shape (L, N, H_in), where L is the sequence
length; ATen's `_rnn_impl` requires it to be larger than 0.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import resize_input


def check(b: Bound) -> Iterator[Candidate]:
    x, s = b.x, b.spec
    if x is None or s.is_cell or b.packed is not None or not b.input_ok_rank:
        return
    axis = _time_axis(b)
    if x.shape[axis] != 0:
        return
    yield Candidate(
        RULE.finding(
            f"`input` has 0 time steps, but this {s.kind} needs at least 1",
            ("input",),
            notes=_notes(b, axis),
            raises="RuntimeError",
        ),
        Order.SEQ_LEN,
        (_skip(b, axis),),
    )


def _time_axis(b: Bound) -> int:
    return 1 if b.spec.is_batch_first and not b.unbatched else 0


def _notes(b: Bound, axis: int) -> tuple[str, ...]:
    why = "unbatched" if b.unbatched else f"batch_first={b.spec.is_batch_first}"
    notes = [f"L is dim {axis} of `input` ({why})"]
    if b.batch == 0 and not b.unbatched:
        notes.append("N is 0 as well: an empty batch alone is accepted, an empty sequence is not")
    return tuple(notes)


def _skip(b: Bound, axis: int) -> ProposedFix:
    """Skip the call; checked on the same call with one step, standing in for any non-empty one."""
    assert b.x is not None
    s = b.spec
    outputs = {"LSTM": "output, (h_n, c_n)", "GRU": "output, h_n", "RNN": "output, h_n"}[s.base]
    args = "input" if b.call.hx is None else "input, hx"
    snippet = (f"if input.size({axis}) > 0:  # with no step, the initial state is the final one\n"
               f"    {outputs} = {s.kind.lower()}({args})")
    return resize_input(f"skip the {s.kind} when `input` is empty", b.x, axis, 1, snippet)


RULE = Rule(
    code="RNN105",
    name="empty-sequence",
    severity=Severity.ERROR,
    summary="`input` has a sequence length of 0",
    stage="forward",
    check=check,
)
