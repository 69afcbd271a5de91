"""Post-mortem diagnosis: explain an uncaught error from the recurrent call it came through.

`install()` chains onto sys.excepthook, threading.excepthook and, under
IPython, the shell's custom exception handler. Nothing runs until an error
goes uncaught: no hooks on modules, no wrappers, no cost on the happy path.
The call is rebuilt from the frames of the traceback: the arguments as
`Module.__call__` received them (torch's `forward` rewrites its own locals),
or the locals of `torch.nn.utils.rnn.pack_padded_sequence`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from types import FrameType, TracebackType
from typing import Any, TextIO

from .. import _api, _origins, _torch
from .._files import display, is_library, is_rnndoctor, library_dirs
from .._record import replace
from ..engine import diagnose
from ..errors import RnnArgumentError, RnnDoctorWarning, is_kept
from ..findings import Location
from ..provenance import with_provenance
from ..render.output import use_color, write_report
from ..render.text import call_summary, render_upstream
from ..report import Report
from ..rules._base import Bound
from ..specs import KINDS, Call, RnnSpec, spec
from . import downstream, notebook
from .delivery import hide_frames, note_text
from .delivery import prefixed as prefixed
from .packed_calls import FUNCTIONS as _PACKING
from .packed_calls import PARAMETERS as _PACKING_PARAMETERS
from .packed_calls import diagnose_packing, lengths_given

__all__ = ["diagnose_exception", "diagnosis_text", "install", "install_for_shell", "set_output", "uninstall"]

Frames = list[tuple[FrameType, int]]  # outermost first, each with the line it is at

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the rnndoctor package
_GUARD_FILE = os.path.join(_HERE, "_runtime", "guard.py")
_CALL_FRAMES = frozenset({"_wrapped_call_impl", "_call_impl", "inner"})
_BATCH_MISMATCH = re.compile(r"Expected input batch_size \((?P<got>\d{1,12})\) to match target "
                             r"batch_size \((?P<want>\d{1,12})\)")  # cross_entropy, nll_loss
MAX_LOCALS = 200  # locals looked at per frame for a model
_MODULE_FILE = os.path.join("nn", "modules", "module.py")
_UTILS_FILE = os.path.join("nn", "utils", "rnn.py")
_PACKING_AT = "torch.nn.utils.rnn."

_lock = threading.Lock()
_active = False
_output = ("text", "never")  # how the hooks write a diagnosis: (format, color); see set_output
_previous: dict[str, Any] = {}  # "sys", "threading": the hooks ours chain onto
_shells: dict[int, tuple[Any, tuple[type[BaseException], ...], Any]] = {}


def install() -> None:
    """Print a diagnosis under the traceback of any uncaught recurrent-layer error.

    >>> rnndoctor.install()
    >>> lstm(x, (h_0, c_0))      # the traceback as usual, then the diagnosis under it

    Chains onto sys.excepthook, threading.excepthook and, under IPython, the
    shell's custom exception handler; costs nothing until an error is uncaught.
    Calling it again does nothing. `rnndoctor.uninstall()` undoes it.
    """
    install_for_shell(_current_shell())


def install_for_shell(shell: Any | None) -> None:
    """`install()`, and attach to this IPython shell too."""
    global _active
    with _lock:
        _active = True
        if sys.excepthook is not _excepthook:
            _previous["sys"], sys.excepthook = sys.excepthook, _excepthook
        if threading.excepthook is not _threading_excepthook:
            _previous["threading"], threading.excepthook = threading.excepthook, _threading_excepthook
        if shell is not None and id(shell) not in _shells:
            _shells[id(shell)] = (shell, shell.custom_exceptions, shell.CustomTB)
            shell.set_custom_exc((Exception, *shell.custom_exceptions), _shell_handler)


def set_output(fmt: str, color: str) -> None:
    """Write the diagnosis as `rnndoctor run --format FMT --color COLOR` asks, until `uninstall()`.

    With "json" the hooks write the report as a JSON document instead of text;
    `color` (auto, always or never) applies to the text. Both go to stderr.
    """
    global _output
    _output = (fmt, color)


def uninstall() -> None:
    """Put back the hooks that `install()` chained onto."""
    global _active, _output
    with _lock:
        _active, _output = False, ("text", "never")
        if sys.excepthook is _excepthook:
            sys.excepthook = _previous.pop("sys")
        if threading.excepthook is _threading_excepthook:
            threading.excepthook = _previous.pop("threading")
        for shell, types, handler in _shells.values():
            shell.custom_exceptions, shell.CustomTB = types, handler
        _shells.clear()


def _current_shell() -> Any | None:
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def _excepthook(etype: type[BaseException], value: BaseException,
                tb: TracebackType | None) -> None:
    hide_frames(value)
    if _active:
        _rank_attached(value)
    _previous.get("sys", sys.__excepthook__)(etype, value, value.__traceback__)
    if _active:
        _write_diagnosis(value, sys.stderr)


def _threading_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        hide_frames(args.exc_value)
        if _active:
            _rank_attached(args.exc_value)
        args = threading.ExceptHookArgs([args.exc_type, args.exc_value,
                                         args.exc_value.__traceback__, args.thread])
    _previous.get("threading", threading.__excepthook__)(args)
    if _active and args.exc_value is not None:
        _write_diagnosis(args.exc_value, sys.stderr)


def _shell_handler(shell: Any, etype: type[BaseException], value: BaseException,
                   tb: TracebackType | None, tb_offset: int | None = None) -> None:
    """IPython's custom exception handler: the usual traceback, then the diagnosis.

    A diagnosis with findings is displayed as rich output (HTML in a notebook,
    its text in a terminal) and held back from the traceback, so it shows once.
    """
    hide_frames(value)
    if _active:
        _rank_attached(value)  # the note put back after the display is the ranked diagnosis
    tb = value.__traceback__
    _, types, handler = _shells.get(id(shell), (None, (), None))
    report = displayed_report(value) if _active else None
    with notebook.held_back(value) if report is not None else contextlib.nullcontext():
        if types and isinstance(value, types):
            handler(etype, value, tb, tb_offset)
        elif issubclass(etype, SyntaxError):
            shell.showsyntaxerror()
        else:
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    if report is not None:
        try:
            notebook.display_report(report)
        except Exception as failure:  # the traceback above stands; say so in one line
            _write(f"rnndoctor: could not display the diagnosis ({type(failure).__name__}); "
                   "the traceback above is unchanged\n", sys.stdout)
    elif _active:
        _write(diagnosis_text(value), sys.stdout)


def displayed_report(exc: BaseException) -> Report | None:
    """The report IPython displays under the traceback: the guard's, or one with findings."""
    if isinstance(exc, RnnArgumentError) or is_kept(exc):
        return _ranked_guard_report(exc)
    if not isinstance(exc, Exception):
        return None
    try:
        found = _diagnose(exc)
    except Exception:  # diagnosis_text says so in one line
        return None
    return found[0] if found is not None and found[0].findings else None


