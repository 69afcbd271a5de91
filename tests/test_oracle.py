"""PyTorch is the oracle: rnndoctor reports an error exactly when torch raises.

Hypothesis draws a layer and a call (shapes with zero and mismatched sizes,
unbatched input, the structure of hx, dtypes, packed input), runs the real
call, and compares. Calls on which torch 2.13 crashes or silently accepts bad
input must be flagged by a finding whose `raises` is None (the rule's doc says
what torch does instead). Every real call runs in a child process, since some
of them (a packed nn.LSTM, an unbatched cell) kill the interpreter.

The mutation test starts from valid calls, changes one argument, and checks
that rnndoctor names that argument first.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnndoctor.engine import diagnose
from rnndoctor.report import Report
from rnndoctor.specs import Call, Lengths, Other, RnnSpec, Seq, TensorInfo, spec

from .support import IsolatedTorch, Outcome

FAST = settings(max_examples=3000, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=50_000, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def isolated() -> IsolatedTorch:
    runner = IsolatedTorch()
    yield runner  # type: ignore[misc]
    runner.close()


def run_torch(layer: RnnSpec, call: Call, isolated: IsolatedTorch) -> Outcome:
    """Every oracle call runs in the child: packed LSTMs and unbatched cells can crash torch."""
    return isolated.run(layer, call)


# ---------------------------------------------------------------- strategies

@st.composite
def layers(draw: st.DrawFn) -> RnnSpec:
    kind = draw(st.sampled_from(["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]))
    I, H = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    kwargs: dict[str, object] = {}
    if draw(st.integers(0, 9)) == 0:
        kwargs["dtype"] = "float64"
    if not kind.endswith("Cell"):
        kwargs["num_layers"] = draw(st.integers(1, 3))
        kwargs["bidirectional"] = draw(st.booleans())
        kwargs["batch_first"] = draw(st.booleans())
        if kind == "LSTM" and H > 1 and draw(st.booleans()):
            kwargs["proj_size"] = draw(st.integers(1, H - 1))
    return spec(kind, I, H, **kwargs)


@dataclass(frozen=True)
class Shape:
    """The sizes of one valid call, before any mutation."""

    T: int
    B: int
    unbatched: bool
    packed: bool


def valid_input(layer: RnnSpec, s: Shape) -> TensorInfo:
    if layer.is_cell:
        shape: tuple[int, ...] = (layer.I,) if s.unbatched else (s.B, layer.I)
    elif s.unbatched:
        shape = (s.T, layer.I)
    elif layer.is_batch_first:
        shape = (s.B, s.T, layer.I)
    else:
        shape = (s.T, s.B, layer.I)
    return TensorInfo(shape, layer.dtype)


def valid_states(layer: RnnSpec, s: Shape) -> dict[str, TensorInfo]:
    lead = () if s.unbatched else (s.B,)
    if not layer.is_cell:
        lead = (layer.D * layer.layers, *lead)
    states = {"h_0": TensorInfo((*lead, layer.H_out), layer.dtype)}
    if layer.base == "LSTM":
        states["c_0"] = TensorInfo((*lead, layer.H), layer.dtype)
    return states


def as_hx(layer: RnnSpec, states: dict[str, TensorInfo]) -> TensorInfo | Seq:
    if layer.base == "LSTM":
        return Seq("tuple", (states["h_0"], states["c_0"]))
    return states["h_0"]


@st.composite
def shapes(draw: st.DrawFn, layer: RnnSpec) -> Shape:
    packed = not layer.is_cell and draw(st.integers(0, 3)) == 0
    unbatched = not packed and draw(st.integers(0, 4)) == 0
    T = draw(st.integers(1, 4)) if packed else draw(st.integers(0, 4))
    B = draw(st.integers(1, 4)) if packed else draw(st.integers(0, 4))
    return Shape(T, B, unbatched, packed)


@st.composite
def lengths_for(draw: st.DrawFn, s: Shape) -> Lengths:
    values = draw(st.lists(st.integers(1, s.T), min_size=s.B, max_size=s.B))
    enforce = draw(st.booleans())
    if enforce:
        values.sort(reverse=True)
    return Lengths(tuple(values), enforce_sorted=enforce)


def resized(t: TensorInfo, axis: int, size: int) -> TensorInfo:
    shape = list(t.shape)
    shape[axis] = size
    return t.with_shape(*shape)


@st.composite
def mutated_tensor(draw: st.DrawFn, t: TensorInfo) -> TensorInfo:
    choice = draw(st.sampled_from(["size", "size", "size", "rank+", "rank-", "dtype"]))
    if choice == "size" and t.ndim:
        axis = draw(st.integers(0, t.ndim - 1))
        return resized(t, axis, draw(st.integers(0, 6).filter(lambda n: n != t.shape[axis])))
    if choice == "rank+":
        return t.with_shape(*t.shape, 1) if draw(st.booleans()) else t.with_shape(1, *t.shape)
    if choice == "rank-" and t.ndim > 1:
        return t.with_shape(*t.shape[1:])
    dtype = draw(st.sampled_from(["float64", "int64", "float32"]).filter(lambda d: d != t.dtype))
    return TensorInfo(t.shape, dtype, t.device)


@st.composite
def mutated_hx(draw: st.DrawFn, layer: RnnSpec, states: dict[str, TensorInfo]) -> object:
    choice = draw(st.sampled_from(["tensor", "tensor", "tensor", "structure"]))
    if choice == "tensor":
        name = draw(st.sampled_from(sorted(states)))
        return as_hx(layer, {**states, name: draw(mutated_tensor(states[name]))})
    h = states["h_0"]
    return draw(st.sampled_from([
        h, Seq("tuple", (h,)), Seq("tuple", (h, h, h)), Seq("tuple", (h, None)),
        Seq("list", tuple(states.values())), Other("ndarray"), Seq("tuple", (h, h)),
    ]))


@st.composite
def calls(draw: st.DrawFn) -> tuple[RnnSpec, Call]:
    """Any call: valid, or with one or more arguments mutated."""
    layer = draw(layers())
    s = draw(shapes(layer))
    x: TensorInfo | Other = valid_input(layer, s)
    states = valid_states(layer, s)
    lengths = draw(lengths_for(s)) if s.packed else None
    hx: object = as_hx(layer, states) if draw(st.booleans()) else None
    if draw(st.booleans()):
        x = draw(mutated_tensor(x)) if draw(st.integers(0, 9)) else Other("list")
    if hx is not None and draw(st.booleans()):
        hx = draw(mutated_hx(layer, states))
    if lengths is not None and draw(st.integers(0, 2)) == 0:
        lengths = Lengths(tuple(draw(st.lists(st.integers(-1, 6), min_size=1, max_size=5))),
                          enforce_sorted=draw(st.booleans()))
    return layer, Call(x, hx, lengths)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the oracle

def agree(report: Report, outcome: Outcome) -> str | None:
    """None when rnndoctor's verdict matches torch's; else what differs."""
    errors = report.errors
    if outcome.kind == "raise":
        if not errors:
            return f"torch raised {outcome.error}: {outcome.message}; rnndoctor found no error"
        first = report.first
        assert first is not None
        if first.raises != outcome.error:
            return (f"torch raised {outcome.error}: {outcome.message}; rnndoctor's first error "
                    f"{first.code} says torch raises {first.raises}")
        return None
    if outcome.kind == "crash":
        if not any(f.raises is None for f in errors):
            return f"torch crashed ({outcome.error}); rnndoctor did not flag a crash"
        return None
    unexplained = [f.code for f in errors if f.raises is not None]
    if unexplained:
        return f"torch ran the call; rnndoctor reports errors {unexplained}"
    return None


def check_against_torch(layer: RnnSpec, call: Call, isolated: IsolatedTorch) -> None:
    report = diagnose(layer, call)
    outcome = run_torch(layer, call, isolated)
    problem = agree(report, outcome)
    assert problem is None, f"{layer!r} {call}\n{problem}\n{report}"


@FAST
@given(calls())
def test_verdict_matches_torch(isolated: IsolatedTorch, drawn: tuple[RnnSpec, Call]) -> None:
    check_against_torch(*drawn, isolated)


@pytest.mark.slow
@SLOW
@given(calls())
def test_verdict_matches_torch_slow(isolated: IsolatedTorch, drawn: tuple[RnnSpec, Call]) -> None:
    check_against_torch(*drawn, isolated)


# ---------------------------------------------------------------- single faults

MUTATIONS = {
    "input": ("features", "batch", "empty", "rank+", "rank-", "dtype"),
    "h_0": ("layers", "batch", "hidden", "rank-", "dtype"),
    "c_0": ("layers", "batch", "hidden", "rank-", "dtype"),
    "lengths": ("too-long", "unsorted", "zero", "count"),
}


def mutate(t: TensorInfo, how: str, axes: dict[str, int], rng: random.Random) -> TensorInfo:
    if how in axes:
        axis = axes[how]
        return resized(t, axis, t.shape[axis] + rng.choice([-1, 1, 2]) if t.shape[axis] > 1
                       else t.shape[axis] + rng.choice([1, 2]))
    if how == "empty":
        return resized(t, axes["seq"], 0)
    if how == "rank+":
        return t.with_shape(1, *t.shape)
    if how == "rank-":
        return t.with_shape(*t.shape[1:])
    return TensorInfo(t.shape, rng.choice(["float64", "int64"]), t.device)


def input_axes(layer: RnnSpec) -> dict[str, int]:
    if layer.is_cell:
        return {"batch": 0, "features": 1, "seq": 0}
    batch, seq = (0, 1) if layer.is_batch_first else (1, 0)
    return {"batch": batch, "seq": seq, "features": 2}


def mutate_lengths(lengths: Lengths, how: str, T: int, rng: random.Random) -> Lengths:
    values = list(lengths.values)
    if how == "too-long":
        values[0] = T + rng.choice([1, 2])
    elif how == "zero":
        values[-1] = 0
    elif how == "count":
        values = values + [1] if rng.random() < 0.5 or len(values) == 1 else values[:-1]
    else:
        values = sorted(values)
    return Lengths(tuple(values), enforce_sorted=True)


def single_fault(rng: random.Random) -> tuple[RnnSpec, Call, str, bool]:
    """A valid batched call with states, then one argument changed.

    The last item says whether the fault is ambiguous: a batch change between
    `input` and a lone `h_0` could as well have been made to the other one,
    so no tool can name the changed one from the call alone.
    """
    kind = rng.choice(["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
    I, H = rng.randint(2, 6), rng.randint(2, 6)
    kwargs: dict[str, object] = {}
    if not kind.endswith("Cell"):
        kwargs = {"num_layers": rng.randint(1, 3), "bidirectional": rng.random() < 0.5,
                  "batch_first": rng.random() < 0.5}
        if kind == "LSTM" and rng.random() < 0.3:
            kwargs["proj_size"] = rng.randint(1, H - 1)
    layer = spec(kind, I, H, **kwargs)
    packed = not layer.is_cell and rng.random() < 0.25
    s = Shape(rng.randint(2, 5), rng.randint(2, 5), False, packed)
    x, states = valid_input(layer, s), valid_states(layer, s)
    lengths = None
    if packed:
        values = sorted((rng.randint(1, s.T) for _ in range(s.B)), reverse=True)
        lengths = Lengths((s.T, *values[1:]), enforce_sorted=True)
    targets = ["input", *states] + (["lengths"] if packed else [])
    target = rng.choice(targets)
    how = rng.choice([m for m in MUTATIONS[target] if not (packed and m == "empty")])
    if target == "input":
        x = mutate(x, how, input_axes(layer), rng)
    elif target == "lengths":
        assert lengths is not None
        lengths = mutate_lengths(lengths, how, s.T, rng)
    else:
        axes = {"batch": 0, "hidden": 1} if layer.is_cell else {"layers": 0, "batch": 1,
                                                                 "hidden": 2}
        states[target] = mutate(states[target], how, axes, rng)
    ambiguous = how == "batch" and target in ("input", "h_0") and len(states) == 1 and not packed
    return layer, Call(x, as_hx(layer, states), lengths), target, ambiguous


def test_single_faults_name_the_changed_argument_first(isolated: IsolatedTorch) -> None:
    rng = random.Random(20261125)
    hits = {True: 0, False: 0}
    misses: dict[bool, list[tuple[object, ...]]] = {True: [], False: []}
    while sum(hits.values()) + sum(map(len, misses.values())) < 1000:
        layer, call, target, ambiguous = single_fault(rng)
        outcome = run_torch(layer, call, isolated)
        report = diagnose(layer, call)
        if not outcome.failed and not report.errors:
            continue  # the change kept the call valid (e.g. a float64 model given float64)
        first = report.first
        if first is not None and first.arguments[0] == target:
            hits[ambiguous] += 1
        else:
            misses[ambiguous].append((target, first.code if first else None,
                                      first.arguments if first else ()))
    total = {k: hits[k] + len(misses[k]) for k in hits}
    overall = sum(hits.values()) / sum(total.values())
    clear = hits[False] / total[False]
    print(f"\nsingle-fault hit rate: {overall:.1%} over {sum(total.values())} faults; "
          f"{clear:.1%} over the {total[False]} whose culprit the call shows; "
          f"{hits[True]} of {total[True]} ambiguous ones")
    for miss in sorted(set(misses[False])):
        print("  miss:", miss)
    assert clear >= 0.95
