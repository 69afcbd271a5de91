"""The guard at torch's packing calls: each is judged at the line that makes it.

`pack_padded_sequence`, `pack_sequence`, `pad_packed_sequence` and
`pad_sequence` are plain Python functions of `torch.nn.utils.rnn`. While any
guard is active, each of these function objects runs another code object (its
`__code__` is replaced; the module's attribute is left alone). So a name the
program bound before the guard started (`from torch.nn.utils.rnn import
pack_padded_sequence`) is checked too. The new code reaches this module
through one private name it adds to `torch.nn.utils.rnn`, `_rnndoctor_checked`. The new code calls a copy of torch's
function first, unchanged, and then:

- where torch raises, the call is diagnosed from its arguments with the
  packing rules (RNN401-RNN414), and torch's exception goes through with the
  diagnosis added (`delivery.kept`);
- where torch returns, constant-time checks look for what torch 2.13 accepts
  wrongly: a PackedSequence with more steps than the padded input (lengths
  beyond it), fewer lengths than sequences with `enforce_sorted=False`,
  fractional float lengths, batch sizes that sum to fewer rows than the data,
  sequences whose trailing shapes or dtypes differ. What they find is
  diagnosed and raised as rnndoctor's error, as the guard does for a layer's
  silent errors. Float lengths of whole numbers, which torch packs right, are
  diagnosed once per line of the program, for RNN407's warning.

A valid call reads no tensor's values, except float lengths (torch reads them too). Values that cannot be read (meta and
fake tensors, lengths on another device) give fewer facts, never an error;
a failure of the diagnosis itself lets torch's exception through unchanged.
Under Dynamo or `torch.jit.trace`, and inside another packing call
(`pack_sequence` pads, then packs), torch's copy runs unchecked. While
patched, `inspect.signature` and `inspect.getsource` find torch's function
through `__wrapped__`.
"""

from __future__ import annotations

import inspect
import numbers
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

from .. import _torch
from .._files import display, is_library
from .._record import replace
from ..findings import Location
from ..render.text import render_finding
from ..report import Report
from . import delivery, postmortem
from .packed_calls import diagnose_packing

__all__ = ["checked", "patch", "unpatch"]


# The code each function runs while patched: same parameters, no free variables, and one call
# into this module through `_rnndoctor_checked`, a name `patch` adds to torch's module (the
# code runs with its globals). It stays there: a call that started before `unpatch` still
# finds it, and reaches torch's own code.
def pack_padded_sequence(input: Any, lengths: Any, batch_first: Any = False,
                         enforce_sorted: Any = True) -> Any:
    __tracebackhide__ = True
    return _rnndoctor_checked(
        "pack_padded_sequence", input, lengths, batch_first, enforce_sorted)


def pack_sequence(sequences: Any, enforce_sorted: Any = True) -> Any:
    __tracebackhide__ = True
    return _rnndoctor_checked(
        "pack_sequence", sequences, enforce_sorted)


def pad_packed_sequence(sequence: Any, batch_first: Any = False, padding_value: Any = 0.0,
                        total_length: Any = None) -> Any:
    __tracebackhide__ = True
    return _rnndoctor_checked(
        "pad_packed_sequence", sequence, batch_first, padding_value, total_length)


def pad_sequence(sequences: Any, batch_first: Any = False, padding_value: Any = 0.0,
                 padding_side: Any = "right") -> Any:
    __tracebackhide__ = True
    return _rnndoctor_checked(
        "pad_sequence", sequences, batch_first, padding_value, padding_side)


_TEMPLATES: dict[str, Callable[..., Any]] = {
    "pack_padded_sequence": pack_padded_sequence, "pack_sequence": pack_sequence,
    "pad_packed_sequence": pad_packed_sequence, "pad_sequence": pad_sequence,
}


class _Patched:
    """torch's function object, the code it had, and a copy of it that runs that code."""

    def __init__(self, function: types.FunctionType) -> None:
        self.function = function
        self.code = function.__code__
        self.copy = types.FunctionType(function.__code__, function.__globals__, function.__name__,
                                       function.__defaults__, function.__closure__)
        self.copy.__kwdefaults__ = function.__kwdefaults__
        self.copy.__qualname__ = function.__qualname__
        self.copy.__doc__ = function.__doc__
        self.copy.__module__ = function.__module__
        self.copy.__annotations__ = dict(function.__annotations__)


