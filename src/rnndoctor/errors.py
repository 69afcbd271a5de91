"""rnndoctor's exceptions.

* RnnArgumentError: a recurrent call (or constructor) is invalid; `.report` says
  which. It is raised in two forms, each also an instance of the exception type
  torch raises, so existing `except` clauses work:
  - torch's own exception, kept (`keep`): where torch raises for the call, the
    program gets torch's exception re-raised as a subclass of both its type and
    RnnArgumentError, with torch's name, `args` and `str()`. Pickled, it becomes
    torch's plain type again.
  - rnndoctor's own (`for_report`): where torch would crash or run on silently,
    and from `Report.raise_for_errors()`. Its message is the diagnosis, and its
    first line the diagnosis's title.
* RnnDoctorWarning: a call that runs but is probably not what was meant.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import Report

__all__ = ["RnnArgumentError", "RnnDoctorWarning", "UsageError", "is_kept", "keep"]

_TORCH_TYPES = ("RuntimeError", "ValueError", "TypeError", "IndexError", "AttributeError", "KeyError")


class UsageError(ValueError):
    """The command line cannot be understood: one line that says what is accepted."""


class RnnArgumentError(Exception):
    """A recurrent layer was given an invalid combination of arguments; `.report` says which."""

    report: Report

    def __init__(self, report: Report, prefix: str = "") -> None:
        self.report = report
        self.prefix = prefix  # "[rank 1] " in a torch.distributed process: starts every line
        self.brief = False  # True while IPython displays the report itself (rnndoctor._runtime.notebook)
        super().__init__(str(report))

    def __str__(self) -> str:
        lines = str(self.report).splitlines(True)
        if self.brief:
            lines = [lines[0], "(rnndoctor's diagnosis is displayed below)\n"]
        return "".join(self.prefix + line if line.strip() else line for line in lines)

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


# ---- torch's exception, kept ---------------------------------------------------------------

_KEPT: dict[type[BaseException], type[RnnArgumentError] | None] = {}  # None: can't be subclassed
_TWINS: set[type[BaseException]] = set()


def keep(error: Exception, report: Report, prefix: str = "") -> Exception:
    """`error` as its type's twin, which is also an RnnArgumentError carrying `report`.

    The twin has `error`'s name, module, `args`, `str()`, `repr()`, attributes,
    traceback, cause and context. A type that cannot be subclassed keeps `error`
    itself, with `report` set on it.
    """
    if isinstance(error, RnnArgumentError):
        return error
    twin = _twin(type(error))
    if twin is None:
        error.report = report  # type: ignore[attr-defined]
        return error
    kept: Any = twin.__new__(twin, *error.args)
    kept.__dict__.update(error.__dict__)
    if isinstance(error, AttributeError):  # what Python's "Did you mean" reads
        kept.name, kept.obj = error.name, error.obj
    kept.report, kept.prefix = report, prefix
    kept.__cause__, kept.__context__ = error.__cause__, error.__context__
    kept.__suppress_context__ = error.__suppress_context__
    kept.__traceback__ = error.__traceback__
    return kept  # type: ignore[no-any-return]


def is_kept(error: BaseException) -> bool:
    """True for torch's exception kept by `keep` (and for one that could not be subclassed)."""
    return type(error) in _TWINS or ("report" in getattr(error, "__dict__", {})
                                     and not isinstance(error, RnnArgumentError))


def _twin(base: type[BaseException]) -> type[RnnArgumentError] | None:
    if base not in _KEPT:
        namespace = {
            "__module__": base.__module__, "__qualname__": base.__qualname__,
            "__doc__": base.__doc__, "__init__": base.__init__, "__str__": base.__str__,
            "__repr__": base.__repr__, "__reduce__": _reduce_as(base),
        }
        try:
            twin: type[RnnArgumentError] | None = type(base.__name__, (base, RnnArgumentError),
                                                       namespace)
        except TypeError:  # a final type, or one whose layout excludes a second base
            twin = None
        if twin is not None:
            _TWINS.add(twin)
        _KEPT.setdefault(base, twin)
    return _KEPT[base]


def _reduce_as(base: type[BaseException]) -> Any:
    """Pickle as torch's plain type: the twin is not importable by name."""

    def __reduce__(self: BaseException) -> tuple[Any, ...]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("report", "prefix")}
        return (base, self.args, state or None)

    return __reduce__
