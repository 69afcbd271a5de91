"""RNN508 state-sliced-by-layer-count

## What it catches
`h_n[:num_layers]` or `h_n[-num_layers:]` (or the same of `c_n`) of a
bidirectional layer with two or more layers, given to a recurrent layer as
its initial state: a slice of dim 0 as long as the layer count, taken from
either end, that starts a decoder. The same slice used otherwise is left
alone: `h_n[-2:]` of a 2-layer bidirectional layer is its last layer's two
directions, a correct summary to classify. Semantic mode warns when the
slice reaches the layer; a static reader of the code should do the same.

## Why is this bad?
Dim 0 of `h_n` holds D*num_layers states, ordered layer 0 forward, layer 0
backward, layer 1 forward, and so on. A slice by layer count does not pick a
state per layer: `h_n[:2]` of a 2-layer bidirectional encoder is layer 0's
two directions, and `h_n[-2:]` is the last layer's two directions. A
2-layer decoder started with either reads one direction as its layer 0 and
the other as its layer 1. The shape is right for the decoder, and nothing
raises.

PyTorch's chatbot tutorial does this (`encoder_hidden[:decoder.n_layers]`,
with a 2-layer bidirectional GRU encoder), and it has been copied widely.
rnndoctor counts it as a finding: the code says "the encoder's final state,
layer by layer", and the states it hands over are not that (the decoder's
layer 1 starts from layer 0's backward direction, and the top layer's final
states are never read). The tutorial's model still trains, because its
attention reads the encoder's outputs and the decoder learns to use what it
is given, so the cost is a weaker start, not a crash. Both false-alarm suites
(semantic mode's and lint's) treat the tutorial's line as wrong, and its
fixed twin below as right.

## Example
    encoder = nn.GRU(10, 20, num_layers=2, bidirectional=True)
    decoder = nn.GRU(10, 20, num_layers=2)
    output, h_n = encoder(torch.randn(7, 32, 10))
    decoded, h = decoder(torch.randn(5, 32, 10), h_n[:2])

## Use instead
    encoder = nn.GRU(10, 20, num_layers=2, bidirectional=True)
    decoder = nn.GRU(10, 20, num_layers=2)
    output, h_n = encoder(torch.randn(7, 32, 10))
    h_0 = h_n.view(2, 2, 32, 20)[:, 0]  # each layer's forward direction
    decoded, h = decoder(torch.randn(5, 32, 10), h_0)

## Fixes, in order
1. Separate layers and directions with `h_n.view(num_layers, 2, N, H_out)`,
   then take each layer's forward direction, `[:, 0]`.
2. The same view, with each layer's two directions summed, `.sum(1)`.

## PyTorch reference
`torch.nn.GRU`: "h_n: tensor of shape (D*num_layers, N, H_out)", and "the
directions can be separated using h_n.view(num_layers, num_directions,
batch, hidden_size)".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Fix, Severity
from ..uses import Produced, Slice, Use, UseBound, UseCandidate, UseFix
from ._base import Rule

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p = b.produced
    if p.is_output or p.directions != 2 or p.layers < 2:
        return
    rows, layers = p.shape[0], p.layers
    picked = b.picks(0)
    if not isinstance(picked, Slice) or picked.step not in (None, 1):
        return
    span = picked.range(rows)
    if span == range(0, layers):
        given = "layer 0's two directions" if layers == 2 else f"the first {layers} of them"
    elif span == range(rows - layers, rows):
        given = "the last layer's two directions" if layers == 2 else f"the last {layers} of them"
    else:
        return
    yield UseCandidate(
        RULE.finding(
            f"`{p.name}{b.use.text}` slices {p.name}'s layers and directions by the layer count",
            (p.name,),
            notes=(p.describe(),
                   f"`{p.name}{b.use.text}` selects positions {span.start} to {span.stop - 1} of "
                   f"dim 0 (D*num_layers={rows})",
                   f"D=2 (bidirectional=True): dim 0 holds layer 0 forward, layer 0 backward, "
                   f"layer 1 forward, and so on, so the {layers} states taken are {given}, "
                   "not one state per layer"),
        ),
        tuple(_by_layer(p, how) for how in ("forward", "sum")),
        as_state=True,
    )


def _by_layer(p: Produced, how: str) -> UseFix:
    """One state per layer, from the view that separates layers and directions."""
    lead = (p.layers, 2) + (() if p.unbatched else (p.batch,))
    shape = (*lead, p.shape[-1])
    written = ", ".join(map(str, shape))
    if how == "forward":
        fix = Fix("take each layer's forward direction", Applicability.SAFE,
                  f"{p.name}.view({written})[:, 0]")
    else:
        fix = Fix("sum each layer's two directions", Applicability.SAFE,
                  f"{p.name}.view({written}).sum(1)")
    return UseFix(fix, ((p, Use.view(*shape)),))


RULE = Rule(
    code="RNN508",
    name="state-sliced-by-layer-count",
    severity=Severity.WARNING,
    summary="`h_n[:num_layers]` of a bidirectional layer: one layer's two directions, not the layers",
    stage="use",
    check=check,
)
