"""The guard: check each recurrent call before torch runs it.

>>> with rnndoctor.guard(model):       # the recurrent layers inside `model`
...     model(x)                       # an invalid call raises torch's error, diagnosed
>>> with rnndoctor.guard():            # every recurrent layer in the process
...     train()
>>> rnndoctor.watch(model)             # until rnndoctor.unwatch(model)

How it stays cheap: while any guard is active, the `forward` of nn.RNN,
nn.LSTM, nn.GRU and the three cells is replaced, once per class, by a version
that looks the call up before calling the original. The lookup key is the
call signature (shapes, dtypes, devices, the structure of `hx`) plus the
layer's configuration and weight dtype and device, so a signature seen before
costs a dictionary lookup; the full engine runs only on a new one. No hooks
are registered on modules, and nothing holds a tensor once a call returns.

While any guard is active, the packing functions of `torch.nn.utils.rnn` are
checked at their calls too (`packing`).

A call judged invalid runs in `_judged`. Where torch raises for it, torch runs
it and its exception goes through with the diagnosis added (`delivery`);
where torch would crash or run on silently, rnndoctor raises its own
RnnArgumentError instead of running it.

Under torch.compile the check steps aside while Dynamo traces (the compiled
graph is what it would be without the guard). Dynamo does not trace nn.RNN,
nn.LSTM and nn.GRU by default: it runs them eagerly, where they are checked
as usual. TorchScript modules (torch.jit.script or trace) are skipped.
Inside torch.autocast the guard does not check: torch skips its own dtype
checks there and casts, so the rules' dtype verdicts do not hold; torch's
errors and the post-mortem still apply.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import threading
import types
import warnings
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .. import _torch as _boundary
from .._record import replace
from ..errors import RnnDoctorWarning
from ..findings import Finding, Location, Severity
from ..render.text import render_finding
from ..report import Report
from ..rules._base import Bound
from . import delivery as _delivery
from . import packing as _packing
from . import postmortem as _postmortem
from . import semantics as _semantics

if TYPE_CHECKING:
    from torch import nn

__all__ = ["Guard", "RnnDoctorWarning", "guard", "unwatch", "watch"]

F = TypeVar("F", bound=Callable[..., Any])
G = TypeVar("G", bound="Guard")

MAX_SIGNATURES = 1024  # per module; past this the verdicts are forgotten and relearned
CLASSES = ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell")
_UNSEEN = object()



@dataclass(eq=False)
class _Watched:
    """What the guard keeps per module: its verdicts by call signature, and its name."""

    path: str | None = None  # the qualified name within the watched model
    watchers: int = 0  # watch() calls not yet undone
    # per call signature: an error's Report, or for a valid one [calls, batch], counted in place
    verdicts: dict[Hashable, Report | list[int]] = field(default_factory=dict)
    finalizer: weakref.finalize[Any, Any] | None = None


class _Registry:
    """The guard's process-wide state; the patched forwards read it without a lock."""

    def __init__(self) -> None:
        self.states: dict[int, _Watched] = {}  # by id(module); dropped when the module dies
        self.everywhere = 0  # active guard() calls without a model
        self.originals: dict[type, Callable[..., Any]] = {}
        self.lock = threading.RLock()

    @property
    def active(self) -> bool:
        return bool(self.everywhere or any(s.watchers for s in self.watched()))

    def watched(self) -> list[_Watched]:
        """The states now: other threads add to `states` without the lock, and GC drops from it."""
        return list(self.states.copy().values())


_registry = _Registry()
_noted_scripted = False
_warned: dict[tuple[str, str, str | None], Finding] = {}  # for `run --report-json`; see warned()