def _write(text: str, stream: TextIO) -> None:
    if text:
        stream.write(text)
        stream.flush()


def _write_diagnosis(exc: BaseException, stream: TextIO) -> None:
    """The diagnosis of an uncaught error, in the format and colour `set_output` chose."""
    fmt, color = _output
    if fmt != "json":
        text = diagnosis_text(exc)
        if text and use_color(color, stream):
            from ..render.colour import colour

            stream.write(colour(text))
            stream.flush()
        else:
            _write(text, stream)
        return
    if not isinstance(exc, Exception):
        return
    try:
        report = diagnose_exception(exc)
    except Exception as failure:
        _write(_failure_note(failure), stream)
        return
    if report is not None:
        write_report(report, fmt="json", file=stream)
        stream.flush()


# ---- the diagnosis ------------------------------------------------------------------------

def diagnosis_text(exc: BaseException) -> str:
    """What the hooks print under the traceback: the diagnosis, a one-line note, or nothing.

    Errors the guard raised already carry their diagnosis (in their message, or
    as a note on torch's exception), which the hooks rank by where the values
    were made before the traceback prints (`_rank_attached`); nothing is then
    added. Otherwise only where the values were made is added, when the
    source shows it.
    If the diagnosis itself fails, a one-line note says so; the traceback above
    it is the original, unchanged.
    """
    if isinstance(exc, RnnArgumentError) or is_kept(exc):
        return _upstream_text(exc)
    if not isinstance(exc, Exception):
        return ""
    try:
        found = _diagnose(exc)
        after = downstream.explained(exc)  # semantic mode saw a layer's result fail downstream
        hint = _semantics_hint(exc) if found is None and after is None else ""
    except Exception as failure:
        return _failure_note(failure)
    if after is not None and (found is None or not found[0].findings):
        return prefixed("\n" + after, rank_prefix())
    if found is None:
        return prefixed(hint, rank_prefix())
    report, where = found
    text = "\n" + str(report) if report.findings else _no_finding(report, where)
    return prefixed(text, rank_prefix())


