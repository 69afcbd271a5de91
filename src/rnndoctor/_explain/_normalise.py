"""From pasted text to the message that was raised, in linear time.

The input may be a bare message, a Python or IPython traceback, a pytest
report or a log. It may carry ANSI colour, per-line prefixes (a log record's
time, level and logger name in logging's, Hydra's or loguru's layout,
`[rank0]:`, a tqdm bar, pytest's `E   `), and line breaks added by a terminal
or a chat window. Every regular expression here is anchored or searched over one line
of bounded length, with no nested quantifiers, so the work grows linearly
with the input.
"""

from __future__ import annotations

import re

from .._record import record

__all__ = ["MAX_LINE", "Raised", "bare_candidates", "clean_lines", "clean_source_line", "decode", "last_raised"]

MAX_LINE = 2_000  # longer lines are cut: no torch message comes close
MAX_MESSAGE_LINES = 60  # a signature dump from the argument parser is the longest
FALLBACK_LINES = 40  # with no exception header, the last lines are tried one by one

# Terminal control sequences, with their payloads: CSI (7-bit and C1), then OSC, DCS, SOS, PM
# and APC strings up to their terminator (or the next escape), then the other escapes. The
# classes of each part are disjoint, so a match never backtracks.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]"
)
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)])
_LEVEL = r"(?:CRITICAL|FATAL|ERROR|WARNING|WARN|INFO|DEBUG)"
_DATE = r"(?:\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4})[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?"
_FIELD_END = r"(?:\s{0,8}[-|:] ?|\s{1,8}|(?=\[))"  # " - ", " | ", ": ", spaces, or the next "[field]"
_PREFIX_LIST = (  # joined into `_PREFIXES`, which is compiled once
    r"\[(?:rank|default)(?:: ?)?\d{1,6}\]:?\s?",  # torchrun, accelerate ([rank0]:), Lightning ([rank: 0])
    r"\(\w{1,40} pid=\d{1,10}(?:, ip=[\d.]{1,40})?\)\s?",  # Ray workers
    r"\d{1,6}: (?=\S)",  # torchrun --tee
    r"(?:ERROR|WARNING|CRITICAL):[\w.<>]{0,60}:",  # logging's default format
    rf"\[?{_DATE}\]?{_FIELD_END}",  # asctime, Hydra's [asctime], loguru
    rf"\[?{_LEVEL}\]?{_FIELD_END}",  # a level after the time: ERROR, [ERROR]
    # tqdm's bar left on the line: "Epoch 0:  12%|█▏   | 12/100 [00:01<00:08, 10.5it/s]"
    r"(?:[^|\n]{0,80}:)?\s{0,4}\d{1,3}%\|[^|\n]{0,200}\|[^\[\n]{0,80}\[[^\]\n]{0,200}\]\s{0,4}",
    r"E(?: {1,12}|\t|$)",  # pytest's failure lines
    r"> {0,3}(?=[A-Z]\w{0,60}(?:Error|Warning|Exception): )",  # a quoted reply
    r"FAILED \S{1,500} - ",  # pytest's short summary
)
_LOG_FIELDS = (4, 5)  # the time and the level: a logger's name may follow them
_PREFIXES = re.compile("|".join(f"(?P<p{i}>{p})" for i, p in enumerate(_PREFIX_LIST)))
_LOGGER = re.compile(  # after the time or level: "train: ", "[train]", "__main__ - ", loguru's "train:fit:12 - "
    r"(?![\w.]{0,60}(?:Error|Exception|Warning|Interrupt)\b)"
    rf"\[?[\w.<>-]{{1,60}}(?::[\w<>]{{1,60}}:\d{{1,7}})?\]?{_FIELD_END}(?:(?<=[-|:\]] )|(?<=[-|:\]]))"
)
_HEADER = re.compile(
    r"(?P<exc>(?:[A-Za-z_]\w{0,60}\.){0,6}[A-Za-z_]\w{0,60}(?:Error|Exception|Warning|Interrupt))"
    r"(?:: ?(?P<msg>.*)|:?)"
)
_END = re.compile(
    r"(?:Traceback \(most recent call last\)|During handling of the above exception"
    r"|The above exception was the direct cause|\s*File \"|-{20,}|In \[\d{1,6}\]:|>>> )"
)
_CPP_TAIL = re.compile(r"\nException raised from .*", re.DOTALL)
_TRIGGERED = re.compile(r" \(Triggered internally at [^()\n]{0,400}\.\)\Z")
_OLD_CPP_LOCATION = re.compile(r" \(\w{1,80} at [^()\n]{1,400}:\d{1,7}\)\Z")