class Guard(contextlib.ContextDecorator):
    """An active guard while inside `with`, or while a decorated function runs."""

    def __init__(self, model: Any = None, semantics: bool = False) -> None:
        if model is not None and not _is_module(model):
            raise TypeError(f"guard() takes an nn.Module or nothing, got {type(model).__name__}")
        self._model = model
        self._semantics = semantics
        self._modes: list[Any] = []  # one per nested entry, for the decorator form

    def __call__(self, func: F) -> F:
        """Decorate `func`; a generator function is guarded while its body runs, not at creation."""
        if not inspect.isgeneratorfunction(func):
            return super().__call__(func)

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            with self._recreate_cm():
                return (yield from func(*args, **kwargs))
        return guarded  # type: ignore[return-value]

    def __enter__(self: G) -> G:
        if self._model is None:
            start_everywhere()
        else:
            watch(self._model)
        if self._semantics:
            self._modes.append(_semantics.start())
        return self

    def __exit__(self, *exc: object) -> None:
        if isinstance(exc[1], BaseException):
            _delivery.hide_frames(exc[1])
        try:
            if self._semantics:
                _semantics.stop(self._modes.pop())
        finally:
            if self._model is None:
                stop_everywhere()
            else:
                unwatch(self._model)


@overload
def guard(model: nn.Module | None = None, *, semantics: bool = False) -> Guard: ...
@overload
def guard(model: F) -> F: ...
def guard(model: Any = None, *, semantics: bool = False) -> Any:
    """Check every recurrent call before torch runs it; diagnose the invalid ones.

    >>> with rnndoctor.guard(model):         # the recurrent layers inside `model`
    ...     model(x)
    >>> with rnndoctor.guard():              # every recurrent layer, for the duration
    ...     model(x)
    >>> @rnndoctor.guard                     # for each call of `train`
    ... def train(): ...

    Where torch raises for an invalid call, the program gets torch's exception:
    its type (a subclass of it that is also `RnnArgumentError`, with `.report`),
    `args` and message, with the diagnosis added as a note (as a section of
    the failing test's report under pytest). Where torch would crash or run on
    silently, the guard raises `RnnArgumentError`, also an instance of the
    exception type torch raises for such calls, without running the call. The
    diagnosis names the layer by its path in the model (`encoder.rnn`).
    Warnings are issued as `RnnDoctorWarning`,
    once per layer and call signature. A note (RNN311: a flag the layer's
    construction passed by position, where its source is readable) is never
    issued alone: it is part of the diagnosis of the layer's invalid calls,
    and follows each warning about its calls. Valid calls run unchanged: same outputs, same gradients. Under
    torch.compile, layers that Dynamo traces run unchecked, and those it runs
    eagerly (nn.RNN, nn.LSTM and nn.GRU, by default) are checked.

    With `semantics=True`, the guard also follows what nn.RNN, nn.LSTM and
    nn.GRU return, and warns (RnnDoctorWarning, codes RNN5xx) where the
    program uses it in a way that runs but computes the wrong thing:
    `output[-1]` of a batch-first layer, `h_n[-1]` alone of a bidirectional
    one, `output.view(N, L, -1)` where `transpose` was meant, and the like.
    It costs a TorchFunctionMode over the `with` block, in this thread; see
    `rnndoctor rules` for the patterns.

    Args:
        model: an nn.Module; without it, every recurrent layer in the process is checked.
            A plain function is decorated, as `@rnndoctor.guard` with no parentheses.
        semantics: also warn about uses of the layers' results that compute the wrong thing.
    """
    if isinstance(model, (types.FunctionType, types.MethodType)):
        return Guard()(model)
    return Guard(model, semantics)


def watch(model: Any) -> None:
    """Guard the recurrent layers inside `model` until `unwatch(model)`.

    >>> rnndoctor.watch(model)
    >>> model(x)                 # checked
    >>> rnndoctor.unwatch(model)
    """
    from .._lint.runtime import owned

    layers = _recurrent_layers(model)
    with _registry.lock:
        for path, layer in layers:
            owned(model, path, layer)  # where its construction is read from (RNN311), once
            state = _state_for(layer)
            state.watchers += 1
            state.path = path or None
        _patch()


def unwatch(model: Any) -> None:
    """Undo one `watch(model)`; the guard leaves `model` when every watch is undone."""
    layers = _recurrent_layers(model)
    with _registry.lock:
        try:
            for _, layer in layers:
                state = _registry.states.get(id(layer))
                if state is not None and state.watchers:
                    state.watchers -= 1
                    if not state.watchers and not _registry.everywhere:
                        _forget(id(layer))
        finally:
            _settle()