def _semantics_hint(exc: BaseException) -> str:
    """A batch-size mismatch after a time-major layer: a mix-up only semantic mode can show.

    Fed batch-first data, a time-major layer runs without an error and returns
    one result per step instead of per sample; the mismatch surfaces later, in
    the loss. Only the DataLoader's batch size (semantic mode) tells the axes apart.
    """
    m = _BATCH_MISMATCH.search(str(exc)[:2000])
    if m is None or _semantics_on():
        return ""
    layer = _time_major_layer(traceback_frames(exc.__traceback__))
    if layer is None:
        return ""
    return (f"\nrnndoctor: the loss got {m['got']} rows for {m['want']} labels; `{layer}` is time-major "
            "(batch_first=False), and a batch-first batch into it gives one row per time step; "
            "`rnndoctor run --semantics` compares each call with the DataLoader's batch size\n")


def _semantics_on() -> bool:
    semantics = sys.modules.get("rnndoctor._runtime.semantics")
    return semantics is not None and bool(semantics.here())


def _time_major_layer(frames: Frames) -> str | None:
    """The qualified name of a time-major nn.RNN/LSTM/GRU in a model some frame holds."""
    nn = sys.modules.get("torch.nn")
    if nn is None:
        return None
    for frame, _ in reversed(frames):
        for value in list(frame.f_locals.values())[:MAX_LOCALS]:
            if isinstance(value, nn.Module):
                found = next((path or type(m).__name__ for path, m in value.named_modules()
                              if isinstance(m, nn.RNNBase) and not m.batch_first), None)
                if found is not None:
                    return found
    return None


def _failure_note(failure: Exception) -> str:
    reason = str(failure).splitlines()[0] if str(failure) else ""
    return (f"rnndoctor: could not diagnose this error ({type(failure).__name__}: {reason}); "
            "the traceback above is unchanged\n")


def diagnose_exception(exc: BaseException) -> Report | None:
    """The report for the recurrent call that `exc` came through, or None.

    >>> try:
    ...     model(x)
    ... except RuntimeError as e:
    ...     print(diagnose_exception(e))
    """
    if isinstance(exc, RnnArgumentError) or is_kept(exc):
        return _ranked_guard_report(exc)
    found = _diagnose(exc)
    return found[0] if found is not None else None


def _rank_attached(exc: BaseException) -> None:
    """Before an uncaught guard error prints: its diagnosis, ranked by where the values were made.

    The guard's own error renders its `.report` as its message, and torch's
    kept exception carries it as a note; both then show the ranked report, and
    `diagnosis_text` adds nothing under it (the diagnosis shows once). A kept
    exception without its note (under pytest) is left as it is. If ranking
    fails, the diagnosis judged at the call stands.
    """
    if not (isinstance(exc, RnnArgumentError) or is_kept(exc)):
        return
    try:
        report: Report = exc.report  # type: ignore[attr-defined]
        ranked = _ranked_guard_report(exc)
        if ranked is report:
            return
        prefix = getattr(exc, "prefix", "")
        notes = getattr(exc, "__notes__", None)
        if isinstance(notes, list) and note_text(report, prefix) in notes:
            notes[notes.index(note_text(report, prefix))] = note_text(ranked, prefix)
        elif is_kept(exc):  # no note (under pytest): `diagnosis_text` adds the origins instead
            return
        exc.report = ranked  # type: ignore[attr-defined]
    except Exception:
        return


