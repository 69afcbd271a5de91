"""Where the arguments of a failed call came from, as plain data, and how that ranks a finding.

A front end that can see the user's frames (the guard, the post-mortem, `run`)
gathers a `Provenance` after a failure (`rnndoctor._origins`) and hands it,
with the finding, to `with_provenance`. That is the one ranking policy for
every front end:

- The data is right and the states are built to match it. Without other
  evidence the rules already rank that way (RNN204's doc says how); states
  built by one line are one witness.
- Evidence from outside the call can change the order: a loader that never
  gives the input's batch makes `input` the odd one out.
- A fix that edits the line that made the wrong number goes first, with that
  line's file:line (`Fix.site`). It is kept only where the fix at the call
  that it stands for was checked and kept, so it is checked on the call it
  produces.
- One note states the evidence in a line.

Nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from .findings import Applicability, Finding, Fix
from .loader import LoaderFacts
from .report import Report

__all__ = ["Kind", "Origin", "Provenance", "rank", "with_provenance"]

MAX_FIXES = 3
_STATES = ("h_0", "c_0", "hx")

Kind = Literal["built", "carried", "constructed"]


@dataclass(frozen=True, slots=True)
class Origin:
    """The line that made one argument, or one constructor argument, and what it read.

    `edit` is that line rewritten to make the right value; None where the
    source does not show how.
    """

    argument: str  # "h_0", "input", or a constructor argument: "input_size"
    site: str  # "train.py:12"
    line: str  # the line as written, stripped
    kind: Kind = "built"
    reads: str | None = None  # the expression the wrong number came from: "self.batch_size"
    binding: str | None = None  # "`self.batch_size` is set to 32 at model.py:9"
    edit: str | None = None  # "h_0 = torch.zeros(1, x.size(1), 100)"
    edit_title: str | None = None  # "size the states from the batch of `x`"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Everything known from outside the call: origins, the loader, and the layer's history."""

    origins: tuple[Origin, ...] = ()
    loader: LoaderFacts | None = None
    history: tuple[tuple[int, int], ...] = ()  # (batch, calls) this layer ran with before
    input_batch: int | None = None  # the batch of this call's input, as torch reads it

    def origin(self, argument: str) -> Origin | None:
        for o in self.origins:
            if o.argument == argument:
                return o
        return None


def with_provenance(report: Report, provenance: Provenance) -> Report:
    """The report with its first error ranked by `provenance`; the others are left as they are."""
    first = report.first
    if first is None:
        return report
    ranked = rank(first, provenance)
    return replace(report, findings=tuple(ranked if f is first else f for f in report.findings))


def rank(finding: Finding, provenance: Provenance) -> Finding:
    """`finding` with its arguments and fixes ordered by the evidence, and the evidence noted."""
    arguments = _arguments(finding, provenance)
    fixes = _upstream_fixes(finding, provenance, arguments) + finding.fixes
    if _input_is_odd(finding, provenance):
        fixes = tuple(sorted(fixes, key=lambda f: "`input`" not in f.title))
    fixes = tuple(_located(f, provenance) for f in _unique(fixes))[:MAX_FIXES]
    note = _evidence(finding, provenance, arguments)
    notes = finding.notes + ((note,) if note else ())
    return replace(finding, arguments=arguments, fixes=fixes, notes=notes)


def _arguments(finding: Finding, provenance: Provenance) -> tuple[str, ...]:
    if _packed_past_the_end(finding, provenance):
        return ("lengths", *(a for a in finding.arguments if a != "lengths"))
    if _input_is_odd(finding, provenance):
        return ("input", *(a for a in finding.arguments if a != "input"))
    sized = _sized_from_data(finding, provenance)
    if sized:
        return (*sized, *(a for a in finding.arguments if a not in sized))
    return finding.arguments


def _sized_from_data(finding: Finding, provenance: Provenance) -> tuple[str, ...]:
    """States whose wrong batch was read from the data's other axis (`x.size(0)`, time-major).

    Then the input's layout was made on purpose and the states are wrong:
    flipping `batch_first` would only make the shapes line up.
    """
    if finding.code != "RNN204" or not finding.arguments or finding.arguments[0] != "input":
        return ()
    return tuple(a for a in _STATES if (o := provenance.origin(a)) is not None and o.edit
                 and o.reads is not None and (".size(" in o.reads or ".shape" in o.reads))


def _packed_past_the_end(finding: Finding, provenance: Provenance) -> bool:
    """Packed input whose batch sizes do not fit its data, made from `lengths` longer than T."""
    lengths = provenance.origin("lengths")
    return finding.code in ("RNN406", "RNN408") and lengths is not None and lengths.edit is not None


