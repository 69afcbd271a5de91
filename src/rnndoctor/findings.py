"""The diagnostic data model: what a rule found, as plain data.

A `Finding` knows nothing about terminals, colour or JSON; the renderers in
`rnndoctor.render` turn findings into text.
"""

from __future__ import annotations

import enum
from typing import Literal

from ._record import record

__all__ = ["Applicability", "Dim", "Finding", "Fix", "Location", "Severity"]

Origin = Literal["check", "guard", "scan", "explain"]


class Severity(enum.Enum):
    """How bad a finding is."""

    ERROR = "error"  # forward() raises, crashes, or silently computes garbage
    WARNING = "warning"  # runs, but almost certainly not what was meant
    NOTE = "note"  # informational


class Applicability(enum.Enum):
    """How safely a fix can be applied (after rustc and ruff)."""

    SAFE = "safe"  # only fixes the error; paste and go
    CHANGES_MODEL = "changes-model"  # valid, but changes the architecture
    HAS_PLACEHOLDERS = "placeholders"  # the snippet contains <placeholders>


@record
class Dim:
    """One axis of a tensor: expected against actual, and where the expectation comes from."""

    tensor: str  # PyTorch's name for the tensor: "input", "h_0", "c_0", "hx"
    index: int  # axis position in that tensor
    symbol: str  # PyTorch's doc symbol: "L", "N", "H_in", "D*num_layers", "H_out", "H_cell"
    expected: int | None  # None: any size (L)
    actual: int | None  # None: unknown (explain with partial information)
    derivation: str = ""  # "D=2 (bidirectional=True) × num_layers=2"

    @property
    def wrong(self) -> bool:
        """True when both sizes are known and differ."""
        return self.expected is not None and self.actual is not None and self.expected != self.actual


@record
class Fix:
    """One change that clears a finding; checked by re-running the rules."""

    title: str  # imperative, lowercase: "allocate `h_0` with 4 layers"
    applicability: Applicability
    snippet: str | None = None  # pasteable code: "h_0 = torch.zeros(4, 8, 20)"
    site: str | None = None  # "train.py:12": the line the snippet replaces; None: the call itself


@record
class Location:
    """Where the call happened, as far as it is known."""

    module_path: str | None = None  # "encoder.rnn", from named_modules()
    module_repr: str | None = None  # "LSTM(10, 20, num_layers=2, bidirectional=True)"
    call_site: str | None = None  # "train.py:42"


@record
class Finding:
    """One root cause: a title that stands on its own, the evidence, and ranked fixes."""

    code: str  # "RNN203": stable forever, never reused
    rule: str  # "hidden-layer-count-mismatch": names the bad thing
    severity: Severity
    title: str  # one standalone line; never contains the fix
    arguments: tuple[str, ...]  # the arguments in the invalid combination, most likely wrong first
    location: Location = Location()
    dims: tuple[Dim, ...] = ()  # the culprit tensors, axis by axis
    notes: tuple[str, ...] = ()  # facts: why each expected number is what it is
    fixes: tuple[Fix, ...] = ()  # ranked, most likely first; at most 3, each checked
    raises: str | None = None  # the exception torch 2.13 raises for it; None: torch does not raise
    origin: Origin = "check"
