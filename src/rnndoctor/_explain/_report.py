"""An explanation: a Report that also says what the text was recognised as, and how surely."""

from __future__ import annotations

from typing import Literal

from .._record import record
from ..findings import Fix
from ..report import Report

__all__ = ["Explanation", "Status"]

Status = Literal["recognised", "partial", "unrecognised"]


@record
class Explanation(Report):
    """What `rnndoctor.explain` read in a message: the findings, and the match behind them.

    Unlike a plain `Report`, an explanation of text rnndoctor does not know is
    falsy and has no findings: it never reads as "no problems found".

    >>> e = rnndoctor.explain("RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]")
    >>> e.status, e.pattern, e.first.code
    ('recognised', 'fwd.hidden_size', 'RNN203')
    """

    status: Status = "unrecognised"
    message: str = ""  # the message that was explained, as normalised
    exception: str | None = None  # the exception type named in the text
    pattern: str | None = None  # the id of the matched pattern, "fwd.hidden_size"
    versions: str | None = None  # the torch versions that produce this message
    source: str | None = None  # where torch raises it
    confidence: str | None = None  # "high", "medium" or "low"
    reflowed: bool = False  # matched only after undoing line breaks
    notes: tuple[str, ...] = ()  # facts about a message that no rule covers
    fixes: tuple[Fix, ...] = ()  # helps for a message that no rule covers

    @property
    def recognised(self) -> bool:
        return self.status == "recognised"

    @property
    def partial(self) -> bool:
        return self.status == "partial"

    @property
    def exit_code(self) -> int:
        """0 nothing wrong (a warning or a note), 1 an error explained, 3 text not recognised."""
        if self.status == "unrecognised":
            return 3
        if self.errors or (self.exception is not None and not self.exception.endswith("Warning")):
            return 1
        return 0

    def __bool__(self) -> bool:
        return self.exit_code == 0

    def __str__(self) -> str:
        from ._render import explanation_text

        return explanation_text(self)

    def _repr_html_(self) -> str:
        from ._render import explanation_html

        return explanation_html(self)
