"""RNN503 padding-read-as-last-step

## What it catches
The last position of a padded output, `output[:, -1]` (batch-first) or
`output[-1]` (time-major), after `pad_packed_sequence`, when some sequences are
shorter than the padded length.

## Why is this bad?
`pad_packed_sequence` pads each sequence after its own last step, with zeros
(`padding_value`). The last position is the last step only for the longest
sequences; for every shorter one it is padding. The model reads zeros for
those samples, and nothing raises.

## Example
    lstm = nn.LSTM(10, 20, batch_first=True)
    x = torch.randn(3, 5, 10)
    packed = pack_padded_sequence(x, torch.tensor([5, 3, 2]), batch_first=True)
    packed_out, (h_n, c_n) = lstm(packed)
    output, lengths = pad_packed_sequence(packed_out, batch_first=True)
    last = output[:, -1]

## Use instead
    lstm = nn.LSTM(10, 20, batch_first=True)
    x = torch.randn(3, 5, 10)
    packed = pack_padded_sequence(x, torch.tensor([5, 3, 2]), batch_first=True)
    packed_out, (h_n, c_n) = lstm(packed)
    last = h_n[-1]

## Fixes, in order
1. Take the last layer's final state, `h_n[-1]`: for packed input it is each
   sequence's state at its own last step (for a bidirectional layer,
   concatenate `h_n[-2]` and `h_n[-1]`).
2. Pick each sequence's last step by its length:
   `output[torch.arange(output.size(0)), lengths - 1]`.

## PyTorch reference
`torch.nn.utils.rnn.pad_packed_sequence`: "Batch elements will be ordered
decreasingly by their length" in the packed data, and are padded with
`padding_value` up to `total_length` or the longest sequence.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..uses import UseBound, UseCandidate
from ._base import Rule
from ._uses import cat_directions, gather_last, last_state, picked_note

__all__ = ["RULE"]


def check(b: UseBound) -> Iterator[UseCandidate]:
    p = b.produced
    time = p.time_axis
    if not (p.is_output and p.padded and p.lengths is not None and time is not None
            and b.picks_last(time)):
        return
    short = sum(1 for n in p.lengths if n < p.steps)
    lengths = ", ".join(map(str, p.lengths))
    yield UseCandidate(
        RULE.finding(
            f"`output{b.use.text}` reads padding for {short} of {len(p.lengths)} sequences",
            ("output",),
            notes=(p.describe(),
                   picked_note(b, time),
                   f"the sequences' lengths are [{lengths}]: only those of length {p.steps} "
                   f"have a step at position {p.steps - 1}; the others read `padding_value`"),
        ),
        (cat_directions(p) if p.directions == 2 else last_state(p), gather_last(p)),
    )


RULE = Rule(
    code="RNN503",
    name="padding-read-as-last-step",
    severity=Severity.WARNING,
    summary="the last position of a padded output: padding for every shorter sequence",
    stage="use",
    check=check,
)
