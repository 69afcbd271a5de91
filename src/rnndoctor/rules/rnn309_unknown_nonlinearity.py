"""RNN309 unknown-nonlinearity

## What it catches
A `nonlinearity` of nn.RNN or nn.RNNCell other than `'tanh'` or `'relu'`
(compared exactly: `'Tanh'` and `'sigmoid'` are unknown).

## Why is this bad?
nn.RNN raises `ValueError: Unknown nonlinearity 'sigmoid'. Select from 'tanh'
or 'relu'.` when constructed. nn.RNNCell accepts any value when constructed
and raises `RuntimeError: Unknown nonlinearity: sigmoid` at every forward
call, after checking the ranks of `input` and `hx`: before a call this is a
warning, with a call that passes those checks it is the error torch raises.
Since torch 2.3 the 4th positional argument of nn.RNN is `nonlinearity`;
before, it was `bias`, so `nn.RNN(10, 20, 1, False)` meant `bias=False` and
now fails.

## Example
    rnn = nn.RNN(10, 20, nonlinearity='sigmoid')

## Use instead
    rnn = nn.RNN(10, 20, nonlinearity='tanh')

## Fixes, in order
1. When the value is `'tanh'` or `'relu'` in other case or with spaces, that
   name (safe).
2. When nn.RNN got a bool as its 4th positional argument, pass it as `bias`
   (safe).
3. Otherwise `'tanh'`, the default, or `'relu'` (changes the model).

## PyTorch reference
`torch.nn.RNN`: `nonlinearity`, "The non-linearity to use. Can be either
'tanh' or 'relu'. Default: 'tanh'".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer
from ._values import is_bool

KNOWN = ("tanh", "relu")


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    if s.kind not in ("RNN", "RNNCell") or s.nonlinearity in KNOWN:
        return
    title = f"`nonlinearity={s.nonlinearity!r}` is neither 'tanh' nor 'relu'"
    if s.kind == "RNN":
        finding = RULE.finding(title, ("nonlinearity",), notes=_layer_notes(s), raises="ValueError")
        yield Candidate(finding, Order.NONLINEARITY, _fixes(s))
        return
    fails = b.has_call
    note = ("nn.RNNCell accepts any `nonlinearity` when constructed, and every forward call "
            "raises `Unknown nonlinearity`")
    finding = RULE.finding(title, ("nonlinearity",), notes=(note,),
                           raises="RuntimeError" if fails else None,
                           severity=Severity.ERROR if fails else Severity.WARNING)
    yield Candidate(finding, Order.CELL_NONLINEARITY if fails else Order.CONSTRUCT_WARNING,
                    _fixes(s))


def _layer_notes(s: RnnSpec) -> tuple[str, ...]:
    notes = ["nn.RNN accepts 'tanh' and 'relu', compared exactly"]
    if is_bool(s.nonlinearity):
        notes.append("since torch 2.3 the 4th positional argument of nn.RNN is `nonlinearity`; "
                     "before, it was `bias`")
    return tuple(notes)


def _fixes(s: RnnSpec) -> tuple[ProposedFix, ...]:
    value = s.nonlinearity
    if isinstance(value, str) and value.strip().lower() in KNOWN:
        name = value.strip().lower()
        return (change_layer(s, f"pass `nonlinearity='{name}'`", applicability=Applicability.SAFE,
                             nonlinearity=name),)
    if s.kind == "RNN" and is_bool(value) and "nonlinearity" not in s.keywords:
        return (change_layer(s, f"pass `{value}` as `bias={value}`",
                             applicability=Applicability.SAFE,
                             nonlinearity="tanh", bias=bool(value)),)
    return tuple(change_layer(s, f"construct the {s.kind} with `nonlinearity='{name}'`",
                              nonlinearity=name) for name in KNOWN)


RULE = Rule(
    code="RNN309",
    name="unknown-nonlinearity",
    severity=Severity.ERROR,
    summary="`nonlinearity` is neither 'tanh' nor 'relu'",
    stage="construct",
    check=check,
)
