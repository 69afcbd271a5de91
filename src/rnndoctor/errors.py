"""rnndoctor's exceptions.

* RnnArgumentError: a recurrent call (or constructor) is invalid. Raised as a
  subclass that is also the built-in exception torch raises for the same call
  (RuntimeError, ValueError, TypeError, ...), so existing `except` clauses work.
* RnnDoctorWarning: a call that runs but is probably not what was meant.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report

__all__ = ["RnnArgumentError", "RnnDoctorWarning"]

_TORCH_TYPES = ("RuntimeError", "ValueError", "TypeError", "IndexError", "AttributeError")


class RnnArgumentError(Exception):
    """A recurrent layer was given an invalid combination of arguments; `.report` says which."""

    report: Report

    def __init__(self, report: Report, prefix: str = "") -> None:
        self.report = report
        self.prefix = prefix  # "[rank 1] " in a torch.distributed process: starts every line
        super().__init__(str(report))

    def __str__(self) -> str:
        lines = str(self.report).splitlines(True)
        return "\n" + "".join(self.prefix + line if line.strip() else line for line in lines)

    @classmethod
    def for_report(cls, report: Report, prefix: str = "") -> RnnArgumentError:
        """An instance that is also the exception type torch raises first for this call."""
        first = report.first
        name = first.raises if first is not None and first.raises in _TORCH_TYPES else "RuntimeError"
        return _subclass(name)(report, prefix)


_SUBCLASSES: dict[str, type[RnnArgumentError]] = {}


def _subclass(name: str) -> type[RnnArgumentError]:
    if name not in _SUBCLASSES:
        base = getattr(builtins, name)
        sub = type("RnnArgumentError", (RnnArgumentError, base), {"__module__": "rnndoctor"})
        _SUBCLASSES[name] = sub
    return _SUBCLASSES[name]


class RnnDoctorWarning(UserWarning):
    """A recurrent call that runs but is probably not what was meant, or a note from the guard.

    >>> warnings.filterwarnings("ignore", category=rnndoctor.RnnDoctorWarning)
    """
