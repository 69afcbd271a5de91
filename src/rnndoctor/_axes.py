"""Where one axis of a tensor goes through an operation that moves axes without mixing them.

Semantic mode follows the batch axis of the data (RNN106) from where it is
known (a DataLoader batch, a conv feature map) to the recurrent layer that
reads it. Each function takes the operation's arguments as the program gave
them, the tensor's rank or shape, and the axis before; it returns the axis
after, or None where the axis is merged, dropped, or the operation cannot be
read for certain. Torch-free: plain ints and tuples.
"""

from __future__ import annotations

from types import EllipsisType

__all__ = ["flattened", "indexed", "permuted", "reshaped", "squeezed", "transposed", "unsqueezed"]


def _dim(dim: object, ndim: int) -> int | None:
    if isinstance(dim, bool) or not isinstance(dim, int) or not -ndim <= dim < ndim:
        return None
    return dim % ndim


def permuted(dims: tuple[object, ...], ndim: int, axis: int) -> int | None:
    """`x.permute(*dims)`: the position of `axis` in `dims`."""
    normal = [n for n in (_dim(d, ndim) for d in dims) if n is not None]
    if len(dims) != ndim or sorted(normal) != list(range(ndim)):
        return None
    return normal.index(axis)


def transposed(first: object, second: object, ndim: int, axis: int) -> int | None:
    """`x.transpose(first, second)`."""
    a, b = _dim(first, ndim), _dim(second, ndim)
    if a is None or b is None:
        return None
    return b if axis == a else a if axis == b else axis


def unsqueezed(dim: object, ndim: int, axis: int) -> int | None:
    """`x.unsqueeze(dim)`: a new axis of size 1 at `dim` of the result."""
    new = _dim(dim, ndim + 1)
    if new is None:
        return None
    return axis + 1 if new <= axis else axis


def squeezed(dims: tuple[object, ...] | None, shape: tuple[int, ...], axis: int) -> int | None:
    """`x.squeeze()` (every axis of size 1) or `x.squeeze(dims)`."""
    ndim = len(shape)
    if dims is None:
        gone = {d for d, size in enumerate(shape) if size == 1}
    else:
        normal = {_dim(d, ndim) for d in dims}
        if None in normal:
            return None
        gone = {d for d in normal if d is not None and shape[d] == 1}
    if axis in gone:
        return None
    return axis - sum(d < axis for d in gone)


def flattened(start: object, end: object, ndim: int, axis: int) -> int | None:
    """`x.flatten(start, end)`: the axes from `start` to `end` become one."""
    a, b = _dim(start, max(ndim, 1)), _dim(end, max(ndim, 1))
    if a is None or b is None or a > b:
        return None
    if axis < a or a == b:
        return axis
    return axis - (b - a) if axis > b else None


def reshaped(before: tuple[int, ...], after: tuple[int, ...], axis: int) -> int | None:
    """`x.reshape(*after)`, `x.view(*after)`: only when the axes up to `axis`, or from it on,
    are left as they were, so the split is certain."""
    if before[:axis + 1] == after[:axis + 1]:
        return axis
    tail = len(before) - axis
    if len(after) >= tail and before[axis:] == after[len(after) - tail:]:
        return len(after) - tail
    return None


def indexed(key: tuple[object, ...], ndim: int, axis: int) -> int | None:
    """`x[key]`, with `key` as semantic mode reads a subscript: ints, slices, None and `...`.

    A slice keeps its axis (whether it keeps every position is for the caller
    to check against the result's size); advanced indexing is not followed.
    """
    consumed = sum(1 for k in key if k is not None and not isinstance(k, EllipsisType))
    source = result = 0
    for k in key:
        if k is None:
            result += 1
            continue
        if isinstance(k, EllipsisType):
            skipped = ndim - consumed
            if source <= axis < source + skipped:
                return result + axis - source
            source, result = source + skipped, result + skipped
            continue
        if isinstance(k, bool) or not isinstance(k, (int, slice)):
            return None  # advanced indexing
        if source == axis:
            return result if isinstance(k, slice) else None
        source += 1
        result += isinstance(k, slice)
    return result + axis - source if axis >= source else None
