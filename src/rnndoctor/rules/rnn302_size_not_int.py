"""RNN302 size-not-int

## What it catches
A size argument (`input_size`, `hidden_size`, `num_layers` or `proj_size`) that
torch cannot use as an integer: a float such as `20.0`, a string, `None`, or a
numpy number where nn.RNN, nn.LSTM and nn.GRU want a Python `int`. Bools are
RNN304's.

## Why is this bad?
torch 2.13 raises TypeError, worded by wherever the value first fails:
`hidden_size should be of type int, got: float` from the checks of nn.RNN,
nn.LSTM and nn.GRU; `'float' object cannot be interpreted as an integer` for
`num_layers`; `empty(): argument 'size' ... must be tuple of ints` for a float
`proj_size` and for the cells, which check nothing and fail only when they
allocate their weights. numpy integers, common when sizes come from an array's
shape, are rejected as `input_size` and `hidden_size` of nn.RNN, nn.LSTM and
nn.GRU, but accepted by the cells and as `num_layers` or `proj_size`. A float
`proj_size` of `0.0` is accepted and means no projection.

## Example
    lstm = nn.LSTM(10, 20.0)

## Use instead
    lstm = nn.LSTM(10, 20)

## Fixes, in order
1. Pass the whole number as an int, when the value holds one (`20.0`, `'20'`,
   `np.int64(20)`) (safe).

## PyTorch reference
`torch.nn.LSTM`: `input_size`, `hidden_size`, `num_layers` and `proj_size` are
of type int.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator

from ..findings import Applicability, Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, Rule
from ._fixes import change_layer
from ._values import CELL_SIZES, SIZES, comparable, describe, hidden_ok, is_bool, is_integral


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    for name in CELL_SIZES if s.is_cell else SIZES:
        found = _cell_failure(s, name) if s.is_cell else _layer_failure(s, name)
        if found is not None:
            yield _candidate(s, name, *found)


def _cell_failure(s: RnnSpec, name: str) -> tuple[int, str] | None:
    value = getattr(s, name)
    if is_integral(value) or is_bool(value):
        return None
    return Order.ALLOCATION, (f"nn.{s.kind} does not check its arguments; `torch.empty` "
                              "rejects a non-integer dimension when it allocates the weights")


def _layer_failure(s: RnnSpec, name: str) -> tuple[int, str] | None:
    value = getattr(s, name)
    if is_bool(value):
        return None
    if name in ("input_size", "hidden_size"):
        if isinstance(value, int):
            return None
        order = Order.INPUT_SIZE if name == "input_size" else Order.HIDDEN_SIZE
        return order, f"nn.{s.kind} checks `isinstance({name}, int)`{_numpy_note(value)}"
    if not comparable(value):
        order = Order.NUM_LAYERS if name == "num_layers" else Order.PROJ_SIZE
        test = "num_layers <= 0" if name == "num_layers" else "proj_size < 0"
        return order, f"nn.{s.kind} tests `{test}`, which raises for {describe(value)}"
    if is_integral(value):
        return None
    return _fractional_failure(s, name, value)


def _fractional_failure(s: RnnSpec, name: str, value: numbers.Real) -> tuple[int, str] | None:
    if name == "num_layers":
        if value <= 0:
            return None  # RNN303
        return Order.LAYER_LOOP, (f"nn.{s.kind} builds its layers with `range(num_layers)`, "
                                  "which takes only integers")
    too_big = hidden_ok(s) and value >= s.hidden_size  # type: ignore[operator]
    if value < 0 or too_big or value == 0:
        return None  # RNN308, or 0.0: no projection
    return Order.LATER_WEIGHTS, ("`proj_size` becomes a dimension of the weights, and "
                                 "`torch.empty` takes only integers")


def _numpy_note(value: object) -> str:
    if is_integral(value):  # and not a Python int: a numpy integer
        return "; a numpy integer is not a Python int"
    return ""


def _candidate(s: RnnSpec, name: str, order: int, note: str) -> Candidate:
    value = getattr(s, name)
    whole = _whole_number(value)
    fixes = () if whole is None else (
        change_layer(s, f"pass `{name}={whole}` as an int", applicability=Applicability.SAFE,
                     **{name: whole}),
    )
    return Candidate(
        RULE.finding(f"`{name}` is {describe(value)}, not an int", (name,),
                     notes=(note,), raises="TypeError"),
        order,
        fixes,
    )


def _whole_number(value: object) -> int | None:
    """The int a float, numpy number or string holds, if it holds a whole number."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, numbers.Real) or is_bool(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() else None


RULE = Rule(
    code="RNN302",
    name="size-not-int",
    severity=Severity.ERROR,
    summary="a size argument is a float, string, None or numpy number",
    stage="construct",
    check=check,
)
