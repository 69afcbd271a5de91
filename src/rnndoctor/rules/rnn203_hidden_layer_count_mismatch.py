"""RNN203 hidden-layer-count-mismatch

## What it catches
`h_0` or `c_0` whose first dimension is not `D * num_layers`, where D is 2 for
a bidirectional layer and 1 otherwise. One finding covers both states.

## Why is this bad?
PyTorch raises `Expected hidden[0] size (4, 32, 100), got [2, 32, 100]`, which
names neither the dimension nor the reason. A bidirectional layer needs one
initial state per direction and layer, which is easy to forget. With a
`PackedSequence`, torch 2.13's `nn.LSTM` checks nothing: it fails deep in
ATen (`Expected more hidden states in stacked_rnn`), silently ignores extra
layers of `c_0`, or crashes the interpreter with a segmentation fault when
`h_0` has more layers than `c_0`. When every sequence has the full length, the
call goes through oneDNN (float32 on an x86 CPU): missing layers give
`IndexError: select(): index 1 out of range`, extra ones are ignored silently.
rnndoctor flags all of these as errors.

## Example
    lstm = nn.LSTM(50, 100, num_layers=2, bidirectional=True)
    h_0 = c_0 = torch.zeros(2, 32, 100)
    lstm(torch.randn(10, 32, 50), (h_0, c_0))

## Use instead
    lstm = nn.LSTM(50, 100, num_layers=2, bidirectional=True)
    h_0 = c_0 = torch.zeros(2 * 2, 32, 100)
    lstm(torch.randn(10, 32, 50), (h_0, c_0))

## Fixes, in order
1. Allocate the states with `D * num_layers` rows (safe).
2. When the states' count matches another `num_layers` or `bidirectional`
   setting, construct the layer that way (changes the model).

Under `rnndoctor run` and the post-mortem, where the states were built is
known. The line that built them is edited first, with the count written as
the layer's (`self.num_layers * 2`, `self.lstm.num_layers`). When the states
are another layer's result (an encoder's state handed to a decoder), they
are data, not states built to match: the fixes are a decoder built with the
encoder's `num_layers`, or, for a bidirectional encoder, its state with the
two directions summed (`h.view(-1, 2, *h.shape[1:]).sum(dim=1)`) or
concatenated for a decoder of twice the `hidden_size`. Each is checked on
the call it produces. Zero states are not offered there: they would drop the
encoder's result. Nor is a decoder with twice the layers, which would read
the two directions as two layers.

## PyTorch reference
`torch.nn.LSTM`, Inputs: `h_0` of shape (D * num_layers, N, H_out).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..shapes import expected_dims, layer_derivation, with_actual
from ..specs import TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer, resize_states


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    if s.is_cell or not b.states_ok_rank:
        return
    want = s.D * s.layers
    wrong = {name: t for name, t in b.states.items() if t.shape[0] != want}
    if not wrong:
        return
    got = sorted({t.shape[0] for t in wrong.values()})
    names = " and ".join(f"`{n}`" for n in wrong)
    has = "has" if len(wrong) == 1 else "have"
    counts = " and ".join(map(str, got)) + (" layer" if got == [1] else " layers")
    dims = tuple(
        d for name, t in wrong.items()
        for d in with_actual(expected_dims(s, name, batch=b.batch, unbatched=b.unbatched,
                                           packed=b.packed is not None), t.shape)
    )
    raises = _raises(b)
    yield Candidate(
        RULE.finding(
            f"{names} {has} {counts}, but this {s.kind} needs {want}",
            tuple(wrong) + ("num_layers", "bidirectional"),
            dims=dims,
            notes=_notes(b, want),
            raises=raises,
        ),
        _order(b, raises, wrong),
        _fixes(b, wrong, want),
    )


def _order(b: Bound, raises: str | None, wrong: dict[str, TensorInfo]) -> int:
    if raises is None:
        return Order.SILENT
    if b.packed_lstm_via_onednn:
        return Order.ONEDNN_STATES
    return Order.HIDDEN + (0 if "h_0" in wrong else 1)


def _notes(b: Bound, want: int) -> tuple[str, ...]:
    notes = [f"D*num_layers = {layer_derivation(b.spec)} = {want}"]
    if b.packed is not None and b.spec.base == "LSTM":
        notes.append("torch 2.13 runs no check for a packed nn.LSTM: " + _packed_outcome(b)[1])
    return tuple(notes)


def _packed_outcome(b: Bound) -> tuple[str | None, str]:
    """What torch 2.13 does with these states and a packed nn.LSTM."""
    h, c = b.states["h_0"].shape[0], b.states["c_0"].shape[0]
    want = b.spec.D * b.spec.layers
    if b.packed_lstm_via_onednn:
        if min(h, c) < want:
            return "IndexError", "oneDNN fails selecting the state of a missing layer"
        return None, "this call goes through oneDNN, which ignores the extra layers silently"
    if h > c:
        return None, "this call crashes the process with a segmentation fault"
    if h == want and c > want:
        return None, "the extra layers of `c_0` are silently ignored"
    return "RuntimeError", "it fails inside ATen with a message that names no argument"


def _raises(b: Bound) -> str | None:
    if b.packed is None or b.spec.base != "LSTM":
        return "RuntimeError"
    return _packed_outcome(b)[0]


def _fixes(b: Bound, wrong: dict, want: int) -> tuple[ProposedFix, ...]:  # type: ignore[type-arg]
    s = b.spec
    noun = "layer" if want == 1 else "layers"
    fixes = [resize_states(f"allocate {' and '.join(f'`{n}`' for n in wrong)} with {want} {noun}",
                           b.states, 0, {name: want for name in wrong})]
    counts = {t.shape[0] for t in b.states.values()}
    if len(counts) == 1:
        got = counts.pop()
        if got % s.D == 0 and got // s.D > 0:
            fixes.append(change_layer(s, f"construct the {s.kind} with `num_layers={got // s.D}`",
                                      num_layers=got // s.D))
        if s.D == 2 and got == s.layers:
            fixes.append(change_layer(s, f"construct the {s.kind} with `bidirectional=False`",
                                      bidirectional=False))
        if s.D == 1 and got == 2 * s.layers:
            fixes.append(change_layer(s, f"construct the {s.kind} with `bidirectional=True`",
                                      bidirectional=True))
    return tuple(fixes)


RULE = Rule(
    code="RNN203",
    name="hidden-layer-count-mismatch",
    severity=Severity.ERROR,
    summary="`h_0` or `c_0` does not have D*num_layers layers",
    stage="forward",
    check=check,
)
