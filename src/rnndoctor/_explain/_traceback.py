"""What the traceback around a message shows: frames, the user's call, the layer.

Reads CPython tracebacks, IPython and Jupyter ones (old and new styles, VS
Code's links included), and pytest reports. Nothing is evaluated: the
constructor arguments are read with regular expressions as literals.
"""

from __future__ import annotations

import re

from .._record import record
from ..specs import KINDS, RnnSpec, SpecError, spec

__all__ = ["Frame", "Trace", "read_trace"]

# Kept as text: `re` compiles each on first use and keeps it, and a bare message needs few.
_CPYTHON = r'\s{0,8}File "(?P<path>[^"]{1,1000})", line (?P<line>\d{1,7})(?:, in (?P<func>\S{1,200}))?'
_IPYTHON = (
    r"(?:File (?P<path>\S.{0,1000}?):(?P<line>\d{1,7}),? in (?P<func>[\w.<>]{1,200})"
    r"|Cell (?P<cell>In ?\[\d{1,6}\]), line (?P<cline>\d{1,7}))(?:\(.{0,1000}\))?"
)
_PYTEST = r"(?P<path>[^\s:]{1,1000}\.py):(?P<line>\d{1,7}):(?: in (?P<func>\S{1,200})| \w{1,60})?"
_ARROW = r"-{1,12}> ?(?:\[(?P<link>\d{1,7})\]\([^)]{0,2000}\)|(?P<num>\d{1,7}))? {1,12}(?P<src>\S.{0,1000})"
_PYTEST_MARK = r"> {1,40}(?P<src>\S.{0,1000})"
_CARETS = r"\s{0,200}[\^~]{1,1000}"
_KIND_CALL = r"(?:torch\.)?(?:nn\.)?(?P<kind>RNNCell|LSTMCell|GRUCell|RNN|LSTM|GRU)\((?P<args>[^()\n]{0,400})\)"
_ASSIGNED = r"(?:(?P<name>[\w.]{1,100})\s{0,4}=|\((?P<printed>\w{1,100})\):)\s{0,4}\Z"
TRACE_LINES = 2_000  # a traceback is read back this far from its exception at most
CONSTRUCTOR_LINES = 400  # the constructor is looked for in the last lines only
MAX_CONSTRUCTORS = 50
_CALLEE = r"(?:^|[^\w.])(?:self\.)?(?P<name>[\w.]{1,100})\s{0,4}\("
_VF_CALL = r"_VF\.(?P<op>lstm|gru|rnn_tanh|rnn_relu)(?:_cell)?\((?P<args>[^)]{0,200})"
_LITERAL = r"-?\d{1,9}(?:\.\d{1,9})?|True|False|None|'[^']{0,40}'|\"[^\"]{0,40}\""
_TORCH_PATH = r"[/\\](?:site|dist)-packages[/\\]torch[/\\]|[/\\]torch[/\\]nn[/\\]"
_PACKED_WORDS = r"PackedSequence|pack_padded_sequence|pack_sequence|batch_sizes|\bpacked"
_VF_KIND = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN", "rnn_relu": "RNN"}


@record
class Frame:
    """One frame of a traceback: where, in what function, and the line of source."""

    path: str
    line: int
    func: str
    source: str

    @property
    def in_torch(self) -> bool:
        return bool(re.search(_TORCH_PATH, self.path.replace("~", "/")))

    @property
    def in_rnn_module(self) -> bool:
        """Inside torch/nn/modules/rnn.py or torch/nn/utils/rnn.py."""
        return self.in_torch and self.path.replace("\\", "/").endswith("/rnn.py")

    @property
    def site(self) -> str:
        return f"{self.path}:{self.line}"


