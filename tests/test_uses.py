"""`uses.selection`: what a subscript does to each axis, by hand and against real torch indexing.

The use rules (RNN5xx) read a subscript only through `selection`, so it must
say what torch does: which axes an int removes and at which position, which
positions a slice keeps, which axes a mask or an index tensor covers, and
that a subscript torch rejects has no selection.
"""

from __future__ import annotations

from math import prod
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnndoctor.uses import All, Indices, Produced, Slice, Use, judge_all, selection

from .semantic_support import real_key

torch = pytest.importorskip("torch")


def select(shape: tuple[int, ...], *key: object) -> object:
    return selection(Use.index(*key).key, shape)


# ---- by hand ---------------------------------------------------------------------------------

def test_ints_become_non_negative() -> None:
    assert select((4, 3, 5), -1) == (3,)
    assert select((4, 3, 5), 0, -2) == (0, 1)
    assert select((4, 3, 5), slice(None), -3) == (All(), 0)


def test_slices_become_ranges_and_whole_axes_become_all() -> None:
    assert select((4, 3, 5), slice(None), slice(1, None)) == (All(), Slice(1, 3, 1))
    assert select((4, 3, 5), slice(None, None, 2)) == (Slice(0, 4, 2),)
    assert select((4, 3, 5), slice(-2, None), slice(None, 10)) == (Slice(2, 4, 1),)
    assert select((4, 3, 5), slice(0, 4)) == ()  # the whole axis, written out


def test_trailing_whole_axes_are_dropped() -> None:
    assert select((4, 3, 5), -1) == select((4, 3, 5), 3, slice(None), slice(None)) == (3,)
    assert select((4, 3, 5), slice(None), slice(None)) == ()


def test_ellipsis_fills_the_axes_the_rest_leaves() -> None:
    assert select((4, 3, 5), Ellipsis, -1) == (All(), All(), 4)
    assert select((4, 3, 5), -1, Ellipsis) == (3,)
    assert select((4, 3, 5), 0, Ellipsis, 1) == (0, All(), 1)
    assert select((4, 3, 5), Ellipsis) == ()


def test_none_reads_no_axis() -> None:
    assert select((4, 3, 5), None, -1) == (3,)
    assert select((4, 3, 5), slice(None), None, -1) == (All(), 2)


def test_index_tensors_and_masks_cover_their_axes() -> None:
    assert select((4, 3, 5), Indices(), -1) == (Indices(), 2)
    mask = Indices(2, bool=True)
    assert select((4, 3, 5), mask, -1) == (mask, mask, 4)
    assert select((4, 3, 5), slice(None), mask) == (All(), mask, mask)


@pytest.mark.parametrize("key", [
    (4,), (-5,), (0, 3), (slice(None), slice(None), 5),  # out of range
    (0, 0, 0, 0), (Ellipsis, 0, 0, 0, 0),  # too many indices
    (Ellipsis, 0, Ellipsis),  # two ellipses: NumPy rejects them; torch reads some oddly
    (Indices(4, bool=True),), (0, Indices(3, bool=True)),  # a mask over too many axes
    (slice(None, None, 0),), (slice(None, None, -1),),  # torch takes positive steps only
])
def test_a_subscript_torch_rejects_has_no_selection(key: tuple[object, ...]) -> None:
    assert select((4, 3, 5), *key) is None


# ---- against real torch indexing -------------------------------------------------------------

def _items(rank: int, basic: bool) -> st.SearchStrategy[object]:
    bound = st.none() | st.integers(-6, 6)
    items = st.one_of(
        st.integers(-6, 6),
        st.builds(slice, bound, bound, st.none() | st.integers(-1, 3)),
        st.just(None), st.just(Ellipsis),
    )
    if basic:
        return items
    return items | st.just(Indices()) | st.integers(1, rank + 1).map(lambda n: Indices(n, bool=True))


