"""The differential fuzzer: real torch calls against rnndoctor's verdict on the same call.

Hypothesis draws a recipe (plain data): a layer of any kind and dtype, a
call (dense or packed, sorted or not, batched or not) whose tensors may have
any dtype, an `hx` of any structure (a tensor, a tuple, a list, a dict,
nested, of the wrong arity, 0-D items, a shape of ints), the grad mode
(`no_grad`, `inference_mode` or neither) and oneDNN on or off: each drawn
call runs in all six combinations (`each_mode`). A worker
process builds the layer and tensors, asks `rnndoctor.check` about the call
under the same modes, sends that verdict, then runs the call. Workers are
forked from this process after torch is imported (one intra-op thread), reused
across calls and replaced after a crash, which is recorded as the call's outcome.

`compare` names the disagreement, if any:

- `false-alarm`: torch ran the call; rnndoctor reports an error torch would raise;
- `missed`: torch raised or crashed; rnndoctor found no error;
- `unflagged-crash`: torch crashed; no error of rnndoctor's says torch crashes or is silent;
- `type`: torch raised T, and rnndoctor's first error says torch raises a type that is
  not T or a subclass of T (so `except T:` would miss the guard's error);
- `first-error`: the types agree, but `explain` reads torch's message as a problem
  other than rnndoctor's first error;
- `ours-failed`: `rnndoctor.check` itself raised.

`scripts/fuzz.py` runs it and prints the counts; `tests/test_fuzz.py` runs it under `-m slow`.
"""

from __future__ import annotations

import builtins
import multiprocessing
import os
import signal
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st

KINDS = ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell")
LAYER_DTYPES = ("float32", "float32", "float64", "float16", "bfloat16")
STATE_DTYPES = ("float32", "float64", "float16", "bfloat16", "complex64", "int64", "bool")
GRAD_MODES = ("grad", "no_grad", "inference_mode")


# ---- recipes: plain, picklable descriptions of one call --------------------------------------

@dataclass(frozen=True)
class T:
    """A tensor to make: its shape and dtype."""

    shape: tuple[int, ...]
    dtype: str


@dataclass(frozen=True)
class Recipe:
    kind: str
    args: tuple[int, int]
    kwargs: tuple[tuple[str, object], ...]
    dtype: str
    input: T | str  # a tensor, or the name of something that is not one
    hx: object  # None, T, tuple, list, dict (as ("dict", items)), int, or a tuple of ints
    lengths: tuple[int, ...] | None  # packed: pack_padded_sequence(input, lengths)
    sorted: bool
    grad: str
    onednn: bool

    def __str__(self) -> str:
        kwargs = "".join(f", {k}={v!r}" for k, v in self.kwargs)
        packed = f" packed lengths={self.lengths} sorted={self.sorted}" if self.lengths else ""
        return (f"{self.kind}({self.args[0]}, {self.args[1]}{kwargs}, dtype={self.dtype}) "
                f"input={self.input} hx={self.hx}{packed} {self.grad} onednn={self.onednn}")