def _ranked_guard_report(exc: BaseException) -> Report:
    """The guard's report, ranked by where its arguments were made (read from the traceback).

    `exc` is the guard's own error or torch's exception that it kept
    (`errors.keep`); either carries the report judged at the call. The guard
    reads no frame's locals while the program runs: on Python before 3.13 that
    would keep the frame's tensors alive. Once the error is uncaught, its frames
    have finished and reading them is free.
    """
    report: Report = exc.report  # type: ignore[attr-defined]
    if report.first is not None and (report.first.location.module_repr or "").startswith(_PACKING_AT):
        return report  # a packing call: ranked where it was judged, from the source alone
    try:
        found = _diagnose(exc)
    except Exception:
        return report
    first, at_call = (found[0].first if found else None), report.first
    if first is None or at_call is None or first.code != at_call.code or (
            (first.arguments, first.notes, first.fixes) == (at_call.arguments, at_call.notes, at_call.fixes)):
        return report
    return replace(report, findings=tuple(replace(f, arguments=first.arguments, notes=first.notes,
                                                  fixes=first.fixes) if f is at_call else f
                                          for f in report.findings))


def _upstream_text(exc: BaseException) -> str:
    """What provenance adds to the diagnosis the guard's error carries: the evidence and the fixes upstream.

    The diagnosis itself is in the error's message or note already, and is not repeated.
    """
    try:
        ranked = _ranked_guard_report(exc).first
    except Exception:
        return ""
    at_call = exc.report.first  # type: ignore[attr-defined]
    if ranked is None or at_call is None or ranked is at_call:
        return ""
    return prefixed(render_upstream(ranked, at_call), rank_prefix())


def _no_finding(report: Report, where: Location) -> str:
    layer = ": ".join(p for p in (where.module_path and f"`{where.module_path}`",
                                  where.module_repr) if p)
    call = f" with {call_summary(report.call)}" if report.call is not None else ""
    return f"\nrnndoctor: no argument error found in the call to {layer}{call}\n"


def _diagnose(exc: BaseException) -> tuple[Report, Location] | None:
    for error in _exception_chain(exc):
        frames = traceback_frames(error.__traceback__)
        found = _call_in(frames)
        if found is not None:
            return found
    return None


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The error, then what caused it (`raise ... from`, or an error while handling one)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)


def traceback_frames(tb: TracebackType | None) -> Frames:
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _call_in(frames: Frames) -> tuple[Report, Location] | None:
    """The innermost recurrent call (or packing) in the traceback, diagnosed."""
    for i in range(len(frames) - 1, -1, -1):
        frame = frames[i][0]
        if _in_torch_file(frame, _UTILS_FILE) and frame.f_code.co_name in _PACKING:
            while i and _in_torch_file(frames[i - 1][0], _UTILS_FILE) and frames[i - 1][0].f_code.co_name in _PACKING:
                i -= 1  # pack_sequence pads and packs: the call the program made
            found = _packing_call(frames[i][0], frames[: i + 1])
            if found is not None:
                return found
            continue
        module = frame.f_locals.get("self")
        if _torch.is_recurrent(module) and frame.f_code.co_name == "__init__":
            return _construction(module, frames[: i + 1])
        if _torch.is_recurrent(module):
            input, hx = _arguments(module, frames[: i + 1])
            checked = _api.check(module, input, hx)
            where = _locate(module, frames[: i + 1], None, checked.spec)
            report = relocated(checked, where)
            return with_origins(report, module, frames[: i + 1], _guard_history(module)), where
    return None


