"""PyTorch is the oracle for constructor calls: rnndoctor reports an error exactly when torch raises.

Hypothesis draws a class, how many arguments go positionally, and a value for
each argument: mostly valid ones, mixed with zero, negatives, bools, floats
(`2.0` too), strings, None and numpy scalars, and for `dropout` numbers inside
and outside [0, 1]. The same arguments go to `rnndoctor.spec(...)` and to the
real `torch.nn` class. The first error must carry the exception type torch
raised, and RNN301 must appear exactly when torch warns about dropout. A layer
torch builds is then called once with a valid input, since some accepted
arguments (`bidirectional=1`, a positional `proj_size`) fail only there.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rnndoctor.engine import diagnose
from rnndoctor.findings import Severity
from rnndoctor.report import Report
from rnndoctor.specs import _POSITIONAL, KINDS, Call, SpecError, TensorInfo, spec

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

FAST = settings(max_examples=3000, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=50_000, deadline=None, suppress_health_check=list(HealthCheck))
DROPOUT_WARNING = "dropout option adds dropout after all but last recurrent layer"
CALLABLE = ("float32", "float64")  # weight dtypes whose CPU kernels run for the first-call check

ODD_VALUES = [
    0, -1, -3, True, False, 2.0, 2.5, 0.0, -1.0, 0.5, "2", "abc", "", None,
    np.int64(3), np.int64(0), np.int64(-2), np.float32(2.0), np.float32(0.5),
    np.bool_(True), np.bool_(False),
]
FLAG_VALUES = [0, 1, 2, "no", "True", 1.0]
DROPOUTS = [0, 1, 0.0, 0.3, 1.0, -0.1, 1.5, 50, math.nan, np.float32(0.3), "0.1", "abc"]
NONLINEARITIES = ["tanh", "relu", "sigmoid", "Tanh", " relu"]
ALL_DTYPES = sorted({v for v in vars(torch).values() if isinstance(v, torch.dtype)}, key=str)
FLOAT_DTYPES = [None, torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.complex64]
VALID = {
    "input_size": st.integers(1, 8),
    "hidden_size": st.integers(1, 8),
    "num_layers": st.integers(1, 3),
    "proj_size": st.integers(0, 7),
    "nonlinearity": st.sampled_from(["tanh", "relu"]),
    "bias": st.booleans(),
    "batch_first": st.booleans(),
    "bidirectional": st.booleans(),
    "dropout": st.one_of(st.floats(0, 1), st.sampled_from([0, 1, np.float32(0.3)])),
    "device": st.sampled_from([None, "cpu"]),
    "dtype": st.sampled_from(FLOAT_DTYPES),
}
ODD = {
    "device": st.sampled_from(["meta"]),
    "dtype": st.sampled_from(ALL_DTYPES),
    "dropout": st.sampled_from(DROPOUTS + ODD_VALUES),
    "nonlinearity": st.sampled_from(NONLINEARITIES + ODD_VALUES),
}


def value(name: str, odd: bool) -> st.SearchStrategy[Any]:
    """A valid value for the argument, or an odd one: of another type, zero, or negative."""
    if not odd:
        return VALID[name]
    return ODD.get(name, st.sampled_from(ODD_VALUES + FLAG_VALUES))


@dataclass
class Draw:
    """One constructor call: `nn.<kind>(*args, **kwargs)`."""

    kind: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"nn.{self.kind}({', '.join(parts)})"


@st.composite
def draws(draw: st.DrawFn) -> Draw:
    kind = draw(st.sampled_from(KINDS))
    params = _POSITIONAL[kind]
    odd = draw(st.sets(st.sampled_from(params), max_size=3))
    positional = draw(st.integers(0, len(params)))
    call = Draw(kind)
    for i, name in enumerate(params):
        if i < positional:
            call.args.append(draw(value(name, name in odd)))
        elif name in ("input_size", "hidden_size") or name in odd or optional(kind, name, draw):
            call.kwargs[name] = draw(value(name, name in odd))
    return call


def optional(kind: str, name: str, draw: st.DrawFn) -> bool:
    """Whether to pass an argument that is not odd; nn.RNN and nn.GRU reject any `proj_size=`."""
    return not (kind in ("RNN", "GRU") and name == "proj_size") and draw(st.booleans())


@dataclass(frozen=True)
class TorchVerdict:
    error: str | None
    warned_dropout: bool
    module: Any = None


def construct(call: Draw) -> TorchVerdict:
    module = error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            module = getattr(torch.nn, call.kind)(*call.args, **call.kwargs)
        except Exception as e:
            error = type(e).__name__
    warned = any(DROPOUT_WARNING in str(w.message) for w in caught)
    return TorchVerdict(error, warned, module)


def first_call_error(module: Any, x: TensorInfo, onednn: bool) -> str | None:
    """What the first forward call raises, if anything.

    oneDNN builds an LSTM primitive for every new shape, which takes
    milliseconds; the quick runs turn it off. The calls that fail for a
    constructor argument fail before a kernel is chosen; the long run keeps
    oneDNN on and checks that.
    """
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # turning oneDNN off warns about TF32 on Intel GPUs
            with torch.backends.mkldnn.flags(enabled=onednn):
                module(torch.zeros(x.shape, dtype=getattr(torch, x.dtype)))
    except Exception as e:
        return type(e).__name__
    return None


def buildable(call: Draw) -> bool:
    """rnndoctor can describe the call: no unknown or repeated argument."""
    try:
        spec(call.kind, *call.args, **call.kwargs)
    except SpecError:
        return False
    return True


def assert_agrees(call: Draw, onednn: bool = False) -> None:
    layer = spec(call.kind, *call.args, **call.kwargs)
    report = diagnose(layer, None)
    torch_says = construct(call)
    assert_same_error(report, torch_says.error, f"{call!r}")
    warned = any(f.code == "RNN301" and f.severity is Severity.WARNING for f in report)
    assert warned == torch_says.warned_dropout, f"dropout warning from torch: " \
                                                f"{torch_says.warned_dropout}: {call!r}\n{report}"
    if torch_says.module is not None and layer.device == "cpu" and layer.dtype in CALLABLE:
        x = TensorInfo((3, layer.I) if layer.is_cell else (4, 3, layer.I), layer.dtype)
        called = diagnose(layer, Call(x))
        assert_same_error(called, first_call_error(torch_says.module, x, onednn),
                          f"{call!r}: {x}")


def assert_same_error(report: Report, error: str | None, shown: str) -> None:
    """The first error rnndoctor reports is the exception torch raised (or neither has one)."""
    first = report.first
    shown = f"{shown}\n{report}"
    if error is None:
        assert first is None, f"torch accepts it, rnndoctor says {first.code}: {shown}"
    else:
        assert first is not None, f"torch raises {error}, rnndoctor is silent: {shown}"
        assert first.raises == error, f"torch raises {error}: {shown}"


@FAST
@given(draws())
def test_constructor_verdict_matches_torch(call: Draw) -> None:
    assume(buildable(call))
    assert_agrees(call)


@pytest.mark.slow
@SLOW
@given(draws())
def test_constructor_verdict_matches_torch_long(call: Draw) -> None:
    assume(buildable(call))
    assert_agrees(call, onednn=True)


def single_faults() -> list[Draw]:
    """Every odd value for every argument of every class, the other arguments valid.

    `hidden_size` is 1 or 4, since `proj_size` is judged against it; `proj_size`
    also goes to nn.RNN and nn.GRU positionally, which torch does not check.
    """
    pools: dict[str, list[Any]] = {"device": [None, "cpu", "meta"], "dtype": [None, *ALL_DTYPES],
                                   "dropout": DROPOUTS + ODD_VALUES,
                                   "nonlinearity": NONLINEARITIES + ODD_VALUES}
    calls = []
    for kind in KINDS:
        params = _POSITIONAL[kind]
        for hidden in (1, 4):
            for name in params:
                for v in pools.get(name, ODD_VALUES + FLAG_VALUES + [1, 2, 7]):
                    sizes = {"input_size": 3, "hidden_size": hidden, name: v}
                    rest = {} if name in ("input_size", "hidden_size") else {name: v}
                    calls.append(Draw(kind, [sizes["input_size"], sizes["hidden_size"]], rest))
                    if name == "proj_size" and kind in ("RNN", "GRU"):
                        given = [3, hidden, *(_default(p) for p in params[2:params.index(name)])]
                        calls.append(Draw(kind, [*given, v]))
    return calls


def _default(name: str) -> Any:
    return {"num_layers": 1, "nonlinearity": "tanh", "bias": True, "batch_first": False,
            "dropout": 0.0, "bidirectional": False}[name]


def test_every_single_fault_matches_torch() -> None:
    wrong = []
    for call in single_faults():
        try:
            assert_agrees(call)
        except AssertionError as e:
            wrong.append(str(e).splitlines()[0])
    assert not wrong, f"{len(wrong)} disagreements:\n" + "\n".join(wrong[:40])


# Calls whose trouble shows only at forward time: the constructor accepts them,
# so checking the constructor alone gives a warning, never an error.
ACCEPTED_WITH_WARNING = [
    (Draw("RNNCell", [10, 20], {"nonlinearity": "sigmoid"}), "RNN309"),
    (Draw("RNN", [10, 20, 1, "tanh", True, False, 0.0, False, 5]), "RNN308"),
    (Draw("GRU", [10, 20, 1, True, False, 0.0, False, 5]), "RNN308"),
    (Draw("LSTM", [10, True]), "RNN304"),
    (Draw("LSTM", [10, 20], {"bidirectional": "no"}), "RNN306"),
    (Draw("GRUCell", [10, 20], {"bias": 0}), "RNN306"),
]


@pytest.mark.parametrize(("call", "code"), ACCEPTED_WITH_WARNING, ids=repr)
def test_accepted_traps_warn(call: Draw, code: str) -> None:
    assert construct(call).error is None
    report = diagnose(spec(call.kind, *call.args, **call.kwargs), None)
    assert report, str(report)
    assert [f.code for f in report.warnings] == [code]