@st.composite
def recipes(draw: st.DrawFn) -> Recipe:
    kind = draw(st.sampled_from(KINDS))
    cell = kind.endswith("Cell")
    I, H = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dtype = draw(st.sampled_from(LAYER_DTYPES))
    kwargs: dict[str, object] = {}
    if draw(st.integers(0, 3)) == 0:
        kwargs["bias"] = False
    layers, D, P = 1, 1, 0
    if not cell:
        layers = draw(st.integers(1, 2))
        D = 2 if draw(st.booleans()) else 1
        kwargs.update(num_layers=layers, bidirectional=D == 2, batch_first=draw(st.booleans()))
        if kind == "LSTM" and H > 1 and draw(st.integers(0, 2)) == 0:
            P = kwargs["proj_size"] = draw(st.integers(1, H - 1))
    batch_first = bool(kwargs.get("batch_first"))
    packed = not cell and draw(st.integers(0, 3)) == 0
    unbatched = not packed and draw(st.integers(0, 4)) == 0
    L = draw(st.integers(1, 3)) if packed else draw(st.integers(0, 3))
    N = draw(st.integers(1, 3)) if packed else draw(st.integers(0, 3))
    lengths = None
    if packed:
        lengths = tuple(draw(st.lists(st.integers(1, L), min_size=N, max_size=N)))
    is_sorted = lengths is None or draw(st.booleans())
    if lengths is not None and is_sorted:
        lengths = tuple(sorted(lengths, reverse=True))
    if cell:
        x_shape: tuple[int, ...] = (I,) if unbatched else (N, I)
    else:
        x_shape = (L, I) if unbatched else ((N, L, I) if batch_first else (L, N, I))
    x: T | str = draw(_maybe_wrong(T(x_shape, dtype), dtype))
    if draw(st.integers(0, 30)) == 0:
        x = draw(st.sampled_from(["list", "ndarray", "int"]))
    states = {"h_0": T(_state_shape(cell, unbatched, D * layers, N, P or H), dtype)}
    if kind.startswith("LSTM"):
        states["c_0"] = T(_state_shape(cell, unbatched, D * layers, N, H), dtype)
    hx = draw(_hx(kind, states, dtype))
    return Recipe(kind, (I, H), tuple(sorted(kwargs.items())), dtype, x, hx, lengths, is_sorted,
                  "grad", True)


def each_mode(r: Recipe) -> list[Recipe]:
    """The same call in every grad mode, with oneDNN on and off."""
    return [replace(r, grad=grad, onednn=onednn) for grad in GRAD_MODES for onednn in (True, False)]


def _state_shape(cell: bool, unbatched: bool, layers: int, N: int, H: int) -> tuple[int, ...]:
    if cell:
        return (H,) if unbatched else (N, H)
    return (layers, H) if unbatched else (layers, N, H)


@st.composite
def _maybe_wrong(draw: st.DrawFn, t: T, dtype: str) -> T:
    """Valid about half the time; else a size, the rank or the dtype changed."""
    how = draw(st.sampled_from(["ok"] * 8 + ["size", "size", "rank+", "rank-", "dtype", "dtype",
                                             "0-d"]))
    if how == "size" and t.shape:
        axis = draw(st.integers(0, len(t.shape) - 1))
        shape = list(t.shape)
        shape[axis] = draw(st.integers(0, 5).filter(lambda n: n != t.shape[axis]))
        return T(tuple(shape), t.dtype)
    if how == "rank+":
        return T((1, *t.shape) if draw(st.booleans()) else (*t.shape, 1), t.dtype)
    if how == "rank-" and t.shape:
        return T(t.shape[1:], t.dtype)
    if how == "dtype":
        return T(t.shape, draw(st.sampled_from(STATE_DTYPES).filter(lambda d: d != dtype)))
    if how == "0-d":
        return T((), t.dtype)
    return t


@st.composite
def _hx(draw: st.DrawFn, kind: str, states: dict[str, T], dtype: str) -> object:
    if draw(st.integers(0, 3)) == 0:
        return None
    items = [draw(_maybe_wrong(t, dtype)) for t in states.values()]
    lstm = kind.startswith("LSTM")
    form = draw(st.sampled_from(["plain", "plain", "plain", "list", "dict", "nested", "arity",
                                 "ints", "none-item", "int"]))
    if form == "plain":
        return tuple(items) if lstm else items[0]
    if form == "list":
        return list(items)
    if form == "dict":
        return ("dict", tuple(zip(states, items)))
    if form == "nested":
        return (tuple(items),)
    if form == "arity":
        return tuple(items) + (items[0],) if draw(st.booleans()) else (items[0],)
    if form == "ints":
        return tuple(items[0].shape) if lstm or draw(st.booleans()) else (items[0].shape, )
    if form == "none-item":
        return (items[0], None) if lstm else (None,)
    return 3


# ---- the worker: builds and runs one call ----------------------------------------------------

@dataclass(frozen=True)
class Ours:
    """rnndoctor's verdict on a call, as plain data."""

    errors: tuple[tuple[str, str | None], ...] = ()  # (code, raises) in torch's check order
    failed: str | None = None  # rnndoctor.check itself raised this