def start_everywhere() -> None:
    """Turn on the process-wide guard (what `guard()` does on entry)."""
    with _registry.lock:
        _registry.everywhere += 1
        _patch()


def stop_everywhere() -> None:
    """Undo one `start_everywhere()`."""
    with _registry.lock:
        _registry.everywhere = max(0, _registry.everywhere - 1)
        try:
            if not _registry.everywhere:
                for key, state in _registry.states.copy().items():
                    if not state.watchers:
                        _forget(key)
        finally:
            _settle()


def _settle() -> None:
    """Put torch's own forwards back once no guard is active."""
    if not _registry.active:
        _unpatch()


def _recurrent_layers(model: Any) -> list[tuple[str, Any]]:
    if not _is_module(model):
        raise TypeError(f"expected an nn.Module, got {type(model).__name__}")
    torch = _torch()
    found = []
    for path, module in model.named_modules():
        if isinstance(module, torch.jit.ScriptModule):
            _note_scripted(path or getattr(module, "original_name", type(module).__name__))
        elif isinstance(module, (torch.nn.RNNBase, torch.nn.RNNCellBase)):
            found.append((path, module))
    return found


def _note_scripted(path: str) -> None:
    global _noted_scripted
    if not _noted_scripted:
        _noted_scripted = True
        warnings.warn(f"rnndoctor.guard skips TorchScript modules such as `{path}`; their "
                      "calls run unchecked (this note is shown once)", RnnDoctorWarning,
                      stacklevel=_postmortem.user_stacklevel())


def _state_for(module: Any) -> _Watched:
    key = id(module)
    state = _registry.states.get(key)
    if state is None:
        state = _registry.states.setdefault(key, _Watched())
        if state.finalizer is None:
            state.finalizer = weakref.finalize(module, _dropped, key)
    return state


def _dropped(key: int) -> None:
    """A watched module died: forget it, and put torch's forwards back if it was the last."""
    with _registry.lock:
        _registry.states.pop(key, None)
        _settle()


def _forget(key: int) -> None:
    state = _registry.states.pop(key, None)
    if state is not None and state.finalizer is not None:
        state.finalizer.detach()


# ---- the patched forward ------------------------------------------------------------------

def _patch() -> None:
    """Replace the six classes' forwards, once, while any guard is active."""
    if _registry.originals:
        return
    torch = _torch()
    for name in CLASSES:
        cls = getattr(torch.nn, name)
        original = cls.__dict__["forward"]
        _registry.originals[cls] = original
        forward = _checking_forward(original, name.endswith("Cell"),
                                    torch.compiler.is_dynamo_compiling, torch._C._is_tracing)
        setattr(cls, "forward", forward)  # noqa: B010 - mypy does not know the classes
    _keep_from_dynamo(forward.__code__, _check.__code__)
    _packing.patch()


def _keep_from_dynamo(forward: types.CodeType, check: types.CodeType) -> None:
    """Dynamo never compiles these frames on their own; tracing a caller still inlines them.

    A layer that torch.compile runs eagerly (nn.LSTM, at a graph break) then
    runs the patched forward as plain Python, so the check runs; the check
    itself, and whatever it calls, always run as plain Python.
    """
    _boundary.never_compiled(forward, callees=False)
    _boundary.never_compiled(check)


def _unpatch() -> None:
    _packing.unpatch()
    for cls, original in _registry.originals.items():
        if getattr(cls.__dict__.get("forward"), "__wrapped__", None) is original:
            setattr(cls, "forward", original)  # noqa: B010 - mypy does not know the classes
    _registry.originals.clear()


