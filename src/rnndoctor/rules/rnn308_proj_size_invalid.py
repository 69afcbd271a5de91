"""RNN308 proj-size-invalid

## What it catches
A `proj_size` torch cannot use: a keyword `proj_size` for nn.RNN or nn.GRU
(even `proj_size=0`), a negative one, or one not smaller than `hidden_size`.
Also a positive `proj_size` that reaches nn.RNN or nn.GRU positionally.

## Why is this bad?
Only nn.LSTM has projections. nn.RNN and nn.GRU reject the keyword
(`ValueError: proj_size argument is only supported for LSTM, not RNN or GRU`),
but not the 9th (nn.RNN) or 8th (nn.GRU) positional argument: then the layer
is built with projection weights its kernel cannot use, and every forward call
fails, with `Expected hidden size (1, 3, 5), got [1, 3, 20]` when `hx` is
omitted and `got an incorrect number of RNN parameters` when it matches. Before
a call this is a warning; with a call it is the error torch raises, unless the
call fails an earlier check, which is then reported first. A negative
`proj_size` and one of at least `hidden_size` raise ValueError; the projection
maps `hidden_size` features down to `proj_size`.

## Example
    lstm = nn.LSTM(10, 20, proj_size=20)

## Use instead
    lstm = nn.LSTM(10, 20, proj_size=5)

## Fixes, in order
1. Construct the layer without projections (safe for `proj_size=0` given to
   nn.RNN or nn.GRU; otherwise changes the model).
2. When `proj_size` is larger than `hidden_size`, swap the two.
3. For nn.RNN or nn.GRU, construct an nn.LSTM with that projection (changes the
   model).

## PyTorch reference
`torch.nn.LSTM`: `proj_size`, "If > 0, will use LSTM with projections of
corresponding size. Default: 0"; it must be smaller than `hidden_size`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Applicability, Severity
from ..specs import RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer
from ._values import comparable, hidden_ok, is_integral


def check(b: Bound) -> Iterator[Candidate]:
    s = b.spec
    if s.is_cell:
        return
    p = s.proj_size
    if s.kind != "LSTM" and "proj_size" in s.keywords:
        yield _keyword(s)
    elif not comparable(p):
        return  # RNN302
    elif p < 0:  # type: ignore[operator]
        yield _finding(s, f"`proj_size={p!r}` is negative",
                       "`proj_size` is 0 (no projection) or the positive size of the projection")
    elif hidden_ok(s) and p >= s.hidden_size:  # type: ignore[operator]
        yield _finding(s, f"`proj_size={p!r}` is not smaller than "
                          f"`hidden_size={s.hidden_size!r}`",
                       f"the projection maps the {s.hidden_size!r} hidden features down to "
                       "`proj_size` features, so it must be smaller")
    elif s.kind != "LSTM" and is_integral(p) and p > 0:  # type: ignore[operator]
        yield _positional(b)


def _keyword(s: RnnSpec) -> Candidate:
    title = f"`proj_size` is given to an nn.{s.kind}, which has no projections"
    return Candidate(
        RULE.finding(title, ("proj_size",), raises="ValueError",
                     notes=("only nn.LSTM has projections",)),
        Order.PROJ_KWARG,
        _fixes(s, safe=s.proj_size == 0),
    )


def _finding(s: RnnSpec, title: str, note: str) -> Candidate:
    return Candidate(
        RULE.finding(title, ("proj_size", "hidden_size"), notes=(note,), raises="ValueError"),
        Order.PROJ_SIZE,
        _fixes(s, safe=False),
    )


def _positional(b: Bound) -> Candidate:
    s = b.spec
    fails = b.has_call
    where = "9th" if s.kind == "RNN" else "8th"
    notes = (
        (f"torch rejects `proj_size` as a keyword of nn.{s.kind}, but not as its {where} "
         "positional argument, and builds projection weights its kernel cannot use"),
        ("every forward call fails: without `hx`, torch makes `h_0` with `hidden_size` "
         "features and expects `proj_size`; with a matching `hx`, the kernel raises "
         "`got an incorrect number of RNN parameters`"),
    )
    return Candidate(
        RULE.finding(f"this {s.kind} got `proj_size={s.proj_size!r}` positionally, "
                     "but has no projections", ("proj_size",), notes=notes,
                     raises="RuntimeError" if fails else None,
                     severity=Severity.ERROR if fails else Severity.WARNING),
        Order.HIDDEN if fails else Order.CONSTRUCT_WARNING,
        _fixes(s, safe=False),
    )


def _fixes(s: RnnSpec, safe: bool) -> tuple[ProposedFix, ...]:
    applicability = Applicability.SAFE if safe else Applicability.CHANGES_MODEL
    fixes = [change_layer(s, f"construct the {s.kind} without projections",
                          applicability=applicability, proj_size=0,
                          keywords=s.keywords - {"proj_size"})]
    p, h = s.proj_size, s.hidden_size
    if s.kind == "LSTM" and is_integral(p) and isinstance(h, int) and 0 < h < p:  # type: ignore[operator]
        fixes.append(change_layer(s, f"construct the LSTM with `hidden_size={p}`, `proj_size={h}`",
                                  hidden_size=p, proj_size=h))
    if s.kind != "LSTM" and is_integral(p) and p > 0:  # type: ignore[operator]
        fixes.append(change_layer(s, f"construct an nn.LSTM with `proj_size={p!r}`",
                                  kind="LSTM", keywords=s.keywords | {"proj_size"}))
    return tuple(fixes)


RULE = Rule(
    code="RNN308",
    name="proj-size-invalid",
    severity=Severity.ERROR,
    summary="`proj_size` for an RNN or GRU, negative, or not below `hidden_size`",
    stage="construct",
    check=check,
)
