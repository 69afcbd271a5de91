"""Writing a result: plain text, colour on top of that text, JSON, or an HTML page.

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
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Literal

from ..report import Report
from . import json
from .text import render_report

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["COLORS", "FORMATS", "open_page", "use_color", "write_document", "write_report"]

Format = Literal["text", "json", "html"]
Color = Literal["auto", "always", "never"]
FORMATS: tuple[Format, ...] = ("text", "json", "html")
COLORS: tuple[Color, ...] = ("auto", "always", "never")


def write_report(report: Report, *, fmt: str = "text", color: str = "auto",
                 file: IO[str] | None = None) -> None:
    """Write one report: the golden text (coloured on request), a "report" JSON document, or a page."""
    write_document(render_report(report), "report", json.report_body(report),
                   fmt=fmt, color=color, file=file, html=report._repr_html_)


def write_document(text: str, kind: str, body: json.Json, *, fmt: str = "text",
                   color: str = "auto", file: IO[str] | None = None,
                   html: Callable[[], str] | None = None) -> None:
    """Write `text`, `body` as a JSON document of this `kind` (see docs/json-schema.md), or a page.

    The page holds `html()`, an HTML fragment from `rnndoctor.render.html`;
    without it, `text` as preformatted text.
    """
    out = sys.stdout if file is None else file
    if fmt not in FORMATS:
        raise ValueError(f"invalid format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "json":
        out.write(json.dumps(json.document(kind, body)))
    elif fmt == "html":
        out.write(html_page(text, kind, html))
    elif use_color(color, out):
        from .colour import colour

        out.write(colour(text))
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


def html_page(text: str, kind: str, html: Callable[[], str] | None = None) -> str:
    """One self-contained page: `html()`, or `text` preformatted."""
    from html import escape

    from .html import page, wrap

    fragment = html() if html is not None else wrap(f"<pre class=\"rnnd-failure\">{escape(text)}</pre>", text)
    return page(fragment, f"rnndoctor {kind}")


def open_page(page: str) -> Path:
    """Write `page` to a new temporary file and open it in the web browser; the file's path."""
    import tempfile
    import webbrowser  # brings subprocess, shlex and more: only for `--open`
    from pathlib import Path

    fd, name = tempfile.mkstemp(prefix="rnndoctor-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(page)
    path = Path(name)
    webbrowser.open(path.as_uri())
    return path
