"""RNN102 input-rank

## What it catches
An `input` with a number of dimensions the layer does not take: RNN, LSTM and
GRU take 3-D (L, N, H_in), or 2-D (L, H_in) for one unbatched sequence; the
cells take 2-D (N, H_in), or 1-D (H_in,). Packed data must be 2-D
(sum(lengths), H_in), so the padded batch given to `pack_padded_sequence`
must be 3-D. Integer token ids that lack only the feature dimension are
RNN104's (they need an `nn.Embedding`); a padded input with fewer than 2
dimensions is RNN401's.

## Why is this bad?
PyTorch raises `LSTM: Expected input to be 2D or 3D, got 4D instead`, which
says neither which dimension is extra nor how the input should be laid out.
Packed data of the wrong rank gives `input must have 2 dimensions, got 3` for
RNN and GRU. A packed `nn.LSTM` (torch 2.1 and later) checks nothing: it fails
with a broadcast or reshape error that names no argument, or, when every
sequence has the full length and the call goes through oneDNN (float32 on an
x86 CPU), it silently reads the data as (L, N, data.size(-1)) and runs on.
rnndoctor flags all of these as errors.

## Example
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    lstm(torch.randn(10, 32, 1, 50))

## Use instead
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    lstm(torch.randn(10, 32, 1, 50).squeeze(2))

## Fixes, in order
Each fix follows from the shape and is checked by re-running the rules:
1. Remove a dimension of size 1 (`squeeze`).
2. Merge the trailing dimensions when their product is `input_size`
   (`flatten`), as for (N, L, C, W) features from a convolution.
3. Add a dimension of size 1 (`unsqueeze`): the feature dimension when
   `input_size=1`, or the missing time or batch dimension.
4. For a cell given a whole sequence: call it once per time step, or use the
   matching RNN, LSTM or GRU module (changes the model).

## PyTorch reference
`torch.nn.LSTM`, Inputs: `input` of shape (L, H_in) for unbatched input,
(L, N, H_in) when `batch_first=False` or (N, L, H_in) when `batch_first=True`.
`torch.nn.LSTMCell`, Inputs: `input` of shape (batch, input_size) or (input_size).
"""

from __future__ import annotations

from collections.abc import Iterator
from math import prod

from ..findings import Severity
from ..specs import TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer, fmt_shape, set_input

Reshape = tuple[str, str, tuple[int, ...]]  # title, method call, new shape


def check(b: Bound) -> Iterator[Candidate]:
    if b.x is None or b.token_ids or b.input_ok_rank:
        return
    padded = b.call.input if b.call.lengths is not None else None
    if isinstance(padded, TensorInfo) and (padded.ndim < 2 or prod(padded.shape) == 0):
        return  # RNN401: packing fails first
    t = padded if isinstance(padded, TensorInfo) else b.x
    raises, order = _outcome(b)
    yield Candidate(
        RULE.finding(
            _title(b, t),
            ("input",),
            notes=_notes(b, t, raises),
            raises=raises,
        ),
        order,
        _fixes(b, t),
    )


def _title(b: Bound, t: TensorInfo) -> str:
    kind = b.spec.kind
    if b.call.lengths is not None:
        return f"`input` is {t.ndim}-D, but this {kind} needs a 3-D padded batch to pack"
    if b.packed is not None:
        return f"`input.data` is {t.ndim}-D, but this {kind} needs 2-D packed data"
    low, high = (1, 2) if b.spec.is_cell else (2, 3)
    return f"`input` is {t.ndim}-D, but this {kind} takes {low}-D or {high}-D input"


def _outcome(b: Bound) -> tuple[str | None, int]:
    if b.packed is None:
        return "ValueError", Order.INPUT_RANK
    if b.spec.base == "LSTM" and _read_as_dense(b):
        return None, Order.SILENT
    if b.spec.base == "LSTM":  # no Python check: the kernels fail after ATen reads the states
        return "RuntimeError", Order.PACKED_LATE
    return "RuntimeError", Order.PACKED_RANK


def _read_as_dense(b: Bound) -> bool:
    """oneDNN views the packed data as (L, N, data.size(-1)); it runs when the sizes allow."""
    p = b.packed
    if p is None or not b.packed_lstm_via_onednn or p.data.ndim == 0:
        return False
    return prod(p.data.shape) == len(p.batch_sizes) * p.batch * p.data.shape[-1]


def _layouts(b: Bound) -> str:
    s = b.spec
    if s.is_cell:
        return "(N, H_in), or (H_in,) for one unbatched sample"
    batched = "(N, L, H_in)" if s.is_batch_first else "(L, N, H_in)"
    if b.packed is not None:
        return f"2-D packed data (sum(lengths), H_in), from a padded {batched} batch"
    return f"{batched}, or (L, H_in) for one unbatched sequence"


