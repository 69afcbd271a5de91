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
- A state that another recurrent layer returned (an encoder's, handed to a
  decoder) is data, not a state built to match: its upstream edits (the
  decoder built with the encoder's sizes, the encoder's directions summed or
  concatenated) are each checked with the engine on the call they produce,
  and zero states in its place, which would drop the encoder's result, are
  not offered.
- One note states the evidence in a line.

Nothing here imports torch.
"""

from __future__ import annotations

from typing import Any, Literal

from ._record import record, replace
from .engine import diagnose
from .findings import Applicability, Finding, Fix, Severity
from .loader import LoaderFacts
from .report import Report
from .specs import Call, RnnSpec, Seq, TensorInfo

__all__ = ["Edit", "Kind", "Origin", "Provenance", "rank", "rebuilds_layer", "with_provenance"]

MAX_FIXES = 3
_STATES = ("h_0", "c_0", "hx")

Kind = Literal["built", "carried", "constructed", "returned"]


@record
class Edit:
    """An upstream fix, and the call it would produce: kept only where that call is clean.

    `layer` holds the layer's constructor arguments the edit changes (its
    `kind` too: an LSTM built as a GRU); `states`, the shape every state gets;
    `paired`, a single state tensor handed over as `(h, c)`; `h_only`, the
    `h` of a pair handed over alone.
    """

    fix: Fix
    layer: tuple[tuple[str, object], ...] = ()
    states: tuple[int, ...] | None = None
    paired: bool = False
    h_only: bool = False

    def produces(self, spec: RnnSpec, call: Call) -> tuple[RnnSpec, Call]:
        """The layer and the call after this edit."""
        hx = call.hx
        if self.paired and isinstance(hx, TensorInfo):
            hx = Seq("tuple", (hx, hx))
        if self.h_only and isinstance(hx, Seq) and hx.items:
            hx = hx.items[0]
        if self.states is not None and isinstance(hx, TensorInfo):
            hx = replace(hx, shape=self.states)
        elif self.states is not None and isinstance(hx, Seq):
            hx = replace(hx, items=tuple(replace(i, shape=self.states) if isinstance(i, TensorInfo) else i
                                         for i in hx.items))
        changes: dict[str, Any] = dict(self.layer)
        return replace(spec, **changes), replace(call, hx=hx)

    def clean(self, spec: RnnSpec, call: Call) -> bool:
        """Whether the call this edit produces raises nothing and computes nothing wrong."""
        report = diagnose(*self.produces(spec, call))
        return not any(f.severity is Severity.ERROR for f in report.findings)


@record
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
    edits: tuple[Edit, ...] = ()  # "returned": the edits that make the handoff fit, best first


@record
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
    ranked = rank(first, provenance, report.spec, report.call)
    return replace(report, findings=tuple(ranked if f is first else f for f in report.findings))


def rank(finding: Finding, provenance: Provenance, spec: RnnSpec | None = None,
         call: Call | None = None) -> Finding:
    """`finding` with its arguments and fixes ordered by the evidence, and the evidence noted.

    `spec` and `call` are the layer and the call, on which an edit of a handoff
    is checked; without them such edits are left out.
    """
    handoff = _handoff(finding, provenance, spec, call)
    if handoff is not None:
        return _ranked_handoff(finding, provenance, *handoff)
    arguments = _arguments(finding, provenance)
    fixes = _upstream_fixes(finding, provenance, arguments) + finding.fixes
    if _input_is_odd(finding, provenance):
        fixes = tuple(sorted(fixes, key=lambda f: "`input`" not in f.title))
    fixes = tuple(_located(f, provenance) for f in _unique(fixes))[:MAX_FIXES]
    note = _evidence(finding, provenance, arguments)
    notes = finding.notes + ((note,) if note else ())
    return replace(finding, arguments=arguments, fixes=fixes, notes=notes)


def _handoff(finding: Finding, provenance: Provenance, spec: RnnSpec | None,
             call: Call | None) -> tuple[Origin, tuple[Edit, ...]] | None:
    """The state another recurrent layer returned, and its edits that produce a clean call."""
    returned = next((o for a in finding.arguments if a in _STATES and (o := provenance.origin(a)) is not None
                     and o.kind == "returned"), None)
    if returned is None:
        return None
    checked = tuple(e for e in returned.edits if spec is not None and call is not None and e.clean(spec, call))
    return returned, checked


def _ranked_handoff(finding: Finding, provenance: Provenance, returned: Origin,
                    edits: tuple[Edit, ...]) -> Finding:
    """The checked edits first; the constructor argument first where the first edit rebuilds the
    decoder alone. Zero states in place of the returned one are left out: they drop its result.
    So are the fixes at the call that rebuild the decoder where an edit is kept: those that fit
    the encoder's state are among the edits, and the others only make the shapes line up (a
    bidirectional state read as two layers)."""
    kept = tuple(f for f in finding.fixes if not _zero_states(f)
                 and not (edits and (f.snippet or "").startswith("nn."))
                 and not any(e.fix.title == f.title for e in edits))  # the same fix, at the line it edits
    fixes = tuple(_located(f, provenance) for f in _unique(tuple(e.fix for e in edits) + kept))[:MAX_FIXES]
    arguments = finding.arguments
    if edits and edits[0].states is None and edits[0].layer:
        first = edits[0].layer[0][0]
        arguments = (first, *(a for a in arguments if a != first))
    return replace(finding, arguments=arguments, fixes=fixes,
                   notes=finding.notes + ((returned.binding,) if returned.binding else ()))


def _zero_states(fix: Fix) -> bool:
    """A fix at the call that builds the states anew (`h_0 = torch.zeros(...)`)."""
    return any(line.split(" = ")[0] in _STATES and " = torch." in line
               for line in (fix.snippet or "").splitlines())


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


def rebuilds_layer(fix: Fix) -> bool:
    """A fix that changes the layer's construction, which the line that built it can show."""
    return fix.applicability is Applicability.CHANGES_MODEL or (fix.snippet or "").startswith("nn.")