def _arguments(module: Any, frames: Frames) -> tuple[object, object]:
    """`input` and `hx` as the layer received them, from the innermost frame that kept them."""
    for frame, _ in reversed(frames):
        local = frame.f_locals
        if local.get("self") is not module:
            continue
        if frame.f_code.co_filename == _GUARD_FILE and "input" in local:
            return local["input"], local.get("hx")
        if _is_call_frame(frame):
            args, kwargs = local.get("args", ()), local.get("kwargs") or {}
            return _bind(tuple(args), dict(kwargs))
    forward = next(f.f_locals for f, _ in reversed(frames) if f.f_locals.get("self") is module)
    return forward.get("orig_input", forward.get("input")), forward.get("hx")


def _construction(module: Any, frames: Frames) -> tuple[Report, Location]:
    """A layer whose constructor failed: its arguments, as the outermost `__init__` received them.

    nn.RNN, nn.LSTM and nn.GRU take `*args, **kwargs`; the cells name their
    parameters. The constructor rules (RNN3xx) judge them, and the user's line
    that built the layer shows the expression behind a bad value.
    """
    inits = [f for f, _ in frames if f.f_code.co_name == "__init__" and f.f_locals.get("self") is module]
    local = inits[0].f_locals
    kind = next(c.__name__ for c in type(module).__mro__ if c.__name__ in KINDS)
    if "args" in local and "kwargs" in local:
        layer = spec(kind, *local["args"], **local["kwargs"])
    else:
        names = inits[0].f_code.co_varnames[1:inits[0].f_code.co_argcount]
        layer = spec(kind, **{n: local[n] for n in names if n not in ("device", "dtype")})
    where = Location(module_repr=repr(layer), call_site=call_site(frames))
    report = diagnose(layer, None, where)
    user = [(f, line) for f, line in frames if not is_library(f.f_code.co_filename)]
    if not user or report.first is None:
        return report, where
    return with_provenance(report, _origins.constructor(user[-1], report.first, display)), where


def _bind(args: tuple[object, ...], kwargs: dict[str, object]) -> tuple[object, object]:
    input = args[0] if args else kwargs.get("input")
    hx = args[1] if len(args) > 1 else kwargs.get("hx")
    return input, hx


def _packing_call(frame: FrameType, frames: Frames) -> tuple[Report, Location] | None:
    """A packing function's call, from its frame: `pack_padded_sequence` checked against the
    layer nearby, if any; otherwise judged alone, as the guard judges it (`packed_calls`)."""
    name, local = frame.f_code.co_name, frame.f_locals
    layer = _layer_near(frames) if name == "pack_padded_sequence" else None
    if layer is not None:
        return _packing(layer, local, frames)
    where = _locate(None, frames, name)
    user = [(f, line) for f, line in frames if not is_library(f.f_code.co_filename)]
    args = tuple(local.get(p) for p in _PACKING_PARAMETERS[name])
    report = diagnose_packing(name, args, where, user, display)
    return None if report is None else (report, where)


def _packing(layer: Any, local: dict[str, Any], frames: Frames) -> tuple[Report, Location] | None:
    """`pack_padded_sequence(input, lengths, ...)`, checked against the layer nearby.

    Lengths whose values cannot be read (meta, fake) are judged by their
    count, rank and device only.
    """
    spec = _torch.spec_from_module(layer)
    call = _torch.describe_call(spec, local["input"], None)
    read = lengths_given(local["lengths"], bool(local.get("enforce_sorted", True)))
    if read is None:
        return None
    where = _locate(layer, frames, None)
    return diagnose(spec, Call(call.input, None, read), where), where


def _layer_near(frames: Frames) -> Any | None:
    """The one recurrent layer of the innermost model in the traceback, if it has just one."""
    for frame, _ in reversed(frames):
        owner: Any = frame.f_locals.get("self")
        if _is_module(owner):
            layers = [m for m in owner.modules() if _torch.is_recurrent(m)]
            return layers[0] if len(layers) == 1 else None
    return None


def _locate(module: Any | None, frames: Frames, function: str | None, layer_spec: RnnSpec | None = None) -> Location:
    """Where the call was: the layer's path and constructor (`layer_spec`, if known), and the user's line."""
    if module is None:
        return Location(module_repr=f"torch.nn.utils.rnn.{function}", call_site=call_site(frames))
    return Location(module_path=module_path(module, [f for f, _ in frames]),
                    module_repr=repr(layer_spec or _torch.known(module).spec), call_site=call_site(frames))


