"""Colour on top of the canonical text: the same characters, with styles added.

`colour` writes the escape codes itself, byte for byte as rich writes them for
the same styles (a test compares the two), so that `--color always` costs no
more to start than plain text. rich is imported only to draw `scan`'s table,
which uses `styled` and `terminal_console`.
"""

from __future__ import annotations

import itertools
import re
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["STYLES", "colour", "styled", "terminal_console"]

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

# Select Graphic Rendition codes, attributes first and in rich's order, then the colour.
_ATTRIBUTES = {"bold": "1", "dim": "2", "underline": "4"}
_COLOURS = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36"}
_CONTROL = dict.fromkeys((0x07, 0x08, 0x0B, 0x0C, 0x0D))  # dropped, as rich's Text drops them


def colour(text: str) -> str:
    """`text` with the house styles as ANSI escape codes; stripped of them, it is `text`.

    No style crosses a line. On each line, every stretch between two match
    boundaries gets the styles of the matches that cover it, combined in
    order: attributes add up and the last colour wins.
    """
    return "\n".join(_colour_line(line) for line in text.translate(_CONTROL).split("\n"))


def _colour_line(line: str) -> str:
    spans = [(m.start(), m.end(), style) for pattern, style in STYLES
             for m in pattern.finditer(line) if m.end() > m.start()]
    cuts = {0, len(line), *(s for s, _, _ in spans), *(e for _, e, _ in spans)}
    if "\t" in line:
        line, spans, cuts = _expand_tabs(line, spans, cuts)
    if not spans:
        return line
    out = []
    for start, end in itertools.pairwise(sorted(cuts)):
        codes = _codes([style for s, e, style in spans if s <= start and end <= e])
        out.append(f"\x1b[{codes}m{line[start:end]}\x1b[0m" if codes else line[start:end])
    return "".join(out)


def _expand_tabs(line: str, spans: list[tuple[int, int, str]],
                 cuts: set[int]) -> tuple[str, list[tuple[int, int, str]], set[int]]:
    """Tabs as spaces to the next multiple of 8, as rich expands them after styling.

    rich cuts the line after each tab, and a style that reaches the tab's end
    covers its spaces. Columns count characters here, where rich counts cells:
    a wide character before a tab can end the tab one column off.
    """
    parts = line.split("\t")
    text: list[str] = []
    where: dict[int, int] = {0: 0}  # each position in the line to where it ends up
    old = new = 0
    for i, part in enumerate(parts):
        tab = i < len(parts) - 1
        width = len(part) + tab
        pad = (-(new + width)) % 8 if tab else 0
        where.update((old + k, new + k) for k in range(width))
        text.append(part + " " * (tab + pad))
        old, new = old + width, new + width + pad
        where[old] = new
        cuts.add(old)
    moved = [(where[s], where[e], style) for s, e, style in spans]
    return "".join(text), moved, {where[c] for c in cuts}


def _codes(styles: list[str]) -> str:
    words = {word for style in styles for word in style.split()}
    colours = [word for style in styles for word in style.split() if word in _COLOURS]
    codes = [code for name, code in _ATTRIBUTES.items() if name in words]
    if colours:
        codes.append(_COLOURS[colours[-1]])
    return ";".join(codes)


def styled(text: str) -> Text:
    """`text` as a rich Text with the house styles; its plain characters are exactly `text`."""
    from rich.text import Text

    out = Text(text, end="")
    for pattern, style in STYLES:
        out.highlight_regex(pattern, style)
    return out


def terminal_console(file: IO[str]) -> Console:
    """A rich console that writes colour to `file` even when it is not a terminal."""
    from rich.console import Console

    return Console(file=file, force_terminal=True, no_color=False, highlight=False,
                   markup=False, emoji=False, soft_wrap=True)
