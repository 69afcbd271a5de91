"""RNN304 bool-as-size

## What it catches
`True` or `False` (or a numpy bool) given as `input_size`, `hidden_size`,
`num_layers` or `proj_size`, usually because positional arguments slipped:
`nn.LSTM(10, 20, True)` passes `True` as `num_layers`, not as `bias`.

## Why is this bad?
Python's `bool` is a subclass of `int`, so torch mostly takes `True` as 1 and
`False` as 0 without a word: `nn.LSTM(10, True)` is a layer with a single
hidden unit. `num_layers=True` builds a layer whose every forward call fails
inside the kernel, `lstm() received an invalid combination of arguments`:
before a call this is a warning, with a call that passes the earlier checks it
is the error torch raises.
Where torch does notice at construction, the message hides the cause:
`nn.RNN(10, True)` fails with `empty(): argument 'size' ... found element of
type bool at pos 0`, and `hidden_size=False` with `hidden_size must be greater
than zero`. numpy bools are not ints and raise TypeError, except as a
`num_layers` or `proj_size` of `np.False_`. A `proj_size` of `False` means no
projection, as 0 does, and is not reported.

## Example
    lstm = nn.LSTM(10, True)

## Use instead
    lstm = nn.LSTM(10, 20)

## Fixes, in order
1. Write the size as the int torch reads (safe where torch accepts the bool,
   since the layer stays the same).

## PyTorch reference
`torch.nn.LSTM`: `input_size`, `hidden_size`, `num_layers` and `proj_size` are
of type int.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, Rule
from ._fixes import change_layer
from ._values import CELL_SIZES, SIZES, hidden_ok, is_bool

_ORDER = {"input_size": Order.INPUT_SIZE, "hidden_size": Order.HIDDEN_SIZE,
          "num_layers": Order.NUM_LAYERS}
_MEANS = {"input_size": "{n} input feature", "hidden_size": "{n} hidden unit",
          "num_layers": "{n} layer"}
Outcome = tuple[int, str | None, str]  # order, the exception torch raises, why
KERNEL_NOTE = ("the layer is built, but its forward kernel takes `num_layers` as an int and "
               "rejects a bool, so every call raises TypeError")


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    for name in CELL_SIZES if s.is_cell else SIZES:
        value = getattr(s, name)
        if not is_bool(value):
            continue
        outcome = _cell_outcome(s, name) if s.is_cell else _layer_outcome(b, name)
        if outcome is not None:
            yield _candidate(s, name, *outcome)


def _cell_outcome(s: RnnSpec, name: str) -> Outcome:
    if isinstance(getattr(s, name), bool):
        return _accepted(s, name)
    order = Order.ALLOCATION if name == "input_size" else Order.LATER_WEIGHTS
    return order, "TypeError", "a numpy bool is not an int, and `torch.empty` rejects it"


def _layer_outcome(b: Bound, name: str) -> Outcome | None:
    s = b.spec
    value = getattr(s, name)
    numpy = not isinstance(value, bool)
    if name == "proj_size":
        if not value or (hidden_ok(s) and value >= s.hidden_size):
            return None  # no projection, or RNN308
        return Order.LATER_WEIGHTS, "TypeError", ("`torch.empty` rejects a bool as the "
                                                  "projection weights' first dimension")
    if numpy and name == "num_layers" and value:
        return Order.LAYER_LOOP, "TypeError", "`range(num_layers)` rejects a numpy bool"
    if numpy and name != "num_layers":
        return _ORDER[name], "TypeError", f"nn.{s.kind} checks `isinstance({name}, int)`"
    if not value:
        return _ORDER[name], "ValueError", f"nn.{s.kind} requires `{name}` to be greater than zero"
    if name == "hidden_size" and s.kind == "RNN":
        return Order.ALLOCATION, "TypeError", ("nn.RNN's weights have `hidden_size` rows, and "
                                               "`torch.empty` rejects a bool as a first dimension")
    if name == "num_layers" and b.has_call:
        return Order.KERNEL_ARGS, "TypeError", KERNEL_NOTE
    return _accepted(s, name)


def _accepted(s: RnnSpec, name: str) -> Outcome:
    n = int(getattr(s, name))
    means = _MEANS[name].format(n=n) + ("" if n == 1 else "s")
    return Order.CONSTRUCT_WARNING, None, f"Python's bool is an int, so this {s.kind} has {means}"


def _candidate(s: RnnSpec, name: str, order: int, raises: str | None, note: str) -> Candidate:
    value = getattr(s, name)
    n = int(value)
    if raises == "TypeError":
        title = f"`{name}={value!r}` is a bool, not an int"
    else:
        title = f"`{name}={value!r}` is a bool, which torch reads as {n}"
    built = order in (Order.CONSTRUCT_WARNING, Order.KERNEL_ARGS)  # the same layer, with an int
    applicability = Applicability.SAFE if built else Applicability.CHANGES_MODEL
    fix = change_layer(s, f"write `{name}={n}` as an int", applicability=applicability,
                       **{name: n})
    return Candidate(
        RULE.finding(title, (name,), notes=(note,), raises=raises,
                     severity=Severity.WARNING if raises is None else Severity.ERROR),
        order,
        (fix,),
    )


RULE = Rule(
    code="RNN304",
    name="bool-as-size",
    severity=Severity.WARNING,
    summary="`True` or `False` given as a size",
    stage="construct",
    check=check,
)