@st.composite
def subscripts(draw: st.DrawFn, basic: bool = False) -> tuple[tuple[int, ...], tuple[object, ...]]:
    """A shape, and a subscript of up to five items, some of which torch rejects."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    items = _items(len(shape), basic)
    return shape, tuple(draw(st.lists(items, max_size=5).filter(_decidable)))


def _decidable(key: list[object]) -> bool:
    """Leave out what an `Indices` cannot say, and a second ellipsis.

    Two masks fail in torch when their counts of True do not broadcast, which
    the mask's rank alone does not tell. torch takes `x[..., 0, ...]` (NumPy
    does not) and reads it in its own way; selection declines a second
    ellipsis (a unit test above), so the rules stay silent on it.
    """
    masks = sum(isinstance(k, Indices) and k.bool for k in key)
    return masks < 2 and sum(k is Ellipsis for k in key) < 2


def _torch_index(shape: tuple[int, ...], key: tuple[object, ...]) -> Any:
    """`x[key]` on a real tensor of `shape` holding 0, 1, 2, ...; None where torch raises."""
    x = torch.arange(prod(shape)).reshape(shape)
    try:
        return x[real_key(Use.index(*key).key, shape)]
    except (IndexError, ValueError, RuntimeError):
        return None


def _by_axis(shape: tuple[int, ...], picked: tuple[object, ...]) -> Any:
    """What the selection says `x[key]` holds, built axis by axis with no slicing at all."""
    x = torch.arange(prod(shape)).reshape(shape)
    for axis in reversed(range(len(picked))):  # the last first: the axes before keep their place
        p = picked[axis]
        if isinstance(p, int):  # index_select takes no negative position, as select would
            x = x.index_select(axis, torch.tensor([p])).squeeze(axis)
        elif isinstance(p, Slice):
            x = x.index_select(axis, torch.tensor(list(p.range(shape[axis])), dtype=torch.long))
    return x


FAST = settings(max_examples=600, deadline=None, derandomize=True)


@FAST
@given(subscripts())
def test_selection_exists_exactly_when_torch_indexes(case: tuple[Any, Any]) -> None:
    shape, key = case
    picked = select(shape, *key)
    indexed = _torch_index(shape, key)
    assert (picked is None) == (indexed is None), f"{shape} {key}: {picked}, torch {indexed}"


@FAST
@given(subscripts(basic=True))
def test_selection_picks_what_torch_picks(case: tuple[Any, Any]) -> None:
    """Ints, slices, Ellipsis and None: the same elements, axis by axis, as torch's own result."""
    shape, key = case
    picked = select(shape, *key)
    indexed = _torch_index(shape, key)
    if picked is None or indexed is None:
        return
    assert isinstance(picked, tuple)
    assert not any(isinstance(p, All) for p in picked[-1:])
    new_axes = sum(k is None for k in key)
    expected = _by_axis(shape, picked)
    assert indexed.ndim == expected.ndim + new_axes  # each int removes one axis; None adds one
    squeezed = indexed.reshape(expected.shape)  # only the size-1 axes None added are removed
    assert torch.equal(squeezed, expected), f"{shape} {key}: {picked}"


@FAST
@given(subscripts())
def test_masks_and_index_tensors_cover_the_axes_torch_reads(case: tuple[Any, Any]) -> None:
    shape, key = case
    picked = select(shape, *key)
    if picked is None:
        return
    assert isinstance(picked, tuple)
    covered = sum(k.ndim if k.bool else 1 for k in key if isinstance(k, Indices))
    assert sum(isinstance(p, Indices) for p in picked) == covered
    read = sum(k.ndim if isinstance(k, Indices) and k.bool else 1
               for k in key if k is not None and k is not Ellipsis)
    assert len(picked) <= len(shape) and read <= len(shape)
    for axis, p in enumerate(picked):
        if isinstance(p, int):
            assert 0 <= p < shape[axis]


# ---- RNN502's partners are selections of the fix it offers -----------------------------------

@pytest.mark.parametrize("p", [
    Produced("output", (4, 6, 10), batch_first=True, directions=2, layers=1, hidden=5),
    Produced("output", (6, 4, 10), batch_first=False, directions=2, layers=1, hidden=5),
    Produced("output", (6, 10), batch_first=False, directions=2, layers=1, hidden=5),
])
def test_bidirectional_last_step_partner_is_the_backward_first_step(p: Produced) -> None:
    """`output[..., 0, H:]` beside the flagged last step completes it, in either layout."""
    time = p.time_axis
    assert time is not None
    last = Use.index(*([slice(None)] * time), -1)
    (judged,) = judge_all(p, last)
    assert judged.finding.code == "RNN502"
    first = Use.index(*([slice(None)] * time), 0, Ellipsis, slice(p.hidden, None))
    assert selection(first.key, p.shape) in judged.partners
    assert len(judged.finding.fixes) == 2, "the per-direction fix is kept in every layout"
