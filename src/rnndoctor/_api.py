"""The public entry points: `check`, `expected_shapes` and `init_hidden`."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from . import _torch
from ._record import replace
from .engine import diagnose
from .report import Report
from .shapes import ExpectedShapes
from .specs import BatchEvidence, Lengths, RnnSpec

__all__ = ["check", "expected_shapes", "init_hidden"]


def check(layer: object, input: object, hx: object = None, *, lengths: object = None,
          batch_size: int | None = None) -> Report:
    """Check one call of a recurrent layer, before (or instead of) running it.

    >>> lstm = nn.LSTM(input_size=50, hidden_size=100)
    >>> report = rnndoctor.check(lstm, (10, 32, 25))   # plain shapes work
    >>> print(report)                                   # the diagnosis, as text
    >>> report.raise_for_errors()                       # or raise it

    Args:
        layer: an `nn.RNN` / `LSTM` / `GRU` / cell, or an `RnnSpec` from `rnndoctor.spec(...)`.
        input: a tensor (real or meta), a `PackedSequence`, or a shape such as `(10, 32, 50)`.
        hx: the initial state as passed to the layer: a tensor, a tuple `(h_0, c_0)`,
            shapes, or None. With a real layer and a real tensor or PackedSequence as
            `input`, `hx` is read as the layer would get it: a tuple of ints is not a shape.
        lengths: the lengths given to `pack_padded_sequence(input, lengths)`, when
            `input` is the padded tensor to be packed.
        batch_size: the batch size the data comes in (a DataLoader's `batch_size`):
            evidence of which axis of `input` is the batch (RNN106).

    Returns:
        A `Report`: truthy when the call is valid. For a real layer and
        tensors, an error is ranked by where its arguments were made, read from
        your code as the post-mortem reads it (the lines that built `input` and
        the states, a DataLoader in scope), and its first fix may edit that line.
    """
    report = _checked(layer, input, hx, lengths, batch_size)
    if report.first is None or not _torch.is_recurrent(layer) or not (
            _torch.is_tensor(input) or _torch.is_packed(input)):
        return report  # shapes were made where they are written
    return _ranked_at_caller(report, layer, sys._getframe(1))


def _checked(layer: object, input: object, hx: object, lengths: object, batch_size: int | None) -> Report:
    plain = lengths is None and batch_size is None
    if plain and not isinstance(layer, RnnSpec) and _torch.is_recurrent(layer):
        return _check_module(layer, input, hx)
    spec = _as_spec(layer)
    live = _torch.backend() if _torch.is_recurrent(layer) else None
    call = _torch.describe_call(spec, input, hx, live)
    if lengths is not None:
        call = replace(call, lengths=_lengths(lengths))
    if batch_size is not None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise TypeError(f"batch_size must be a positive int, got {batch_size!r}")
        call = replace(call, batch=BatchEvidence(batch_size, f"the batch size is {batch_size}"))
    return diagnose(spec, call)


def _ranked_at_caller(report: Report, layer: object, caller: FrameType) -> Report:
    """The report ranked by where its arguments were made, from the frames of the code that called
    `check` (`rnndoctor.provenance`); as it is when rnndoctor called it, or where that fails."""
    from ._files import display, is_library, user_frames

    first = report.first
    if is_library(caller.f_code.co_filename) or first is None or report.spec is None or report.call is None:
        return report
    from ._origins import gather
    from .provenance import with_provenance
    from .rules._base import Bound

    frames = user_frames(caller)
    try:
        bound = Bound(report.spec, report.call)
        guard = sys.modules.get(__package__ + "._runtime.guard")
        history = guard.history(layer) if guard is not None and _torch.is_recurrent(layer) else ()
        found = gather(frames, layer, first, input_batch=None if bound.unbatched else bound.batch,
                       batch_axis=bound.batch_axis, history=history, display=display, via=check)
        return with_provenance(report, found)
    except Exception:  # fewer facts, never an error
        return report
    finally:
        del frames, caller  # no cycle keeps the caller's locals alive


def _check_module(module: Any, input: object, hx: object) -> Report:
    """check() for a real module: the verdict for a seen call signature is looked up, not redone."""
    entry, live = _torch.known(module), _torch.backend()
    signature = (_torch.call_key(input, hx), live)
    report = entry.verdicts.get(signature)
    if report is None:
        if len(entry.verdicts) >= _torch.MAX_VERDICTS:
            entry.verdicts.clear()
        report = entry.verdicts[signature] = diagnose(
            entry.spec, _torch.describe_call(entry.spec, input, hx, live))
    return report


def expected_shapes(
    layer: object, batch: int | None = None, seq_len: int | None = None, unbatched: bool = False
) -> ExpectedShapes:
    """The shapes of `input`, `h_0`, `c_0`, `output`, `h_n` and `c_n` for this layer.

    >>> lstm = nn.LSTM(50, 100, num_layers=2, bidirectional=True, batch_first=True)
    >>> shapes = rnndoctor.expected_shapes(lstm, batch=32, seq_len=10)
    >>> shapes["output"], shapes["h_n"]
    ((32, 10, 200), (4, 32, 100))
    """
    return ExpectedShapes(_as_spec(layer), None if unbatched else batch, seq_len, unbatched)


def init_hidden(layer: Any, input: Any) -> Any:
    """Zero initial states of the right shape, on `input`'s device and dtype.

    Returns a tensor for RNN and GRU and a tuple `(h_0, c_0)` for LSTM; with a
    `PackedSequence` the batch is `batch_sizes[0]`.

    >>> h_0, c_0 = rnndoctor.init_hidden(lstm, x)
    """
    torch = _torch.load_torch()
    spec = _as_spec(layer)
    packed = _torch.is_packed(input)
    data = input.data if packed else input
    if packed:
        batch, unbatched = int(input.batch_sizes[0]), False
    elif spec.is_cell:
        unbatched = data.dim() == 1
        batch = 1 if unbatched else data.shape[0]
    else:
        unbatched = data.dim() == 2
        batch = 1 if unbatched else data.shape[0 if spec.is_batch_first else 1]
    shapes = ExpectedShapes(spec, None if unbatched else batch, None, unbatched)
    states = [torch.zeros(shapes[name], dtype=data.dtype, device=data.device)
              for name in ("h_0", "c_0") if name in shapes]
    return tuple(states) if spec.base == "LSTM" else states[0]


def _as_spec(layer: object) -> RnnSpec:
    if isinstance(layer, RnnSpec):
        return layer
    if _torch.is_recurrent(layer):
        return _torch.known(layer).spec
    raise TypeError(
        f"expected a recurrent layer (nn.RNN, nn.LSTM, nn.GRU or a cell) or rnndoctor.spec(...), "
        f"got {type(layer).__name__}"
    )


def _lengths(value: object) -> Lengths:
    if _torch.is_tensor(value):
        return _torch.describe_lengths(value)
    values: tuple[float, ...] = tuple(value)  # type: ignore[arg-type]
    return Lengths(values, "float32" if any(isinstance(v, float) for v in values) else "int64")
