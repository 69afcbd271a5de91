"""Every rule against its fixtures, against real torch, and against its golden output."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from rnndoctor.engine import diagnose
from rnndoctor.findings import Severity
from rnndoctor.render.text import call_summary, render_report
from rnndoctor.rules import REGISTRY
from rnndoctor.spec import Call, Packed, RnnSpec, TensorInfo

from ..support import has_cuda, isolated_outcomes, needs_cuda, torch_outcome

HERE = Path(__file__).parent
CODES = [rule.code for rule in REGISTRY]


def load_cases(code: str) -> tuple[list, list]:  # type: ignore[type-arg]
    path = HERE / "cases" / f"{code}.py"
    if not path.exists():
        pytest.fail(f"rule {code} has no fixture file tests/rules/cases/{code}.py")
    module = importlib.import_module(f"tests.rules.cases.{code}")
    return module.ERRORS, module.OK


def needs_isolation(spec: RnnSpec, call: Call | None) -> bool:
    """Calls that can crash torch: a packed nn.LSTM, and a GRUCell or LSTMCell given one
    unbatched sample (a 2-D `h_0` there makes the kernel read past its gates)."""
    if call is None:
        return False
    packed = isinstance(call.input, Packed) or call.lengths is not None
    unbatched_cell = (spec.kind in ("GRUCell", "LSTMCell") and isinstance(call.input, TensorInfo)
                      and call.input.ndim == 1)
    return (packed and spec.base == "LSTM") or unbatched_cell


def outcome(spec: RnnSpec, call: Call | None):  # type: ignore[no-untyped-def]
    if needs_isolation(spec, call):
        return isolated_outcomes([(spec, call)])[0]
    return torch_outcome(spec, call)


@pytest.mark.parametrize("code", CODES)
def test_errors_cases_yield_exactly_their_code(code: str) -> None:
    errors, _ = load_cases(code)
    assert errors, f"{code} needs at least one ERRORS case"
    for spec, call in errors:
        report = diagnose(spec, call)
        codes = {f.code for f in report if f.severity is not Severity.NOTE}
        assert codes == {code}, f"{spec!r} {call}: got {sorted(codes)}"


@pytest.mark.parametrize("code", CODES)
def test_ok_cases_yield_nothing_of_their_code(code: str) -> None:
    _, ok = load_cases(code)
    assert ok, f"{code} needs at least one OK case"
    for spec, call in ok:
        report = diagnose(spec, call)
        assert code not in {f.code for f in report}, f"{spec!r} {call}\n{report}"


@pytest.mark.parametrize("code", CODES)
def test_torch_agrees_with_every_case(code: str) -> None:
    errors, ok = load_cases(code)
    cuda_cases = [] if has_cuda() else [case for case in errors + ok if needs_cuda(*case)]
    errors = [case for case in errors if case not in cuda_cases]
    ok = [case for case in ok if case not in cuda_cases]
    for spec, call in errors:
        finding = next(f for f in diagnose(spec, call) if f.code == code)
        got = outcome(spec, call)
        if finding.severity is not Severity.ERROR:
            assert got.kind == "ok", f"{spec!r} {call}: a {finding.severity.value} but torch {got}"
        elif finding.raises:
            assert got.kind == "raise", f"{spec!r} {call}: torch did not raise: {got}"
            assert got.error == finding.raises, f"{spec!r} {call}: torch raised {got}"
        else:
            assert got.kind != "raise", f"{spec!r} {call}: doc says torch does not raise: {got}"
    for spec, call in ok:
        if not diagnose(spec, call):
            continue  # another rule's error; that rule's own cases cover it
        got = outcome(spec, call)
        assert got.kind == "ok", f"{spec!r} {call}: torch {got}"
    if cuda_cases:
        pytest.skip(f"{len(cuda_cases)} case(s) need CUDA, which this machine lacks; "
                    "every other case agrees with torch")


@pytest.mark.parametrize("code", CODES)
def test_golden_output(code: str, update_goldens: bool) -> None:
    errors, _ = load_cases(code)
    text = "".join(
        f"# {spec!r}: {call_summary(call)}\n{render_report(diagnose(spec, call))}\n" for spec, call in errors
    )
    golden = HERE / "goldens" / f"{code}.txt"
    if update_goldens or not golden.exists():
        golden.write_text(text)
        if not update_goldens:
            pytest.fail(f"wrote new golden {golden.name}; review it and run again")
    assert text == golden.read_text()
