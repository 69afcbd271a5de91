"""The result of a check: every finding, the one torch raises first, and a verdict."""

from __future__ import annotations

from collections.abc import Iterator

from ._record import record
from .findings import Finding, Severity
from .specs import Call, RnnSpec

__all__ = ["Report"]


@record
class Report:
    """Every finding for one layer and one call, in the order torch checks them.

    A report is truthy exactly when it has no error. `str(report)` is the
    plain-text diagnosis.

    >>> report = rnndoctor.check(nn.LSTM(50, 100), (10, 32, 25))
    >>> bool(report), report.first.code
    (False, 'RNN103')
    """

    findings: tuple[Finding, ...]
    spec: RnnSpec | None = None
    call: Call | None = None

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def first(self) -> Finding | None:
        """The error torch 2.13 raises first for this call (or where it crashes or goes wrong)."""
        for finding in self.findings:
            if finding.severity is Severity.ERROR:
                return finding
        return None

    def raise_for_errors(self) -> None:
        """Raise `RnnArgumentError` (also an instance of torch's exception type) if there is an error."""
        if self.errors:
            from .errors import RnnArgumentError

            raise RnnArgumentError.for_report(self) from None

    def __bool__(self) -> bool:
        return not self.errors

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __str__(self) -> str:
        from .render.text import render_report

        return render_report(self)

    def _repr_html_(self) -> str:
        """The diagram of the call and the findings, for Jupyter (see `rnndoctor.render.html`)."""
        from .render.html import report_html

        return report_html(self)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        """The HTML with the plain text beside it: a front end shows one of them, never both."""
        return {"text/plain": str(self), "text/html": self._repr_html_()}
