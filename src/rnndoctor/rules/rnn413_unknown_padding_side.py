"""RNN413 unknown-padding-side

## What it catches
A `padding_side` given to `pad_sequence` that is neither `'left'` nor
`'right'`: another word, another case (`'Left'`), or None.

## Why is this bad?
PyTorch raises `Expected padding_side to be one of left or right, but got
Left.`, or for a value that is not a string `TypeError: pad_sequence():
argument 'padding_side' (position 4) must be str, not NoneType`. The check is
exact: case and spaces count. `pad_packed_sequence` takes no `padding_side`
in torch 2.13: it always pads on the right.

## Example
    gru = nn.GRU(4, 8)
    gru(pad_sequence([torch.randn(5, 4), torch.randn(3, 4)], padding_side="Left"))

## Use instead
    gru = nn.GRU(4, 8)
    gru(pad_sequence([torch.randn(5, 4), torch.randn(3, 4)], padding_side="left"))

## Fixes, in order
1. A value that reads as a side once lowercased and stripped: pass that side
   (safe).
2. Otherwise: pass `padding_side="right"`, the default (safe), or `"left"`.

## PyTorch reference
`torch.nn.utils.rnn.pad_sequence`: `padding_side` (str, optional), "the side to
pad the sequences on. Default: 'right'."
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Applicability, Fix, Severity
from ..specs import Call, Other, RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule

SIDES = ("left", "right")


def check(b: Bound) -> Iterator[Candidate]:
    side = b.call.padding_side
    if b.call.sequences is None or b.call.lengths is not None or side in SIDES:
        return
    if isinstance(side, Other):
        title = f"`padding_side` is {_kind(side.type_name)}, not a str"
        raises, order = "TypeError", Order.PAD_ARGUMENTS
        note = "`pad_sequence` takes 'left' or 'right' as `padding_side`"
    else:
        title = f"`padding_side` is {side!r}, but `pad_sequence` takes 'left' or 'right'"
        raises, order = "RuntimeError", Order.PAD_SIDE
        note = "`pad_sequence` compares `padding_side` exactly: case and spaces count"
    meant = side.strip().lower() if isinstance(side, str) else None
    sides = (meant,) if meant in SIDES else ("right", "left")
    fixes = tuple(_set(s, f"pass `padding_side={s!r}`" + (", the default" if s == "right" else ""))
                  for s in sides)
    yield Candidate(
        RULE.finding(title, ("padding_side",),
                     notes=(note,),
                     raises=raises),
        order,
        fixes,
    )


def _kind(type_name: str) -> str:
    return {"NoneType": "None", "bool": "a bool", "int": "an int"}.get(type_name, f"of type `{type_name}`")


def _set(side: str, title: str) -> ProposedFix:
    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        return s, replace(c, padding_side=side)

    return ProposedFix(Fix(title, Applicability.SAFE, f"pad_sequence(sequences, padding_side={side!r})"), apply)


RULE = Rule(
    code="RNN413",
    name="unknown-padding-side",
    severity=Severity.ERROR,
    summary="`padding_side` of `pad_sequence` is not 'left' or 'right'",
    stage="forward",
    check=check,
)