def _input_is_odd(finding: Finding, provenance: Provenance) -> bool:
    """A batch mismatch where the loader never gives the input's batch, but gives the states'."""
    loader, batch = provenance.loader, provenance.input_batch
    if finding.code != "RNN204" or loader is None or batch is None or loader.gives(batch):
        return False
    state_batches = {d.actual for d in finding.dims if d.tensor in _STATES and d.symbol == "N"}
    return bool(state_batches) and all(n is not None and loader.gives(n) for n in state_batches)


def _upstream_fixes(finding: Finding, provenance: Provenance,
                    arguments: tuple[str, ...]) -> tuple[Fix, ...]:
    """The edits of the lines that made the first argument, where the fix at the call was kept."""
    first = arguments[0] if arguments else None
    if first is None or _input_is_odd(finding, provenance):
        return ()
    fixes: list[Fix] = []
    origin = provenance.origin(first)
    if origin is not None and origin.edit is not None and first == "lengths" and _packed_past_the_end(
            finding, provenance):  # checked on no call: torch packs it without an error
        fixes.append(Fix(origin.edit_title or "clamp `lengths`", Applicability.SAFE, origin.edit,
                         origin.site))
    elif origin is not None and origin.edit is not None and _stands_for(finding, first):
        title = origin.edit_title or f"change the line that makes `{first}`"
        fixes.append(Fix(title, Applicability.SAFE, origin.edit, origin.site))
    last = _last_batch(finding, provenance)
    if last is not None:
        fixes.append(Fix(f"drop the incomplete last batch of `{last.name}` (not checked at the call)"
                         if last.name else "drop the incomplete last batch (not checked at the call)",
                         Applicability.SAFE, "DataLoader(..., drop_last=True)"))
    return tuple(fixes)


def _stands_for(finding: Finding, argument: str) -> bool:
    """Whether a fix at the call that changes `argument` was checked and kept."""
    names = (f"`{argument}`", f"`{argument}=")
    if argument in _STATES:
        return any("states" in f.title or names[0] in f.title for f in finding.fixes)
    return any(n in f.title for f in finding.fixes for n in names)


def _last_batch(finding: Finding, provenance: Provenance) -> LoaderFacts | None:
    loader, batch = provenance.loader, provenance.input_batch
    if finding.code != "RNN204" or loader is None or batch is None:
        return None
    return loader if batch == loader.last_batch else None


def _located(fix: Fix, provenance: Provenance) -> Fix:
    """A constructor fix points at the line that built the layer, where it is known."""
    built = provenance.origin("layer")
    rebuilds = fix.applicability is Applicability.CHANGES_MODEL or (fix.snippet or "").startswith("nn.")
    if fix.site is None and built is not None and rebuilds:
        return replace(fix, site=built.site)
    return fix


def _unique(fixes: tuple[Fix, ...]) -> tuple[Fix, ...]:
    seen: set[tuple[str, str | None]] = set()
    kept = []
    for fix in fixes:
        if (fix.title, fix.snippet) not in seen:
            seen.add((fix.title, fix.snippet))
            kept.append(fix)
    return tuple(kept)


def _evidence(finding: Finding, provenance: Provenance, arguments: tuple[str, ...]) -> str | None:
    """One line: where the first argument was made, and what the loader and history say."""
    parts: list[str] = []
    first = arguments[0] if arguments else None
    origin = provenance.origin(first) if first else None
    if origin is not None:
        together = [a for a in _STATES if a != first and (o := provenance.origin(a)) is not None
                    and o.site == origin.site]
        names = " and ".join(f"`{a}`" for a in (first, *together))
        made = "carried over from an earlier call, first built" if origin.kind == "carried" else "built"
        one = " (one witness)" if together else ""
        reads = f" from `{origin.reads}`" if origin.reads and not origin.reads.isdigit() else ""
        parts.append(f"{names} {'are' if together else 'is'} {made} at {origin.site}{one}{reads}")
        if _sized_from_data(finding, provenance):
            parts.append("that is the input's other axis, so the states are ranked as the ones to "
                         "change, not `batch_first`")
        if origin.binding:
            parts.append(origin.binding)
    if finding.code == "RNN204":
        parts += _batch_evidence(provenance)
    return "; ".join(parts) if parts else None


def _batch_evidence(provenance: Provenance) -> list[str]:
    parts = []
    batch = provenance.input_batch
    if provenance.history:
        seen = ", ".join(f"batch {n} in {calls} earlier {'call' if calls == 1 else 'calls'}"
                         for n, calls in provenance.history)
        parts.append(f"this layer saw {seen}")
    loader = provenance.loader
    if loader is not None and batch is not None:
        if loader.gives(batch):
            parts.append(f"this batch has {loader.describe(batch)}")
        else:
            label = f"`{loader.name}`" if loader.name else "the DataLoader"
            last = f" and a last one of {loader.last_batch}" if loader.last_batch else ""
            parts.append(f"{label} gives batches of {loader.batch_size}{last}, never {batch}: "
                         "`input` is ranked as the one to change")
    return parts
