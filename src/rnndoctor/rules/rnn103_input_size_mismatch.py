"""RNN103 input-size-mismatch

## What it catches
An `input` whose last dimension, its features (H_in), is not the layer's
`input_size`. It covers dense input, packed input and the cells.

## Why is this bad?
PyTorch raises `input.size(-1) must be equal to input_size. Expected 50, got 25`
for RNN, LSTM and GRU, and `input has inconsistent input_size: got 25 expected 50`
for the cells. With a `PackedSequence`, `nn.LSTM` (torch 2.1 and later) runs no
Python check at all: the call fails inside a matrix product with
`mat1 and mat2 shapes cannot be multiplied (10x25 and 50x400)`, which names
neither the argument nor the dimension. When every packed sequence has the
full length (float32 on the CPU, no projections), torch 2.13 hands the call
to oneDNN, which checks nothing: the call runs on without an error. rnndoctor
flags it as an error all the same.

## Example
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    lstm(torch.randn(10, 32, 25))

## Use instead
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    lstm(torch.randn(10, 32, 50))

## Fixes, in order
1. For a 2-D `input` into an nn.RNN, nn.LSTM or nn.GRU built with
   `input_size=1`: add the missing feature axis, `input.unsqueeze(-1)`. A
   `(batch, seq)` or `(seq, batch)` series of scalars is read as one unbatched
   sequence whose features are its second axis; `input_size=<that axis>`
   would make the shapes line up and compute the wrong thing, so it ranks
   last.
2. Give `input` `input_size` features (safe): usually the layer before it
   produces the wrong width.
3. Construct the layer with `input_size` equal to the input's features
   (changes the model).

## PyTorch reference
`torch.nn.LSTM`, Inputs: `input` of shape (L, N, H_in) where H_in = `input_size`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..shapes import expected_dims, with_actual
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer, resize_input, set_input


def check(b: Bound) -> Iterator[Candidate]:
    x, s = b.x, b.spec
    if x is None or not b.input_ok_rank or x.ndim == 0:
        return
    got = x.shape[-1]
    if got == s.I:
        return
    expected = expected_dims(s, "input", batch=None, unbatched=b.unbatched,
                             packed=b.packed is not None)
    fixes = (
        *_feature_axis(b),
        resize_input(f"give `input` {s.I} feature{'s' if s.I != 1 else ''} (its last dim)", x, x.ndim - 1, s.I),
        change_layer(s, f"construct the {s.kind} with `input_size={got}`", input_size=got),
    )
    packed_lstm = b.packed is not None and s.base == "LSTM" and not s.is_cell
    silent = b.packed_lstm_via_onednn
    notes = [f"H_in is the layer's `input_size={s.input_size!r}`"]
    if _feature_axis(b):
        notes.append(f"a 2-D `input` is one unbatched sequence (L, H_in), so its dim 1 ({got}) is read as "
                     "the features; a batch of scalar series lacks its feature axis")
    if silent:
        notes.append("torch 2.13 hands this packed nn.LSTM to oneDNN, which checks no sizes: "
                     "the call runs on and computes with the wrong weights' shape")
    elif packed_lstm:
        notes.append("with a PackedSequence, torch's nn.LSTM does not check this and fails "
                     "inside a matrix product instead")
    yield Candidate(
        RULE.finding(
            f"`input` has {got} features, but this {s.kind} expects {s.I}",
            ("input", "input_size"),
            dims=with_actual(expected, x.shape),
            notes=tuple(notes),
            raises=None if silent else "RuntimeError",
        ),
        _order(b, silent, packed_lstm),
        fixes,
    )


def _feature_axis(b: Bound) -> tuple[ProposedFix, ...]:
    """`input.unsqueeze(-1)` for a 2-D series of scalars into a layer built with `input_size=1`."""
    x = b.x
    if x is None or b.spec.is_cell or b.packed is not None or x.ndim != 2 or b.spec.I != 1:
        return ()
    return (set_input("add the feature axis to `input`", x.with_shape(*x.shape, 1),
                      "input = input.unsqueeze(-1)"),)


def _order(b: Bound, silent: bool, packed_lstm: bool) -> int:
    if silent:
        return Order.SILENT
    # a packed nn.LSTM meets the data only in its first layer's matrix product, after ATen
    # has read both states' dim 2 and their layer counts: those errors come first
    return Order.PACKED_LATE if packed_lstm else Order.INPUT_SIZE_FWD


RULE = Rule(
    code="RNN103",
    name="input-size-mismatch",
    severity=Severity.ERROR,
    summary="`input` features differ from `input_size`",
    stage="forward",
    check=check,
)
