"""Which files and frames are the user's, and how a file is named in a report (torch-free)."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from types import FrameType

__all__ = ["display", "is_library", "is_rnndoctor", "library_dirs", "user_frames"]

_HERE = os.path.dirname(os.path.abspath(__file__))  # the rnndoctor package
_dirs: tuple[str, ...] | None = None  # library_dirs(), once torch is loaded


def is_library(filename: str) -> bool:
    """True for torch's files, rnndoctor's, and contextlib's (the guard's decorator form)."""
    return filename.startswith(library_dirs()) or filename == contextlib.__file__


def is_rnndoctor(filename: str) -> bool:
    return filename.startswith(_HERE + os.sep)


def library_dirs() -> tuple[str, ...]:
    """rnndoctor's directory, then torch's where torch is loaded (kept from then on)."""
    global _dirs
    if _dirs is not None:
        return _dirs
    torch_file = getattr(sys.modules.get("torch"), "__file__", None)
    if not torch_file:
        return (_HERE + os.sep,)
    _dirs = (_HERE + os.sep, os.path.dirname(torch_file) + os.sep)
    return _dirs


def display(filename: str) -> str:
    """A path relative to the working directory when inside it; `In[3]` for an IPython cell."""
    return _display(filename, os.getcwd())


@functools.lru_cache(maxsize=256)
def _display(filename: str, cwd: str) -> str:
    cell = re.fullmatch(r"<ipython-input-(\d+)-\w+>", filename)
    if cell:
        return f"In[{cell.group(1)}]"
    try:
        relative = os.path.relpath(filename, cwd)
    except ValueError:  # another drive, on Windows
        return filename
    return filename if relative.startswith("..") else relative


def user_frames(frame: FrameType | None) -> list[tuple[FrameType, int]]:
    """The user's frames from `frame` outwards, outermost first, each with the line it is at.

    rnndoctor's frames at the start are passed over, and torch's everywhere.
    The walk ends at rnndoctor's next frame: the scan that runs a model, or
    `rnndoctor run`; what called it is not the code being diagnosed.
    """
    found: list[tuple[FrameType, int]] = []
    started = False
    while frame is not None:
        filename = frame.f_code.co_filename
        if is_rnndoctor(filename):
            if started:
                break
        else:
            started = True
            if not is_library(filename):
                found.append((frame, frame.f_lineno))
        frame = frame.f_back
    found.reverse()
    return found
