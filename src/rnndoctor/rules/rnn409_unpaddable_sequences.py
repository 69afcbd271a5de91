"""RNN409 unpaddable-sequences

## What it catches
Sequences given to `pad_sequence` (or `pack_sequence`, which pads them first)
that cannot make one padded batch: an empty list, a sequence that is not a
tensor (a list, a numpy array, None), a 0-D sequence, a sequence whose
trailing shape differs from the first sequence's, or a sequence of floats
after a first one of integers (or of integers after one of bools), or a meta
sequence after one with data. A tensor given as `sequences` is read as its
rows, as torch reads it.

## Why is this bad?
`pad_sequence` takes the trailing shape and the dtype of the padded batch from
`sequences[0]`, and copies each sequence into its slice. It checks neither.
A trailing shape that does not broadcast into the first one's fails with
`The size of tensor a (4) must match the size of tensor b (5) at non-singleton
dimension 1`, which names no sequence; a list fails with `expected Tensor as
element 1 in argument 0, but got list` (`pack_sequence`: `'list' object has no
attribute 'size'`). One that broadcasts is accepted without
an error: a `(L, 1)` sequence is repeated across every feature, and a `(L, 4)`
sequence after a `(L, 2, 4)` one lands its time steps on the second axis.
torch 2.13 also casts every sequence to the first one's dtype, silently: after
an int64 sequence, 2.7 becomes 2. An empty list fails with `received an empty
list of sequences`.

## Example
    sequences = [torch.randn(5, 4), torch.randn(3, 1)]
    gru = nn.GRU(4, 8)
    gru(pad_sequence(sequences))

## Use instead
    sequences = [torch.randn(5, 4), torch.randn(3, 4)]
    gru = nn.GRU(4, 8)
    gru(pad_sequence(sequences))

## Fixes, in order
1. For a dtype, convert every sequence to the dtype that holds them all (safe);
   for a list or an array, convert every sequence with `torch.as_tensor` (safe).
   For a shape, none can be derived: the sequence was built from other
   features than the rest, or with its axes in another order.

## PyTorch reference
`torch.nn.utils.rnn.pad_sequence`: "This function assumes trailing dimensions
and type of all the Tensors in sequences are same."
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Applicability, Fix, Severity
from ..specs import Call, Other, RnnSpec, TensorInfo
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import fmt_shape


def check(b: Bound) -> Iterator[Candidate]:
    sequences = b.call.sequences
    if sequences is None:
        return
    if not sequences:
        yield Candidate(RULE.finding("`sequences` is empty, so there is nothing to pad", ("sequences",),
                                     notes=("`pad_sequence` needs at least one sequence",),
                                     raises="RuntimeError"), Order.PAD_EMPTY)
        return
    packs = b.call.lengths is not None
    flat = next((i for i, s in enumerate(sequences) if isinstance(s, TensorInfo) and s.ndim == 0), None)
    other = next((i for i, s in enumerate(sequences) if isinstance(s, Other)), None)
    if other is not None and not (packs and flat is not None and flat < other):
        yield _not_tensor(sequences, other, packs)
        return
    if flat is not None:
        yield _no_time_axis(flat, first_read=flat == 0 and not packs)
        return
    tensors = tuple(s for s in sequences if isinstance(s, TensorInfo))
    yield from _trailing(tensors)


def _trailing(sequences: tuple[TensorInfo, ...]) -> Iterator[Candidate]:
    """Trailing shapes that differ from the first sequence's, or a dtype that loses values."""
    first = sequences[0]
    differs = [i for i, s in enumerate(sequences) if s.shape[1:] != first.shape[1:]]
    failing = [i for i in differs if not _broadcasts(sequences[i], first)]
    meta = next((i for i, s in enumerate(sequences) if s.device == "meta" != first.device), None)
    if meta is not None and (not failing or meta <= failing[0]):
        yield _no_values(sequences, meta)
        return
    if failing or differs:
        yield _shape(sequences, (failing or differs)[0], silent=not failing)
        return
    lossy = next((i for i, s in enumerate(sequences)  # an empty sequence loses nothing
                  if _rank(s.dtype) > _rank(first.dtype) and 0 not in s.shape), None)
    if lossy is not None:
        yield _dtype(sequences, lossy)


def _not_tensor(sequences: tuple[TensorInfo | Other, ...], i: int, packs: bool) -> Candidate:
    """A list, a numpy array, None: `pad_sequence`'s argument parser takes tensors only, and
    `pack_sequence` first reads each one's length with `.size(0)`."""
    name = next(s.type_name for s in sequences[i:i + 1] if isinstance(s, Other))
    kind = _NAMES.get(name, f"of type `{name}`")
    raises = "TypeError" if not packs or name == "ndarray" else "AttributeError"  # ndarray.size is an int
    like = next((s for s in sequences if isinstance(s, TensorInfo)), TensorInfo((1,)))
    converted = tuple(s if isinstance(s, TensorInfo) else like.with_shape(1, *like.shape[1:]) for s in sequences)

    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        return s, replace(c, sequences=converted)

    fix = ProposedFix(Fix("convert every sequence to a tensor", Applicability.SAFE,
                          "sequences = [torch.as_tensor(s) for s in sequences]"), apply)
    return Candidate(
        RULE.finding(f"`sequences[{i}]` is {kind}, not a tensor", ("sequences",),
                     notes=("each sequence is a tensor (L, *); `pad_sequence` copies them into one "
                            "padded batch",),
                     raises=raises),
        Order.PAD_ELEMENTS,
        (fix,) if name in _CONVERTIBLE else (),
    )


