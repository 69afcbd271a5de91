"""RNN511 batch-read-as-one-sequence

## What it catches
A 2-D input whose dim 0 is, by outside evidence, the batch: a
(batch, features) tensor given to nn.RNN, nn.LSTM or nn.GRU. The evidence is
the batch size the data came in with (the DataLoader's `batch_size` under
`guard(semantics=True)`, followed through the program as for RNN106, or
`batch_size=` given to `rnndoctor.check`).

## Why is this bad?
Since torch 1.11 a 2-D input is one unbatched sequence, (L, H_in), whatever
`batch_first` says (`batch_first` does not apply to unbatched input). A
(batch, features) tensor then runs as one sequence whose steps are the
samples: each sample's state is carried into the next, and the output is
(batch, D*H_out), which meets a loss as if it were a batch. Nothing raises.
Where dim 1 has the batch size too, the evidence cannot tell and the rule
says nothing.

## Example
    lstm = nn.LSTM(10, 20, batch_first=True)
    x = torch.randn(32, 10)   # 32 samples of 10 features, from a DataLoader
    report = rnndoctor.check(lstm, x, batch_size=32)

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)
    x = torch.randn(32, 10)
    report = rnndoctor.check(lstm, x.unsqueeze(1), batch_size=32)

## Fixes, in order
1. Give each sample a time axis: `input.unsqueeze(1)` for a batch-first
   layer, `input.unsqueeze(0)` for a time-major one (one step per sample).
   Where the features are really a sequence of scalars, `input.unsqueeze(-1)`
   with `input_size=1` is the change instead.

## PyTorch reference
`torch.nn.LSTM`: "input: tensor of shape (L, H_in) for unbatched input,
(L, N, H_in) when batch_first=False or (N, L, H_in) when batch_first=True";
"batch_first ... Note that this does not apply to hidden or cell states.
See the Inputs/Outputs sections below for details".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ._base import Bound, Candidate, Order, Rule
from ._fixes import set_input

__all__ = ["RULE"]


def check(b: Bound) -> Iterator[Candidate]:
    evidence, x, s = b.call.batch, b.x, b.spec
    if evidence is None or x is None or b.packed is not None or s.is_cell:
        return
    if not b.input_ok_rank or not b.unbatched or x.shape[0] != evidence.size or evidence.size < 2:
        return
    if evidence.axis not in (None, 0) or (evidence.axis is None and x.shape[1] == evidence.size):
        return
    n, features = x.shape
    axis = 1 if s.is_batch_first else 0
    stepped = x.with_shape(n, 1, features) if s.is_batch_first else x.with_shape(1, n, features)
    yield Candidate(
        RULE.finding(
            f"`input` is 2-D, so the {s.kind} reads its batch of {n} as the {n} steps of one sequence",
            ("input",),
            notes=(f"{evidence.source}: dim 0 of `input` ({n}) matches it",
                   f"a 2-D `input` is one unbatched sequence, (L, H_in), whatever `batch_first` says: "
                   f"each sample's state is carried into the next, and `output` is ({n}, D*H_out)"),
        ),
        Order.WARNING,
        (set_input(f"give each sample a time axis of one step, `input.unsqueeze({axis})`", stepped,
                   f"input = input.unsqueeze({axis})"),),
    )


RULE = Rule(
    code="RNN511",
    name="batch-read-as-one-sequence",
    severity=Severity.WARNING,
    summary="a 2-D (batch, features) input, read as one unbatched sequence of `batch` steps",
    stage="forward",
    check=check,
)
