"""RNN311 positional-bool-flag

## What it catches
`True` or `False` passed by position to `bias`, `batch_first` or
`bidirectional`, as flake8-boolean-trap's FBT003 does for any call. The
finding names the parameter the value lands on, which depends on the layer:
nn.LSTM and nn.GRU take `input_size, hidden_size, num_layers, bias,
batch_first, dropout, bidirectional`; nn.RNN takes `nonlinearity` fourth
(since torch 2.3), so its `bias` is fifth; the cells take `bias` third.
It needs the construction as written: `rnndoctor lint`, `rnndoctor check`
and `rnndoctor.spec(...)` know it. For a live layer, the guard, `scan` and
`rnndoctor.check(module)` read it from the source that built the layer: its
owner's class (`self.rnn = nn.LSTM(...)`), found through the model given to
them, a module call on the stack or a module-level name, or a module-level
`lstm = nn.LSTM(...)`. A layer held only by a function's locals is not
found. The guard gives the note with the diagnosis of the layer's invalid
calls and after each warning about them, never alone.

## Why is this bad?
torch builds the layer without a word, with the bool on whichever parameter
sits at its position, which is often not the one meant: `nn.LSTM(10, 20, 2,
True)` reads like a batch-first layer, but it is a time-major one with biases,
so a batch-first input has its batch read as time steps. The positions also
moved between versions: before torch 2.3, nn.RNN's fourth position was
`bias` and its fifth `batch_first`. A bool given as a size is RNN304's, and a
bool in nn.RNN's `nonlinearity` slot RNN309's. On its own this is a note;
`rnndoctor lint` makes it an error when the layer lands `True` on `bias`
while the program reads its results batch-first.

## Example
    lstm = nn.LSTM(10, 20, 2, True)

## Use instead
    lstm = nn.LSTM(10, 20, 2, batch_first=True)

## Fixes, in order
1. Pass the flag by keyword, with the value it has now (safe: the same
   layer, and the code says what it is).
2. `rnndoctor lint`, when the program reads the results batch-first:
   construct the layer with `batch_first=True` (changes the model).

## PyTorch reference
`torch.nn.LSTM(input_size, hidden_size, num_layers=1, bias=True,
batch_first=False, dropout=0.0, bidirectional=False, proj_size=0)`;
`torch.nn.RNN` takes `nonlinearity='tanh'` after `num_layers` since torch 2.3.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Applicability, Fix, Severity
from ..specs import _POSITIONAL, RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule

__all__ = ["FLAGS", "RULE", "before_2_3"]

FLAGS = ("bias", "batch_first", "bidirectional")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    landed = [(i, p) for i, p in enumerate(_POSITIONAL[s.kind][:s.positional])
              if p in FLAGS and isinstance(getattr(s, p), bool)]
    if landed:
        yield _candidate(s, landed)


def before_2_3(s: RnnSpec, index: int) -> str | None:
    """The parameter at this position of nn.RNN before torch 2.3, when it differs."""
    if s.kind != "RNN" or index < 3:
        return None
    older = _POSITIONAL["LSTM"]
    return older[index] if index < len(older) and older[index] != _POSITIONAL["RNN"][index] else None


def _candidate(s: RnnSpec, landed: list[tuple[int, str]]) -> Candidate:
    """One finding for the construction: every positional bool, and one fix that names them all."""
    first = landed[0][0]
    values = _join([f"`{getattr(s, p)}`" for _, p in landed])
    params = _join([f"`{p}`" for _, p in landed])
    places = _join([_ORDINALS[i] for i, _ in landed])
    title = (f"the positional {values} {'is' if len(landed) == 1 else 'are'} {params}, the {places} "
             f"argument{'s' if len(landed) > 1 else ''} of nn.{s.kind}")
    last = landed[-1][0]
    notes = [f"nn.{s.kind} takes {', '.join(_POSITIONAL[s.kind][:last + 1])} by position"]
    older = [o for o in (before_2_3(s, i) for i, _ in landed) if o is not None]
    if older:
        were = "this position was" if len(older) == 1 else "these positions were"
        notes.append(f"before torch 2.3, nn.RNN took `bias` fourth, so {were} {_join([f'`{o}`' for o in older])}")
    names = ", ".join(f"`{p}={getattr(s, p)}`" for _, p in landed)
    fix = ProposedFix(Fix(f"pass {names} by keyword", Applicability.SAFE,
                          keyword_snippet(replace(s, positional=first), s)),
                      lambda spec, call: (replace(spec, positional=first), call))
    return Candidate(RULE.finding(title, tuple(p for _, p in landed), notes=tuple(notes)),
                     Order.CONSTRUCT_WARNING, (fix,))


def _join(words: list[str]) -> str:
    """`a`, `a and b`, `a, b, and c`."""
    if len(words) < 3:
        return " and ".join(words)
    return ", ".join(words[:-1]) + ", and " + words[-1]


def keyword_snippet(s: RnnSpec, given: RnnSpec) -> str:
    """The construction with the first `s.positional` arguments by position and the rest of `given`'s by keyword."""
    params = _POSITIONAL[s.kind]
    by_position = [repr(getattr(s, p)) for p in params[:s.positional]]
    named = [p for p in params[s.positional:given.positional] if p not in ("device", "dtype")]
    named += [p for p in params if p in given.keywords and p not in named]
    by_keyword = [f"{p}={getattr(s, p)!r}" for p in named]
    return f"nn.{s.kind}({', '.join(by_position + by_keyword)})"


RULE = Rule(
    code="RNN311",
    name="positional-bool-flag",
    severity=Severity.NOTE,
    summary="`True` or `False` passed by position to `bias`, `batch_first` or `bidirectional`",
    stage="construct",
    check=check,
)