def _located(fix: Fix, provenance: Provenance) -> Fix:
    """A constructor fix points at the line that built the layer, where it is known, and is that
    line edited where the source shows how (the layer's `edits`)."""
    built = provenance.origin("layer")
    if fix.site is None and built is not None and rebuilds_layer(fix):
        edited = next((e.fix for e in built.edits if (e.fix.title, e.fix.applicability) == (
            fix.title, fix.applicability)), None)
        return edited or replace(fix, site=built.site)
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
                    and (o.site == origin.site or _next_to(origin, o))]
        names = " and ".join(f"`{a}`" for a in (first, *together))
        made = "carried over from an earlier call, first built" if origin.kind == "carried" else "built"
        one = " (one witness)" if together else ""
        reads = f" from `{origin.reads}`" if origin.reads and not origin.reads.isdigit() else ""
        site = next((f"{origin.site}-{o.site.rpartition(':')[2]}" for a in together
                     if (o := provenance.origin(a)) is not None and _next_to(origin, o)), origin.site)
        parts.append(f"{names} {'are' if together else 'is'} {made} at {site}{one}{reads}")
        if _sized_from_data(finding, provenance):
            parts.append("that is the input's other axis, so the states are ranked as the ones to "
                         "change, not `batch_first`")
        if origin.binding:
            parts.append(origin.binding)
    if finding.code == "RNN204":
        parts += _batch_evidence(provenance)
    return "; ".join(parts) if parts else None


def _next_to(origin: Origin, other: Origin) -> bool:
    """`other` made on the line after `origin`'s, the same way (`h_0` and `c_0` on two lines in a row)."""
    path, _, line = origin.site.rpartition(":")
    return (line.isdigit() and other.site == f"{path}:{int(line) + 1}" and other.kind == origin.kind
            and other.reads == origin.reads)


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
