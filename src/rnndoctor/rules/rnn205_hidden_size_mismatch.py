"""RNN205 hidden-size-mismatch

## What it catches
`h_0` whose last dimension is not H_out, or `c_0` whose last dimension is not
H_cell. H_out is `proj_size` for an LSTM with projections and `hidden_size`
otherwise; H_cell is always `hidden_size`. The classic case is an `h_0` built
with `hidden_size` for an LSTM with `proj_size > 0`. One finding covers both
states.

## Why is this bad?
PyTorch raises `Expected hidden[0] size (1, 32, 64), got [1, 32, 256]`, which
does not say that the last dimension is the wrong one, nor that `h_0` follows
`proj_size` while `c_0` follows `hidden_size`. The cells report
`hidden0 has inconsistent hidden_size: got 15, expected 20` (`hidden1` for
`c_0`). A packed `nn.LSTM` runs no check at all in torch 2.13: when `h_0` and
`c_0` differ in their last dimension, ATen takes it for a projection and fails
with `got an incorrect number of RNN parameters`; when both are wrong alike it
fails in a matrix product, or, when every sequence has the full length and the
call goes through oneDNN (float32 on an x86 CPU), it raises nothing and reads
the states with the wrong width. rnndoctor flags that case as an error too.

## Example
    lstm = nn.LSTM(input_size=50, hidden_size=256, proj_size=64)
    h_0 = c_0 = torch.zeros(1, 32, 256)
    lstm(torch.randn(10, 32, 50), (h_0, c_0))

## Use instead
    lstm = nn.LSTM(input_size=50, hidden_size=256, proj_size=64)
    h_0, c_0 = torch.zeros(1, 32, 64), torch.zeros(1, 32, 256)
    lstm(torch.randn(10, 32, 50), (h_0, c_0))

## Fixes, in order
1. Allocate the states with H_out and H_cell features (safe).
2. When the states' sizes describe a valid layer, construct the layer with
   that `hidden_size` (and `proj_size`) instead (changes the model).

Under `rnndoctor run` and the post-mortem, a state that another layer
returned (an encoder's state handed to a decoder) is data, not a state built
to match: the fix is a decoder built with the encoder's `hidden_size`, at
the line that built the decoder, checked on the call it produces. Zero
states are not offered there: they would drop the encoder's result.

## PyTorch reference
`torch.nn.LSTM`, Inputs: `h_0` of shape (D * num_layers, N, H_out) and `c_0` of
shape (D * num_layers, N, H_cell), where H_out = proj_size if proj_size > 0
otherwise hidden_size, and H_cell = hidden_size.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..shapes import hidden_derivation, with_actual
from ..specs import TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer, resize_states


def check(b: Bound) -> Iterator[Candidate]:
    if not b.states_ok_rank:
        return
    want = {n: hidden_derivation(b.spec, n)[1] for n in b.states}
    wrong = {n: t for n, t in b.states.items() if t.shape[-1] != want[n]}
    if not wrong:
        return
    raises, outcome = _outcome(b)
    notes = [_derivation(b, n) for n in wrong]
    if b.spec.P > 0 and "h_0" in wrong:
        notes.append("with projections, `h_0` has `proj_size` features and `c_0` has "
                     "`hidden_size`")
    notes += [outcome] if outcome else []
    dims = tuple(d for n, t in wrong.items() for d in with_actual(b.state_dims(n), t.shape))
    yield Candidate(
        RULE.finding(_title(b, wrong, want), _arguments(b, wrong), dims=dims, notes=tuple(notes),
                     raises=raises),
        _order(raises, wrong),
        _fixes(b, wrong, want),
    )


def _title(b: Bound, wrong: dict[str, TensorInfo], want: dict[str, int]) -> str:
    got = [t.shape[-1] for t in wrong.values()]
    needs = [want[n] for n in wrong]
    if len(wrong) == 1:
        return f"{_names(wrong)} has last dim {got[0]}, but this {b.layer} needs {needs[0]}"
    if len(set(got)) == 1 and len(set(needs)) == 1:
        return f"{_names(wrong)} have last dim {got[0]}, but this {b.layer} needs {needs[0]}"
    return (f"{_names(wrong)} have last dims {got[0]} and {got[1]}, but this {b.layer} needs "
            f"{needs[0]} and {needs[1]}")


def _arguments(b: Bound, wrong: dict[str, TensorInfo]) -> tuple[str, ...]:
    if b.spec.P > 0 and "h_0" in wrong:
        return (*wrong, "proj_size", "hidden_size")
    return (*wrong, "hidden_size")


def _derivation(b: Bound, name: str) -> str:
    symbol, _, reason = hidden_derivation(b.spec, name)
    return f"{symbol} for `{name}` is the {b.layer}'s `{reason}`"


def _outcome(b: Bound) -> tuple[str | None, str | None]:
    """torch 2.13's exception, and a note where a packed nn.LSTM hides the cause."""
    if b.packed is None or b.spec.base != "LSTM":
        return "RuntimeError", None
    h, c = b.states["h_0"].shape[-1], b.states["c_0"].shape[-1]
    if (h != c) != (b.spec.P > 0):
        return "RuntimeError", (
            "torch 2.13 runs no check for a packed nn.LSTM: ATen infers projections from "
            "`h_0.size(2) != c_0.size(2)` and fails with `got an incorrect number of RNN "
            "parameters`")
    if not b.packed_lstm_via_onednn:
        return "RuntimeError", ("torch 2.13 runs no check for a packed nn.LSTM: the call fails "
                                "in a kernel with a matrix-product or broadcast error")
    return None, ("torch 2.13 runs no check for a packed nn.LSTM: this call goes through oneDNN, "
                  "which raises nothing and reads the states with the wrong width")