@record
class Raised:
    """The last exception or warning in the text."""

    exception: str | None  # "RuntimeError"; None when the text is a bare message
    message: str  # the message, its own line breaks kept
    header: int  # index of the line it starts on; -1 for a bare message


def decode(text: str | bytes) -> str:
    """Text as str: UTF-8 with undecodable bytes replaced, never an error."""
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    return text.encode("utf-8", errors="replace").decode("utf-8")


def clean_lines(text: str) -> list[str]:
    """The lines without control sequences or characters, prefixes or trailing space; cut to MAX_LINE.

    Nothing of the text that could drive a terminal (colour, cursor moves, BS, BEL,
    C1 codes, DCS or OSC payloads) is echoed back.
    """
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _ANSI.sub("", raw[: 4 * MAX_LINE]).translate(_CONTROLS)[:MAX_LINE]
        lines.append(_strip_prefixes(line).rstrip())
    return lines


def clean_source_line(line: str) -> str:
    """A line of a source file without control sequences or characters; its tab and newline are kept."""
    return _ANSI.sub("", line).translate(_CONTROLS)


def _strip_prefixes(line: str) -> str:
    log_record = False
    for _ in range(8):  # prefixes nest: "[rank0]: 2024-01-01 12:00:00 ERROR train: ..."
        m = _PREFIXES.match(line)
        if (not m or m.end() == 0) and log_record:
            m = _LOGGER.match(line)
        if not m or m.end() == 0:
            break
        log_record = m.re is _LOGGER or int((m.lastgroup or "p0")[1:]) in _LOG_FIELDS
        line = line[m.end() :]
    return line


def last_raised(lines: list[str]) -> Raised:
    """The exception raised last: the last header line and the lines that continue it."""
    for i in range(len(lines) - 1, -1, -1):
        found = _header(lines[i])
        if found is None:
            continue
        exc, first, is_warning = found
        if is_warning:
            return Raised(exc, _tidy(first), i)
        return Raised(exc, _tidy("\n".join([first, *_continuation(lines, i + 1)])), i)
    return Raised(None, "", -1)


def bare_candidates(lines: list[str]) -> list[str]:
    """With no exception header: the text from each of the last lines to the end, last first."""
    body = [line for line in lines if line.strip()][-FALLBACK_LINES:]
    return [_tidy("\n".join(body[i:])) for i in range(len(body) - 1, -1, -1)]


def _header(line: str) -> tuple[str, str, bool] | None:
    m = _HEADER.fullmatch(line)
    if m:
        return m.group("exc"), (m.group("msg") or "").strip(), False
    return _warning(line)


def _warning(line: str) -> tuple[str, str, bool] | None:
    """`path.py:12: UserWarning: message`, as the warnings module prints it."""
    at = line.find("Warning: ")
    if at < 0:
        return None
    start = at
    while start > 0 and at - start < 60 and (line[start - 1].isalnum() or line[start - 1] == "_"):
        start -= 1
    if line[max(0, start - 2) : start] != ": ":
        return None
    return line[start : at + 7], line[at + 9 :].strip(), True


def _continuation(lines: list[str], start: int) -> list[str]:
    """The lines after a header that belong to its message."""
    out: list[str] = []
    for line in lines[start : start + MAX_MESSAGE_LINES]:
        if not line.strip() or _END.match(line) or _header(line) or _is_location(line):
            break
        out.append(line)
    return out


def _is_location(line: str) -> bool:
    """pytest's `path.py:12: RuntimeError` closing line."""
    return bool(re.fullmatch(r"\S{1,500}\.py:\d{1,7}: \w{1,60}", line))


def _tidy(message: str) -> str:
    message = _CPP_TAIL.sub("", message)
    message = _TRIGGERED.sub("", message.rstrip())
    return _OLD_CPP_LOCATION.sub("", message).strip()
