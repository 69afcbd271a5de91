"""RNN414 packing-argument-type

## What it catches
An argument of a packing call whose type torch rejects before packing
anything: `lengths` for `pack_padded_sequence` that is None or no sequence
torch can read (a str, a dict, an iterator); `sequences` that can't
be iterated (None, a number) for `pad_sequence` or `pack_sequence`, or an
iterator (a generator) for `pack_sequence`, which reads it twice; a
`batch_first` that is not a bool (`"yes"`, None, 1) for
`pack_padded_sequence`, `pad_packed_sequence` or `pad_sequence`; a
`padding_value` that is not a number for `pad_sequence` or
`pad_packed_sequence` (None, a str, a tensor of more than one value). Numbers
of any kind pass, numpy's and 0-D tensors included.

## Why is this bad?
PyTorch raises `TypeError: pad_sequence(): argument 'batch_first' (position
2) must be bool, not str`, which names the argument but not what to pass;
the other cases name nothing the call wrote: `lengths=None` fails with
`'NoneType' object cannot be interpreted as an integer`, and `sequences=None`
with `'NoneType' object is not iterable` (`pack_sequence`) or `pad_sequence:
Expected iterable for input sequences, but got arg of type: <class
'NoneType'>` (a RuntimeError). A generator given to `pack_sequence` is used up
reading the lengths, and the padding fails with `received an empty list of
sequences` (`pad_sequence` takes one: it reads it once). `batch_first` is checked by type, not by
truth: 1 and `np.bool_(True)` are rejected too. A complex `padding_value` is
a number to `pad_packed_sequence`, which fails on real data with
`RuntimeError: value cannot be converted to type float without overflow`;
this rule leaves it alone. `enforce_sorted` is read by its truth and never
rejected, so this rule does not judge it.

## Example
    gru = nn.GRU(4, 8, batch_first=True)
    gru(pad_sequence([torch.randn(5, 4), torch.randn(3, 4)], batch_first="yes"))

## Use instead
    gru = nn.GRU(4, 8, batch_first=True)
    gru(pad_sequence([torch.randn(5, 4), torch.randn(3, 4)], batch_first=True))

## Fixes, in order
1. `batch_first`: pass True for `(batch, time, ...)` tensors, False (the
   default) for `(time, batch, ...)` ones (safe).
2. `padding_value`: pass a number, such as 0.0, the default (safe).
3. A generator given to `pack_sequence`: pass `list(sequences)` (safe).
4. Otherwise, for `lengths` or `sequences`: none can be derived; pass the lengths (a list of
   ints or a 1-D CPU tensor), or the sequences (a list of tensors).

## PyTorch reference
`torch.nn.utils.rnn.pad_sequence`: `batch_first` (bool, optional),
`padding_value` (float, optional); `pack_padded_sequence`: `lengths` (Tensor
or list(int)).
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Applicability, Fix, Severity
from ..specs import Call, Given, RnnSpec
from ._base import Bound, Candidate, Order, ProposedFix, Rule

# padding_value: what torch's argument parser reads as a float (a Python or numpy number, a 0-D tensor)
NUMBERS = frozenset({"bool", "int", "float", "0-D Tensor"} | {
    f"numpy.{name}" for name in ("bool", "bool_", "float16", "float32", "float64", "int8", "int16", "int32",
                                 "int64", "uint8", "uint16", "uint32", "uint64")})
_LEADING = {"pack_padded_sequence": "input, lengths", "pad_packed_sequence": "sequence",
            "pad_sequence": "sequences", "pack_sequence": "sequences"}  # the arguments before the flags
_ORDER = {  # where torch checks each argument's type, per function
    "pack_padded_sequence": {"lengths": Order.PACK_LENGTHS_TYPE, "batch_first": Order.PACK_REORDER},
    "pack_sequence": {"sequences": Order.PAD_ITERABLE},
    "pad_sequence": {"sequences": Order.PAD_ITERABLE, "batch_first": Order.PAD_ELEMENTS,
                     "padding_value": Order.PAD_ELEMENTS},
    "pad_packed_sequence": {"batch_first": Order.UNPAD_DATA, "padding_value": Order.UNPAD_DATA},
}


def check(b: Bound) -> Iterator[Candidate]:
    given = b.call.given
    if given is None:
        return
    for argument, type_name in given.types:
        order = _ORDER.get(given.function, {}).get(argument)
        if order is None:
            continue
        if argument == "batch_first" and type_name != "bool":
            yield _batch_first(given, type_name, order)
        elif argument == "padding_value" and type_name not in NUMBERS and not (
                type_name == "complex" and given.function == "pad_packed_sequence"):
            yield _padding_value(given, type_name, order)
        elif argument == "lengths":
            yield Candidate(RULE.finding(
                "`lengths` is None, but `pack_padded_sequence` needs one length per sequence"
                if type_name == "NoneType" else f"`lengths` is {_kind(type_name)}, not a list of ints or a tensor",
                ("lengths",),
                notes=("`pack_padded_sequence` makes `lengths` a tensor first of all; pass a list of ints "
                       "or a 1-D CPU tensor",),
                raises="TypeError"), order)
        elif argument == "sequences" and given.iterator:
            yield Candidate(RULE.finding(
                f"`sequences` is {_kind(type_name)}, an iterator, which `pack_sequence` reads twice",
                ("sequences",),
                notes=("`pack_sequence` reads each sequence's length, then pads `sequences`, which is "
                       "empty by then",),
                raises="RuntimeError"), Order.PAD_EMPTY,
                (ProposedFix(Fix("pass `list(sequences)`", Applicability.SAFE, "pack_sequence(list(sequences))"),
                             lambda s, c: (s, replace(c, given=replace(given, types=(), iterator=False)))),))
        elif argument == "sequences":
            raises = "RuntimeError" if given.function == "pad_sequence" else "TypeError"
            yield Candidate(RULE.finding(
                f"`sequences` is {_kind(type_name)}, which can't be iterated", ("sequences",),
                notes=(f"`{given.function}` takes a list of tensors, one per sequence",),
                raises=raises), order)


def _batch_first(given: Given, type_name: str, order: int) -> Candidate:
    fixes = (_set(given, "batch_first", True, "pass `batch_first=True` for (batch, time, ...) tensors"),
             _set(given, "batch_first", False, "pass `batch_first=False`, the default, for (time, batch, ...) "
                                               "tensors"))
    return Candidate(RULE.finding(
        f"`batch_first` is {_kind(type_name)}, not a bool", ("batch_first",),
        notes=(f"`{given.function}` takes only True or False as `batch_first`: its type is checked, "
               "not its truth",),
        raises="TypeError"), order, fixes)


def _padding_value(given: Given, type_name: str, order: int) -> Candidate:
    return Candidate(RULE.finding(
        f"`padding_value` is {_kind(type_name)}, not a real number", ("padding_value",),
        notes=(f"`{given.function}` fills the padding with `padding_value`, a real number",),
        raises="TypeError"), order,
        (_set(given, "padding_value", 0.0, "pass a number, such as `padding_value=0.0`, the default"),))


def _kind(type_name: str) -> str:
    if type_name.endswith("-D Tensor"):
        return f"a {type_name.removesuffix(' Tensor')} tensor"
    return {"NoneType": "None", "bool": "a bool", "int": "an int", "str": "a str", "float": "a float",
            "generator": "a generator"}.get(type_name, f"of type `{type_name}`")


def _set(given: Given, argument: str, value: bool | float, title: str) -> ProposedFix:
    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        types = tuple((a, type(value).__name__ if a == argument else t) for a, t in given.types)
        return s, replace(c, given=replace(given, types=types))

    snippet = f"{given.function}({_LEADING[given.function]}, {argument}={value!r})"
    return ProposedFix(Fix(title, Applicability.SAFE, snippet), apply)


RULE = Rule(
    code="RNN414",
    name="packing-argument-type",
    severity=Severity.ERROR,
    summary="an argument of a packing call has a type torch rejects",
    stage="forward",
    check=check,
)
