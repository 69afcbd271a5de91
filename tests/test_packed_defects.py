"""torch 2.13's packed-sequence defects are real, and rnndoctor flags each one.

Each defect runs for real in a child process (a packed nn.LSTM can kill the
interpreter): torch must crash or return without raising, and rnndoctor must
report an error whose `raises` is None. A packed nn.LSTM whose sequences all
have the full length goes to oneDNN on x86 CPUs, which checks no sizes at all. If a torch release fixes a defect,
its test fails here and the rule's doc needs updating.

The grid at the end holds `pack_padded_sequence`'s own checks against torch:
the first error rnndoctor reports must be the exception torch raises first.
"""

from __future__ import annotations

import itertools

import pytest

from rnndoctor.engine import diagnose
from rnndoctor.findings import Severity
from rnndoctor.specs import Call, Lengths, Packed, RnnSpec, TensorInfo, spec

from .rules.cases import T, case, lengths
from .support import IsolatedTorch, isolated_outcomes, torch_outcome

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def isolated() -> IsolatedTorch:
    runner = IsolatedTorch()
    yield runner  # type: ignore[misc]
    runner.close()


def _states(kind: str, batch: int, h_layers: int = 1, c_layers: int = 1,
            c_batch: int | None = None) -> object:
    h = (h_layers, batch, 20)
    return (h, (c_layers, batch if c_batch is None else c_batch, 20)) if kind == "LSTM" else h


CRASHES = {
    "packed LSTM, h_0 with more layers than c_0": (
        "RNN203", case(spec("LSTM", 10, 20), (5, 3, 10), _states("LSTM", 3, h_layers=2),
                       lengths=lengths(5, 3, 2))),
}

# oneDNN reads and writes past the states: a crash, as a rule, but the outcome depends on
# the heap, so each call runs in a fresh process and anything but an exception passes.
UNCHECKED = {
    f"packed LSTM, every sequence full length, states of batch {h} and {c} for N=3": (
        "RNN204", case(spec("LSTM", 10, 20), (5, 3, 10), _states("LSTM", h, c_batch=c),
                       lengths=lengths(5, 5, 5)))
    for h, c in ((1, 1), (3, 1))
}

SILENT = {
    "packed LSTM, every sequence full length, states batch above N": (
        "RNN204", case(spec("LSTM", 10, 20), (5, 3, 10), _states("LSTM", 4),
                       lengths=lengths(5, 5, 5))),
    "packed LSTM, c_0 with more layers than h_0": (
        "RNN203", case(spec("LSTM", 10, 20), (5, 3, 10), _states("LSTM", 3, c_layers=2),
                       lengths=lengths(5, 3, 2))),
    "packed LSTM, enforce_sorted=False, h_0 batch above N": (
        "RNN204", case(spec("LSTM", 10, 20), (5, 3, 10), _states("LSTM", 4, c_batch=3),
                       lengths=lengths(5, 3, 2, enforce_sorted=False))),
    **{
        f"packed {kind}, enforce_sorted=False, states batch above N": (
            "RNN204", case(spec(kind, 10, 20), (5, 3, 10), _states(kind, 4),
                           lengths=lengths(5, 3, 2, enforce_sorted=False)))
        for kind in ("RNN", "GRU", "LSTM")
    },
    **{
        f"{kind}, enforce_sorted=False, fewer lengths than sequences": (
            "RNN403", case(spec(kind, 10, 20), (5, 3, 10),
                           lengths=lengths(5, 3, enforce_sorted=False)))
        for kind in ("RNN", "GRU", "LSTM")
    },
    **{
        f"{kind}, fractional lengths": (
            "RNN407", case(spec(kind, 10, 20), (5, 3, 10),
                           lengths=lengths(5.0, 3.9, 2.5, dtype="float32")))
        for kind in ("RNN", "GRU", "LSTM")
    },
    **{
        f"{kind}, batch_sizes summing below the data rows": (
            "RNN408", case(spec(kind, 10, 20), Packed(T(12, 10), (3, 3, 2, 1, 1))))
        for kind in ("RNN", "GRU", "LSTM")
    },
}


def _flagged(code: str, layer: RnnSpec, call: Call) -> None:
    report = diagnose(layer, call)
    finding = next((f for f in report.errors if f.code == code), None)
    assert finding is not None, f"rnndoctor does not report {code}:\n{report}"
    assert finding.raises is None, f"{code} claims torch raises {finding.raises}"
    assert not report


@pytest.mark.parametrize("name", CRASHES)
def test_torch_crashes_and_rnndoctor_flags_it(name: str, isolated: IsolatedTorch) -> None:
    code, (layer, call) = CRASHES[name]
    outcome = isolated.run(layer, call)
    assert outcome.kind == "crash", f"torch no longer crashes: {outcome}"
    _flagged(code, layer, call)


