"""RNN104 input-dtype-mismatch

## What it catches
An `input` whose dtype is not the dtype of the layer's weights: float64 data
from numpy given to a float32 layer, float32 data given to a layer converted
with `.double()` or `.half()`, and integer token ids given straight to the
layer without an `nn.Embedding`. Token ids are an integer tensor without the
feature dimension: (L, N) or (N, L) for a module, (N,) for a cell; one finding
covers both the dtype and the missing dimension.

## Why is this bad?
For RNN, LSTM and GRU (and packed RNN and GRU), PyTorch raises
`RNN input dtype (torch.int64) does not match weight dtype (torch.float32).
Convert input: input.to(torch.float32), or convert model: model.to(torch.int64)`.
For token ids both suggestions are wrong: converting ids to floats feeds
meaningless numbers of the wrong shape, and a model cannot be converted to an
integer dtype at all. Token ids are often read as an unbatched sequence, so
torch may first report something else: the rank of `hx`, or, for a cell,
`input has inconsistent input_size`. Cells and a packed `nn.LSTM` compare no
dtypes: they fail inside a matrix product with
`mat1 and mat2 must have the same dtype, but got Double and Float`, and on the
meta device they run on silently. rnndoctor flags all of these as errors.

## Example
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    tokens = torch.randint(0, 1000, (10, 32))
    lstm(tokens)

## Use instead
    emb = nn.Embedding(1000, 50)
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    tokens = torch.randint(0, 1000, (10, 32))
    lstm(emb(tokens))

## Fixes, in order
For token ids: embed them with `nn.Embedding(<vocab_size>, input_size)`.
For other dtypes:
1. Convert `input` to the weights' dtype (safe), unless `h_0`/`c_0` share the
   input's dtype: then the weights are the odd one out and come first.
2. Convert the model to the input's dtype (changes the model), only to a
   floating-point dtype.
3. For integers whose last dim already is `input_size`: embed them instead.

## PyTorch reference
`torch.nn.RNNBase.check_input` compares `input.dtype` with the first weight's
dtype. `torch.nn.Embedding`: "(*) -> (*, H), where * is the input shape".
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Applicability, Severity
from ..specs import FLOAT_DTYPES, TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import convert_layer, fmt_shape, set_input


def check(b: Bound) -> Iterator[Candidate]:
    x = b.x
    if x is None or x.dtype == b.spec.dtype:
        return
    yield _token_ids(b, x) if b.token_ids else _mismatch(b, x)


def _given(b: Bound, x: TensorInfo) -> TensorInfo:
    """The tensor the user passes: the padded one when it is packed here, else `x`."""
    padded = b.call.input
    return padded if b.call.lengths is not None and isinstance(padded, TensorInfo) else x


def _mismatch(b: Bound, x: TensorInfo) -> Candidate:
    s = b.spec
    states_agree = bool(b.states) and all(t.dtype == x.dtype for t in b.states.values())
    in_kernel = s.is_cell or (b.packed is not None and s.base == "LSTM")
    raises: str | None = "RuntimeError" if in_kernel else "ValueError"
    devices = {x.device, s.device} | {t.device for t in b.states.values()}
    if in_kernel and devices == {"meta"}:
        raises = None  # meta kernels compare no dtypes
    order = Order.CELL_DTYPE if s.is_cell else Order.INPUT_DTYPE
    if b.packed is not None and s.base == "LSTM":
        order = Order.PACKED_LATE  # after ATen reads the states, as for RNN103
    to_input = set_input(f"convert `input` to {s.dtype}", replace(_given(b, x), dtype=s.dtype),
                         f"input = input.to(torch.{s.dtype})")
    fixes = [to_input]
    if x.dtype in FLOAT_DTYPES:
        to_model = convert_layer(f"convert the model to {x.dtype}", f"model.to(torch.{x.dtype})",
                                 applicability=Applicability.CHANGES_MODEL, dtype=x.dtype)
        fixes.insert(0 if states_agree else 1, to_model)
    if x.dtype.startswith(("int", "uint")):
        fixes.append(_embed(b, x))
    return Candidate(
        RULE.finding(
            f"`input` is {x.dtype}, but this {s.kind}'s weights are {s.dtype}",
            ("dtype", "input") if states_agree else ("input", "dtype"),
            notes=_mismatch_notes(b, x, states_agree, raises),
            raises=raises,
        ),
        order,
        tuple(fixes),
    )


def _mismatch_notes(b: Bound, x: TensorInfo, states_agree: bool,
                    raises: str | None) -> tuple[str, ...]:
    s = b.spec
    names = " and ".join(f"`{n}`" for n in b.states)
    notes = []
    if states_agree:
        notes.append(f"{names} {_are(b)} {x.dtype} as well: only the weights differ")
    elif b.states and all(t.dtype == s.dtype for t in b.states.values()):
        notes.append(f"{names} {_are(b)} {s.dtype}, like the weights: only `input` differs")
    if x.dtype == "float64" and s.dtype == "float32":
        notes.append("numpy arrays are float64 by default, and `torch.from_numpy` keeps that dtype")
    if x.dtype not in FLOAT_DTYPES:
        notes.append("a recurrent layer's weights must be floating point, so the model cannot "
                     f"be converted to {x.dtype}")
    if s.is_cell or (b.packed is not None and s.base == "LSTM"):
        outcome = ("on the meta device its kernel runs on" if raises is None
                   else "it fails in a matrix product")
        notes.append(f"torch runs no dtype check for a {_packed(b)}{s.kind}: {outcome}")
    return tuple(notes)


def _token_ids(b: Bound, x: TensorInfo) -> Candidate:
    s = b.spec
    raises, order = _token_outcome(b, x)
    given = _given(b, x)
    notes = [f"{_ids(b, given)}: it lacks the H_in={s.I} feature dim that `nn.Embedding` adds"]
    notes += _torch_view(b, x, order)
    return Candidate(
        RULE.finding(
            f"`input` is {x.dtype} with no feature dim, but this {s.kind} expects {s.dtype}",
            ("input",),
            notes=tuple(notes),
            raises=raises,
        ),
        order,
        (_embed(b, x),),
    )


def _token_outcome(b: Bound, x: TensorInfo) -> tuple[str, int]:
    """What torch raises first for token ids, which it often reads as an unbatched input."""
    s = b.spec
    if b.packed is not None:
        if s.base == "LSTM":  # no Python check: the first layer's kernel fails
            return "RuntimeError", Order.PACKED_LATE
        return "ValueError", Order.INPUT_DTYPE
    if x.ndim < (1 if s.is_cell else 2):
        return "ValueError", Order.INPUT_RANK
    state_ranks = {t.ndim for t in b.states.values()}
    if s.is_cell:
        if state_ranks - {1, 2}:
            return "ValueError", Order.HX_RANK
        return "RuntimeError", Order.INPUT_SIZE_FWD
    if state_ranks - {2}:
        return "RuntimeError", Order.HX_RANK
    return "ValueError", Order.INPUT_DTYPE


def _ids(b: Bound, given: TensorInfo) -> str:
    """What the integer tensor reads as, with its layout."""
    article = "an" if given.dtype.startswith("int") else "a"
    if given.ndim == 0:
        return f"{article} {given.dtype} scalar reads as a single token id"
    if b.call.lengths is None and b.packed is not None:
        layout = "(sum(lengths),)"
    elif b.spec.is_cell:
        layout = "(N,)"
    elif given.ndim == 1:
        layout = "(L,)"
    else:
        layout = "(N, L)" if b.spec.is_batch_first else "(L, N)"
    shape = fmt_shape(given.shape)
    return f"{article} {given.dtype} tensor of shape {shape} reads as token ids {layout}"


def _torch_view(b: Bound, x: TensorInfo, order: int) -> list[str]:
    """What torch makes of the ids, when its message points elsewhere."""
    if order == Order.HX_RANK and not b.spec.is_cell:
        return [("torch reads a 2-D `input` as one unbatched sequence, so it reports the rank "
                 "of `hx` first")]
    if order == Order.INPUT_SIZE_FWD:
        return [(f"torch reads the 1-D `input` as one sample of {x.shape[0]} features, so it "
                 "reports the input size first")]
    if order == Order.INPUT_DTYPE and not (b.packed is not None and b.spec.base == "LSTM"):
        return [(f"torch's advice, `model.to(torch.{x.dtype})`, cannot work: a recurrent "
                 "layer's weights must be floating point")]
    return []


def _embed(b: Bound, x: TensorInfo) -> ProposedFix:
    s = b.spec
    given = _given(b, x)
    new = TensorInfo((*given.shape, s.I), s.dtype, given.device)
    options = "".join(f", {k}={v}" for k, v in (("dtype", f"torch.{s.dtype}"),
                                                 ("device", f'"{s.device}"'))
                      if v not in ("torch.float32", '"cpu"'))
    change = f"  # {fmt_shape(given.shape)} -> {fmt_shape(new.shape)}"
    if b.call.lengths is None and b.packed is not None:
        use = f"input = input._replace(data=emb(input.data)){change}"
    else:
        use = f"input = emb(input){change}"
    title = f"embed the ids into {s.I} features with `nn.Embedding`"
    if b.call.lengths is not None:
        title += ", before packing"
    return set_input(title, new, f"emb = nn.Embedding(<vocab_size>, {s.I}{options})\n{use}",
                     Applicability.HAS_PLACEHOLDERS)


def _are(b: Bound) -> str:
    return "is" if len(b.states) == 1 else "are"


def _packed(b: Bound) -> str:
    return "packed " if b.packed is not None else ""


RULE = Rule(
    code="RNN104",
    name="input-dtype-mismatch",
    severity=Severity.ERROR,
    summary="`input` dtype differs from the weights' dtype",
    stage="forward",
    check=check,
)