def _order(raises: str | None, wrong: dict[str, TensorInfo]) -> int:
    if raises is None:
        return Order.SILENT
    return Order.HIDDEN + (0 if "h_0" in wrong else 1)


def _fixes(b: Bound, wrong: dict[str, TensorInfo], want: dict[str, int]) -> tuple[
        ProposedFix, ...]:
    sizes = {n: want[n] for n in wrong}
    last = " and ".join(str(n) for n in dict.fromkeys(sizes.values()))
    noun = "dim" if len(set(sizes.values())) == 1 else "dims"
    fixes = [resize_states(f"allocate {_names(wrong)} with last {noun} {last}", b.states,
                           b.state_rank - 1, sizes)]
    layer = _layer_for_states(b)
    if layer:
        hidden, proj = layer
        changes = {"hidden_size": hidden, "proj_size": proj}
        named = " and ".join(f"`{k}={v}`" for k, v in changes.items() if getattr(b.spec, k) != v)
        fixes.append(change_layer(b.spec, f"construct the {b.layer} with {named}",
                                  hidden_size=hidden, proj_size=proj))
    return tuple(fixes)


def _layer_for_states(b: Bound) -> tuple[int, int] | None:
    """The `hidden_size` and `proj_size` the states were built for, where they fit a layer.

    A `proj_size` change is proposed only for a layer that already has projections.
    """
    s = b.spec
    h = b.states["h_0"].shape[-1]
    c = b.states["c_0"].shape[-1] if "c_0" in b.states else h
    if s.P == 0:  # a projection the layer lacks is not a likely intent
        return (h, 0) if h == c > 0 else None
    proj = 0 if h == c else h
    return (c, proj) if 0 <= proj < c else None


def _names(states: dict[str, TensorInfo]) -> str:
    return " and ".join(f"`{n}`" for n in states)


RULE = Rule(
    code="RNN205",
    name="hidden-size-mismatch",
    severity=Severity.ERROR,
    summary="last dim of `h_0` is not H_out, or of `c_0` not H_cell",
    stage="forward",
    check=check,
)
