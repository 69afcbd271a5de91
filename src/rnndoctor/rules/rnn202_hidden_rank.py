"""RNN202 hidden-rank

## What it catches
`h_0` or `c_0` with a number of dimensions that does not fit the input. RNN,
LSTM and GRU take 3-D states (D*num_layers, N, H_out) for a batched 3-D or a
packed `input`, and 2-D states (D*num_layers, H_out) for an unbatched 2-D
`input`. The cells take 2-D states (N, H) for a batched 2-D `input` and 1-D
states (H,) for an unbatched 1-D `input`. Typical causes: a state built as
(N, H) without the layer axis, or an unbatched `input` next to batched states.

## Why is this bad?
For dense input PyTorch raises `For batched 3-D input, hx should also be 3-D
but got 2-D tensor`, which does not say which axis is missing. Elsewhere it
is worse:
- Packed input has no rank check: RNN and GRU report `Expected hidden size
  (1, 3, 20), got [3, 20]`, or fail in `index_select` first when the
  PackedSequence carries `sorted_indices`. A packed `nn.LSTM` fails with
  `IndexError: Dimension out of range`; with 4-D states it fails in a kernel
  (`got an incorrect number of RNN parameters` when dim 2 of `h_0` and
  `c_0` differ without `proj_size`, or agree with it: ATen takes that
  difference for projections), crashes the process with a segmentation
  fault or returns without an error (when the states' shapes happen to
  broadcast), or runs on silently through oneDNN. Which of these happens to
  a `proj_size` LSTM whose sequences differ in length also depends on the
  lengths, as the packed loop cuts the misshapen states along their dim 0;
  rnndoctor does not model that and may name the wrong exception there.
- The cells check only that `hx` is 1-D or 2-D (a ValueError otherwise). A
  2-D `hx` next to a 1-D `input` gains a batch axis with the input and ATen
  reports `hidden0 has inconsistent hidden_size: got 1, expected 20`; a 1-D
  `hx` next to a 2-D `input` gives a batch-size error or an IndexError.
- An RNNCell with a 1-D `input` and an (H, H) `hx` raises nothing: the state
  broadcasts and the call returns an (H, H) result where (H,) belongs. An
  LSTMCell does the same with an (H, H) or (H, 1) `c_0` (with H=1, any
  (1, k) `c_0`): the cell state meets only elementwise operations, which
  broadcast it against the gates. With an (H, H) `h_0`, GRUCell
  and LSTMCell cut the gates along the wrong axis: a broadcast error, or, when
  H gives fewer pieces than gates (GRUCell: H=1; LSTMCell: H=1, 2, 3, 5, 6,
  9), a segmentation fault.
rnndoctor flags all of these as errors.

## Example
    gru = nn.GRU(input_size=50, hidden_size=100)
    h_0 = torch.zeros(32, 100)
    gru(torch.randn(10, 32, 50), h_0)

## Use instead
    gru = nn.GRU(input_size=50, hidden_size=100)
    h_0 = torch.zeros(1, 32, 100)
    gru(torch.randn(10, 32, 50), h_0)

## Fixes, in order
1. Add or remove the axis of size 1 that makes the states fit (safe), or
   repeat a state without a batch axis across the batch.
2. Give `input` a batch axis of size 1 when the states are batched with
   N=1 (or drop it, for the converse).
3. Allocate the states with the shape the layer wants (safe).

## PyTorch reference
`torch.nn.GRU`, Inputs: `h_0` of shape (D * num_layers, H_out) for unbatched
input or (D * num_layers, N, H_out). `torch.nn.GRUCell`, Inputs: `hidden` of
shape (N, H_out) or (H_out).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Dim, Severity
from ..specs import TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import fmt_shape, set_input, set_states, zeros

Outcome = tuple[str | None, int, str | None]  # torch's exception, its order, a note


def check(b: Bound) -> Iterator[Candidate]:
    # packed states are 3-D whatever the data: ATen reads them before it touches the data
    if not b.states or not (b.input_ok_rank or b.packed is not None):
        return
    wrong = {n: t for n, t in b.states.items() if t.ndim != b.state_rank}
    if not wrong:
        return
    raises, order, outcome = _outcome(b)
    notes = [_shape_note(b, n, t) for n, t in wrong.items()]
    batch = _states_batch(b, wrong)
    if batch:
        notes.append(f"{_names(wrong)} {_verb(wrong)} batched with N={batch}, and an unbatched "
                     "`input` is a batch of one: `input` looks like it lost an axis")
    notes += [outcome] if outcome else []
    title = _input_title(b, wrong, batch) if batch else _title(b, wrong)
    arguments = ("input", *wrong) if batch else (*wrong, "input")
    yield Candidate(
        RULE.finding(title, arguments, notes=tuple(notes), raises=raises),
        order,
        _fixes(b, wrong),
    )


def _states_batch(b: Bound, wrong: dict[str, TensorInfo]) -> int | None:
    """N > 1 that batched states share next to an unbatched `input`: evidence against `input`."""
    if not b.unbatched or len(wrong) != len(b.states):
        return None
    axis = 0 if b.spec.is_cell else 1
    if any(t.ndim != b.state_rank + 1 for t in wrong.values()):
        return None
    sizes = {t.shape[axis] for t in wrong.values()}
    n = sizes.pop()
    return n if not sizes and n > 1 else None


def _input_title(b: Bound, wrong: dict[str, TensorInfo], batch: int) -> str:
    rank = b.x.ndim if b.x is not None else 0
    return f"`input` is unbatched ({rank}-D), but {_names(wrong)} {_verb(wrong)} batched " \
           f"with N={batch}"


def _verb(states: dict[str, TensorInfo]) -> str:
    return "is" if len(states) == 1 else "are"


def _title(b: Bound, wrong: dict[str, TensorInfo]) -> str:
    ranks = [f"{t.ndim}-D" for t in wrong.values()]
    if len(wrong) == 1:
        have = f"`{next(iter(wrong))}` is {ranks[0]}"
    elif ranks[0] == ranks[1]:
        have = f"`h_0` and `c_0` are {ranks[0]}"
    else:
        have = f"`h_0` is {ranks[0]} and `c_0` {ranks[1]}"
    return f"{have}, but {_input_kind(b)} needs {b.state_rank}-D states"


def _input_kind(b: Bound) -> str:
    if b.packed is not None:
        return "a packed `input`"
    rank = b.x.ndim if b.x is not None else 0
    return f"an unbatched {rank}-D `input`" if b.unbatched else f"a batched {rank}-D `input`"


def _shape_note(b: Bound, name: str, t: TensorInfo) -> str:
    dims = b.state_dims(name)
    symbols = ", ".join(d.symbol for d in dims) + ("," if len(dims) == 1 else "")
    return (f"`{name}` has shape {fmt_shape(t.shape)}; this call needs ({symbols}) = "
            f"{fmt_shape(_shape(dims))}")


def _shape(dims: tuple[Dim, ...]) -> tuple[int, ...]:
    return tuple(d.expected or 0 for d in dims)


# ---- what torch 2.13 does ----------------------------------------------------------------

def _outcome(b: Bound) -> Outcome:
    if b.spec.is_cell:
        return _cell_outcome(b)
    if b.packed is None:
        return "RuntimeError", Order.HX_RANK, None
    sorted_fail = _index_select_outcome(b)
    if sorted_fail:
        return sorted_fail
    if b.spec.base != "LSTM":
        return "RuntimeError", Order.HIDDEN, (
            "torch runs no rank check for packed input: its size check then reports "
            "`Expected hidden size ...`, which does not mention the rank")
    return _packed_lstm_outcome(b)


def _index_select_outcome(b: Bound) -> Outcome | None:
    """With `sorted_indices`, torch first runs `state.index_select(1, sorted_indices)`."""
    if b.packed is None or not b.packed.sorted_indices:
        return None
    for t in b.states.values():
        if t.ndim < 2:
            return "IndexError", Order.HX_INDEX, _RUNS_INDEX_SELECT
        if t.shape[1] < b.packed.batch:
            return "RuntimeError", Order.HX_INDEX, _RUNS_INDEX_SELECT
    return None


_RUNS_INDEX_SELECT = ("with `sorted_indices`, torch first reorders the states with "
                      "`index_select(1, ...)`, which fails on this shape")


def _packed_lstm_outcome(b: Bound) -> Outcome:
    """A packed nn.LSTM: ATen reads `size(2)` of both states, then runs unchecked."""
    h, c = b.states["h_0"], b.states["c_0"]
    prefix = "torch 2.13 runs no check for a packed nn.LSTM: "
    if min(h.ndim, c.ndim) < 3:
        return "IndexError", Order.HIDDEN, prefix + "ATen reads dim 2 of each state and fails " \
                                                    "with `IndexError: Dimension out of range`"
    layers = b.spec.D * b.spec.layers
    if (h.shape[2] != c.shape[2]) != (b.spec.P > 0):
        # ATen takes projections to be on when dim 2 differs, and counts the weights by it
        return "RuntimeError", Order.HIDDEN, prefix + "it fails inside ATen"
    if b.packed_lstm_via_onednn:
        if min(h.shape[0], c.shape[0]) < layers:
            return "IndexError", Order.ONEDNN_STATES, prefix + "oneDNN fails selecting a layer's state"
        return None, Order.SILENT, prefix + "this call goes through oneDNN and runs on silently"
    if _native_kernel_runs(b, h, c):
        return None, Order.SILENT, prefix + "this call runs on unchecked, and crashes the " \
                                            "process with a segmentation fault or returns " \
                                            "without an error"
    return "RuntimeError", Order.HIDDEN, prefix + "it fails inside ATen"


def _native_kernel_runs(b: Bound, h: TensorInfo, c: TensorInfo) -> bool:
    """Whether states above 3-D get through ATen's native packed LSTM to corrupt memory.

    Per layer, `h_0[l]` meets W_hh in a matrix product whose gates are added in
    place to the input's (B, 4H) gates, and `c_0[l]` is broadcast with (B, H).
    """
    s, batch = b.spec, b.packed.batch if b.packed else 0
    if not h.shape[0] == c.shape[0] == s.D * s.layers:
        return False  # "Expected more hidden states in stacked_rnn"
    if h.shape[-1] != s.H_out or h.shape[-2] != batch:
        return False
    return _broadcasts(c.shape[1:], (batch, s.H))


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(x == y or 1 in (x, y) for x, y in zip(reversed(a), reversed(b)))


def _cell_outcome(b: Bound) -> Outcome:
    """Cells: a Python rank check, then ATen's batch and size checks, then the kernel."""
    if any(t.ndim not in (1, 2) for t in b.states.values()):
        return "ValueError", Order.HX_RANK, None
    for name, t in b.states.items():
        if t.ndim == b.state_rank:
            continue
        seen = (1, *t.shape) if b.unbatched else t.shape
        failure = _aten_hidden_check(b, name, seen)
        if failure:
            return failure
    return _cell_kernel(b)


