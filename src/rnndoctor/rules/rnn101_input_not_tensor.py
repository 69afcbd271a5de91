"""RNN101 input-not-tensor

## What it catches
An `input` that is neither a tensor nor a `PackedSequence`: a numpy array, a
list (of numbers or of tensors), the tuple another recurrent layer returned,
`None`, or anything else. It covers the modules, the cells, and a padded
`input` given to `pack_padded_sequence`.

## Why is this bad?
PyTorch raises `AttributeError: 'list' object has no attribute 'dim'`, which
reads like a bug inside torch rather than a wrong argument. Packing fails
first when `lengths` are given: `pack_padded_sequence` raises
`TypeError: ... argument 'input' (position 1) must be Tensor, not list`, or,
with `enforce_sorted=False`, another AttributeError. A tuple usually is the
`(output, h_n)` of a previous recurrent layer, passed on whole (as
`nn.Sequential` does).

## Example
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    lstm(np.random.rand(10, 32, 50))

## Use instead
    lstm = nn.LSTM(input_size=50, hidden_size=100)
    lstm(torch.from_numpy(np.random.rand(10, 32, 50)).to(torch.float32))

## Fixes, in order
By the type of `input`:
- numpy array: `torch.from_numpy(input).to(dtype)`, in the weights' dtype,
  since numpy defaults to float64.
- list: `torch.tensor(input, dtype=...)` for numbers; `torch.stack` for
  tensors of one length; `pack_sequence(..., enforce_sorted=False)` for
  tensors of different lengths.
- tuple: pass its first element, the previous layer's output.
- None and other types: no fix can be derived.

## PyTorch reference
`torch.nn.LSTM`, Inputs: `input`, a tensor of shape (L, N, H_in) or a packed
variable length sequence (`torch.nn.utils.rnn.pack_padded_sequence`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..shapes import expected_dims
from ..specs import Other, Packed, TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import replace_input

_TITLES = {
    "ndarray": "`input` is a numpy array, not a tensor",
    "list": "`input` is a list, not a tensor",
    "tuple": "`input` is a tuple, not a tensor",
    "NoneType": "`input` is None, not a tensor",
}


def check(b: Bound) -> Iterator[Candidate]:
    x = b.call.input
    if not isinstance(x, Other) or b.call.unpad is not None:  # given to pad_packed_sequence: RNN411
        return
    yield Candidate(
        RULE.finding(
            _TITLES.get(x.type_name, f"`input` is of type `{x.type_name}`, not a tensor"),
            ("input",),
            notes=_notes(b, x.type_name),
            raises=_raises(b),
        ),
        Order.INPUT_TYPE,
        _fixes(b, x.type_name),
    )


def _raises(b: Bound) -> str:
    lengths = b.call.lengths
    if lengths is not None and lengths.enforce_sorted:
        return "TypeError"  # _pack_padded_sequence's argument parser
    return "AttributeError"  # input.dim(), or input.index_select when packing unsorted


def _notes(b: Bound, type_name: str) -> tuple[str, ...]:
    what = "a tensor" if b.spec.is_cell else "a tensor or a `PackedSequence`"
    notes = [f"this {b.spec.kind} takes {what} as `input`"]
    if b.call.lengths is not None:
        notes = [("`pack_padded_sequence` takes a padded tensor, so packing fails before the "
                  f"{b.spec.kind} runs")]
    if type_name == "ndarray" and b.spec.dtype != "float64":
        notes.append("`torch.from_numpy` keeps the array's dtype, and numpy defaults to float64; "
                     f"the weights are {b.spec.dtype}")
    if type_name == "tuple":
        notes.append("a recurrent layer returns a tuple `(output, h_n)`, or "
                     "`(output, (h_n, c_n))` for an LSTM; passing it on whole, as `nn.Sequential` "
                     "does, gives this error")
    return tuple(notes)


def _fixes(b: Bound, type_name: str) -> tuple[ProposedFix, ...]:
    s = b.spec
    dtype = f"torch.{s.dtype}"
    where = "" if s.device == "cpu" else f'"{s.device}", '
    new = _stand_in(b)
    if type_name == "ndarray":
        return (replace_input("convert the array with `torch.from_numpy`", new,
                              f"input = torch.from_numpy(input).to({where}{dtype})"),)
    if type_name == "tuple":
        return (replace_input("pass the first element, the previous layer's output", new,
                              "input = input[0]"),)
    if type_name != "list":
        return ()
    device = "" if s.device == "cpu" else f', device="{s.device}"'
    fixes = [replace_input("convert a list of numbers with `torch.tensor`", new,
                           f"input = torch.tensor(input, dtype={dtype}{device})")]
    if b.call.lengths is None:
        axis = 0 if s.is_cell else b.batch_axis
        fixes.append(replace_input("stack tensors of one length into a batch", new,
                                   f"input = torch.stack(input, dim={axis})"))
    if b.call.lengths is None and not s.is_cell:
        fixes.append(replace_input("pack tensors of different lengths", _packed_stand_in(b),
                                   "input = nn.utils.rnn.pack_sequence(input, "
                                   "enforce_sorted=False)"))
    return tuple(fixes)


def _stand_in(b: Bound) -> TensorInfo:
    """The converted `input` in the layout this call needs, for checking the fix.

    The shape of a list or an array is not known; the fix is checked on a tensor
    laid out as the layer (and the states, or the `lengths`) require.
    """
    s, lengths, h = b.spec, b.call.lengths, b.states.get("h_0")
    batch: int | None = 1
    steps, unbatched = 1, False
    if lengths is not None:
        ints = [int(v) for v in lengths.values]
        batch, steps = len(ints), max(ints, default=1)
    elif h is not None and h.ndim >= (1 if s.is_cell else 2):
        unbatched = h.ndim == (1 if s.is_cell else 2)
        batch = None if unbatched else h.shape[0 if s.is_cell else 1]
    dims = expected_dims(s, "input", batch=batch, seq_len=steps, unbatched=unbatched)
    return TensorInfo(tuple(1 if d.expected is None else d.expected for d in dims),
                      s.dtype, s.device)


def _packed_stand_in(b: Bound) -> Packed:
    """One step for each sequence of the batch the states give (1 without states)."""
    h = b.states.get("h_0")
    batch = h.shape[1] if h is not None and h.ndim == 3 else 1
    data = TensorInfo((batch, b.spec.I), b.spec.dtype, b.spec.device)
    return Packed(data, (batch,), sorted_indices=True)


RULE = Rule(
    code="RNN101",
    name="input-not-tensor",
    severity=Severity.ERROR,
    summary="`input` is not a tensor or a `PackedSequence`",
    stage="forward",
    check=check,
)
