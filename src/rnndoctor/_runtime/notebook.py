"""Under IPython: the diagnosis as rich output under the traceback, shown once.

The shell handler of `%load_ext rnndoctor` shows the traceback with the
diagnosis held back, then displays the report: Jupyter, VS Code and Colab pick
its HTML (the call diagram), a terminal IPython its text/plain, which is the
text the traceback would have carried. Held back are the diagnosis that an
`RnnArgumentError` carries as its message (its title line stays) and any
PEP 678 note that is a rendered diagnosis, as the guard attaches to torch's
own exception; both are put back once the traceback is shown.

`%load_ext rnndoctor` also registers the HTML of `expected_shapes()` with
the shell: the call diagram with the expected sizes only. (`ExpectedShapes`
has no `_repr_html_` of its own: the core's data never imports a renderer
that imports it back.)
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from ..errors import RnnArgumentError
from ..render.html import shapes_html
from ..report import Report
from ..shapes import ExpectedShapes

__all__ = ["display_report", "held_back", "is_diagnosis_note", "register", "unregister"]

_HEAD = re.compile(r"(?:\[rank \d+\] )?(?:error|warning|note)\[RNN\d{3}\]: ", re.MULTILINE)


def is_diagnosis_note(note: object) -> bool:
    """A note whose lines include a finding's head line, `error[RNN203]: ...`."""
    return isinstance(note, str) and _HEAD.search(note) is not None


@contextlib.contextmanager
def held_back(exc: BaseException) -> Iterator[None]:
    """While the traceback is shown: a guard error's title line only, and no diagnosis note."""
    notes: Any = getattr(exc, "__notes__", None)
    kept = [n for n in notes if not is_diagnosis_note(n)] if isinstance(notes, list) else None
    if kept is not None:
        exc.__notes__ = kept
    if isinstance(exc, RnnArgumentError):
        exc.brief = True
    try:
        yield
    finally:
        if kept is not None:
            exc.__notes__ = notes
        if isinstance(exc, RnnArgumentError):
            exc.brief = False


def display_report(report: Report) -> None:
    """Publish the report's HTML and text; the front end shows the richest it can."""
    display: Any = __import__("IPython.display", fromlist=["display"]).display
    display(report)


def register(shell: Any) -> None:
    """Show `expected_shapes()` as its diagram in this shell."""
    shell.display_formatter.formatters["text/html"].for_type(ExpectedShapes, shapes_html)


def unregister(shell: Any) -> None:
    shell.display_formatter.formatters["text/html"].pop(ExpectedShapes, None)