def _aten_hidden_check(b: Bound, name: str, seen: tuple[int, ...]) -> Outcome | None:
    """ATen's `check_rnn_cell_forward_hidden` on the state as torch passes it."""
    label = f"hidden{0 if name == 'h_0' else 1}"
    if b.unbatched:
        read = (f"torch adds a batch axis to the unbatched `input` and to `{name}` alike, so "
                f"`{name}` reaches ATen as {fmt_shape(seen)}")
    else:
        read = f"ATen reads dim 0 of the 1-D `{name}` as its batch size"
    if seen[0] != b.batch:
        return "RuntimeError", Order.HIDDEN, read + (
            f": `Input batch size {b.batch} doesn't match {label} batch size {seen[0]}`")
    if len(seen) < 2:
        return "IndexError", Order.HIDDEN, read + ", then fails with an IndexError on its dim 1"
    if seen[1] != b.spec.H:
        return "RuntimeError", Order.HIDDEN, read + (
            f": `{label} has inconsistent hidden_size: got {seen[1]}, expected {b.spec.H}`")
    if seen[-1] != b.spec.H:
        if name == "c_0" and _broadcasts(seen, (1, b.spec.H)):
            return None, Order.SILENT, read + _broadcast_cell_state(b.spec.H, seen[-1])
        return "RuntimeError", Order.HIDDEN, read + "; that passes ATen's checks, and the " \
                                                    "kernel fails with a shape error"
    return None


