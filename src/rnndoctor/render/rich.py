"""Colour on top of the canonical text: the same characters, with styles added.

`rich` is imported only when colour is actually written, so the plain-text and
JSON paths never pay for it.
"""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["STYLES", "print_styled", "styled", "terminal_console"]

# (pattern, style) over the whole text, applied in order; later styles win.
STYLES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.MULTILINE), style)
    for pattern, style in (
        (r"`[^`\n]+`", "bold"),  # code, as in rustc
        (r"^error(\[\w+\])?(?=:)", "bold red"),
        (r"^warning(\[\w+\])?(?=:)", "bold yellow"),
        (r"^note(\[\w+\])?(?=:)", "bold green"),
        (r"^ok(?=:)", "bold green"),
        (r"^help(?=:)", "bold cyan"),
        (r"(?<=^   = )note(?=:)", "bold"),
        (r"^  -->|^   [|=]", "bold blue"),
        (r"(?<= )\^+(?=[ ^]*$)", "bold red"),
        (r"^found \d+ .*$|^verdicts$|^where$", "bold"),
        (r"^For more on this .*$", "dim"),
        (r"^(expected shapes for|Example \d+:|rnndoctor demo:|RNN\d{3} )", "bold magenta"),
        (r"^## .*$", "bold underline"),
    )
)


def styled(text: str) -> Text:
    """`text` with the house styles; its plain characters are exactly `text`."""
    from rich.text import Text

    out = Text(text, end="")
    for pattern, style in STYLES:
        out.highlight_regex(pattern, style)
    return out


def terminal_console(file: IO[str]) -> Console:
    """A console that writes colour to `file` even when it is not a terminal."""
    from rich.console import Console

    return Console(file=file, force_terminal=True, no_color=False, highlight=False,
                   markup=False, emoji=False, soft_wrap=True)


def print_styled(text: str, console: Console) -> None:
    """Print `text` with colour; lines are never wrapped or padded."""
    console.print(styled(text), end="", soft_wrap=True)
