"""`_axes` against real torch: after each operation, the axis it names holds the marked axis.

The input is marked along one axis (every entry holds its own position on
that axis), torch runs the operation, and the axis `_axes` gives must carry
the mark whole: position i of it holds i everywhere. None must mean the mark
did not survive as one axis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from rnndoctor import _axes

SHAPE = (5, 3, 7)  # distinct sizes


def marked(shape: tuple[int, ...], axis: int) -> Any:
    view = [1] * len(shape)
    view[axis] = shape[axis]
    return torch.arange(shape[axis]).view(view).expand(shape).clone()


def carries(result: Any, axis: int | None, size: int) -> bool:
    if axis is None or result.shape[axis] != size:
        return False
    moved = result.movedim(axis, 0)
    return all(bool((moved[i] == i).all()) for i in range(size))


CASES: list[tuple[str, Callable[[Any], Any], Callable[[int], int | None]]] = [
    ("permute(2, 0, 1)", lambda x: x.permute(2, 0, 1), lambda a: _axes.permuted((2, 0, 1), 3, a)),
    ("permute(-1, 1, 0)", lambda x: x.permute(-1, 1, 0), lambda a: _axes.permuted((-1, 1, 0), 3, a)),
    ("transpose(0, 1)", lambda x: x.transpose(0, 1), lambda a: _axes.transposed(0, 1, 3, a)),
    ("transpose(1, -1)", lambda x: x.transpose(1, -1), lambda a: _axes.transposed(1, -1, 3, a)),
    ("unsqueeze(0)", lambda x: x.unsqueeze(0), lambda a: _axes.unsqueezed(0, 3, a)),
    ("unsqueeze(-1)", lambda x: x.unsqueeze(-1), lambda a: _axes.unsqueezed(-1, 3, a)),
    ("unsqueeze(2)", lambda x: x.unsqueeze(2), lambda a: _axes.unsqueezed(2, 3, a)),
    ("flatten(1)", lambda x: x.flatten(1), lambda a: _axes.flattened(1, -1, 3, a)),
    ("flatten(0, 1)", lambda x: x.flatten(0, 1), lambda a: _axes.flattened(0, 1, 3, a)),
    ("reshape(5, 21)", lambda x: x.reshape(5, 21), lambda a: _axes.reshaped(SHAPE, (5, 21), a)),
    ("reshape(15, 7)", lambda x: x.reshape(15, 7), lambda a: _axes.reshaped(SHAPE, (15, 7), a)),
    ("view(5, 3, 7, 1)", lambda x: x.view(5, 3, 7, 1), lambda a: _axes.reshaped(SHAPE, (5, 3, 7, 1), a)),
    ("[:, -1]", lambda x: x[:, -1], lambda a: _axes.indexed((slice(None), -1), 3, a)),
    ("[0]", lambda x: x[0], lambda a: _axes.indexed((0,), 3, a)),
    ("[..., 2]", lambda x: x[..., 2], lambda a: _axes.indexed((Ellipsis, 2), 3, a)),
    ("[None, :, 1:]", lambda x: x[None, :, 1:], lambda a: _axes.indexed((None, slice(None), slice(1, None)), 3, a)),
    ("[:, None]", lambda x: x[:, None], lambda a: _axes.indexed((slice(None), None), 3, a)),
]


@pytest.mark.parametrize(("text", "op", "rule"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_the_named_axis_carries_the_mark(text: str, op: Callable[[Any], Any],
                                         rule: Callable[[int], int | None], axis: int) -> None:
    result = op(marked(SHAPE, axis))
    predicted = rule(axis)
    if predicted is None or result.shape[predicted] != SHAPE[axis]:  # a slice cut it: the caller drops it
        assert not any(carries(result, a, SHAPE[axis]) for a in range(result.ndim)), text
    else:
        assert carries(result, predicted, SHAPE[axis]), text


@pytest.mark.parametrize("axis", [0, 1, 2, 3])
def test_squeeze_follows_the_axes_that_remain(axis: int) -> None:
    shape = (5, 1, 7, 1)
    for dims in (None, (1,), (3,), (1, 3)):
        result = marked(shape, axis).squeeze(*(() if dims is None else (dims,)))
        predicted = _axes.squeezed(dims, shape, axis)
        if predicted is None:
            assert shape[axis] == 1
        else:
            assert carries(result, predicted, shape[axis])
