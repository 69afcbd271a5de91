"""RNN412 total-length-invalid

## What it catches
A `total_length` given to `pad_packed_sequence` that is smaller than the
longest sequence of the PackedSequence (its number of steps,
`len(batch_sizes)`), or that is not an int: a float, a string, a bool.

## Why is this bad?
PyTorch raises `ValueError: Expected total_length to be at least the length of
the longest sequence in input, but got total_length=2 and max sequence length
being 5`, which does not say where the 5 comes from; a float raises
`TypeError: _pad_packed_sequence(): argument 'total_length' (position 5) must
be int, not float` and a string `'<' not supported between instances of 'str'
and 'int'`. `total_length` is meant to restore the padded length the batch had
before packing (under `nn.DataParallel`, each replica sees only its share), so a
short one usually was read from another axis of the padded input, or from the
batch after it was cut.

## Example
    gru = nn.GRU(10, 20)
    packed = PackedSequence(torch.randn(10, 10), torch.tensor([3, 3, 2, 1, 1]))
    padded, lengths = pad_packed_sequence(packed, total_length=3)
    gru(padded)

## Use instead
    gru = nn.GRU(10, 20)
    packed = PackedSequence(torch.randn(10, 10), torch.tensor([3, 3, 2, 1, 1]))
    padded, lengths = pad_packed_sequence(packed, total_length=5)
    gru(padded)

## Fixes, in order
1. For a whole float: pass it as an int (safe).
2. Otherwise: pass no `total_length`, which pads to the longest sequence
   (safe), or the number of steps of the padded input the batch was packed
   from, which the shapes here do not show.

## PyTorch reference
`torch.nn.utils.rnn.pad_packed_sequence`: `total_length` (int, optional), "if
not None, the output will be padded to have length total_length. This method
will throw ValueError if total_length is less than the max sequence length in
sequence."
"""

from __future__ import annotations

from collections.abc import Iterator

from .._record import replace
from ..findings import Applicability, Fix, Severity
from ..specs import Call, Other, Packed, RnnSpec, Unpad
from ._base import Bound, Candidate, Order, ProposedFix, Rule
from ._fixes import fmt_count


def check(b: Bound) -> Iterator[Candidate]:
    unpad, x = b.call.unpad, b.call.input
    steps = len(x.batch_sizes) if isinstance(x, Packed) else unpad.steps if unpad is not None else None
    if unpad is None or unpad.total_length is None or steps is None:
        return
    given = unpad.total_length
    longest = f"the longest sequence has {fmt_count(steps, 'step')} (`len(sequence.batch_sizes)`)"
    if isinstance(given, Other):
        title = f"`total_length` is {_kind(given.type_name)}, not an int"
        raises, order = "TypeError", Order.UNPAD_LENGTH
    elif given < steps:
        title = f"`total_length` is {given}, but {longest}"
        raises, order = "ValueError", Order.UNPAD_LENGTH
    elif not isinstance(x, Packed):
        return  # torch stops at the field that is not a tensor (RNN411)
    elif isinstance(given, float) or isinstance(given, bool):
        title = f"`total_length` is {_kind(type(given).__name__)} ({given}), not an int"
        raises, order = "TypeError", Order.UNPAD_DATA
    else:
        return
    notes = ["`total_length` pads the result to that many steps, at least as many as the data has"]
    if raises == "TypeError":
        notes.append(longest)
    fixes = [_set(None, "pass no `total_length`, which pads to the longest sequence",
                  "padded, lengths = pad_packed_sequence(sequence)")]
    if isinstance(given, float) and not isinstance(given, bool) and given == int(given) and given >= steps:
        fixes.insert(0, _set(int(given), f"pass `total_length={int(given)}`, an int",
                             "total_length = int(total_length)"))
    yield Candidate(RULE.finding(title, ("total_length",), notes=tuple(notes), raises=raises), order, tuple(fixes))


def _kind(type_name: str) -> str:
    return {"float": "a float", "bool": "a bool", "str": "a str", "Tensor": "a tensor"}.get(
        type_name, f"of type `{type_name}`")


def _set(value: int | None, title: str, snippet: str) -> ProposedFix:
    def apply(s: RnnSpec, c: Call) -> tuple[RnnSpec, Call]:
        return s, replace(c, unpad=replace(c.unpad or Unpad(), total_length=value))

    return ProposedFix(Fix(title, Applicability.SAFE, snippet), apply)


RULE = Rule(
    code="RNN412",
    name="total-length-invalid",
    severity=Severity.ERROR,
    summary="`total_length` is shorter than the longest packed sequence, or not an int",
    stage="forward",
    check=check,
)