def _checking_forward(original: Any, cell: bool, is_dynamo_compiling: Callable[[], bool],
                      is_jit_tracing: Callable[[], bool]) -> Any:
    """`original`, preceded by the check, except while Dynamo or `torch.jit.trace` traces it.

    A trace runs the forward with shapes as 0-d tensors, and compares two runs
    of it: the guard steps aside, so that neither its caches nor its reports
    hold traced values, and both runs take the same path.

    A call whose signature has been seen valid returns after one dictionary
    lookup, without leaving this function; anything else goes to `_check`.
    The function is built on torch's globals so that TorchScript can still
    script the class from `original`'s source (found through `__wrapped__`).
    """
    states, registry, check, call_key = _registry.states, _registry, _check, _boundary.call_key
    judged = _judged
    tensor, unseen = _boundary.Tensor, _UNSEEN
    first_weight = "weight_ih" if cell else "weight_ih_l0"
    onednn, grad = _modes()
    tracking, track = _semantics.tracking, _track

    def forward(self: Any, input: Any, hx: Any = None) -> Any:
        __tracebackhide__ = True  # pytest and IPython show the user's frames, not this one
        if not is_dynamo_compiling() and not is_jit_tracing():
            state = states.get(id(self))
            if state is None:
                if registry.everywhere:
                    invalid = check(self, input, hx)
                    if invalid is not None:
                        return judged(invalid, original, self, input, hx)
            else:
                try:
                    weight = self._parameters[first_weight]
                    layer = None if cell else self.batch_first
                    key: tuple[Hashable, ...]
                    seen: object
                    if hx is None and type(input) is tensor:  # the commonest call, flat
                        key = (input.shape, input.dtype, input.device, layer, weight.dtype,
                               weight.device, onednn(), grad())
                    else:
                        key = (call_key(input, hx), layer, weight.dtype, weight.device,
                               onednn(), grad())
                    seen = state.verdicts[key]
                except Exception:
                    seen = unseen
                if seen.__class__ is list:  # valid before: count it, for provenance
                    seen[0] += 1
                else:  # the full check: a report for an invalid call
                    invalid = check(self, input, hx)
                    if invalid is not None:
                        return judged(invalid, original, self, input, hx)
        if tracking.active and not cell:
            return track(self, input, original(self, input, hx))
        return original(self, input, hx)

    code = forward.__code__
    wrapper = types.FunctionType(code, original.__globals__, original.__name__,
                                 forward.__defaults__, forward.__closure__)
    return functools.update_wrapper(wrapper, original)


def _track(module: Any, input: Any, result: Any) -> Any:
    """Semantic mode: tag what a guarded layer returned, in a thread where the mode is on."""
    try:
        state = _registry.states.get(id(module))
        watched = _registry.everywhere or (state is not None and state.watchers)
        if watched and _semantics.here() and not _boundary.load_torch().compiler.is_compiling():
            _semantics.track(module, state.path if state else None, input, result)
    except RnnDoctorWarning:  # warnings filtered as errors: the program asked for it
        raise
    except Exception as failure:  # ours: the call's result stands
        _semantics.failed(failure)
    return result


def _lookup_key(module: Any, input: Any, hx: Any) -> Hashable:
    """The key a call's verdict is remembered under, as the patched forward builds it.

    That is the call signature (`_torch.call_key`), plus in the layer `batch_first`,
    which torch reads at each call, and the weights' dtype and device, which
    `.to()` changes; the other constructor arguments fix the weights' shapes,
    so they do not change in place. Last, whether oneDNN is enabled and grad
    mode is on: they decide where an nn.LSTM call runs on the CPU.
    """
    cell = isinstance(module, _torch().nn.RNNCellBase)
    weight = module._parameters["weight_ih" if cell else "weight_ih_l0"]
    layer = None if cell else module.batch_first
    onednn, grad = _modes()
    if hx is None and type(input) is _boundary.Tensor:
        return (input.shape, input.dtype, input.device, layer, weight.dtype, weight.device,
                onednn(), grad())
    return (_boundary.call_key(input, hx), layer, weight.dtype, weight.device, onednn(), grad())


def _modes() -> tuple[Callable[[], bool], Callable[[], bool]]:
    """torch's own getters of the two modes in a verdict's key: oneDNN enabled, and grad mode."""
    C = _torch()._C
    return C._get_mkldnn_enabled, C.is_grad_enabled