_patched: dict[str, _Patched] = {}
_copies: dict[str, Callable[..., Any]] = {}  # torch's code, kept for calls that outlive the patch
_skip: list[Callable[[], bool]] = []  # torch.compiler.is_compiling, and whether torch.jit traces
_here = threading.local()  # .busy: a packing call of this thread is running
_warned: set[tuple[str, str | None]] = set()
_diagnosed_at: set[tuple[types.CodeType, int]] = set()  # lines whose whole-number float lengths were judged


def patch() -> None:
    """Check the four functions at every call; the guard calls it with its lock held."""
    if _patched:
        return
    torch = _torch.load_torch()
    rnn = sys.modules["torch.nn.utils.rnn"]
    for name, template in _TEMPLATES.items():
        function = rnn.__dict__.get(name)
        if not isinstance(function, types.FunctionType) or not _same_parameters(function, template):
            continue  # another torch: its own function runs, unchecked
        entry = _Patched(function)
        _copies.setdefault(name, entry.copy)
        function.__code__ = template.__code__
        function.__wrapped__ = entry.copy  # type: ignore[attr-defined]
        _patched[name] = entry
    rnn.__dict__["_rnndoctor_checked"] = checked
    _skip[:] = [torch.compiler.is_compiling, torch._C._is_tracing]
    _torch.never_compiled(checked.__code__)


def unpatch() -> None:
    """Put torch's code back."""
    for name, entry in list(_patched.items()):
        if entry.function.__code__ is _TEMPLATES[name].__code__:
            entry.function.__code__ = entry.code
            entry.function.__dict__.pop("__wrapped__", None)
        del _patched[name]


def _same_parameters(function: types.FunctionType, template: Callable[..., Any]) -> bool:
    if function.__closure__:
        return False
    ours = [(p.name, p.kind, p.default) for p in inspect.signature(template).parameters.values()]
    theirs = [(p.name, p.kind, p.default) for p in inspect.signature(function, follow_wrapped=False)
              .parameters.values()]
    return ours == theirs


def checked(name: str, *args: Any) -> Any:
    """torch's `name(*args)`, with its failure diagnosed, or what it accepts wrongly raised."""
    __tracebackhide__ = True
    original = _copies[name]
    if name not in _patched or _skip[0]() or _skip[1]() or getattr(_here, "busy", False):
        return original(*args)
    if name == "pad_packed_sequence" and _may_crash(*args):  # not run: torch may free bad memory
        report = _safely(name, args, ran=False)
        if report is not None:
            raise delivery.own(report, postmortem.rank_prefix())
    _here.busy = True
    error: Exception | None = None
    try:
        result = original(*args)
    except Exception as caught:
        report = _safely(name, args, ran=True)
        if report is None:
            raise
        error = delivery.kept(caught, report, postmortem.rank_prefix())
    finally:
        _here.busy = False
    if error is not None:
        try:
            raise error
        finally:
            del error  # the traceback holds this frame: no cycle keeps the call's tensors alive
    wrong = _maybe_wrong(name, args, result)
    if wrong is None:  # whole-number float lengths: a warning, given once per line
        wrong = _first_at(sys._getframe(1).f_back)
    if wrong:
        report = _safely(name, args, ran=False)
        if report is not None:
            raise delivery.own(report, postmortem.rank_prefix())
    return result


def _safely(name: str, args: tuple[Any, ...], ran: bool) -> Report | None:
    """The report of an invalid packing call, placed at the user's line; None: no error, or ours failed.

    `ran`: torch ran the call and raised; otherwise torch raises nothing here.
    """
    try:
        frames = postmortem.user_frames()
        where = Location(module_repr=f"torch.nn.utils.rnn.{name}", call_site=postmortem.call_site(frames))
        user = [(f, line) for f, line in frames if not is_library(f.f_code.co_filename)]
        report = diagnose_packing(name, args, where, user, display)
        if report is not None and not ran:
            report = replace(report, findings=tuple(replace(f, raises=None) for f in report.findings))
    except Exception:  # ours: torch's error, or its result, stands
        return None
    if report is None:
        return None
    _warn(report)
    return report if report.first is not None else None


