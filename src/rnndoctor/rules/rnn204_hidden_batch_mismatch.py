"""RNN204 hidden-batch-mismatch

## What it catches
`input`, `h_0` and `c_0` that disagree on the batch size N. The input's batch
is dim 1, or dim 0 with `batch_first=True`, or `batch_sizes[0]` of a
`PackedSequence`; the states' batch is always dim 1 (dim 0 for cells).
`batch_first` applies to `input` and `output` only, never to the states.

## Why is this bad?
PyTorch raises `Expected hidden[0] size (1, 16, 100), got [1, 32, 100]`, which
neither names the batch nor says which side is wrong. With a `PackedSequence`
torch 2.13 does worse: `nn.LSTM` runs no Python check and fails with a
broadcast error, or, with `enforce_sorted=False`, silently cuts states that are
too large down to the batch and runs on with the wrong rows. rnndoctor flags
all of these as errors.

## Example
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    h_0 = c_0 = torch.zeros(1, 32, 100)
    lstm(torch.randn(10, 16, 50), (h_0, c_0))

## Use instead
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    h_0 = c_0 = torch.zeros(1, 16, 100)
    lstm(torch.randn(10, 16, 50), (h_0, c_0))

## Fixes, in order
The ranking follows the evidence, which the finding states in one note:
1. When the input's other axis has the states' batch, the input is laid out
   the other way round: construct the layer with the other `batch_first`, or
   transpose `input`.
2. When `input` has an empty batch (N=0) and the states agree on another,
   change `input` first.
3. Otherwise build the states for the input's batch first, then give the
   input the states' batch. The input comes from the data and the states are
   built to match it. `h_0` and `c_0` that agree with each other count as one
   witness, not two: they are nearly always built by the same line
   (`h_0 = c_0 = torch.zeros(...)`), so their agreement is no evidence
   against the input. A state that agrees with `input` while the other does
   not is evidence: the other one is changed.

Under `rnndoctor run` and the post-mortem, the line that made the states'
batch is edited first, with the batch written as the data's size
(`x.size(0)`), never as a number that fits this batch only. An
`init_hidden()` that takes no batch is given one, and its call passes the
data's size. States kept in a field that `__init__` built for a fixed batch
are built again at the start of `forward` (where the batch changes, if
`forward` carries them from call to call).

## PyTorch reference
`torch.nn.LSTM`, Inputs: `h_0` of shape (D * num_layers, N, H_out) and `c_0` of
shape (D * num_layers, N, H_cell), where N is the batch of `input`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Dim, Severity
from ..shapes import batch_derivation, expected_dims, with_actual
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import change_layer, resize_input, resize_states, set_input


def check(b: Bound) -> Iterator[Candidate]:
    if not b.states_ok_rank or b.unbatched or b.batch is None:
        return
    axis = 0 if b.spec.is_cell else 1
    seen = {"input": b.batch} | {name: t.shape[axis] for name, t in b.states.items()}
    if len(set(seen.values())) == 1:
        return
    transposed = _transposed_batch(b, seen)
    empty = _states_batch_beside_empty_input(seen)
    majority = transposed if transposed is not None else empty if empty is not None else b.batch
    odd = [name for name, n in seen.items() if n != majority]
    # a transposed input is the input's fault as much as the flag's: name the tensor first
    arguments = (*odd, *(("batch_first",) if transposed is not None else ()),
                 *(name for name in seen if name not in odd))
    raises, order = _outcome(b, seen)
    yield Candidate(
        RULE.finding(
            _title(b, seen, odd, majority),
            arguments,
            dims=_dims(b, odd, majority),
            notes=_notes(b, seen, transposed, empty is not None),
            raises=raises,
        ),
        order,
        _fixes(b, seen, odd, majority, transposed),
    )


def _states_batch_beside_empty_input(seen: dict[str, int]) -> int | None:
    """The states' common batch when `input` has none: an empty batch is the likely mistake."""
    states = {n for name, n in seen.items() if name != "input"}
    return states.pop() if seen["input"] == 0 and len(states) == 1 and 0 not in states else None


def _title(b: Bound, seen: dict[str, int], odd: list[str], majority: int) -> str:
    if odd == ["input"]:
        others = " and ".join(f"`{n}`" for n in seen if n != "input")
        return f"`input` has batch {seen['input']}, but {others} {_have(seen)} batch {majority}"
    names = " and ".join(f"`{n}`" for n in odd)
    verb = "has" if len(odd) == 1 else "have"
    return f"{names} {verb} batch {seen[odd[0]]}, but `input` has batch {b.batch}"


def _have(seen: dict[str, int]) -> str:
    return "has" if len(seen) == 2 else "have"


def _transposed_batch(b: Bound, seen: dict[str, int]) -> int | None:
    """The states' common batch, when it is the size of the input's other leading axis."""
    if b.spec.is_cell or b.packed is not None or b.x is None:
        return None
    states = {n for name, n in seen.items() if name != "input"}
    if len(states) != 1:
        return None
    other_axis = 1 - b.batch_axis
    n = states.pop()
    return n if b.x.shape[other_axis] == n and b.x.shape[b.batch_axis] != n else None