@record
class Trace:
    """The facts a traceback gives about the failing call."""

    frames: tuple[Frame, ...]
    call: Frame | None  # the user's line that called into torch
    kind: str | None  # "LSTM", "GRUCell", ... when the text says which layer
    packed: bool  # the text shows a PackedSequence going into the layer
    constructor: str | None  # "nn.LSTM(50, 100, num_layers=2, bidirectional=True)" as written
    spec: RnnSpec | None  # the constructor, when all its arguments are literals

    @property
    def in_rnn(self) -> bool:
        """The exception was raised from inside torch's recurrent code."""
        return any(f.in_rnn_module for f in self.frames) or self.vf_op is not None

    @property
    def vf_op(self) -> str | None:
        for f in reversed(self.frames):
            m = re.search(_VF_CALL, f.source)
            if m:
                return m.group("op")
        return None

    @property
    def raising_source(self) -> str:
        """The source line of the innermost frame: often the very check that failed."""
        return self.frames[-1].source if self.frames else ""


def read_trace(lines: list[str], end: int) -> Trace:
    """The traceback that ends at line `end` (the exception header), and the whole text's layer."""
    start = max(_traceback_start(lines, end), end - TRACE_LINES)
    frames = _frames(lines[start : max(end, 0)])
    call = _call_site(frames)
    constructor, found_spec = _constructor(lines, call)
    kind = _kind(frames) or (found_spec.kind if found_spec else _kind_of(constructor))
    packed = _packed(frames, call)
    return Trace(frames, call, kind, packed, constructor, found_spec)


def _traceback_start(lines: list[str], end: int) -> int:
    for i in range(max(end, 0) - 1, max(end - TRACE_LINES, 0) - 1, -1):
        if "Traceback (most recent call last)" in lines[i]:
            return i
    return 0


def _frames(block: list[str]) -> tuple[Frame, ...]:
    frames: list[Frame] = []
    for i, line in enumerate(block):
        frame = _frame_at(block, i, line)
        if frame is not None:
            frames.append(frame)
    return tuple(frames)


def _frame_at(block: list[str], i: int, line: str) -> Frame | None:
    m = re.fullmatch(_CPYTHON, line)
    if m:
        return Frame(m["path"], int(m["line"]), m["func"] or "", _next_source(block, i))
    m = re.match(_IPYTHON, line)
    if m:
        path = m["path"] or f"Cell {m['cell']}"
        number = int(m["line"] or m["cline"])
        return Frame(path, number, m["func"] or "<module>", _arrow_source(block, i))
    old = _old_ipython(line)
    if old:
        return Frame(old[0], _arrow_line(block, i), old[1], _arrow_source(block, i))
    m = re.fullmatch(_PYTEST, line)
    if m:
        src = _pytest_source(block, i) if m["func"] is None else _next_source(block, i)
        return Frame(m["path"], int(m["line"]), m["func"] or "", src)
    return None


def _old_ipython(line: str) -> tuple[str, str] | None:
    """`<ipython-input-3-abc> in <module>()` or `/path/rnn.py in forward(self, input, hx)`."""
    head, sep, tail = line.partition(" in ")
    path = head.rsplit(" ", 1)[-1]
    if not sep or "(" not in tail or not path.endswith((".py", ".ipynb", ">")):
        return None
    return path, tail.split("(", 1)[0]


def _next_source(block: list[str], i: int) -> str:
    if i + 1 < len(block) and block[i + 1].startswith(" ") and not re.fullmatch(_CARETS, block[i + 1]):
        return block[i + 1].strip()
    return ""


def _arrow_match(block: list[str], i: int) -> re.Match[str] | None:
    for line in block[i + 1 : i + 40]:
        if not line.strip() or re.match(_IPYTHON, line) or _old_ipython(line):
            return None
        m = re.fullmatch(_ARROW, line)
        if m:
            return m
    return None


def _arrow_source(block: list[str], i: int) -> str:
    m = _arrow_match(block, i)
    return m["src"].strip() if m else ""


def _arrow_line(block: list[str], i: int) -> int:
    m = _arrow_match(block, i)
    return int(m["num"] or m["link"] or 0) if m else 0


