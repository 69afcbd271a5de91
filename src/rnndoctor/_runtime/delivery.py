"""How a diagnosis reaches the user when torch raises: torch's exception, with the diagnosis added.

Where torch raises for a call that the guard judged invalid, the program gets
torch's own exception (see `errors.keep`): its type, or rather a subclass of it
that is also `RnnArgumentError`, its `args`, `str()` and traceback. The
diagnosis is added to it:

- as a PEP 678 note, printed under torch's message by Python's traceback
  (3.11+), IPython and `traceback.print_exception`. Python 3.10 has no
  `add_note`: `__notes__` is set, and rnndoctor's hook on `sys.excepthook`
  prints it;
- while a pytest test runs in this process, not at all: pytest 8 matches
  `pytest.raises(match=...)` against the notes too, so a note would break a
  pattern anchored at the end of torch's message. rnndoctor's pytest plug-in,
  which pytest loads in every session, adds the diagnosis to the failing test's
  report as a section instead (`section_text`).

`hide_frames` unlinks rnndoctor's frames from a traceback; the guard's exit,
the post-mortem's hooks, `rnndoctor run` and the pytest plug-in call it, and
so does the hook that the first error the guard raises outside pytest chains
onto `sys.excepthook`, for an error that goes uncaught. pytest and IPython
also skip frames whose locals set `__tracebackhide__`.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

from ..errors import RnnArgumentError, is_kept, keep
from ..report import Report

__all__ = ["hide_frames", "in_pytest_test", "kept", "note_text", "own", "prefixed",
           "print_notes", "section_text"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # rnndoctor
_ADD_NOTE = sys.version_info >= (3, 11)
_hook_lock = threading.Lock()


def kept(error: Exception, report: Report, prefix: str = "") -> Exception:
    """torch's `error`, kept (`errors.keep`), with the diagnosis as a note outside pytest.

    If that fails, `error` itself goes through unchanged, with a one-line note
    (none under pytest).
    """
    noted = not in_pytest_test()
    if noted:
        _chain_excepthook()
    try:
        result = keep(error, report, prefix)
        if noted:
            _add_note(result, note_text(report, prefix))
    except Exception as failure:  # ours: torch's error stands
        if noted:
            _add_note(error, f"rnndoctor: could not add its diagnosis ({type(failure).__name__}: "
                             f"{failure})")
        return error
    hide_frames(result)
    return result


def own(report: Report, prefix: str = "") -> RnnArgumentError:
    """rnndoctor's error, where torch would crash or run on silently."""
    if not in_pytest_test():
        _chain_excepthook()
    return RnnArgumentError.for_report(report, prefix)


def note_text(report: Report, prefix: str = "") -> str:
    """The note: a blank line, then the diagnosis (every line after `prefix`)."""
    return prefixed("\n" + str(report).rstrip("\n"), prefix)


def prefixed(text: str, prefix: str) -> str:
    """`prefix` before every non-empty line."""
    if not prefix:
        return text
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(True))


def in_pytest_test() -> bool:
    """True while pytest runs a test in this process (not in a program a test starts)."""
    return "PYTEST_CURRENT_TEST" in os.environ and "_pytest" in sys.modules


def section_text(error: BaseException) -> str:
    """The diagnosis of torch's exception kept without its note: what pytest's report shows."""
    report = getattr(error, "report", None)
    if not is_kept(error) or not isinstance(report, Report):
        return ""
    text = note_text(report, getattr(error, "prefix", ""))
    if text in getattr(error, "__notes__", ()):
        return ""
    return text.strip("\n")


def _add_note(error: BaseException, text: str) -> None:
    if _ADD_NOTE:
        error.add_note(text)
        return
    error.__notes__ = [*getattr(error, "__notes__", ()), text]


def _chain_excepthook() -> None:
    """Once per process: an uncaught error prints without rnndoctor's frames (and, on 3.10, notes)."""
    with _hook_lock:
        if getattr(sys.excepthook, "_rnndoctor_delivery", False):
            return
        previous: Callable[..., Any] = sys.excepthook

        def excepthook(etype: type[BaseException], value: BaseException,
                       tb: TracebackType | None) -> None:
            hide_frames(value)
            previous(etype, value, value.__traceback__)
            print_notes(value, sys.stderr)

        excepthook._rnndoctor_delivery = True  # type: ignore[attr-defined]
        sys.excepthook = excepthook


def print_notes(error: BaseException, stream: TextIO) -> None:
    """Under Python 3.10, what 3.11's traceback prints after the message: the notes."""
    if _ADD_NOTE:
        return
    for note in getattr(error, "__notes__", ()):
        print(note, file=stream)


def hide_frames(error: BaseException) -> None:
    """Unlink rnndoctor's frames from the tracebacks of `error` and of its cause and context.

    An error raised in rnndoctor's own code that is not an RnnArgumentError is
    a failure of rnndoctor's: its frames are what is worth seeing, and stay.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        _unlink(current)
        current = current.__cause__ or current.__context__


def _unlink(error: BaseException) -> None:
    entries: list[TracebackType] = []
    tb = error.__traceback__
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    if not entries or (_ours(entries[-1]) and not isinstance(error, RnnArgumentError)):
        return
    shown = [t for t in entries if not _ours(t)]
    if not shown or len(shown) == len(entries):
        return
    for outer, inner in zip(shown, shown[1:]):
        outer.tb_next = inner
    shown[-1].tb_next = None
    error.__traceback__ = shown[0]


def _ours(tb: TracebackType) -> bool:
    return tb.tb_frame.f_code.co_filename.startswith(_PACKAGE)
