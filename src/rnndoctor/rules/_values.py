"""How torch 2.13 judges constructor values: shared by the constructor rules."""

from __future__ import annotations

import numbers

from ..specs import RnnSpec

SIZES = ("input_size", "hidden_size", "num_layers", "proj_size")
CELL_SIZES = ("input_size", "hidden_size")


def is_bool(value: object) -> bool:
    """A Python bool or a numpy bool."""
    return isinstance(value, bool) or (type(value).__module__ == "numpy"
                                       and type(value).__name__ in ("bool", "bool_"))


def is_integral(value: object) -> bool:
    """A Python or numpy integer that is not a bool."""
    return isinstance(value, numbers.Integral) and not is_bool(value)


def comparable(value: object) -> bool:
    """A value that torch's `<` and `<=` checks compare with an int without raising."""
    return isinstance(value, numbers.Real) or is_bool(value)


def describe(value: object) -> str:
    """`None`, a string (`'20'`), a float (`2.5`), a numpy.int64 (`20`)."""
    if value is None:
        return "`None`"
    kind = type(value)
    if kind.__module__ == "numpy":
        return f"a numpy.{kind.__name__} (`{value}`)"
    noun = {"str": "string"}.get(kind.__name__, kind.__name__)
    article = "an" if noun[0] in "aeiou" else "a"
    return f"{article} {noun} (`{value!r}`)"


def hidden_ok(s: RnnSpec) -> bool:
    """`hidden_size` passes torch's checks, so `proj_size` is compared with it."""
    return isinstance(s.hidden_size, int) and s.hidden_size > 0


_WORDS = {"true": True, "yes": True, "on": True, "1": True,
          "false": False, "no": False, "off": False, "0": False, "": False}


def reads_as(value: object) -> bool | None:
    """The bool a flag's value reads as to a person, or None when it has no clear reading."""
    if value is None or is_bool(value):
        return bool(value)
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return _WORDS.get(value.strip().lower())
    return None


PROBABILITY = "`dropout` is the probability of zeroing an element, a number in [0, 1]"


def dropout_problem(value: object) -> tuple[str, str, str] | None:
    """What torch raises for this dropout, with a title and a note; None when it is valid."""
    try:
        float(value)  # type: ignore[arg-type]
    except Exception as e:
        return (type(e).__name__, f"`dropout` is {describe(value)}, not a number",
                f"torch converts `dropout` with `float()` first, which raises {type(e).__name__}")
    if is_bool(value):
        return "ValueError", f"`dropout={value!r}` is a bool, not a probability", PROBABILITY
    if not isinstance(value, numbers.Number):
        return ("ValueError", f"`dropout` is {describe(value)}, not a number",
                "torch's check wants a number, and a string is not one, even when it holds one")
    if not 0 <= value <= 1:  # type: ignore[operator]
        return "ValueError", f"`dropout={value!r}` is outside [0, 1]", PROBABILITY
    return None
