"""What a matched message and its traceback say, and how a diagnosis is built from it."""

from __future__ import annotations

import re
from typing import Literal

from .._record import record
from ..findings import Applicability, Dim, Finding, Fix, Severity
from ..specs import RnnSpec
from ._traceback import Trace
from .patterns import Match

__all__ = [
    "FROM_MESSAGE",
    "Confidence",
    "Diagnosis",
    "Evidence",
    "article",
    "change",
    "diagnose_as",
    "facts",
    "fmt",
    "partial_reading",
    "safe",
    "shape",
    "state_dims",
]

Confidence = Literal["high", "medium", "low"]

# explain names the rule a message means; the code and severity come from the
# registry. These four are the state rules still missing from the registry:
# issue 2 lists them, and their codes are reserved here until they land.
_PENDING: dict[str, tuple[str, Severity]] = {
    "hx-structure": ("RNN201", Severity.ERROR),
    "hidden-rank": ("RNN202", Severity.ERROR),
    "hidden-size-mismatch": ("RNN205", Severity.ERROR),
    "hidden-dtype-mismatch": ("RNN206", Severity.ERROR),
}

_INT = re.compile(r"-?\d{1,12}")
FROM_MESSAGE = "the fixes are inferred from the message alone; none could be tried"


@record
class Evidence:
    """A matched message, its exception type, and the traceback around it."""

    match: Match
    exception: str | None
    trace: Trace

    @property
    def g(self) -> dict[str, str]:
        return self.match.groups

    def int(self, name: str) -> int:
        return int(self.g[name])

    @property
    def spec(self) -> RnnSpec | None:
        return self.trace.spec

    def kind(self, default: str) -> str:
        """The layer class, from the traceback or the constructor; `default` when neither tells."""
        return self.trace.kind or default

    @property
    def raises(self) -> str | None:
        return self.exception.rsplit(".", 1)[-1] if self.exception else None


@record
class Diagnosis:
    """What explain concludes: findings, or facts about a message no rule covers."""

    findings: tuple[Finding, ...]
    confidence: Confidence
    partial: bool = False  # the message matched, but the text does not show its cause
    notes: tuple[str, ...] = ()  # facts, where there is no finding to hold them
    fixes: tuple[Fix, ...] = ()


def diagnose_as(
    ev: Evidence,
    rule: str,
    title: str,
    arguments: tuple[str, ...],
    *,
    dims: tuple[Dim, ...] = (),
    notes: tuple[str, ...] = (),
    fixes: tuple[Fix, ...] = (),
    confidence: Confidence = "high",
    partial: bool = False,
) -> Diagnosis:
    """One finding under `rule`, with the evidence and the confidence stated in its notes."""
    code, severity = _rule(rule)
    if severity is Severity.WARNING and ev.raises and not ev.raises.endswith("Warning"):
        severity = Severity.ERROR  # torch raised it: whatever `check` says, this call failed
    finding = Finding(
        code=code,
        rule=rule,
        severity=severity,
        title=title,
        arguments=arguments,
        dims=dims,
        notes=notes + _closing_notes(fixes, confidence, partial),
        fixes=fixes[:3],
        raises=ev.raises,
        origin="explain",
    )
    return Diagnosis((finding,), confidence, partial)


def partial_reading(ev: Evidence, rule: str, title: str, reading: str) -> Diagnosis:
    """A generic message with no recurrent layer in sight: the reading it would have, marked partial."""
    return diagnose_as(
        ev, rule, title, (),
        notes=(f"`{ev.match.pattern.id}` is a generic message; nothing in the text shows a recurrent layer",
               f"if it comes from a recurrent layer, {reading}"),
        confidence="low", partial=True,
    )


def facts(notes: tuple[str, ...], *fixes: Fix, confidence: Confidence = "high") -> Diagnosis:
    """A recognised message that no rule covers (cuDNN, MPS, warnings): facts and helps only."""
    return Diagnosis((), confidence, notes=notes, fixes=fixes)


def _rule(name: str) -> tuple[str, Severity]:
    from ..rules import named  # a rule's module loads only when its message is recognised

    rule = named(name)
    return (rule.code, rule.severity) if rule is not None else _PENDING[name]


def _closing_notes(fixes: tuple[Fix, ...], confidence: Confidence, partial: bool) -> tuple[str, ...]:
    notes = [f"confidence: {confidence}" + (", partial match" if partial else "")]
    if fixes:
        notes.append(FROM_MESSAGE)
    return tuple(notes)


def article(word: str) -> str:
    """`a tuple`, `an int`."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def shape(text: str) -> tuple[int, ...]:
    """The integers of a printed shape: "4, 32, 100" -> (4, 32, 100)."""
    return tuple(int(v) for v in _INT.findall(text))


def fmt(values: tuple[int, ...]) -> str:
    return f"({values[0]},)" if len(values) == 1 else "(" + ", ".join(map(str, values)) + ")"


def safe(title: str, snippet: str | None = None) -> Fix:
    return Fix(title, Applicability.SAFE, snippet)


def change(title: str, snippet: str | None = None) -> Fix:
    return Fix(title, Applicability.CHANGES_MODEL, snippet)


def state_dims(
    name: str, expected: tuple[int, ...], actual: tuple[int | None, ...], derivations: tuple[str, ...] = ()
) -> tuple[Dim, ...]:
    """The axes of a state as torch lays it out: (D*num_layers, N, H_out) or (D*num_layers, N, H_cell)."""
    last = "H_cell" if name == "c_0" else "H_out"
    symbols = ("D*num_layers", "N", last) if len(expected) == 3 else ("N", last)[-len(expected) :]
    why = derivations + ("",) * (len(expected) - len(derivations))
    return tuple(
        Dim(name, i, sym, e, a, d) for i, (sym, e, a, d) in enumerate(zip(symbols, expected, actual, why))
    )
