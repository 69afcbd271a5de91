"""Writing a result: plain text, colour on top of that text, or JSON.

Every subcommand writes through here, so `--format` and `--color` mean the same
everywhere:

>>> write_report(rnndoctor.check(lstm, (10, 32, 25)), fmt="json")

Colour follows `--color`: "always", "never", or "auto" (the default), which
means no colour when NO_COLOR is set, colour when FORCE_COLOR is set, and
otherwise colour only on a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Literal

from ..report import Report
from . import json
from .text import render_report

__all__ = ["COLORS", "FORMATS", "use_color", "write_document", "write_report"]

Format = Literal["text", "json"]
Color = Literal["auto", "always", "never"]
FORMATS: tuple[Format, ...] = ("text", "json")
COLORS: tuple[Color, ...] = ("auto", "always", "never")


def write_report(report: Report, *, fmt: str = "text", color: str = "auto",
                 file: IO[str] | None = None) -> None:
    """Write one report: the golden text (coloured on request) or a "report" JSON document."""
    write_document(render_report(report), "report", json.report_body(report),
                   fmt=fmt, color=color, file=file)


def write_document(text: str, kind: str, body: json.Json, *, fmt: str = "text",
                   color: str = "auto", file: IO[str] | None = None) -> None:
    """Write `text`, or `body` as a JSON document of this `kind` (see docs/json-schema.md)."""
    out = sys.stdout if file is None else file
    if fmt not in FORMATS:
        raise ValueError(f"invalid format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "json":
        out.write(json.dumps(json.document(kind, body)))
    elif use_color(color, out):
        from .rich import print_styled, terminal_console

        print_styled(text, terminal_console(out))
    else:
        out.write(text)


def use_color(color: str, file: IO[str]) -> bool:
    """Whether to write colour to `file` for `--color` (auto, always or never)."""
    if color not in COLORS:
        raise ValueError(f"invalid color {color!r}; expected one of {', '.join(COLORS)} "
                         "(auto is the default)")
    if color != "auto":
        return color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(file, "isatty", None)
    return bool(isatty is not None and isatty())
