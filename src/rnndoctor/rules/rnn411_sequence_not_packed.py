"""RNN411 sequence-not-packed

## What it catches
A `sequence` given to `pad_packed_sequence` that is not a PackedSequence of
tensors: a tensor, the `(output, h_n)` tuple a recurrent layer returns, a
list, None, or a PackedSequence whose `data`, `batch_sizes` or
`unsorted_indices` is not a tensor (one rebuilt with `_replace`, or made from
a list).

## Why is this bad?
PyTorch raises `AttributeError: 'tuple' object has no attribute
'batch_sizes'` (or `'Tensor' object ...`), which names neither the argument
nor where the object came from, and for a field that is not a tensor an
`AttributeError` or `TypeError` from inside `pad_packed_sequence`
(`_pad_packed_sequence(): argument 'data' (position 1) must be Tensor, not
list`). The tuple is the usual case: a layer run on packed input returns
`(output, h_n)`, and only `output` is packed. A tensor is padded already: the
layer was run on the padded input, not on the packed one.

## Example
    gru = nn.GRU(10, 20)
    packed = torch.randn(5, 3, 10)
    padded, lengths = pad_packed_sequence(packed)
    gru(padded)

## Use instead
    gru = nn.GRU(10, 20)
    packed = PackedSequence(torch.randn(10, 10), torch.tensor([3, 3, 2, 1, 1]))
    padded, lengths = pad_packed_sequence(packed)
    gru(padded)

## Fixes, in order
1. For the tuple: pass its first element, the layer's packed `output` (safe).
2. For a tensor: drop the `pad_packed_sequence` call, as the tensor is padded
   already (safe).
For a field that is not a tensor, none can be derived: build the
PackedSequence with `pack_padded_sequence` or `pack_sequence`.

## PyTorch reference
`torch.nn.utils.rnn.pad_packed_sequence`: `sequence` (PackedSequence), "batch
to pad".
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Applicability, Fix, Severity
from ..specs import Call, Packed, RnnSpec, TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import fmt_shape

_KINDS = {"tuple": "a tuple", "list": "a list", "NoneType": "None", "ndarray": "a numpy array",
          "int": "an int", "float": "a float", "str": "a str"}


def check(b: Bound) -> Iterator[Candidate]:
    unpad, x = b.call.unpad, b.call.input
    if unpad is None or isinstance(x, Packed):
        return
    if unpad.fields:
        yield _field(*unpad.fields[0])
        return
    kind = "a tensor" if isinstance(x, TensorInfo) else _kind(x.type_name)
    notes = ["`pad_packed_sequence` takes the PackedSequence a recurrent layer returns for packed input"]
    fixes: tuple[ProposedFix, ...] = ()
    if isinstance(x, TensorInfo):
        notes.append(f"a tensor {fmt_shape(x.shape)} is padded already: the layer that made it ran on padded input")
        fixes = (ProposedFix(Fix("drop `pad_packed_sequence`: `sequence` is padded already",
                                 Applicability.SAFE, "padded = sequence"),
                             lambda s, c: (s, replace(c, unpad=None))),)
    elif x.type_name == "tuple":
        notes.append("a recurrent layer returns `(output, h_n)`, or `(output, (h_n, c_n))` for an "
                     "LSTM, and only `output` is packed")
        fixes = (ProposedFix(Fix("pass the first element, the layer's packed `output`", Applicability.SAFE,
                                 "output, h_n = sequence\npadded, lengths = pad_packed_sequence(output)"),
                             _packed_output),)
    yield Candidate(
        RULE.finding(f"`sequence` is {kind}, not a PackedSequence", ("sequence",), notes=tuple(notes),
                     raises="AttributeError"),
        Order.UNPAD_SIZES,
        fixes,
    )


def _kind(type_name: str) -> str:
    return _KINDS.get(type_name, f"of type `{type_name}`")


def _field(name: str, type_name: str) -> Candidate:
    """`batch_sizes.size(0)` is read first (an ndarray's `size` is an int), then torch's unpadding
    kernel parses `data`, then `unsorted_indices` reorders the result."""
    first = name == "batch_sizes"
    raises = "AttributeError" if first and type_name != "ndarray" else "TypeError"
    return Candidate(
        RULE.finding(f"`sequence.{name}` is {_kind(type_name)}, not a tensor", ("sequence",),
                     notes=("a PackedSequence holds tensors: `data`, `batch_sizes`, and the sort "
                            "indices; `pack_padded_sequence` and `pack_sequence` make them",),
                     raises=raises),
        Order.UNPAD_SIZES if first else Order.UNPAD_DATA,
    )


def _packed_output(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
    """A packed output of the layer's width, one sequence of one step: its sizes are not known."""
    width = s.I if isinstance(s.I, int) else 1
    return s, replace(c, input=Packed(TensorInfo((1, width), s.dtype, s.device), (1,)))


RULE = Rule(
    code="RNN411",
    name="sequence-not-packed",
    severity=Severity.ERROR,
    summary="`pad_packed_sequence` is given something other than a PackedSequence of tensors",
    stage="forward",
    check=check,
)