def _check(module: Any, input: Any, hx: Any) -> Report | None:
    """The full check: the verdict for this signature, from the engine the first time.

    Returns the report of an invalid call, placed at the layer and the user's line.
    """
    torch = _torch()
    if torch.compiler.is_compiling():  # torch.export, or another tracer that runs Python
        return None
    if torch._C._is_any_autocast_enabled():  # torch skips its dtype checks there; so do we
        return None
    state = _state_for(module)
    try:
        key: Hashable = _lookup_key(module, input, hx)
        seen = state.verdicts.get(key, _UNSEEN)
    except Exception:
        key, seen = None, _UNSEEN
    if isinstance(seen, list):
        seen[0] += 1
        return None
    verdict = _first_verdict(module, state, key, input, hx) if seen is _UNSEEN else seen
    return _located(module, state, verdict) if isinstance(verdict, Report) else None


def _judged(report: Report, original: Callable[..., Any], module: Any, input: Any,
            hx: Any) -> Any:
    """Run a call judged invalid: torch raises its own error, and the diagnosis is added.

    Where torch would crash or run on silently (the first error's `raises` is
    None), rnndoctor's error is raised and the call does not run. So it is if
    torch runs a call judged invalid without an error.
    """
    __tracebackhide__ = True
    prefix = _postmortem.rank_prefix()
    first = report.first
    if first is None or first.raises is None:
        raise _delivery.own(report, prefix)
    try:
        original(module, input, hx)
    except Exception as caught:
        error = _delivery.kept(caught, report, prefix)
    else:
        error = _delivery.own(report, prefix)
    try:
        raise error
    finally:
        del error  # the traceback holds this frame: no cycle keeps the call's tensors alive


def _torch() -> Any:
    return _boundary.load_torch()


# ---- the slow path: a signature seen for the first time ----------------------------------

def _first_verdict(module: Any, state: _Watched, key: Hashable | None, input: Any,
                   hx: Any) -> Report | None:
    """Run the engine; warn about warnings; remember errors. Returns the report to raise."""
    from .._api import check

    try:
        report = check(module, input, hx)
    except Exception as failure:
        _postmortem.warn(f"rnndoctor could not check this call ({type(failure).__name__}: {failure}); "
              "it runs unchecked")
        report = Report(findings=())
    if report:
        notes = [f for f in report.findings if f.severity is Severity.NOTE]
        for finding in report.warnings:
            located = replace(finding, location=_where(module, state, finding.location))
            text = "\n\n".join(render_finding(f).rstrip("\n")
                             for f in (located, *(replace(n, location=located.location) for n in notes)))
            _postmortem.warn(text)
            if len(_warned) < MAX_SIGNATURES:
                _warned.setdefault((located.code, located.title, located.location.module_path), located)
    verdict = None if report else report
    if key is not None:
        if len(state.verdicts) >= MAX_SIGNATURES:
            state.verdicts.clear()
        state.verdicts[key] = report if verdict is not None else [1, _batch(report)]
    return verdict


def _batch(report: Report) -> int:
    """The batch of a valid call, as torch reads it; -1 where it has none (unbatched, unknown)."""
    if report.spec is None or report.call is None:
        return -1
    bound = Bound(report.spec, report.call)
    return -1 if bound.unbatched or bound.batch is None else bound.batch


def history(module: Any) -> tuple[tuple[int, int], ...]:
    """The batches this module's valid calls had under the guard, each with its number of calls."""
    state = _registry.states.get(id(module))
    counts: dict[int, int] = {}
    for verdict in list(state.verdicts.values()) if state is not None else ():
        if isinstance(verdict, list) and verdict[1] >= 0:
            counts[verdict[1]] = counts.get(verdict[1], 0) + verdict[0]
    return tuple(sorted(counts.items()))


def warned() -> tuple[Finding, ...]:
    """Every finding the guard has warned about in this process, in order, each once."""
    return tuple(_warned.values())


def _located(module: Any, state: _Watched, report: Report) -> Report:
    where = _where(module, state, report.findings[0].location)
    return replace(report, findings=tuple(replace(f, location=where, origin="guard")
                                          for f in report.findings))


def _where(module: Any, state: _Watched, base: Location) -> Location:
    frames = _postmortem.user_frames()
    path = state.path or _postmortem.module_path(module, [f for f, _ in frames])
    return replace(base, module_path=path, call_site=_postmortem.call_site(frames))



def _is_module(value: object) -> bool:
    nn = sys.modules.get("torch.nn")
    return nn is not None and isinstance(value, nn.Module)