def _pytest_source(block: list[str], i: int) -> str:
    for line in reversed(block[max(0, i - 40) : i]):
        m = re.fullmatch(_PYTEST_MARK, line)
        if m:
            return m["src"].strip()
    return ""


def _call_site(frames: tuple[Frame, ...]) -> Frame | None:
    """The user's frame that calls into torch's recurrent code.

    That is the last frame outside torch before the first one in torch's rnn.py
    (without one, before the first frame in torch): in a nested model the
    outer `model(x)` and `Module.__call__` frames come earlier and are passed over.
    """
    torch_at = [i for i, f in enumerate(frames) if f.in_rnn_module] or [
        i for i, f in enumerate(frames) if f.in_torch]
    end = torch_at[0] if torch_at else len(frames)
    return next((f for f in reversed(frames[:end]) if not f.in_torch), None)


def _constructor(lines: list[str], call: Frame | None) -> tuple[str | None, RnnSpec | None]:
    found = _constructors(lines)
    if not found:
        return None, None
    callee = _callee(call.source) if call else None
    named = [(name, m) for name, m in found if callee and name == callee]
    chosen = named[-1][1] if named else (found[-1][1] if len(found) == 1 else None)
    if chosen is None:
        return None, None
    return chosen.group(0), _literal_spec(chosen["kind"], chosen["args"])


def _constructors(lines: list[str]) -> list[tuple[str | None, re.Match[str]]]:
    """The layer constructions in the last lines, each with the name it is assigned to."""
    found: list[tuple[str | None, re.Match[str]]] = []
    for line in lines[-CONSTRUCTOR_LINES:]:
        for m in re.finditer(_KIND_CALL, line):
            before = re.search(_ASSIGNED, line[max(0, m.start() - 120) : m.start()])
            name = (before["name"] or before["printed"]) if before else None
            found.append((_last_name(name), m))
    return found[-MAX_CONSTRUCTORS:]


def _callee(source: str) -> str | None:
    m = re.search(_CALLEE, source)
    return _last_name(m["name"]) if m else None


def _last_name(dotted: str | None) -> str | None:
    return dotted.rsplit(".", 1)[-1] if dotted else None


def _literal_spec(kind: str, args: str) -> RnnSpec | None:
    """The layer built from its arguments when every one is a literal; else None."""
    positional: list[object] = []
    keywords: dict[str, object] = {}
    for part in (p.strip() for p in args.split(",") if p.strip()):
        name, _, value = part.rpartition("=")
        if not re.fullmatch(_LITERAL, value.strip()):
            return None
        literal = _literal(value.strip())
        if name:
            keywords[name.strip()] = literal
        else:
            positional.append(literal)
    try:
        return spec(kind, *positional, **keywords)
    except (SpecError, TypeError, ValueError):
        return None


def _literal(text: str) -> object:
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    if text[0] in "'\"":
        return text[1:-1]
    return float(text) if "." in text else int(text)


def _kind(frames: tuple[Frame, ...]) -> str | None:
    for f in reversed(frames):
        m = re.search(_VF_CALL, f.source)
        if m:
            cell = "Cell" if f.source[m.end("op") : m.end("op") + 5] == "_cell" else ""
            return _VF_KIND[m["op"]] + cell
        owner = f.func.split(".")[0]
        if f.in_torch and owner in KINDS:
            return owner
    return None


def _kind_of(constructor: str | None) -> str | None:
    return constructor.split("(")[0].rsplit(".", 1)[-1] if constructor else None


def _packed(frames: tuple[Frame, ...], call: Frame | None) -> bool:
    """A PackedSequence went in: torch's call passes `batch_sizes`, or the user's code names one."""
    vf = [f for f in frames if re.search(_VF_CALL, f.source)]
    if vf and "batch_sizes" in vf[-1].source:
        return True
    user = [f for f in frames if not f.in_torch] + ([call] if call else [])
    return any(re.search(_PACKED_WORDS, f.source) for f in user)
