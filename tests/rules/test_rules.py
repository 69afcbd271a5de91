"""Every rule against its fixtures, against real torch, and against its golden output.

Construct and forward rules have `ERRORS` and `OK` lists of (spec, call):
`diagnose` must agree with them, and so must real torch. Use rules (RNN5xx)
have `FLAGGED` and `OK` lists of (Produced, Use): `uses.judge` must agree with
them, and so must semantic mode, with each use applied to a real layer's real
result under `guard(semantics=True)`. Program rules have `FLAGGED` and `OK`
lists of `uses.Reordering`, judged by `uses.judge_reordering`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from rnndoctor._record import replace
from rnndoctor.engine import diagnose
from rnndoctor.findings import Finding, Location, Severity
from rnndoctor.render.text import call_summary, render_report
from rnndoctor.report import Report
from rnndoctor.rules import REGISTRY
from rnndoctor.specs import Call, Packed, RnnSpec, TensorInfo
from rnndoctor.uses import Produced, Reordering, Use, judge, judge_all, judge_reordering

from ..semantic_support import apply_use, result_of, results_of, under_semantics
from ..support import has_cuda, isolated_outcomes, needs_cuda, torch_outcome

HERE = Path(__file__).parent
CODES = [rule.code for rule in REGISTRY if rule.stage in ("construct", "forward")]
USE_CODES = [rule.code for rule in REGISTRY if rule.stage == "use"]
PROGRAM_CODES = [rule.code for rule in REGISTRY if rule.stage == "program"]


def test_every_rule_has_a_fixture_kind() -> None:
    """A rule of a new stage must not slip past every test below."""
    assert sorted(CODES + USE_CODES + PROGRAM_CODES) == sorted(r.code for r in REGISTRY)


def _fixtures(code: str) -> ModuleType:
    path = HERE / "cases" / f"{code}.py"
    if not path.exists():
        pytest.fail(f"rule {code} has no fixture file tests/rules/cases/{code}.py")
    return importlib.import_module(f"tests.rules.cases.{code}")


def load_cases(code: str) -> tuple[list, list]:  # type: ignore[type-arg]
    module = _fixtures(code)
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
        codes = {f.code for f in report if f.severity is not Severity.NOTE or f.code == code}
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
    _check_rule_golden(code, text, update_goldens)


# ---- use rules (RNN5xx): (Produced, Use) pairs -------------------------------------------

Pair = tuple[Produced, Use]


def load_uses(code: str) -> tuple[list[Pair], list[Pair]]:
    module = _fixtures(code)
    return module.FLAGGED, module.OK


def _pair(p: Produced, use: Use) -> str:
    lengths = "" if p.lengths is None else f" padded to lengths {list(p.lengths)}"
    return f"{p.layer}: {p.name} {p.shape}{lengths}, {p.name}{use.text}"


@pytest.mark.parametrize("code", USE_CODES)
def test_flagged_uses_yield_exactly_their_code(code: str) -> None:
    flagged, _ = load_uses(code)
    assert flagged, f"{code} needs at least one FLAGGED case"
    for p, use in flagged:
        assert [f.code for f in judge(p, use)] == [code], _pair(p, use)


@pytest.mark.parametrize("code", USE_CODES)
def test_ok_uses_yield_nothing_of_their_code(code: str) -> None:
    _, ok = load_uses(code)
    assert ok, f"{code} needs at least one OK case"
    for p, use in ok:
        assert code not in {f.code for f in judge(p, use)}, _pair(p, use)


# Where semantic mode and `judge` disagree today, with the reason; strict, so a fix shows.
def _all_pairs(kinds: tuple[str, ...] = ("FLAGGED", "OK")) -> list[object]:
    """Fixture pairs of every use rule, one test each: `RNN502-FLAGGED-3`."""
    params: list[object] = []
    for code in USE_CODES:
        if not (HERE / "cases" / f"{code}.py").exists():
            continue  # the per-code tests above fail for it
        flagged, ok = load_uses(code)
        for kind, pairs in (("FLAGGED", flagged), ("OK", ok)):
            if kind not in kinds:
                continue
            for i, (p, use) in enumerate(pairs):
                case_id = f"{code}-{kind}-{i}"
                params.append(pytest.param(p, use, id=case_id))
    return params


@pytest.mark.parametrize(("p", "use"), _all_pairs())
def test_semantic_mode_agrees_with_judge_on_real_tensors(p: Produced, use: Use) -> None:
    """The runtime and the torch-free judge agree: the same findings, word for word.

    The pair's layer is built and run for real, and its use is applied to the
    real result under `guard(semantics=True)`: the runtime must warn exactly
    what `judge` finds for the fixture's description of that result.
    """
    pytest.importorskip("torch")
    shapes: list[tuple[int, ...]] = []

    def run() -> None:
        result = result_of(p)
        shapes.append(tuple(result.shape))
        apply_use(result, use)

    found, texts = under_semantics(run)
    assert shapes == [p.shape], f"{_pair(p, use)}: torch returns {shapes[0]}"
    # a finding that stands only as a layer's initial state waits for one (the flow tests show it)
    expected = tuple(j.finding for j in judge_all(p, use) if not j.as_state)
    assert [f.code for f in found] == [f.code for f in expected], _pair(p, use)
    assert [_unlocated(f) for f in found] == list(expected), _pair(p, use)
    assert [f.location.module_repr for f in found] == [p.layer] * len(found)
    assert len(texts) == len(found), f"{_pair(p, use)}: {len(texts)} warnings"


@pytest.mark.parametrize(("p", "use"), _all_pairs(("FLAGGED",)))
def test_every_help_snippet_runs_and_warns_nothing(p: Produced, use: Use) -> None:
    """Each fix shown for a flagged use, run as written on the real results, is silent."""
    pytest.importorskip("torch")
    import torch

    fixes = [f for finding in judge(p, use) for f in finding.fixes]
    assert fixes, f"{_pair(p, use)}: no fix is shown"
    for fix in fixes:
        assert fix.snippet is not None

        def run(snippet: str = fix.snippet) -> None:
            namespace = {"torch": torch, "__name__": "help", **results_of(p)}
            if namespace[p.name] is None:
                pytest.fail(f"{_pair(p, use)}: the real run gives no `{p.name}`")
            exec(compile(snippet, "<help>", "exec"), namespace)

        found, _ = under_semantics(run)
        assert not found, f"{_pair(p, use)}: `{fix.snippet}` gives {Report(found)}"


def _unlocated(f: Finding) -> Finding:
    return replace(f, location=Location(), origin="check")


@pytest.mark.parametrize("code", USE_CODES)
def test_use_golden_output(code: str, update_goldens: bool) -> None:
    flagged, _ = load_uses(code)
    text = "".join(f"# {_pair(p, use)}\n{render_report(Report(_located(p, use)))}\n"
                   for p, use in flagged)
    _check_rule_golden(code, text, update_goldens)


def _located(p: Produced, use: Use) -> tuple[Finding, ...]:
    """The findings as semantic mode shows them, without the call site."""
    return tuple(replace(f, location=Location(p.module_path, p.layer)) for f in judge(p, use))


# ---- program rules: sort orders ------------------------------------------------------------

def load_reorderings(code: str) -> tuple[list[Reordering], list[Reordering]]:
    module = _fixtures(code)
    return module.FLAGGED, module.OK


@pytest.mark.parametrize("code", PROGRAM_CODES)
def test_program_cases(code: str) -> None:
    flagged, ok = load_reorderings(code)
    assert flagged and ok, f"{code} needs FLAGGED and OK cases"
    for r in flagged:
        assert [f.code for f in judge_reordering(r)] == [code], r
    for r in ok:
        assert code not in {f.code for f in judge_reordering(r)}, r


@pytest.mark.parametrize("code", PROGRAM_CODES)
def test_program_golden_output(code: str, update_goldens: bool) -> None:
    flagged, _ = load_reorderings(code)
    text = "".join(f"# {r}\n{render_report(Report(judge_reordering(r)))}\n" for r in flagged)
    _check_rule_golden(code, text, update_goldens)


def _check_rule_golden(code: str, text: str, update_goldens: bool) -> None:
    golden = HERE / "goldens" / f"{code}.txt"
    if update_goldens or not golden.exists():
        golden.write_text(text)
        if not update_goldens:
            pytest.fail(f"wrote new golden {golden.name}; review it and run again")
    assert text == golden.read_text()
