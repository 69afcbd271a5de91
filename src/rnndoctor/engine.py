"""Runs every rule over a layer and a call, checks each fix, and orders the findings."""

from __future__ import annotations

import functools

from ._record import replace
from .findings import Finding, Location, Severity
from .report import Report
from .rules import family_stages, of_stage
from .rules._base import Bound, Candidate, Order
from .specs import Call, RnnSpec

__all__ = ["diagnose"]

MAX_FIXES = 3


def diagnose(spec: RnnSpec, call: Call | None, location: Location | None = None) -> Report:
    """Every finding for `spec` called with `call` (construction only when `call` is None).

    Results are memoised on the spec and call, so checking the same signature
    again costs a dictionary lookup.
    """
    try:
        findings = _findings(spec.key, spec, call)
    except TypeError:  # an unhashable constructor value: nothing to memoise on
        findings = _findings.__wrapped__(spec.key, spec, call)
    findings = _with_cpu_note(findings, spec, call)
    if findings:
        where = location or Location(module_repr=repr(spec))
        findings = tuple(replace(f, location=where) for f in findings)
    return Report(findings=findings, spec=spec, call=call)


@functools.lru_cache(maxsize=4096)
def _findings(key: tuple[object, ...], spec: RnnSpec, call: Call | None) -> tuple[Finding, ...]:
    """The findings with their checked fixes; `key` keeps `True` and `1` apart in the cache."""
    candidates = _candidates(spec, call)
    return tuple(_with_checked_fixes(c, spec, call, candidates) for c in candidates)


def _with_cpu_note(findings: tuple[Finding, ...], spec: RnnSpec,
                   call: Call | None) -> tuple[Finding, ...]:
    """Where the CPU decides whether oneDNN runs the call and it is not known, say so.

    The findings are those of a CPU whose oneDNN lacks bfloat16 (or float16)
    support; when a CPU with it would give another verdict, each finding says which.
    """
    if call is None or not findings or any(
            f.severity is Severity.ERROR and family_stages(f.code) == ("construct",) for f in findings):
        return findings  # no call, or a layer torch cannot build: no backend to choose
    bound = Bound(spec, call)
    if bound.x is None or bound.via_onednn is not None:
        return findings
    kind = "bf16" if bound.x.dtype == "bfloat16" else "fp16"
    other = _findings.__wrapped__(spec.key, spec, replace(call, backend=replace(
        call.backend, **{kind: True})))
    if _verdict(other) == _verdict(findings):
        return findings
    note = (f"this is the verdict on a CPU whose oneDNN lacks {kind} support "
            f"(`torch.ops.mkldnn._is_mkldnn_{kind}_supported()` is False); where it has it, "
            f"torch 2.13 runs this call through oneDNN, and {_outcome(other)}")
    return tuple(replace(f, notes=(*f.notes, note)) for f in findings)


def _verdict(findings: tuple[Finding, ...]) -> tuple[tuple[str, str | None], ...]:
    return tuple((f.code, f.raises) for f in findings if f.severity is Severity.ERROR)


def _outcome(findings: tuple[Finding, ...]) -> str:
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not errors:
        return "the call runs"
    first = next((f for f in errors if f.raises), None)
    if first is None:
        return f"the call runs on silently, wrong ({errors[0].code})"
    return f"raises {first.raises} first ({first.code})"


def _candidates(spec: RnnSpec, call: Call | None) -> list[Candidate]:
    bound = Bound(spec, call)
    found = [c for rule in of_stage("construct") for c in rule.check(bound)]
    # Some arguments torch accepts at construction fail every forward call; their errors
    # sit at a forward step and leave the forward rules to run.
    constructs = not any(c.finding.severity is Severity.ERROR and c.order < Order.INPUT_TYPE
                         for c in found)
    if call is not None and constructs:
        found += [c for rule in of_stage("forward") for c in rule.check(bound)]
    return sorted(found, key=lambda c: c.order)


def _with_checked_fixes(
    c: Candidate, spec: RnnSpec, call: Call | None, all_found: list[Candidate]
) -> Finding:
    """Keep the fixes that clear this finding without adding a problem of another kind."""
    before = {x.finding.code for x in all_found}
    kept = []
    for proposed in c.fixes:
        new_spec, new_call = proposed.apply(spec, call or Bound(spec, None).call)
        after = {x.finding.code for x in _candidates(new_spec, new_call if call else None)}
        if c.finding.code not in after and after <= before:
            kept.append(proposed.fix)
        if len(kept) == MAX_FIXES:
            break
    return replace(c.finding, fixes=tuple(kept))