def _broadcast_cell_state(H: int, k: int) -> str:
    """An LSTMCell's `c_0` meets only elementwise ops, which broadcast it with the (1, H) gates."""
    result = fmt_shape((H, H if k == 1 else k))
    return (f"; that passes ATen's checks, and torch 2.13 raises nothing: the kernel "
            f"broadcasts `c_0` against the (1, {H}) gates, and the call returns states of "
            f"shape {result} where ({H},) belongs")


def _cell_kernel(b: Bound) -> Outcome:
    """The states passed ATen's checks as (1, H, H); the CPU kernel is unchecked from here.

    GRUCell and LSTMCell split the gates of `h_0` with `unsafe_chunk(n, 1)`, along
    the H rows of the state: with fewer than n chunks they read past the end.
    """
    H, kind = b.spec.H, b.spec.kind
    reached = f"the ({H}, {H}) state reaches ATen as (1, {H}, {H}) and passes its checks; "
    gates = {"GRUCell": 3, "LSTMCell": 4}.get(kind)
    if gates is None or b.states["h_0"].ndim == 1:
        return None, Order.SILENT, (f"torch 2.13 raises nothing: the ({H}, {H}) state "
                                    f"broadcasts, and the call returns shape ({H}, {H}) where "
                                    f"({H},) belongs")
    if (kind == "GRUCell" and H == 1) or (kind == "LSTMCell" and _chunks(H, gates) < gates):
        rows = f"{H} row" + ("" if H == 1 else "s")
        return None, Order.SILENT, reached + (f"the kernel cuts the gates along its {rows} "
                                              f"into fewer than {gates} pieces, reads past the "
                                              "end, and crashes the process with a "
                                              "segmentation fault")
    return "RuntimeError", Order.HIDDEN, reached + "the kernel then fails with a broadcast error"