@pytest.mark.parametrize("name", UNCHECKED)
def test_torch_checks_nothing_and_rnndoctor_flags_it(name: str) -> None:
    code, (layer, call) = UNCHECKED[name]
    outcome = isolated_outcomes([(layer, call)])[0]
    assert outcome.kind != "raise", f"torch now checks this call: {outcome}"
    _flagged(code, layer, call)


@pytest.mark.parametrize("name", SILENT)
def test_torch_stays_silent_and_rnndoctor_flags_it(name: str, isolated: IsolatedTorch) -> None:
    code, (layer, call) = SILENT[name]
    outcome = isolated.run(layer, call)
    assert outcome.kind == "ok", f"torch no longer accepts this call: {outcome}"
    _flagged(code, layer, call)


# A packed nn.LSTM meets its data only in the first layer's matrix product, after ATen has
# read dim 2 and the layer count of both states: a state error there is what torch raises.
STATE_ERRORS_BEFORE_DATA_ERRORS = {
    f"packed LSTM, {data} data, {state}, enforce_sorted={sort}": (
        code, case(spec("LSTM", 10, 20), T(5, 3, features, dtype=dtype), hx,
                   lengths=lengths(5, 3, 2, enforce_sorted=sort)))
    for data, features, dtype in (("12-feature", 12, "float32"), ("float64", 10, "float64"),
                                  ("int64", 10, "int64"))
    for state, code, hx in (
        ("2-D c_0", "RNN202", ((1, 3, 20), (3, 20))),
        ("h_0 and c_0 with 2 layers", "RNN203", ((2, 3, 20), (2, 3, 20))),
        ("c_0 of 21 features", "RNN205", ((1, 3, 20), (1, 3, 21))),
    )
    for sort in (True, False)
}


@pytest.mark.parametrize("name", STATE_ERRORS_BEFORE_DATA_ERRORS)
def test_packed_lstm_reports_the_state_error_torch_raises_first(
        name: str, isolated: IsolatedTorch) -> None:
    code, (layer, call) = STATE_ERRORS_BEFORE_DATA_ERRORS[name]
    outcome = isolated.run(layer, call)
    report = diagnose(layer, call)
    assert len(report.errors) == 2, report
    assert report.first is not None and report.first.code == code, report
    assert outcome.kind == "raise" and outcome.error == report.first.raises, outcome


def test_lengths_beyond_the_padded_sequence_pack_without_an_error() -> None:
    """torch packs them into a corrupt PackedSequence; only the layer fails, later (RNN406)."""
    from torch.nn.utils.rnn import pack_padded_sequence

    packed = pack_padded_sequence(torch.randn(5, 3, 10), torch.tensor([7, 3, 2]))
    assert int(packed.batch_sizes.sum()) > packed.data.shape[0]
    layer, call = case(spec("GRU", 10, 20), (5, 3, 10), lengths=lengths(7, 3, 2))
    report = diagnose(layer, call)
    assert report.first is not None and report.first.code == "RNN406"
    assert torch_outcome(layer, call).error == report.first.raises


# ---- pack_padded_sequence's own checks, in torch's order ------------------------------------

SHAPES = [(5, 3, 4), (0, 3, 4), (5, 0, 4), (5,)]
VALUES = [(5, 3, 2), (3, 5, 2), (5, 3, 0), (5, 0, 2), (7, 3, 2), (5, 3), (5, 3, 2, 1), (),
          (5, 3, 2.7), (5, 3, 0.5), (2, 7, 0)]


def _grid() -> list[tuple[RnnSpec, Call]]:
    cases = []
    for shape, values, sort, batch_first, ndim, device in itertools.product(
            SHAPES, VALUES, (True, False), (False, True), (1, 2), ("cpu", "meta")):
        padded = (shape[1], shape[0], *shape[2:]) if batch_first and len(shape) > 1 else shape
        dtype = "int64" if all(v == int(v) for v in values) else "float32"
        cases.append((spec("GRU", 4, 3, batch_first=batch_first),
                      Call(TensorInfo(padded), None, Lengths(values, dtype, device, ndim, sort))))
    return cases


def test_the_first_error_is_the_one_torch_raises() -> None:
    disagree = []
    for layer, call in _grid():
        report = diagnose(layer, call)
        expected = report.first.raises if report.first is not None else None
        got = torch_outcome(layer, call)
        if (got.error if got.kind == "raise" else None) != expected:
            disagree.append(f"{layer!r} {call}: torch {got}, rnndoctor {report.first}")
    assert not disagree, f"{len(disagree)} disagreements, first: {disagree[0]}"


def test_silent_errors_come_after_every_error_torch_raises() -> None:
    layer, call = case(spec("GRU", 10, 20), (5, 3, 10),
                       lengths=lengths(7, 3.5, enforce_sorted=False, dtype="float32"))
    report = diagnose(layer, call)
    assert [f.code for f in report.errors] == ["RNN406", "RNN403", "RNN407"]
    assert {f.severity for f in report} == {Severity.ERROR}
    assert torch_outcome(layer, call).error == "RuntimeError"