def _guard_history(module: Any) -> tuple[tuple[int, int], ...]:
    """The batches the guard saw this layer run with, when a guard has been on (`rnndoctor run`)."""
    guard = sys.modules.get(__package__ + ".guard")
    return guard.history(module) if guard is not None else ()


def with_origins(report: Report, module: Any, frames: Frames,
                 history: tuple[tuple[int, int], ...]) -> Report:
    """The report ranked by where its first error's arguments were made (`rnndoctor.provenance`).

    Read after the failure from the user's frames in `frames` (outermost first)
    and their source; a failure here leaves the report as it was.
    """
    first = report.first
    if first is None or report.spec is None or report.call is None:
        return report
    try:
        bound = Bound(report.spec, report.call)
        batch = None if bound.unbatched else bound.batch
        user = [(f, line) for f, line in frames if not is_library(f.f_code.co_filename)]
        found = _origins.gather(user, module, first, input_batch=batch,
                                batch_axis=bound.batch_axis, history=history, display=display)
        return with_provenance(report, found)
    except Exception:
        return report


# ---- where: the layer's name, the user's line, the rank ------------------------------------

def relocated(report: Report, where: Location) -> Report:
    """The report with every finding placed at `where`."""
    return replace(report, findings=tuple(replace(f, location=where) for f in report.findings))


def module_path(module: Any, frames: list[FrameType]) -> str | None:
    """The layer's qualified name in the outermost model on the stack (`encoder.rnn`).

    Only torch's `Module.__call__` frames are read: reading the locals of a
    frame that is still running (the user's training loop) would keep its
    tensors alive.
    """
    for frame in frames:
        if not _is_call_frame(frame):
            continue
        owner: Any = frame.f_locals.get("self")
        if owner is module or not _is_module(owner):
            continue
        path: str | None = next((name for name, m in owner.named_modules() if m is module), None)
        if path:
            return path
    return None


def _is_call_frame(frame: FrameType) -> bool:
    """A frame of `Module.__call__` (or the functions it runs the call in)."""
    return frame.f_code.co_name in _CALL_FRAMES and _in_torch_file(frame, _MODULE_FILE)


def call_site(frames: Frames) -> str | None:
    """`file:line` of the innermost frame outside torch and rnndoctor."""
    for frame, line in reversed(frames):
        filename = frame.f_code.co_filename
        if not is_library(filename):
            return f"{display(filename)}:{line}"
    return None


def _in_torch_file(frame: FrameType, tail: str) -> bool:
    filename = frame.f_code.co_filename
    return filename.endswith(os.sep + tail) and filename.startswith(library_dirs()[1:])


def _is_module(value: object) -> bool:
    nn = sys.modules.get("torch.nn")
    return nn is not None and isinstance(value, nn.Module)


def rank_prefix() -> str:
    """`[rank 1] ` in an initialised torch.distributed process; empty otherwise."""
    dist = sys.modules.get("torch.distributed")
    if dist is None or not dist.is_available() or not dist.is_initialized():
        return ""
    return f"[rank {dist.get_rank()}] "


def user_frames() -> list[tuple[FrameType, int]]:
    """The live stack, outermost first, as (frame, line) pairs, up to rnndoctor's frames."""
    frames = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and is_rnndoctor(frame.f_code.co_filename):
        frame = frame.f_back
    while frame is not None:
        frames.append((frame, frame.f_lineno))
        frame = frame.f_back
    return frames[::-1]


def warn(message: str) -> None:
    text = prefixed(message, rank_prefix())
    warnings.warn(text, RnnDoctorWarning, stacklevel=user_stacklevel())


def user_stacklevel() -> int:
    """The stacklevel that points `warnings` at the user's line, past torch and rnndoctor."""
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and is_library(frame.f_code.co_filename):
        level, frame = level + 1, frame.f_back
    return level