def _notes(b: Bound, t: TensorInfo, raises: str | None) -> tuple[str, ...]:
    name = "`input.data`" if b.packed is not None and b.call.lengths is None else "`input`"
    notes = [f"{name} has shape {fmt_shape(t.shape)}; this {b.spec.kind} reads {_layouts(b)}"]
    if b.call.lengths is not None and b.x is not None:
        notes.append(f"packed, its data would have shape {fmt_shape(b.x.shape)}")
    if b.packed is not None and b.spec.base == "LSTM":
        if raises is None:
            outcome = ("runs silently through oneDNN, which reads the data as (L, N, "
                       f"{b.x.shape[-1] if b.x is not None else '?'})")
        else:
            outcome = "fails in a kernel with a broadcast or reshape error"
        notes.append(f"torch 2.13 runs no check for a packed nn.LSTM: this call {outcome}")
    return tuple(notes)


def _fixes(b: Bound, t: TensorInfo) -> tuple[ProposedFix, ...]:
    s = b.spec
    ranks, new_axis, what = _targets(b)
    fixes = [_reshape_fix(b, t, r) for r in _reshapes(t.shape, ranks, s.I, new_axis, what)]
    if s.is_cell and t.ndim == 3 and t.shape[0] > 1:
        fixes += _sequence_fixes(b, t)
    return tuple(fixes)


def _targets(b: Bound) -> tuple[tuple[int, ...], int | None, str]:
    """The ranks the tensor may take, and where a missing dim of size 1 goes (and what it makes)."""
    if b.call.lengths is not None:
        return (3,), b.batch_axis, "a batch of one sequence"
    if b.packed is not None:
        return (2,), None, ""
    if b.spec.is_cell:
        return (1, 2), None, ""
    return (2, 3), 0, "a sequence of one step"


def _reshapes(shape: tuple[int, ...], ranks: tuple[int, ...], features: int,
              new_axis: int | None, what: str) -> Iterator[Reshape]:
    """The reshapes that the sizes themselves support, best evidence first."""
    n = len(shape)
    if n - 1 in ranks:
        for k, size in enumerate(shape):
            if size == 1:
                yield f"remove dim {k}, which has size 1", f"squeeze({k})", shape[:k] + shape[k + 1:]
    for k in range(n - 2, 0, -1):
        merged = shape[k:]
        if k + 1 in ranks and prod(merged) == features and 1 not in merged:
            dims = f"{k} and {k + 1}" if len(merged) == 2 else f"{k} to {n - 1}"
            yield (f"merge dims {dims} into the {features} features", f"flatten({k})",
                   shape[:k] + (features,))
    if n + 1 in ranks and features == 1:
        yield "add a feature dim of size 1 (`input_size=1`)", "unsqueeze(-1)", shape + (1,)
    if n + 1 in ranks and new_axis is not None and n >= 1 and shape[-1] == features:
        new = shape[:new_axis] + (1,) + shape[new_axis:]
        yield f"add dim {new_axis} of size 1, for {what}", f"unsqueeze({new_axis})", new


def _reshape_fix(b: Bound, t: TensorInfo, r: Reshape) -> ProposedFix:
    title, method, shape = r
    change = f"  # {fmt_shape(t.shape)} -> {fmt_shape(shape)}"
    if b.call.lengths is not None:
        title, snippet = f"{title}, before packing", f"input = input.{method}{change}"
    elif b.packed is not None:
        snippet = f"input = input._replace(data=input.data.{method}){change}"
    else:
        snippet = f"input = input.{method}{change}"
    return set_input(title, t.with_shape(*shape), snippet)


def _sequence_fixes(b: Bound, t: TensorInfo) -> list[ProposedFix]:
    """A cell given (L, N, H_in): step through it, or use the module that takes sequences."""
    s = b.spec
    state = "h, c = cell(x_t, (h, c))" if s.base == "LSTM" else "h = cell(x_t, h)"
    loop = (f"for x_t in input:  # x_t: {fmt_shape(t.shape[1:])}\n"
            f"    {state}")
    fixes = [set_input(f"call the {s.kind} once per time step, over dim 0",
                       t.with_shape(*t.shape[1:]), loop)]
    if b.call.hx is None:  # a cell's states would need reshaping for the module too
        fixes.append(change_layer(s, f"use `nn.{s.base}`, which takes the whole sequence",
                                  kind=s.base))
    return fixes


RULE = Rule(
    code="RNN102",
    name="input-rank",
    severity=Severity.ERROR,
    summary="`input` has a number of dimensions the layer does not take",
    stage="forward",
    check=check,
)
