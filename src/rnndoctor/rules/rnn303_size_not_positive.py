"""RNN303 size-not-positive

## What it catches
An `input_size`, `hidden_size` or `num_layers` of zero or less for nn.RNN,
nn.LSTM and nn.GRU, and a negative `input_size` or `hidden_size` for the
cells. A negative `proj_size` is RNN308's; `False` is RNN304's.

## Why is this bad?
nn.RNN, nn.LSTM and nn.GRU raise ValueError (`hidden_size must be greater than
zero`). The cells check nothing: a size of zero builds a layer with empty
weights, and a negative size fails when the weights are allocated, with
`RuntimeError: Trying to create tensor with negative dimension -20: [-20, 10]`,
which names neither the argument nor the layer.

## Example
    lstm = nn.LSTM(10, 20, num_layers=0)

## Use instead
    lstm = nn.LSTM(10, 20, num_layers=1)

## Fixes, in order
1. For `num_layers`, construct the layer with one layer (changes the model).
Sizes have no likely replacement, so no fix is offered for them.

## PyTorch reference
`torch.nn.LSTM`: `num_layers` is the number of recurrent layers, default 1.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator

from ..findings import Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer
from ._values import is_bool, is_integral

_UNCHECKED = ("nn.{kind} does not check its sizes; `torch.empty` rejects the negative "
              "dimension when it allocates the weights")
_ORDER = {"input_size": Order.INPUT_SIZE, "hidden_size": Order.HIDDEN_SIZE,
          "num_layers": Order.NUM_LAYERS}


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    names = ("input_size", "hidden_size") if s.is_cell else tuple(_ORDER)
    for name in names:
        value = getattr(s, name)
        if is_bool(value):
            continue
        if s.is_cell and is_integral(value) and value < 0:
            yield _cell_candidate(s, name)
        elif not s.is_cell and _not_positive(name, value):
            yield _layer_candidate(s, name)


def _not_positive(name: str, value: object) -> bool:
    """torch's own test: an int for the sizes, any real number for `num_layers`."""
    kind = numbers.Real if name == "num_layers" else int
    return isinstance(value, kind) and value <= 0


def _layer_candidate(s: RnnSpec, name: str) -> Candidate:
    value = getattr(s, name)
    fixes: tuple[ProposedFix, ...] = ()
    if name == "num_layers":
        fixes = (change_layer(s, f"construct the {s.kind} with one layer", num_layers=1),)
    return Candidate(
        RULE.finding(f"`{name}={value!r}` is not greater than zero", (name,),
                     notes=(f"nn.{s.kind} requires `{name}` to be greater than zero",),
                     raises="ValueError"),
        _ORDER[name],
        fixes,
    )


def _cell_candidate(s: RnnSpec, name: str) -> Candidate:
    return Candidate(
        RULE.finding(f"`{name}={getattr(s, name)!r}` is negative", (name,),
                     notes=(_UNCHECKED.format(kind=s.kind),
                            "a size of 0 is accepted and gives empty weights"),
                     raises="RuntimeError"),
        Order.NEGATIVE_DIM,
    )


RULE = Rule(
    code="RNN303",
    name="size-not-positive",
    severity=Severity.ERROR,
    summary="a size argument is zero or negative",
    stage="construct",
    check=check,
)
