"""What the use rules (RNN5xx) share: the notes that show the evidence, and the fixes."""

from __future__ import annotations

from typing import Literal

from ..findings import Applicability, Fix
from ..uses import All, Indices, Produced, Use, UseBound, UseFix

__all__ = ["cat_directions", "gather_last", "last_state", "last_step_per_direction",
           "picked_note", "swaps_time_and_batch", "transpose", "whole"]


def picked_note(b: UseBound, axis: int) -> str:
    """"`output[:, -1]` selects position 9 of dim 1 (L=10)"."""
    p = b.produced
    return (f"`{p.name}{b.use.text}` selects position {b.picks(axis)} of dim {axis} "
            f"({p.symbols()[axis]}={p.shape[axis]})")


def whole(b: UseBound, axis: int) -> bool:
    """The subscript keeps every position of `axis`, or does not reach it."""
    picked = b.picks(axis)
    return picked is None or isinstance(picked, All)


def cat_directions(p: Produced) -> UseFix:
    """The last layer's final state in both directions, from `h_n` (or `c_n`, if that was used)."""
    name: Literal["h_n", "c_n"] = "c_n" if p.name == "c_n" else "h_n"
    state = p if p.name == name else p.state(name)
    return UseFix(
        Fix(f"concatenate the last layer's two directions from `{name}`", Applicability.SAFE,
            f"torch.cat([{name}[-2], {name}[-1]], dim=-1)"),
        ((state, Use.index(-2)), (state, Use.index(-1))),
    )


def last_state(p: Produced) -> UseFix:
    """The last layer's final state: each sequence's own last step, packed or not."""
    h_n = p.state()
    return UseFix(Fix("take the last layer's final state from `h_n`", Applicability.SAFE,
                      "h_n[-1]"),
                  ((h_n, Use.index(-1)),))


def gather_last(p: Produced) -> UseFix:
    """Each sequence's own last step of a padded output, picked by its length."""
    rows = "torch.arange(output.size(0)), lengths - 1"
    if not p.batch_first:
        rows = "lengths - 1, torch.arange(output.size(1))"
    return UseFix(Fix("take each sequence's last step by its length", Applicability.SAFE,
                      f"output[{rows}]"),
                  ((p, Use.index(Indices(), Indices())),))


def last_step_per_direction(p: Produced) -> UseFix:
    """The forward direction's last step beside the backward direction's first."""
    H = p.hidden
    lead = (slice(None),) * (p.time_axis or 0)  # the batch, before the time axis
    gap = (slice(None),) * (len(p.shape) - 2 - len(lead))  # the batch, after it (time-major)
    last = Use.index(*lead, -1, *gap, slice(None, H))
    first = Use.index(*lead, 0, *gap, slice(H, None))
    return UseFix(
        Fix("take the forward direction's last step and the backward direction's first",
            Applicability.SAFE, f"torch.cat([output{last.text}, output{first.text}], dim=-1)"),
        ((p, last), (p, first)),
    )


def transpose(p: Produced, result: tuple[int, ...]) -> UseFix:
    """Swap the time and batch axes, rather than reinterpret the memory; then reshape to what
    the view asked for, if the swap alone does not give it."""
    snippet = f"{p.name}.transpose(0, 1)"
    if len(p.shape) > 1 and tuple(result) != (p.shape[1], p.shape[0], *p.shape[2:]):
        snippet += f".reshape({', '.join(map(str, result[:-1]))}, -1)"
    return UseFix(Fix("swap the axes with `transpose`", Applicability.SAFE, snippet))


def swaps_time_and_batch(p: Produced, result: tuple[int, ...]) -> str | None:
    """Why a view of a layer's `output` to `result` puts the wrong axis first, or None if it doesn't.

    Said of the result's dim 0, which the view fills from memory in `output`'s own order.
    """
    N, L = p.batch, p.steps
    if N == L or 1 in (N, L):  # the sizes do not tell the axes apart
        return None
    if p.batch_first:
        if result[:2] != (L, N):
            return None
        return f"dim 0 of the result has L={L} entries, but in memory dim 0 is the batch"
    if result[0] != N:
        return None
    return f"dim 0 of the result has N={N} entries, but in memory dim 0 is time"