def _dims(b: Bound, odd: list[str], majority: int) -> tuple[Dim, ...]:
    dims: list[Dim] = []
    for name in odd:
        if name == "input":
            assert b.x is not None
            expected = expected_dims(b.spec, "input", batch=majority, packed=b.packed is not None,
                                     batch_reason="batch of the states")
            dims += with_actual(expected, b.x.shape)
        else:
            expected = expected_dims(b.spec, name, batch=b.batch, packed=b.packed is not None)
            dims += with_actual(expected, b.states[name].shape)
    return tuple(dims)


def _notes(b: Bound, seen: dict[str, int], transposed: int | None,
           empty_input: bool) -> tuple[str, ...]:
    where = batch_derivation(b.spec, b.packed is not None)
    facts = ", ".join(f"`{name}` {n}" for name, n in seen.items())
    notes = [f"batch sizes seen: {facts}; the input's batch is {where}"]
    if transposed is not None:
        assert b.x is not None
        notes.append(
            f"dim {1 - b.batch_axis} of `input` ({transposed}) equals the batch of the states; "
            f"dim {b.batch_axis} ({b.x.shape[b.batch_axis]}) does not"
        )
    elif empty_input:
        notes.append("`input` holds an empty batch, so it is ranked as the one to change")
    else:
        notes.append(_data_note(seen))
    if not b.spec.is_cell:
        notes.append("`batch_first` applies to `input` and `output` only, never to `h_0` or `c_0`")
    if b.packed is not None and b.spec.base == "LSTM":
        notes.append("torch 2.13 does not check this for a packed nn.LSTM: it fails in a kernel, "
                     "or runs on with the wrong rows")
    return tuple(notes)


def _data_note(seen: dict[str, int]) -> str:
    """Why the states are ranked first: the one line of evidence."""
    states = {name: n for name, n in seen.items() if name != "input"}
    odd = " and ".join(f"`{name}`" for name, n in states.items() if n != seen["input"])
    agree = [f"`{name}`" for name, n in states.items() if n == seen["input"]]
    if agree:
        return f"{agree[0]} agrees with `input` on batch {seen['input']}, so {odd} is ranked as the one to change"
    if len(states) == 2 and len(set(states.values())) == 1:
        return (f"the input comes from the data and the states are built to match it (`h_0` and `c_0` "
                f"agreeing on batch {states['h_0']} is one witness), so {odd} are ranked as the ones to change")
    verb = "are ranked as the ones" if len(states) == 2 else "is ranked as the one"
    return f"the input comes from the data and the states are built to match it, so {odd} {verb} to change"


def _outcome(b: Bound, seen: dict[str, int]) -> tuple[str | None, int]:
    """torch 2.13's exception (None: it runs on or crashes), and where it sits in torch's order."""
    hidden = Order.HIDDEN + (0 if seen["h_0"] != b.batch else 1)
    if b.packed is None:
        return "RuntimeError", hidden
    if b.packed.sorted_indices:
        # RNN, GRU and LSTM all run hx.index_select(1, sorted_indices) first: it fails
        # for a state smaller than B, and keeps the first B rows of a larger one.
        states = [n for name, n in seen.items() if name != "input"]
        if all(n >= b.packed.batch for n in states):
            return None, Order.SILENT
        return "RuntimeError", Order.HX_INDEX
    if b.packed_lstm_via_onednn:
        return None, Order.SILENT  # oneDNN checks no sizes: the call runs on, or crashes
    lstm = b.spec.base == "LSTM" and not b.spec.is_cell
    if lstm and b.packed.batch == 1 and all(n >= 1 for n in seen.values()):
        return None, Order.SILENT  # a batch of one broadcasts against the states' rows
    return "RuntimeError", hidden


def _fixes(b: Bound, seen: dict[str, int], odd: list[str], majority: int,
           transposed: int | None) -> tuple[ProposedFix, ...]:
    x, s = b.x, b.spec
    assert x is not None
    fixes: list[ProposedFix] = []
    if transposed is not None:
        fixes.append(change_layer(s, f"construct the {s.kind} with `batch_first={not s.is_batch_first}`",
                                  batch_first=not s.is_batch_first))
        swapped = x.with_shape(x.shape[1], x.shape[0], *x.shape[2:])
        fixes.append(set_input("pass `input.transpose(0, 1)`", swapped, "input = input.transpose(0, 1)"))
    axis = 0 if s.is_cell else 1
    to_states = resize_states(f"build the states for batch {seen['input']}", b.states, axis,
                              {name: seen["input"] for name in b.states
                               if seen[name] != seen["input"]})
    state_batches = {n for name, n in seen.items() if name != "input"}
    if b.packed is not None or transposed is not None or len(state_batches) != 1:
        return tuple(fixes + [to_states])
    target = state_batches.pop()
    to_input = resize_input(f"give `input` batch {target}", x, b.batch_axis, target)
    fixes += [to_input, to_states] if odd == ["input"] else [to_states, to_input]
    return tuple(fixes)


RULE = Rule(
    code="RNN204",
    name="hidden-batch-mismatch",
    severity=Severity.ERROR,
    summary="`input`, `h_0` and `c_0` disagree on the batch size",
    stage="forward",
    check=check,
)
