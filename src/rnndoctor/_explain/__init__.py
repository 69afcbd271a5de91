"""Explain a PyTorch recurrent-layer error message from its text alone.

>>> e = rnndoctor.explain("RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]")
>>> print(e)
explain: RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]
   = recognised: `fwd.hidden_size`, from torch 1.8-2.13 ...
error[RNN203]: `h_0` has 2 layers, but this LSTM needs 4
...

The text may be one message or a whole traceback (Python, IPython, pytest, a
log); the last exception in it is explained. Torch is never imported and
nothing in the text is evaluated. The source files a traceback names are
read (under the current directory only, unless `read_sources=True`), never run.
"""

from __future__ import annotations

from collections.abc import Callable

from .._record import replace
from ..findings import Finding, Location
from ._context import CONTEXT
from ._ctor import CONSTRUCTOR
from ._evidence import Diagnosis, Evidence
from ._inputs import INPUTS
from ._normalise import bare_candidates, clean_lines, decode, last_raised
from ._packed import PACKED
from ._report import Explanation, Status
from ._states import STATES
from ._traceback import Trace, read_trace
from .patterns import Match, find

__all__ = ["Explanation", "explain"]

READERS: dict[str, Callable[[Evidence], Diagnosis]] = {**STATES, **INPUTS, **CONTEXT, **CONSTRUCTOR, **PACKED}


def explain(text: str | bytes, *, read_sources: bool = False) -> Explanation:
    """Read the last recurrent-layer error in `text` and say what caused it.

    >>> e = rnndoctor.explain(traceback_text)
    >>> e.status                      # "recognised", "partial" or "unrecognised"
    >>> e.first.code, e.first.title   # the diagnosis, as `check` words it
    >>> print(e)                      # header, findings, notes and helps

    Where the traceback names source files that can be read, the error is
    ranked by where its arguments were made, as the post-mortem ranks it, and
    a fix may edit the line that made the wrong number. Only files under the
    current directory are read: a traceback may come from anywhere, and its
    paths could name any file you can read.

    Args:
        text: a message, a traceback or a log, as str or bytes (invalid UTF-8 is replaced).
        read_sources: read the source files the traceback names wherever they are.

    Returns:
        An `Explanation`, a `Report` that also holds the matched pattern, the torch
        versions it comes from and the confidence; `exit_code` is 0, 1 or 3.
    """
    lines = clean_lines(decode(text))
    raised = last_raised(lines)
    end = raised.header if raised.header >= 0 else len(lines)
    trace = read_trace(lines, end)
    match, mismatch = _match(lines, raised.message, raised.exception)
    if match is None:
        return Explanation(findings=(), message=raised.message or _last_line(lines), exception=raised.exception)
    diagnosis = READERS[match.pattern.id](Evidence(match, raised.exception, trace))
    explained = _explanation(match, raised.exception, trace, diagnosis, mismatch)
    if explained.first is None or trace.call is None:
        return explained
    from ._sources import ranked

    return ranked(explained, trace, anywhere=read_sources)


def _match(lines: list[str], message: str, exception: str | None) -> tuple[Match | None, bool]:
    """The pattern for the raised message; True when it matched only under another exception type."""
    if exception is None:
        return next((m for m in map(find, bare_candidates(lines)) if m), None), False
    found = find(message, exception)
    if found is not None:
        return found, False
    return find(message), True


def _explanation(
    match: Match, exception: str | None, trace: Trace, d: Diagnosis, mismatch: bool
) -> Explanation:
    notes = d.notes
    if mismatch:
        notes += ((f"torch raises this message as {' or '.join(match.pattern.exceptions)}, "
                  f"but the text names {exception}"),)
    status: Status = "partial" if d.partial or mismatch else "recognised"
    p = match.pattern
    return Explanation(
        findings=_located(d.findings, trace), status=status, message=match.text, exception=exception,
        pattern=p.id, versions=p.versions, source=p.source, confidence=d.confidence,
        reflowed=match.reflowed, notes=notes, fixes=d.fixes,
    )


def _located(findings: tuple[Finding, ...], trace: Trace) -> tuple[Finding, ...]:
    repr_ = repr(trace.spec) if trace.spec is not None else trace.constructor
    where = Location(module_repr=repr_, call_site=trace.call.site if trace.call else None)
    called = (f"the layer is called as `{trace.call.source}`",) if trace.call and trace.call.source else ()
    return tuple(replace(f, location=where, notes=called + f.notes) for f in findings)


def _last_line(lines: list[str]) -> str:
    return next((line.strip() for line in reversed(lines) if line.strip()), "")