_CONVERTIBLE = ("list", "tuple", "ndarray", "int", "float")  # what `torch.as_tensor` takes
_NAMES = {"list": "a list", "tuple": "a tuple", "ndarray": "a numpy array", "NoneType": "None",
          "int": "an int", "float": "a float"}


def _no_time_axis(i: int, first_read: bool) -> Candidate:
    """A 0-D sequence: `pack_sequence` and `pad_sequence` read each one's length as `size(0)`."""
    return Candidate(
        RULE.finding(f"`sequences[{i}]` is 0-D, so it has no time axis to pad", ("sequences",),
                     notes=("each sequence is (L, *): its first axis holds the time steps",),
                     raises="RuntimeError" if first_read else "IndexError"),
        Order.PAD,
    )


def _no_values(sequences: tuple[TensorInfo, ...], i: int) -> Candidate:
    """A meta sequence after one with data: its values are copied into the padded batch, and it has none."""
    return Candidate(
        RULE.finding(f"`sequences[{i}]` is a meta tensor, but `sequences[0]` is on {sequences[0].device}",
                     ("sequences",),
                     notes=("`pad_sequence` copies each sequence's values into a padded batch on the device "
                            "of `sequences[0]`, and a meta tensor holds no values",),
                     raises="NotImplementedError"),
        Order.PAD,
    )


def _broadcasts(item: TensorInfo, first: TensorInfo) -> bool:
    """Whether `item` broadcasts into its slice of the padded batch, `(len(item), *first.shape[1:])`."""
    slot = (item.shape[0], *first.shape[1:])
    if item.ndim > len(slot):
        return False
    return all(n == m or n == 1 for n, m in zip(reversed(item.shape), reversed(slot)))


def _rank(dtype: str) -> int:
    """bool < integers < floats < complex: a later kind loses values cast to an earlier one."""
    if dtype == "bool":
        return 0
    if dtype.startswith(("int", "uint")):
        return 1
    return 3 if dtype.startswith("complex") else 2


def _shape(sequences: tuple[TensorInfo, ...], i: int, silent: bool) -> Candidate:
    first, item = sequences[0], sequences[i]
    notes = [f"`pad_sequence` copies each sequence into a slice shaped like `sequences[0]` after its "
             f"first axis: {fmt_shape((item.shape[0], *first.shape[1:]))} for `sequences[{i}]` "
             f"{fmt_shape(item.shape)}"]
    if silent:
        notes.append("torch 2.13 broadcasts it into that slice without an error"
                     + (", so its time steps land on another axis" if item.ndim < first.ndim
                        else ", repeating its values"))
    return Candidate(
        RULE.finding(f"`sequences[{i}]` has trailing shape {fmt_shape(item.shape[1:])}, "
                     f"but `sequences[0]` has {fmt_shape(first.shape[1:])}", ("sequences",),
                     notes=tuple(notes), raises=None if silent else "RuntimeError"),
        Order.SILENT if silent else Order.PAD,
    )


def _dtype(sequences: tuple[TensorInfo, ...], i: int) -> Candidate:
    first, item = sequences[0], sequences[i]
    return Candidate(
        RULE.finding(f"`sequences[{i}]` is {item.dtype}, but `sequences[0]` is {first.dtype}",
                     ("sequences",),
                     notes=(f"`pad_sequence` makes the padded batch {first.dtype}, like `sequences[0]`, "
                            f"and casts `sequences[{i}]` to it without an error",),
                     raises=None),
        Order.SILENT,
        (_convert(sequences, item.dtype),),
    )


def _convert(sequences: tuple[TensorInfo, ...], dtype: str) -> ProposedFix:
    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        converted = tuple(replace(t, dtype=dtype) for t in sequences)
        padded = replace(c.input, dtype=dtype) if isinstance(c.input, TensorInfo) else c.input
        return s, replace(c, sequences=converted, input=padded)

    return ProposedFix(Fix(f"convert every sequence to {dtype}", Applicability.SAFE,
                           f"sequences = [s.to(torch.{dtype}) for s in sequences]"), apply)


RULE = Rule(
    code="RNN409",
    name="unpaddable-sequences",
    severity=Severity.ERROR,
    summary="the sequences to pad differ in trailing shape or dtype, or there are none",
    stage="forward",
    check=check,
)
