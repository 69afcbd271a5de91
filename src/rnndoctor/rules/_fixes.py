"""Shared fix builders: each returns a `ProposedFix`, a titled change plus the change itself."""

from __future__ import annotations

from .._record import replace
from ..findings import Applicability, Fix
from ..specs import Call, Hx, Lengths, Packed, RnnSpec, Seq, TensorInfo, constructor_repr
from ._base import ProposedFix

__all__ = [
    "change_layer",
    "combine",
    "convert_layer",
    "fmt_count",
    "fmt_length",
    "fmt_lengths",
    "fmt_shape",
    "replace_input",
    "resize_input",
    "resize_states",
    "set_hx",
    "set_input",
    "set_lengths",
    "set_states",
    "state_shape",
    "zeros",
]


def fmt_shape(shape: tuple[int, ...]) -> str:
    """A shape as the docs write it: `(4, 8, 20)`, `(20,)`."""
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"


def zeros(shape: tuple[int, ...]) -> str:
    """The call that allocates a zero state: `torch.zeros(1, 3, 20)`, `torch.zeros(20)`."""
    return f"torch.zeros({', '.join(map(str, shape))})"


def fmt_count(n: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun: `1 row`, `0 rows`, `2 time steps`."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def fmt_length(value: float) -> str:
    """One length as written: `5`, `2.5`; whole numbers without a decimal point."""
    return str(int(value)) if value == int(value) else str(value)


def fmt_lengths(values: tuple[float, ...]) -> str:
    """Lengths as a list: `[5, 3, 2.5]`."""
    return "[" + ", ".join(map(fmt_length, values)) + "]"


def change_layer(spec: RnnSpec, title: str, *,
                 applicability: Applicability = Applicability.CHANGES_MODEL,
                 **changes: object) -> ProposedFix:
    """Construct the layer differently (by default a change to the model)."""
    new = replace(spec, **changes)
    snippet = "nn." + constructor_repr(new)
    return ProposedFix(
        Fix(title, applicability, snippet),
        lambda s, c: (replace(s, **changes), c),
    )


def set_input(title: str, new: TensorInfo, snippet: str | None = None,
              applicability: Applicability = Applicability.SAFE) -> ProposedFix:
    """Give the layer a different dense input (or packed data)."""

    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        if isinstance(c.input, Packed):
            return s, replace(c, input=replace(c.input, data=new))
        return s, replace(c, input=new)

    return ProposedFix(Fix(title, applicability, snippet), apply)


def set_lengths(title: str, new: Lengths, snippet: str | None = None,
                input: TensorInfo | None = None) -> ProposedFix:
    """Pack with different `lengths` (and a different padded `input`, when the batch changes too)."""

    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        return s, replace(c, lengths=new, input=c.input if input is None else input)

    return ProposedFix(Fix(title, Applicability.SAFE, snippet), apply)


def resize_input(title: str, x: TensorInfo, axis: int, size: int,
                 snippet: str | None = None) -> ProposedFix:
    """Set one axis of `x`; with `lengths`, the features of the padded input stand for the data's."""
    fix = set_input(title, x.with_shape(*state_shape(x, axis, size)), snippet)

    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        padded = c.input
        if c.lengths is not None and isinstance(padded, TensorInfo) and axis == x.ndim - 1:
            return s, replace(c, input=padded.with_shape(*state_shape(padded, -1, size)))
        return fix.apply(s, c)

    return ProposedFix(fix.fix, apply)


def state_shape(t: TensorInfo, axis: int, size: int) -> tuple[int, ...]:
    shape = list(t.shape)
    shape[axis] = size
    return tuple(shape)


def set_states(title: str, states: dict[str, TensorInfo], snippet: str | None = None,
               applicability: Applicability = Applicability.SAFE) -> ProposedFix:
    """Replace some of the initial states (by name), keeping the form of `hx`."""

    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        hx = c.hx
        if isinstance(hx, Seq):
            items = list(hx.items)
            for i, name in enumerate(("h_0", "c_0")):
                if name in states and i < len(items):
                    items[i] = states[name]
            return s, replace(c, hx=replace(hx, items=tuple(items)))
        if "h_0" in states:
            return s, replace(c, hx=states["h_0"])
        return s, c

    return ProposedFix(Fix(title, applicability, snippet), apply)


def set_hx(title: str, hx: Hx, snippet: str | None = None,
           applicability: Applicability = Applicability.SAFE) -> ProposedFix:
    """Pass a different `hx` altogether: one tensor for a tuple, a pair for a tensor, or None."""
    return ProposedFix(Fix(title, applicability, snippet), lambda s, c: (s, replace(c, hx=hx)))


def resize_states(title: str, current: dict[str, TensorInfo], axis: int,
                  sizes: dict[str, int]) -> ProposedFix:
    """Set one axis of each named state, with a `torch.zeros` snippet for each."""
    new = {name: t.with_shape(*state_shape(t, axis, sizes[name])) for name, t in current.items()
           if name in sizes}
    snippet = "\n".join(f"{name} = {zeros(t.shape)}" for name, t in new.items())
    return set_states(title, new, snippet)


def convert_layer(title: str, snippet: str, *,
                  applicability: Applicability = Applicability.SAFE,
                  **changes: object) -> ProposedFix:
    """Convert an existing layer in place (`model.to(...)`): its dtype or device."""
    return ProposedFix(
        Fix(title, applicability, snippet),
        lambda s, c: (replace(s, **changes), c),
    )


def replace_input(title: str, new: TensorInfo | Packed, snippet: str,
                  applicability: Applicability = Applicability.SAFE) -> ProposedFix:
    """Pass a different object as `input` altogether (a tensor for a list, a PackedSequence)."""
    return ProposedFix(Fix(title, applicability, snippet),
                       lambda s, c: (s, replace(c, input=new)))


def combine(title: str, parts: list[ProposedFix], snippet: str,
            applicability: Applicability = Applicability.SAFE) -> ProposedFix:
    """One fix made of several changes, applied in order; the parts' own titles are not shown."""

    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        for part in parts:
            s, c = part.apply(s, c)
        return s, c

    return ProposedFix(Fix(title, applicability, snippet), apply)