def _chunks(size: int, n: int) -> int:
    """How many pieces `unsafe_chunk(n)` cuts `size` into: ceil(size / ceil(size / n))."""
    step = -(-size // n)
    return -(-size // step)


# ---- fixes -------------------------------------------------------------------------------

def _fixes(b: Bound, wrong: dict[str, TensorInfo]) -> tuple[ProposedFix, ...]:
    candidates = (_time_step_fix(b, wrong), _reshape_fix(b, wrong), _batch_fix(b, wrong))
    fixes = [f for f in candidates if f]
    shapes = {n: _shape(b.state_dims(n)) for n in wrong}
    new = {n: t.with_shape(*shapes[n]) for n, t in wrong.items()}
    snippet = "\n".join(f"{n} = {zeros(shapes[n])}" for n in wrong)
    fixes.append(set_states(f"allocate {_names(wrong)} {_with_shapes(shapes)}", new, snippet))
    return tuple(fixes)


def _reshape_fix(b: Bound, wrong: dict[str, TensorInfo]) -> ProposedFix | None:
    """Insert or drop one axis of each wrong state, or repeat it across the batch."""
    calls = {n: _reshape_call(t.shape, b.state_dims(n)) for n, t in wrong.items()}
    if not all(calls.values()):
        return None
    shapes = {n: _shape(b.state_dims(n)) for n in wrong}
    verb = "expand" if any(".expand(" in c for c in calls.values() if c) else "reshape"
    return set_states(f"{verb} {_names(wrong)} to {_with_shapes(shapes, bare=True)}",
                      {n: t.with_shape(*shapes[n]) for n, t in wrong.items()},
                      "\n".join(f"{n} = {n}{c}" for n, c in calls.items()))


def _reshape_call(actual: tuple[int, ...], dims: tuple[Dim, ...]) -> str | None:
    want = _shape(dims)
    for axis, d in enumerate(dims):
        if want[:axis] + want[axis + 1:] != actual:
            continue
        if d.expected == 1:
            return f".unsqueeze({axis})"
        if d.symbol == "N":
            sizes = ", ".join(str(n) if i == axis else "-1" for i, n in enumerate(want))
            return f".unsqueeze({axis}).expand({sizes}).contiguous()"
    for axis in reversed(range(len(actual))):
        if actual[axis] == 1 and actual[:axis] + actual[axis + 1:] == want:
            return f".squeeze({axis})"
    return None


def _time_step_fix(b: Bound, wrong: dict[str, TensorInfo]) -> ProposedFix | None:
    """An unbatched (N, H_in) `input` next to states of batch N: one time step, batched."""
    x, batch = b.x, _states_batch(b, wrong)
    if x is None or batch is None or b.spec.is_cell or x.shape[0] != batch:
        return None
    axis = 1 if b.spec.is_batch_first else 0
    shape = (*x.shape[:axis], 1, *x.shape[axis:])
    return set_input(f"pass `input` as one time step of a batch of {batch}",
                     x.with_shape(*shape), f"input = input.unsqueeze({axis})")


def _batch_fix(b: Bound, wrong: dict[str, TensorInfo]) -> ProposedFix | None:
    """Batch or unbatch `input` to the states' rank, when the batch axis has size 1."""
    x = b.x
    if x is None or b.packed is not None or len(wrong) != len(b.states):
        return None
    ranks = {t.ndim for t in wrong.values()}
    axis = b.batch_axis
    if b.unbatched and ranks == {b.state_rank + 1}:
        shape = (*x.shape[:axis], 1, *x.shape[axis:])
        return set_input("pass `input` as a batch of one", x.with_shape(*shape),
                         f"input = input.unsqueeze({axis})")
    if not b.unbatched and b.batch == 1 and ranks == {b.state_rank - 1}:
        shape = x.shape[:axis] + x.shape[axis + 1:]
        return set_input("pass `input` unbatched", x.with_shape(*shape),
                         f"input = input.squeeze({axis})")
    return None


def _with_shapes(shapes: dict[str, tuple[int, ...]], bare: bool = False) -> str:
    distinct = set(shapes.values())
    if len(distinct) == 1:
        shape = fmt_shape(distinct.pop())
        return shape if bare else f"with shape {shape}"
    text = " and ".join(fmt_shape(s) for s in shapes.values())
    return text if bare else f"with shapes {text}"


def _names(states: dict[str, TensorInfo]) -> str:
    return " and ".join(f"`{n}`" for n in states)


RULE = Rule(
    code="RNN202",
    name="hidden-rank",
    severity=Severity.ERROR,
    summary="`h_0` or `c_0` rank does not fit the input",
    stage="forward",
    check=check,
)