@dataclass(frozen=True)
class Theirs:
    kind: str  # "ok", "raise" or "crash"
    error: str | None = None
    message: str = ""


def _tensor(torch: Any, t: T) -> Any:
    dtype = getattr(torch, t.dtype)
    if dtype.is_floating_point or dtype.is_complex:
        return torch.randn(t.shape, dtype=dtype)
    return torch.randint(0, 2 if dtype == torch.bool else 3, t.shape).to(dtype)


def _value(torch: Any, v: object) -> Any:
    import numpy as np

    if isinstance(v, T):
        return _tensor(torch, v)
    if v in ("list", "ndarray", "int"):
        return {"list": [[1.0]], "ndarray": np.zeros((1, 2, 3), dtype=np.float32), "int": 3}[v]
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "dict":
        return {name: _value(torch, item) for name, item in v[1]}
    if isinstance(v, tuple):
        return tuple(_value(torch, i) for i in v)
    if isinstance(v, list):
        return [_value(torch, i) for i in v]
    return v


def build(torch: Any, r: Recipe) -> tuple[Any, Any, Any]:
    from torch.nn.utils.rnn import pack_padded_sequence

    torch.manual_seed(0)
    module = getattr(torch.nn, r.kind)(*r.args, **dict(r.kwargs), dtype=getattr(torch, r.dtype))
    x = _value(torch, r.input)
    if r.lengths is not None:
        batch_first = bool(dict(r.kwargs).get("batch_first"))
        x = pack_padded_sequence(x, torch.tensor(r.lengths), batch_first=batch_first,
                                 enforce_sorted=r.sorted)
    return module, x, _value(torch, r.hx)


def _modes(torch: Any, r: Recipe) -> Any:
    import contextlib

    stack = contextlib.ExitStack()
    stack.enter_context(torch.backends.mkldnn.flags(enabled=r.onednn))
    if r.grad == "no_grad":
        stack.enter_context(torch.no_grad())
    elif r.grad == "inference_mode":
        stack.enter_context(torch.inference_mode())
    return stack


def ours(torch: Any, r: Recipe, module: Any, x: Any, hx: Any) -> Ours:
    import rnndoctor

    try:
        with _modes(torch, r):
            report = rnndoctor.check(module, x, hx)
    except Exception as failure:  # noqa: BLE001 - ours failing is a finding of the fuzzer
        return Ours(failed=f"{type(failure).__name__}: {failure}")
    return Ours(tuple((f.code, f.raises) for f in report.errors))


def theirs(torch: Any, r: Recipe, module: Any, x: Any, hx: Any) -> Theirs:
    try:
        with _modes(torch, r):
            module(x) if hx is None else module(x, hx)
    except Exception as e:  # noqa: BLE001 - torch's exception is the oracle's answer
        return Theirs("raise", type(e).__name__, str(e)[:300])
    return Theirs("ok")


@dataclass(frozen=True)
class Result:
    """One call, judged: torch's outcome, and the disagreement (with the evidence) if any."""

    outcome: str  # "ok", "raise", "crash" or "unbuildable"
    kind: str | None = None
    example: str = ""


_built: list[Any] = [None, None]  # the last recipe built (without its modes), and what it gave


def judge(torch: Any, r: Recipe, crashed: str | None = None) -> Result:
    """Build the call, ask rnndoctor, run torch (unless it is known to crash), and compare.

    The same call under other modes reuses the layer and tensors built for it.
    """
    call = replace(r, grad="", onednn=False)
    if _built[0] != call:
        try:
            _built[:] = call, build(torch, r)
        except Exception:  # noqa: BLE001 - a recipe torch cannot even build: not a call
            _built[:] = call, None
    if _built[1] is None:
        return Result("unbuildable")
    module, x, hx = _built[1]
    verdict = ours(torch, r, module, x, hx)
    outcome = Theirs("crash", crashed) if crashed else theirs(torch, r, module, x, hx)
    kind = compare(verdict, outcome)
    example = "" if kind is None else (
        f"{r}\n    torch: {outcome.kind} {outcome.error or ''} {outcome.message[:160]}"
        f"\n    rnndoctor: {verdict.errors or 'no error'} {verdict.failed or ''}")
    return Result(outcome.kind, kind, example)


