"""RNN206 hidden-dtype-mismatch

## What it catches
`h_0` or `c_0` whose dtype is neither the dtype of `input` nor that of the
layer's weights: float64 states built with numpy next to float32 data, states
left in float32 after `model.half()`, or integer states from `torch.zeros(...,
dtype=torch.long)`. States that share the input's dtype while the weights
differ are RNN104's: there the input and the model disagree.

## Why is this bad?
PyTorch never checks the dtype of the states. The call fails inside a kernel
with a message that names no argument: `mat1 and mat2 must have the same
dtype, but got Double and Float` for RNN, GRU and the cells, and
`get_mkldnn_dtype: unsupported data type` (or `could not create a primitive
descriptor`) where `nn.LSTM` runs on oneDNN (float32 on the CPU, without
projections). Elsewhere, and always for `nn.LSTMCell`, only `h_0` meets a
weight, so a `c_0` of another dtype is promoted silently. A wider `c_0`
(float64 next to float32) makes the next `h` and `c` float64 too: the next
step, layer or projection fails with the same kernel error, and a single step
returns float64 outputs without a word; rnndoctor flags that as an error. A
narrower `c_0` (float16, integers) only loses precision and gets a warning.

## Example
    gru = nn.GRU(input_size=50, hidden_size=100)
    h_0 = torch.zeros(1, 32, 100, dtype=torch.float64)
    gru(torch.randn(10, 32, 50), h_0)

## Use instead
    gru = nn.GRU(input_size=50, hidden_size=100)
    h_0 = torch.zeros(1, 32, 100)
    gru(torch.randn(10, 32, 50), h_0)

## Fixes, in order
1. Convert the states to the dtype of the weights (safe); `torch.zeros_like`
   or `input.new_zeros` keep the input's dtype from the start.

## PyTorch reference
`torch.nn.RNNBase.check_forward_args` checks the input's dtype only; zero
states made for a missing `hx` take the dtype of `input`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..specs import TensorInfo
from ._base import Bound, Candidate, Order, Rule
from ._fixes import set_states

# Floating dtypes by width, for torch's type promotion; integers rank below them all.
_WIDTH = {"float16": 1, "bfloat16": 1, "float32": 2, "float64": 3}


def check(b: Bound) -> Iterator[Candidate]:
    x, s = b.x, b.spec
    if x is None:
        return
    wrong = {n: t for n, t in b.states.items() if t.dtype not in (x.dtype, s.dtype)}
    if not wrong:
        return
    raises, severity, outcome = _outcome(b, x, wrong)
    notes = [_expected(x, s.dtype), outcome]
    fix = set_states(
        f"convert {_names(wrong)} to {s.dtype}",
        {n: TensorInfo(t.shape, s.dtype, t.device) for n, t in wrong.items()},
        "\n".join(f"{n} = {n}.to(torch.{s.dtype})" for n in wrong),
    )
    yield Candidate(
        RULE.finding(_title(wrong, x), (*wrong, "input"), notes=tuple(notes), raises=raises,
                     severity=severity),
        _order(raises, severity),
        (fix,),
    )


def _expected(x: TensorInfo, weights: str) -> str:
    if x.dtype == weights:
        return f"the states must have the dtype of `input` and of the weights: {weights}"
    return f"`input` is {x.dtype} and the weights are {weights} (RNN104); the states are neither"


def _order(raises: str | None, severity: Severity) -> int:
    if raises:
        return Order.HX_DTYPE
    return Order.SILENT if severity is Severity.ERROR else Order.WARNING


def _title(wrong: dict[str, TensorInfo], x: TensorInfo) -> str:
    dtypes = {t.dtype for t in wrong.values()}
    if len(wrong) == 1 or len(dtypes) == 1:
        verb = "is" if len(wrong) == 1 else "are"
        return f"{_names(wrong)} {verb} {dtypes.pop()}, but `input` is {x.dtype}"
    h, c = wrong["h_0"].dtype, wrong["c_0"].dtype
    return f"`h_0` is {h} and `c_0` {c}, but `input` is {x.dtype}"


def _outcome(b: Bound, x: TensorInfo, wrong: dict[str, TensorInfo]) -> tuple[
        str | None, Severity, str]:
    """What torch 2.13 does: a kernel error, or, for `c_0` alone, a silent promotion."""
    if b.spec.base != "LSTM" or "h_0" in wrong or _via_onednn(b, x):
        onednn = ", or oneDNN's `get_mkldnn_dtype: unsupported data type`" \
            if b.spec.kind == "LSTM" else ""
        return "RuntimeError", Severity.ERROR, (
            "torch 2.13 runs no dtype check on the states: the call fails inside a kernel, "
            f"with a message that names no argument: `mat1 and mat2 must have the same dtype`"
            f"{onednn}")
    return _promoted_cell_state(b, x, wrong["c_0"].dtype)


def _promoted_cell_state(b: Bound, x: TensorInfo, c: str) -> tuple[str | None, Severity, str]:
    """Only `h_0` meets a weight; `c_0` is promoted, and so is every later `h` and `c`."""
    promoted = _promote(x.dtype, c)
    note = (f"an {b.layer} multiplies only `h_0` by a weight, so torch 2.13 promotes `c_0` to "
            f"{promoted} silently")
    if promoted == x.dtype:
        return None, Severity.WARNING, note + f"; nothing fails, but `c_0` was held in {c}"
    if b.spec.P > 0 or _steps(b, x) > 1 or b.spec.layers > 1:
        return "RuntimeError", Severity.ERROR, note + (
            f"; the next `h` is {promoted} too, and the next matrix product (the projection, "
            "the next step or the next layer) fails with `mat1 and mat2 must have the same "
            "dtype`")
    return None, Severity.ERROR, note + f"; the outputs come back {promoted}, and the next call " \
                                        "with them fails"


def _via_onednn(b: Bound, x: TensorInfo) -> bool:
    """An nn.LSTM call that oneDNN runs: it rejects a state of another dtype outright."""
    s = b.spec
    if b.packed is not None:
        return b.packed_lstm_via_onednn
    return (not s.is_cell and s.P == 0 and s.device == x.device == "cpu"
            and x.dtype == "float32" and 0 not in x.shape)


def _steps(b: Bound, x: TensorInfo) -> int:
    """How many time steps the layer runs: 1 for a cell."""
    if b.spec.is_cell:
        return 1
    if b.packed is not None:
        return len(b.packed.batch_sizes)
    return x.shape[1 if b.spec.is_batch_first and not b.unbatched else 0]


def _promote(x: str, other: str) -> str:
    """The dtype of `x * other` for a floating `x`, by torch's promotion rules."""
    if other not in _WIDTH or _WIDTH[other] < _WIDTH.get(x, 0):
        return x
    if _WIDTH[other] == _WIDTH.get(x, 0) and other != x:
        return "float32"  # float16 with bfloat16
    return other


def _names(states: dict[str, TensorInfo]) -> str:
    return " and ".join(f"`{n}`" for n in states)


RULE = Rule(
    code="RNN206",
    name="hidden-dtype-mismatch",
    severity=Severity.ERROR,
    summary="`h_0` or `c_0` dtype differs from the input's",
    stage="forward",
    check=check,
)
