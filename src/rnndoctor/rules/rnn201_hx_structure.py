"""RNN201 hx-structure

## What it catches
An `hx` of the wrong kind of object. RNN, GRU, RNNCell and GRUCell take one
tensor `h_0`; LSTM and LSTMCell take a pair `(h_0, c_0)`, as a tuple or a
list. Typical causes: an LSTM-style `(h_0, c_0)` handed to a GRU, a single
tensor handed to an LSTM, a 1-tuple or 3-tuple, `(h_0, None)`, or a numpy
array.

## Why is this bad?
PyTorch does not check the structure of `hx`; each mistake fails wherever
torch first touches it, with a message that names neither `hx` nor its
structure:
- A tuple for a GRU: `AttributeError: 'tuple' object has no attribute 'dim'`
  (`'size'` or `'index_select'` with packed input).
- A single tensor for an LSTM is indexed along dim 0 as `(hx[0], hx[1])`.
  With size 1 there, torch's own error message fails with `IndexError: index 1
  is out of bounds for dimension 0 with size 1`; otherwise it reports the
  slices as `hx` and `cx` of the wrong rank; a stacked 4-D tensor passes every
  Python check and fails in the argument parser of `_VF.lstm` with a TypeError
  that lists its overloads. With an unbatched `input`, a stacked 3-D tensor
  runs: rnndoctor warns, since the same `hx` fails once `input` is batched.
- A 1-tuple gives `IndexError: tuple index out of range`; a 3-tuple gives
  `lstm expects two hidden states`, and is silently cut to two items for an
  unbatched or re-sorted packed `input` (a warning).
- A packed `nn.LSTM` hands `hx` to ATen unchecked: TypeErrors from the
  argument parser, or `lstm expects two hidden states`.
- An LSTMCell given one tensor: `TypeError: lstm_cell(): argument 'hx'
  (position 2) must be tuple of Tensors, not Tensor`.

## Example
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    h_0 = torch.zeros(1, 32, 100)
    lstm(torch.randn(10, 32, 50), h_0)

## Use instead
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    h_0 = torch.zeros(1, 32, 100)
    c_0 = torch.zeros_like(h_0)
    lstm(torch.randn(10, 32, 50), (h_0, c_0))

## Fixes, in order
1. Give `hx` the structure the layer takes, keeping the tensors given (safe):
   `hx[0]` alone for a GRU handed a pair; `(h_0, c_0)` with a zero `c_0` for an
   LSTM handed one state; `(hx[0], hx[1])` for states stacked in one tensor;
   `hx[:2]` for extra items; a numpy array converted with `torch.as_tensor`.
2. Where no tensor can be kept, omit `hx`: torch then starts from zeros.

## PyTorch reference
`torch.nn.LSTM`, Inputs: `input, (h_0, c_0)`; `torch.nn.GRU`, Inputs:
`input, h_0`; `torch.nn.LSTMCell`, Inputs: `input, (h_0, c_0)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import record
from ..findings import Severity
from ..specs import Other, Seq, TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import fmt_shape, set_hx

Given = TensorInfo | Seq | Other  # an `hx` that is not None
_INDEXABLE = frozenset({"ndarray", "list", "tuple", "str"})  # hx[0] works on these


@record
class Verdict:
    """What torch 2.13 does with this `hx`: the exception (None: no exception), when, and how."""

    raises: str | None
    order: int
    note: str
    severity: Severity = Severity.ERROR


def check(b: Bound) -> Iterator[Candidate]:
    hx = b.call.hx
    if hx is None or _well_formed(b, hx):
        return
    v = _verdict(b, hx)
    yield Candidate(
        RULE.finding(_title(b, hx), ("hx",), notes=(*_expects(b, hx), v.note), raises=v.raises,
                     severity=v.severity),
        v.order,
        _fixes(b, hx, v.severity),
    )


def _well_formed(b: Bound, hx: Given) -> bool:
    if b.spec.base == "LSTM":
        return isinstance(hx, Seq) and len(hx.items) == 2 and all(
            isinstance(t, TensorInfo) for t in hx.items)
    return isinstance(hx, TensorInfo)


# ---- wording -----------------------------------------------------------------------------

def _title(b: Bound, hx: Given) -> str:
    layer = f"{_article(b.layer)} {b.layer}"
    if b.spec.base != "LSTM":
        what = f"a {hx.kind}" if isinstance(hx, Seq) else _what(hx)
        return f"`hx` is {what}, but {layer} takes a single tensor"
    if isinstance(hx, TensorInfo):
        return f"`hx` is a single tensor, but {layer} takes a pair `(h_0, c_0)`"
    if isinstance(hx, Other):
        return f"`hx` is {_what(hx)}, but {layer} takes a pair of tensors `(h_0, c_0)`"
    bad = _first_non_tensor(b, hx)
    if bad is not None:
        return f"`hx[{bad}]` is {_what(hx.items[bad])}, but {layer} needs a tensor there"
    n = len(hx.items)
    return f"`hx` has {n} item{'' if n == 1 else 's'}, but {layer} takes 2: `(h_0, c_0)`"


def _expects(b: Bound, hx: Given) -> list[str]:
    shapes = _expected_shapes(b)
    if b.spec.base == "LSTM":
        sizes = f" of shapes {fmt_shape(shapes[0])} and {fmt_shape(shapes[1])}" if shapes else ""
        return [f"{_article(b.layer)} {b.layer} takes `hx` as a tuple or list `(h_0, c_0)`{sizes}"]
    size = f" of shape {fmt_shape(shapes[0])}" if shapes else ""
    notes = [f"{_article(b.layer)} {b.layer} takes `hx` as one tensor `h_0`{size}"]
    if isinstance(hx, Seq) and len(hx.items) == 2:
        notes.append(f"a pair `(h_0, c_0)` is what an LSTM takes; {_article(b.layer)} "
                     f"{b.layer} has no cell state")
    return notes


def _expected_shapes(b: Bound) -> list[tuple[int, ...]]:
    """The shape of each state this call needs, or [] when the input does not tell."""
    if b.batch is None:
        return []
    return [tuple(d.expected or 0 for d in b.state_dims(n)) for n in b.state_names]


def _what(value: TensorInfo | Other | None) -> str:
    if value is None:
        return "None"
    if isinstance(value, TensorInfo):
        return "a tensor"
    if value.type_name == "ndarray":
        return "a numpy array"
    return f"{_article(value.type_name)} `{value.type_name}`"


def _article(word: str) -> str:
    return "an" if word.startswith(("LSTM", "RNN")) or word[0].lower() in "aeiou" else "a"


def _first_non_tensor(b: Bound, hx: Seq) -> int | None:
    """The first item torch reads that is not a tensor: any item for LSTMCell, else hx[:2]."""
    items = hx.items if b.spec.is_cell else hx.items[:2]
    return next((i for i, t in enumerate(items) if not isinstance(t, TensorInfo)), None)


# ---- what torch 2.13 does ----------------------------------------------------------------

def _verdict(b: Bound, hx: Given) -> Verdict:
    if b.spec.base != "LSTM":
        return _one_tensor_verdict(b, hx)
    if b.spec.is_cell:
        return _lstm_cell_verdict(b, hx)
    if b.packed is not None and not b.packed.sorted_indices:
        return _parser_verdict(hx)
    return _lstm_verdict(b, hx)


def _one_tensor_verdict(b: Bound, hx: Given) -> Verdict:
    """RNN, GRU and their cells call a tensor method on `hx` first."""
    raises = "AttributeError"
    if b.packed is None:
        call, order = "hx.dim()", Order.HX_STRUCTURE
    elif b.packed.sorted_indices:
        call, order = "hx.index_select(...)", Order.HX_INDEX
    else:
        call, order = "hx.size()", Order.HIDDEN
        if isinstance(hx, Other) and hx.type_name == "ndarray":
            raises = "TypeError"  # a numpy array's `size` is an int, not a method
    return Verdict(raises, order, f"torch 2.13 calls `{call}` on it and fails with "
                                  f"{_article(raises)} {raises} that does not name `hx`")


def _parser_verdict(hx: Given) -> Verdict:
    """A packed nn.LSTM without `sorted_indices` hands `hx` straight to ATen."""
    prefix = "torch 2.13 runs no Python check for a packed nn.LSTM: "
    if isinstance(hx, Seq) and all(isinstance(t, TensorInfo) for t in hx.items):
        return Verdict("RuntimeError", Order.HX_STRUCTURE,
                       prefix + "ATen raises `lstm expects two hidden states`")
    return Verdict("TypeError", Order.HX_STRUCTURE,
                   prefix + "the argument parser of `_VF.lstm` rejects `hx` with a TypeError")


def _lstm_verdict(b: Bound, hx: Given) -> Verdict:
    """Dense nn.LSTM reads `hx[0].dim()` and `hx[1].dim()`; a re-sorted packed one permutes them."""
    permutes = b.packed is not None
    order = Order.HX_INDEX if permutes else Order.HX_STRUCTURE
    method = "index_select(...)" if permutes else "dim()"
    if isinstance(hx, Other):
        if hx.type_name == "dict":
            return Verdict("KeyError", order, "torch 2.13 reads `hx[0]`, a key the dict lacks: "
                                              "a KeyError")
        if hx.type_name not in _INDEXABLE:
            return Verdict("TypeError", order, f"torch 2.13 reads `hx[0]`, and {_what(hx)} "
                                               "cannot be indexed: a TypeError")
        return Verdict("AttributeError", order, f"torch 2.13 calls `hx[0].{method}`, which "
                                                f"{_what(hx)} lacks: an AttributeError")
    if isinstance(hx, TensorInfo):
        return _stacked_verdict(b, hx)
    for i in (0, 1):
        if len(hx.items) <= i:
            return Verdict("IndexError", order, f"torch 2.13 reads `hx[{i}]` and fails with "
                                                "`IndexError: tuple index out of range`")
        if not isinstance(hx.items[i], TensorInfo):
            return Verdict("AttributeError", order, f"torch 2.13 calls `hx[{i}].{method}` and "
                                                    "fails with an AttributeError")
    return _extra_items_verdict(b, hx)


def _extra_items_verdict(b: Bound, hx: Seq) -> Verdict:
    if b.packed is None and not b.unbatched:
        if all(isinstance(t, TensorInfo) for t in hx.items):
            return Verdict("RuntimeError", Order.TWO_STATES, "`hx[0]` and `hx[1]` pass torch's "
                           "Python checks; ATen then raises `lstm expects two hidden states`")
        return Verdict("TypeError", Order.TWO_STATES, "`hx[0]` and `hx[1]` pass torch's Python "
                       "checks; the argument parser of `_VF.lstm` then rejects `hx`")
    why = "reorders the states for `sorted_indices`" if b.packed else "unsqueezes the states"
    return Verdict(None, Order.WARNING, f"torch 2.13 {why} into a new pair `(hx[0], hx[1])` and "
                   "silently drops the rest; a batched `input` fails with `lstm expects two "
                   "hidden states`", Severity.WARNING)


def _stacked_verdict(b: Bound, t: TensorInfo) -> Verdict:
    """One tensor for an LSTM: torch reads `hx[0]` and `hx[1]` along its dim 0."""
    if t.ndim == 0 or t.shape[0] < 2:
        first = _reorder_fails(b, t.shape[1:]) if t.ndim and t.shape[0] else None
        order = Order.HX_INDEX if b.packed is not None else Order.HX_STRUCTURE
        return first or Verdict("IndexError", order, _reads_rows(t))
    if b.packed is not None:
        return _stacked_packed_verdict(b, t)
    rows = t.shape[1:]
    if len(rows) != b.state_rank:
        return Verdict("RuntimeError", Order.HX_STRUCTURE, f"torch 2.13 reads `hx[0]` and "
                       f"`hx[1]` along dim 0 and reports them as {len(rows)}-D `hx` and `cx`")
    if b.unbatched and _rows_fit(b, rows, t.dtype):
        return Verdict(None, Order.WARNING, "torch 2.13 runs the call, reading `hx[0]` as `h_0` "
                       "and `hx[1]` as `c_0`; the same `hx` fails with a TypeError once `input` "
                       "is batched", Severity.WARNING)
    if b.unbatched or not _rows_fit(b, rows, None):
        return Verdict("RuntimeError", Order.HIDDEN, f"torch 2.13 reads `hx[0]` and `hx[1]` "
                       f"along dim 0, and the slices {fmt_shape(rows)} fail its size check")
    return Verdict("TypeError", Order.TWO_STATES, "the slices `hx[0]` and `hx[1]` pass every "
                   "Python check, and `_VF.lstm` then rejects the tensor with a TypeError that "
                   "lists its overloads")


def _stacked_packed_verdict(b: Bound, t: TensorInfo) -> Verdict:
    """A re-sorted packed nn.LSTM runs `hx[i].index_select(1, ...)` on each slice, then ATen."""
    assert b.packed is not None
    rows, batch = t.shape[1:], b.packed.batch
    fails = _reorder_fails(b, rows)
    if fails:
        return fails
    cut = (rows[0], batch, *rows[2:])
    if len(rows) < 3:
        return Verdict("IndexError", Order.HIDDEN, "torch 2.13 reorders the slices `hx[0]` and "
                       "`hx[1]`; ATen then fails reading their dim 2")
    if _rows_fit(b, cut, t.dtype):
        return Verdict(None, Order.WARNING, "torch 2.13 runs the call: it reorders the slices "
                       "into a new pair `(hx[0], hx[1])`; without `sorted_indices` the same "
                       "`hx` fails with a TypeError", Severity.WARNING)
    if b.x is not None and t.dtype != b.x.dtype:
        return Verdict("RuntimeError", Order.HX_DTYPE, "the slices reach a kernel that rejects "
                       "their dtype")
    return _unchecked_slices(b, cut)


def _reorder_fails(b: Bound, rows: tuple[int, ...]) -> Verdict | None:
    """A re-sorted packed nn.LSTM first runs `hx[0].index_select(1, ...)` on a slice of this shape."""
    if b.packed is None or not b.packed.sorted_indices:
        return None
    if len(rows) >= 2 and rows[1] >= b.packed.batch:
        return None
    return Verdict("IndexError" if len(rows) < 2 else "RuntimeError", Order.HX_INDEX,
                   "torch 2.13 reorders the slices `hx[0]` and `hx[1]` with "
                   "`index_select(1, ...)`, which fails on this shape")


def _unchecked_slices(b: Bound, cut: tuple[int, ...]) -> Verdict:
    layers = b.spec.D * b.spec.layers
    if b.packed_lstm_via_onednn:
        if cut[0] < layers:
            return Verdict("IndexError", Order.ONEDNN_STATES, "oneDNN fails selecting a layer's state "
                                                       "from the slices")
        return Verdict(None, Order.SILENT, "the slices of the wrong shape go through oneDNN, "
                                           "which runs on silently")
    if len(cut) > 3 and cut[0] == layers:
        return Verdict(None, Order.SILENT, "the 4-D slices crash the process with a "
                                           "segmentation fault")
    return Verdict("RuntimeError", Order.HIDDEN, "the slices of the wrong shape fail inside ATen")


def _reads_rows(t: TensorInfo) -> str:
    if t.ndim == 0:
        return "torch 2.13 indexes `hx[0]`, and a 0-D tensor cannot be indexed"
    return (f"torch 2.13 reads `hx[0]` and `hx[1]` along dim 0, which has size {t.shape[0]}, "
            f"and fails with `IndexError: index {t.shape[0]} is out of bounds`")


def _rows_fit(b: Bound, rows: tuple[int, ...], dtype: str | None) -> bool:
    """The slices have the shape of both states (and the input's dtype, unless None)."""
    shapes = _expected_shapes(b)
    if not shapes or b.x is None:
        return False
    return all(rows == s for s in shapes) and dtype in (None, b.x.dtype)


def _lstm_cell_verdict(b: Bound, hx: Given) -> Verdict:
    """LSTMCell iterates over `hx` checking each item's rank, then unpacks or hands it to ATen."""
    if isinstance(hx, Other):
        raises = "AttributeError" if hx.type_name in _INDEXABLE | {"dict"} else "TypeError"
        return Verdict(raises, Order.HX_STRUCTURE, "torch 2.13 iterates over `hx`, calling "
                       f"`.dim()` on each item, and fails with {_article(raises)} {raises}")
    if isinstance(hx, TensorInfo):
        return _cell_tensor_verdict(b, hx)
    for i, item in enumerate(hx.items):  # torch checks every item's rank, in turn, first
        if not isinstance(item, TensorInfo):
            return Verdict("AttributeError", Order.HX_STRUCTURE, f"torch 2.13 calls "
                           f"`hx[{i}].dim()` and fails with an AttributeError")
        if item.ndim not in (1, 2):
            return Verdict("ValueError", Order.HX_RANK, f"torch 2.13 checks the rank of each "
                           f"item in turn, and `hx[{i}]` is {item.ndim}-D: a ValueError")
    if not b.unbatched:
        return Verdict("RuntimeError", Order.CELL_TWO_STATES, "ATen raises `lstm_cell expects "
                                                              "two hidden states`")
    if len(hx.items) < 2:
        return Verdict("IndexError", Order.CELL_TWO_STATES, "torch 2.13 reads `hx[1]` and fails "
                       "with `IndexError: tuple index out of range`")
    return Verdict(None, Order.WARNING, "torch 2.13 unsqueezes the states into a new pair "
                   "`(hx[0], hx[1])` and silently drops the rest; a batched `input` fails with "
                   "`lstm_cell expects two hidden states`", Severity.WARNING)


def _cell_tensor_verdict(b: Bound, t: TensorInfo) -> Verdict:
    if t.ndim == 0:
        return Verdict("TypeError", Order.HX_STRUCTURE, "torch 2.13 iterates over `hx` and "
                       "fails with `TypeError: iteration over a 0-d tensor`")
    if t.shape[0] > 0 and t.ndim - 1 not in (1, 2):
        return Verdict("ValueError", Order.HX_RANK, "torch 2.13 iterates over the tensor's "
                       f"rows as if they were states, and reports `hx[0]` as {t.ndim - 1}-D")
    if not b.unbatched:
        return Verdict("TypeError", Order.CELL_TWO_STATES, "`lstm_cell` rejects it: `argument "
                       "'hx' (position 2) must be tuple of Tensors, not Tensor`")
    if t.shape[0] < 2:
        return Verdict("IndexError", Order.CELL_TWO_STATES, _reads_rows(t))
    if _rows_fit(b, t.shape[1:], t.dtype):
        return Verdict(None, Order.WARNING, "torch 2.13 runs the call, reading `hx[0]` as `h_0` "
                       "and `hx[1]` as `c_0`; the same `hx` fails with a TypeError once `input` "
                       "is batched", Severity.WARNING)
    return Verdict("RuntimeError", Order.HIDDEN, f"torch 2.13 reads `hx[0]` and `hx[1]` along "
                   f"dim 0, and ATen rejects the slices {fmt_shape(t.shape[1:])}")


# ---- fixes -------------------------------------------------------------------------------

def _fixes(b: Bound, hx: Given, severity: Severity) -> tuple[ProposedFix, ...]:
    fixes = [f for f in (_keep_tensors(b, hx),) if f is not None]
    if severity is Severity.ERROR:
        fixes.append(set_hx("omit `hx`; torch then starts from zero states", None))
    return tuple(fixes)


def _keep_tensors(b: Bound, hx: Given) -> ProposedFix | None:
    if b.spec.base != "LSTM":
        return _one_tensor_fix(b, hx)
    if isinstance(hx, TensorInfo):
        return _tensor_fix(b, hx)
    if not isinstance(hx, Seq):
        return None
    items = hx.items
    if len(items) > 2 and _first_non_tensor(b, Seq(hx.kind, items[:2])) is None:
        return set_hx("pass only `hx[0]` and `hx[1]`", Seq(hx.kind, items[:2]), "hx = hx[:2]")
    tensors = [(i, t) for i, t in enumerate(items[:2]) if isinstance(t, TensorInfo)]
    if len(items) <= 2 and len(tensors) == 1:
        i, t = tensors[0]
        return _pair_fix(b, t, f"hx[{i}]", i)
    return None


def _one_tensor_fix(b: Bound, hx: Given) -> ProposedFix | None:
    if isinstance(hx, Seq) and hx.items and isinstance(hx.items[0], TensorInfo):
        return set_hx("pass `hx[0]` alone", hx.items[0], "hx = hx[0]")
    shapes = _expected_shapes(b)
    if isinstance(hx, Other) and hx.type_name == "ndarray" and shapes:
        dtype = b.spec.dtype
        return set_hx("convert `hx` to a tensor", TensorInfo(shapes[0], dtype, b.spec.device),
                      f"hx = torch.as_tensor(hx, dtype=torch.{dtype})")
    return None


def _tensor_fix(b: Bound, t: TensorInfo) -> ProposedFix:
    """States stacked along dim 0 are split; a single state gets a zero partner."""
    if t.ndim != b.state_rank + 1:
        return _pair_fix(b, t, "hx", 0)
    rows = t.with_shape(*t.shape[1:])
    if t.shape[0] < 2:
        return _pair_fix(b, rows, "hx[0]", 0)
    return set_hx("split `hx` into `(h_0, c_0)`", Seq("tuple", (rows, rows)),
                  "hx = (hx[0], hx[1])")


def _pair_fix(b: Bound, t: TensorInfo, ref: str, index: int) -> ProposedFix:
    """Pair the one state given, `ref`, with a zero partner; `index` is its place in the pair."""
    partner = "c_0" if index == 0 else "h_0"
    size = b.spec.H if partner == "c_0" else b.spec.H_out
    zero = t.with_shape(*t.shape[:-1], size) if t.ndim else t
    make = (f"torch.zeros_like({ref})" if zero.shape == t.shape
            else f"{ref}.new_zeros({', '.join(map(str, zero.shape))})")
    pair = (t, zero) if index == 0 else (zero, t)
    text = f"({ref}, {make})" if index == 0 else f"({make}, {ref})"
    return set_hx(f"pass `(h_0, c_0)`, with a zero `{partner}`", Seq("tuple", pair),
                  f"hx = {text}")


RULE = Rule(
    code="RNN201",
    name="hx-structure",
    severity=Severity.ERROR,
    summary="`hx` is not the tensor or `(h_0, c_0)` pair the layer takes",
    stage="forward",
    check=check,
)