def _serve(conn: Any) -> None:
    import torch

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.simplefilter("ignore")
    while True:
        try:
            batch = conn.recv()
        except EOFError:
            return
        for r in batch:
            conn.send(judge(torch, r))


class Workers:
    """One forked worker, fed batches, reused, and replaced when a call kills it.

    The parent draws the next batch while the worker runs the last one. When
    the worker dies, the call it was on is judged here as a crash (building
    the call and asking rnndoctor are safe; only running it is not), and the
    rest of the batch goes to a new worker.
    """

    def __init__(self) -> None:
        import torch

        import rnndoctor

        torch.set_num_threads(1)
        rnndoctor.explain("RuntimeError: Expected hidden[0] size (1, 3, 4), got [1, 2, 4]")
        self._torch = torch  # rnndoctor is imported, and its parts loaded, before any fork
        self._context = multiprocessing.get_context("fork")
        self._process: Any = None
        self._conn: Any = None
        self._batch: list[Recipe] = []
        self.restarts = 0

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._conn = parent

    def submit(self, batch: list[Recipe]) -> None:
        if self._process is None or not self._process.is_alive():
            self._start()
        self._batch = list(batch)
        self._conn.send(self._batch)

    def collect(self) -> list[tuple[Recipe, Result]]:
        done: list[tuple[Recipe, Result]] = []
        while len(done) < len(self._batch):
            r = self._batch[len(done)]
            try:
                done.append((r, self._conn.recv()))
            except EOFError:
                self._process.join(10)
                code = self._process.exitcode
                self._process, self.restarts = None, self.restarts + 1
                signal_name = f"signal {-code}" if code and code < 0 else f"exit {code}"
                done.append((r, judge(self._torch, r, crashed=signal_name)))
                rest = self._batch[len(done):]
                if rest:
                    self.submit(rest)
                    done += self.collect()
                break
        self._batch = []
        return done

    def close(self) -> None:
        if self._process is not None:
            self._conn.close()
            self._process.join(10)
            if self._process.is_alive():
                os.kill(self._process.pid, signal.SIGKILL)
            self._process = None


# ---- comparing -----------------------------------------------------------------------------

def _exception(name: str | None) -> type | None:
    value = getattr(builtins, name, None) if name else None
    return value if isinstance(value, type) and issubclass(value, BaseException) else None


def compare(v: Ours, t: Theirs) -> str | None:
    """The kind of disagreement between rnndoctor's verdict and torch's outcome, or None."""
    if v.failed:
        return "ours-failed"
    raising = [raises for _, raises in v.errors if raises is not None]
    if t.kind == "ok":
        return "false-alarm" if raising else None
    if not v.errors:
        return "missed"
    if t.kind == "crash":
        return None if any(raises is None for _, raises in v.errors) else "unflagged-crash"
    code, raises = v.errors[0]
    theirs_type, ours_type = _exception(t.error), _exception(raises)
    if theirs_type is None or ours_type is None or not issubclass(ours_type, theirs_type):
        return "type"
    return None if _explained_alike(code, t) else "first-error"


def _explained_alike(code: str, t: Theirs) -> bool:
    """`explain` on torch's message names `code`, or does not recognise the message."""
    import rnndoctor

    explanation = rnndoctor.explain(f"{t.error}: {t.message}")
    codes = {f.code for f in explanation.findings}
    return not explanation.recognised or not codes or code in codes


@dataclass
class Tally:
    calls: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, result: Result, keep: int = 5) -> None:
        self.calls += 1
        self.outcomes[result.outcome] += 1
        if result.kind is not None:
            self.kinds[result.kind] += 1
            examples = self.examples.setdefault(result.kind, [])
            if len(examples) < keep:
                examples.append(result.example)

    def lines(self) -> Iterator[str]:
        outcomes = ", ".join(f"{k} {n}" for k, n in sorted(self.outcomes.items()))
        yield f"calls {self.calls} (torch: {outcomes})"
        yield f"disagreements {sum(self.kinds.values())}"
        for kind, count in self.kinds.most_common():
            yield f"  {kind:16} {count}"
