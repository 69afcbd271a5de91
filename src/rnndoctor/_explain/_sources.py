"""Where the wrong values were made, read from the source files a traceback names.

The post-mortem reads the user's frames; explain has only their text. Each
frame of the traceback becomes a stand-in with no locals, and the same
gathering (`rnndoctor._origins`) runs on the files' AST: fewer facts (no
values, no DataLoader, no earlier calls), the same ranking
(`rnndoctor.provenance`).

Which files are read:
- by default, only files under the current directory. A traceback is text
  from anywhere (an issue, a CI log, another machine), and any path in it
  could name a file this user can read; explain echoes lines of what it
  reads. With `read_sources=True` (`--read-sources`) any path is read;
- a file whose lines differ from those the traceback shows is not used: it
  has changed since, or it is another file under the same name;
- a missing, unreadable, undecodable or oversized file gives fewer facts,
  never an error.

Every line read is cleaned of terminal control sequences and characters
(ANSI escapes, CR, the rest of C0 and C1 but tab) before it is parsed, so
no line echoed from a source can drive the terminal.
"""

from __future__ import annotations

import os
import tokenize
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .. import _origins
from .._record import replace
from ..findings import Finding
from ..provenance import Provenance, with_provenance
from ._evidence import FROM_MESSAGE
from ._normalise import clean_source_line
from ._report import Explanation
from ._traceback import Frame, Trace

__all__ = ["MAX_BYTES", "ranked"]

MAX_BYTES = 2_000_000  # a larger file is not read
_STATES = ("h_0", "c_0", "hx")
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_FROM_SOURCE = "the fixes are inferred from the message and the source; none could be tried"


class _Code:
    __slots__ = ("co_filename", "co_name")

    def __init__(self, filename: str, name: str) -> None:
        self.co_filename, self.co_name = filename, name


class _Frame:
    """A traceback's frame as `_origins` reads one: a file, a function and no locals."""

    __slots__ = ("f_code",)
    f_locals: Mapping[str, Any] = _EMPTY
    f_globals: Mapping[str, Any] = _EMPTY

    def __init__(self, code: _Code) -> None:
        self.f_code = code


def ranked(e: Explanation, trace: Trace, *, anywhere: bool = False) -> Explanation:
    """`e` with its first error ranked by where its arguments were made, as the sources show."""
    first = e.first
    if first is None or trace.call is None:
        return e
    try:
        found = _provenance(first, trace, anywhere)
    except Exception:  # an odd file or construct: fewer facts, never an error
        return e
    if not found.origins:
        return e
    return replace(e, findings=tuple(_read(f) for f in with_provenance(e, found).findings))


def _read(finding: Finding) -> Finding:
    """A finding whose fixes now come from the source too says so."""
    if not any(fix.site for fix in finding.fixes):
        return finding
    return replace(finding, notes=tuple(_FROM_SOURCE if n == FROM_MESSAGE else n for n in finding.notes))


def _provenance(first: Finding, trace: Trace, anywhere: bool) -> Provenance:
    files = _Files(anywhere)
    frames = [(files.frame(f), f.line) for f in _user_frames(trace)]
    if not frames:
        return Provenance()
    if _constructing(trace):  # the constructor failed: the line that built the layer
        return _origins.constructor(frames[-1], first, files.display, files.lines)
    return _origins.gather(frames, None, first, input_batch=_input_batch(first), batch_axis=None,
                           display=files.display, read=files.lines)


def _user_frames(trace: Trace) -> list[Frame]:
    """The frames outside torch, outermost first, up to the one that called into it."""
    frames = list(trace.frames)
    end = next(i for i, f in enumerate(frames) if f is trace.call)
    return [f for f in frames[: end + 1] if not f.in_torch]


def _constructing(trace: Trace) -> bool:
    """The user's call went into a layer's constructor, not its forward."""
    frames = list(trace.frames)
    after = frames[next(i for i, f in enumerate(frames) if f is trace.call) + 1:]
    return next((f.func.rsplit(".", 1)[-1] == "__init__" for f in after if f.in_torch), False)


def _input_batch(finding: Finding) -> int | None:
    """The batch torch read from `input`: what the states' batch axis was expected to be."""
    return next((d.expected for d in finding.dims if d.tensor in _STATES and d.symbol == "N"), None)


class _Files:
    """The files of one traceback: which may be read, their cleaned lines, and their names as shown."""

    def __init__(self, anywhere: bool) -> None:
        self.anywhere = anywhere
        self.root = os.path.realpath(os.getcwd())
        self.shown: dict[str, str] = {}  # absolute path -> the name to show
        self.read: dict[str, list[str]] = {}  # absolute path -> its lines; [] when not to be read

    def frame(self, f: Frame) -> _Frame:
        path = os.path.abspath(f.path)
        self.shown.setdefault(path, _display(path, f.path))
        lines = self.read.get(path)
        if lines is None:
            lines = self.read[path] = self._load(path)
        if lines and f.source and _line(lines, f.line) != f.source.strip():
            self.read[path] = []  # changed since the traceback was printed, or another file
        return _Frame(_Code(path, f.func or "<module>"))

    def lines(self, path: str) -> list[str]:
        return self.read.get(path) or []

    def display(self, path: str) -> str:
        return self.shown.get(path, path)

    def _load(self, path: str) -> list[str]:
        real = os.path.realpath(path)
        try:
            if not self.anywhere and os.path.commonpath([self.root, real]) != self.root:
                return []
            if not os.path.isfile(real) or os.path.getsize(real) > MAX_BYTES:
                return []
            with tokenize.open(real) as source:  # the file's own encoding, universal newlines
                return [clean_source_line(line) for line in source.readlines()]
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            return []


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1].strip() if 1 <= number <= len(lines) else ""


def _display(path: str, given: str) -> str:
    """Relative to the current directory when inside it, as the post-mortem shows a file; else as given."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return given
    return given if relative.startswith("..") else relative