def _may_crash(sequence: Any, batch_first: Any, padding_value: Any, total_length: Any) -> bool:
    """Batch sizes that rise, or fall below 1 before the last step, given to torch's kernel: torch
    2.13 can corrupt its heap on them ([2, 1, 2] over 5 rows, [3, 0, 3], [2, -1] abort the process).

    A call that fails before the kernel (a field that is no tensor, `batch_first` that is no bool,
    a `total_length` that is short or no int) is left to raise torch's own error.
    """
    try:
        if not (_torch.is_tensor(sequence.data) and _torch.is_tensor(sequence.batch_sizes)
                and isinstance(batch_first, bool)):
            return False
        sizes = sequence.batch_sizes.tolist()
    except Exception:  # not a PackedSequence, or unreadable: torch's own checks run
        return False
    if total_length is not None and not _reaches_kernel(total_length, len(sizes)):
        return False
    return (any(n < 0 for n in sizes) or any(n <= 0 for n in sizes[:-1])
            or any(b > a for a, b in zip(sizes, sizes[1:])))


def _reaches_kernel(total_length: Any, steps: int) -> bool:
    """`total_length` passes `pad_packed_sequence`'s comparison and its kernel's argument parser."""
    if isinstance(total_length, bool) or not (isinstance(total_length, numbers.Integral) or (
            _torch.is_tensor(total_length) and total_length.dim() == 0 and not total_length.is_floating_point())):
        return False
    try:
        return bool(total_length >= steps)
    except Exception:  # unreadable
        return False


def _warn(report: Report) -> None:
    for finding in report.warnings:
        key = (finding.code, finding.location.call_site)
        if key not in _warned and len(_warned) < 1024:
            _warned.add(key)
            postmortem.warn(render_finding(finding).rstrip("\n"))


# ---- what torch accepts wrongly, in constant time ----------------------------------------

def _maybe_wrong(name: str, args: tuple[Any, ...], result: Any) -> bool | None:
    """A few attribute reads on a valid call: does the call need the full diagnosis?

    None: only if this line has not been diagnosed yet; its float lengths are
    whole numbers, which torch packs right (RNN407 warns once).
    """
    try:
        if name == "pack_padded_sequence":
            input, lengths, batch_first, enforce_sorted = args
            if result.batch_sizes.shape[0] > input.shape[1 if batch_first else 0]:
                return True
            if not enforce_sorted and len(lengths) < input.shape[0 if batch_first else 1]:
                return True
            return (True if _fractional(lengths) else None) if _float_lengths(lengths) else False
        if name == "pad_packed_sequence":
            sequence = args[0]
            return bool(sum(sequence.batch_sizes.tolist()) != sequence.data.shape[0])
        sequences = args[0]
        if _torch.is_tensor(sequences) or not sequences:
            return False
        return _differ(sequences)
    except Exception:  # unreadable (fake or meta values): nothing more is known
        return False


def _differ(sequences: Any) -> bool:
    """Whether a sequence has another dtype or trailing shape than the first one.

    Written out for speed: `shape[1:]` of a tensor costs 1.5 µs, its dtype, `dim()`
    and one size a tenth of that.
    """
    first = sequences[0]
    dtype, ndim, shape = first.dtype, first.dim(), first.shape
    last = shape[-1]
    for sequence in sequences:
        if sequence.dtype is not dtype or sequence.dim() != ndim:
            return True
        if ndim > 1 and sequence.shape[-1] != last:
            return True
        if ndim > 2 and sequence.shape[1:] != shape[1:]:
            return True
    return False


def _float_lengths(lengths: Any) -> bool:
    if _torch.is_tensor(lengths):
        return bool(lengths.is_floating_point())
    return any(isinstance(v, float) for v in lengths)


def _fractional(lengths: Any) -> bool:
    """Float lengths that torch truncates (RNN407); reads their values, which torch read too.

    `tolist()` and a loop cost less than tensor operations on the few lengths of a batch.
    """
    values = lengths.tolist() if _torch.is_tensor(lengths) else lengths
    return any(v != int(v) for v in values)


def _first_at(frame: types.FrameType | None) -> bool:
    """Whether the user's line that made this packing call is seen here for the first time."""
    if frame is None:
        return True
    key = (frame.f_code, frame.f_lineno)
    if key in _diagnosed_at:
        return False
    if len(_diagnosed_at) < 1024:
        _diagnosed_at.add(key)
    return True


_rnndoctor_checked = checked  # the name the patched code calls, in torch's module once patched
