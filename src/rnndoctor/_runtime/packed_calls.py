"""A packing call of `torch.nn.utils.rnn`, judged from its arguments by the packing rules.

`pack_padded_sequence`, `pack_sequence`, `pad_packed_sequence` and
`pad_sequence` have no layer: the rules (RNN401-RNN414) judge each call
against a stand-in layer that fits the padded input, and only their findings
are kept, without the fixes that would rebuild the stand-in; an argument
torch rejects by its type (RNN414) ends the judgment, as it ends torch's. The guard
(`packing`) and the post-mortem both diagnose through here, so they agree.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any

from .. import _origins, _torch
from .._record import replace
from ..engine import diagnose
from ..findings import Applicability, Finding, Fix, Location
from ..provenance import Provenance, with_provenance
from ..report import Report
from ..specs import Call, Given, Lengths, Other, Packed, RnnSpec, TensorInfo, Unpad

__all__ = ["FUNCTIONS", "PARAMETERS", "diagnose_packing", "lengths_given"]

FUNCTIONS = ("pack_padded_sequence", "pack_sequence", "pad_packed_sequence", "pad_sequence")
PARAMETERS = {  # in torch 2.13's order
    "pack_padded_sequence": ("input", "lengths", "batch_first", "enforce_sorted"),
    "pack_sequence": ("sequences", "enforce_sorted"),
    "pad_packed_sequence": ("sequence", "batch_first", "padding_value", "total_length"),
    "pad_sequence": ("sequences", "batch_first", "padding_value", "padding_side"),
}
Frames = Sequence[tuple[FrameType, int]]

# ---- the diagnosis ---------------------------------------------------------------------------

Found = tuple[RnnSpec, Call, tuple[Finding, ...]]
_PACK_CODES = ("RNN401", "RNN402", "RNN403", "RNN404", "RNN405", "RNN406", "RNN407", "RNN410")
_LIKE = RnnSpec("LSTM", 1, 1)
_ON_META = RnnSpec("LSTM", 1, 1, device="meta")  # describes a meta sequence as one, not as one on the CPU


def diagnose_packing(name: str, args: tuple[Any, ...], where: Location, user: Frames,
                     display: Callable[[str], str]) -> Report | None:
    """The findings for `torch.nn.utils.rnn.<name>(*args)`, placed at `where`.

    `user` are the user's frames, outermost first: the source of the innermost
    one shows the line that made a wrong `lengths` (provenance). None when the
    arguments cannot be described. Values that cannot be read give fewer
    findings; anything else that fails raises.
    """
    once = name == "pack_sequence" and _iterable(args[0]) and iter(args[0]) is args[0]
    given = Given(name, _types(name, args, once), iterator=once)
    found = _unpads(args, given) if name == "pad_packed_sequence" else _packs(name, args, given)
    if found is None:
        return None
    spec, call, findings = found
    report = Report(tuple(replace(f, location=where) for f in findings), spec, call)
    first = report.first
    if name != "pack_padded_sequence" or first is None or not isinstance(call.input, TensorInfo):
        return report
    steps = call.input.shape[1 if spec.is_batch_first else 0] if call.input.ndim >= 2 else None
    origins = _origins.pack_call(user, first, steps, display=display) if user else ()
    return with_provenance(report, Provenance(origins=origins)) if origins else report


def _types(name: str, args: tuple[Any, ...], once: bool) -> tuple[tuple[str, str], ...]:
    """The arguments torch checks by type (RNN414): `lengths` only where torch can't read it as
    numbers, `sequences` only where they can't be iterated."""
    given = dict(zip(PARAMETERS[name], args, strict=True))
    types = []
    for argument in ("lengths", "sequences", "batch_first", "padding_value"):
        if argument not in given:
            continue
        value = given[argument]
        if argument == "lengths" and _readable(value) or argument == "sequences" and _iterable(value) and not once:
            continue
        types.append((argument, _type_name(value)))
    return tuple(types)


def _type_name(value: Any) -> str:
    """`int`, `numpy.bool` (whose `__name__` is `bool`), `0-D Tensor`."""
    if _torch.is_tensor(value):
        return f"{value.dim()}-D Tensor"
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _readable(lengths: Any) -> bool:
    """Whether `torch.as_tensor` takes `lengths`: a tensor, a number, or a sequence (not a str)."""
    if _torch.is_tensor(lengths) or isinstance(lengths, numbers.Number):
        return True
    return (hasattr(type(lengths), "__getitem__") and hasattr(type(lengths), "__len__")
            and not isinstance(lengths, (str, bytes, Mapping)))


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _packs(name: str, args: tuple[Any, ...], given: Given) -> Found | None:
    if name == "pack_padded_sequence":
        input, lengths, batch_first, enforce_sorted = args
        padded = _torch.describe_input(input, _LIKE)
        unread = any(argument == "lengths" for argument, _ in given.types)
        read = None if unread else lengths_given(lengths, bool(enforce_sorted))
        if read is None and not unread:
            return None
        return _judged(_stand_in(padded, bool(batch_first)), Call(padded, None, read, given=given),
                       ("RNN101", *_PACK_CODES, "RNN414"))
    items = _sequences(args[0])
    if items is None or any(argument == "sequences" for argument, _ in given.types):
        # no sequences, or an iterator torch has used up: only the types are judged
        return _judged(_stand_in(Other(type(args[0]).__name__), False), Call(Other("list"), given=given),
                       ("RNN414",))
    infos = tuple(_torch.describe_tensor(s, _ON_META) if _torch.is_tensor(s) else Other(type(s).__name__)
                  for s in items)
    tensors = [info for info in infos if isinstance(info, TensorInfo)]
    packs = name == "pack_sequence"
    batch_first = not packs and bool(args[1])
    first = tensors[0] if tensors else TensorInfo((0,))
    steps = max((info.shape[0] for info in tensors if info.ndim), default=0)
    shape = (len(infos), steps) if batch_first else (steps, len(infos))
    padded = TensorInfo((*shape, *first.shape[1:]), first.dtype, first.device)
    # a 0-D sequence, or one that is no tensor, has no length: RNN409 judges it, and it counts as 1 step
    lengths = Lengths(tuple(i.shape[0] if isinstance(i, TensorInfo) and i.ndim else 1 for i in infos),
                      enforce_sorted=bool(args[1])) if packs else None
    side = "right" if packs else args[3] if isinstance(args[3], str) else Other(type(args[3]).__name__)
    call = Call(padded, None, lengths, sequences=infos, padding_side=side, given=given)
    spec, call, findings = _judged(_stand_in(padded, batch_first), call,
                                   ("RNN409", *_PACK_CODES) if packs else ("RNN409", "RNN413", "RNN414"))
    return spec, call, tuple(_as_pack_sequence(f) for f in findings) if packs else findings


def _sequences(sequences: Any) -> tuple[Any, ...] | None:
    """The sequences as torch reads them: a list or a tuple, or the rows of a tensor."""
    if isinstance(sequences, (list, tuple)):
        return tuple(sequences)
    if _torch.is_tensor(sequences) and sequences.dim() > 0:
        return tuple(sequences)
    return None  # an iterator torch has used up, or no sequence at all


def _as_pack_sequence(finding: Finding) -> Finding:
    """A packing finding in `pack_sequence`'s words: it pads `sequences`, and their lengths are `lengths`."""
    if finding.code == "RNN409":
        return finding
    fixes = tuple(_PACK_SEQUENCE_FIXES[f.title] for f in finding.fixes if f.title in _PACK_SEQUENCE_FIXES)
    arguments = tuple(dict.fromkeys("sequences" if a in ("input", "lengths") else a
                                    for a in finding.arguments))
    note = "`pack_sequence` packs `pad_sequence(sequences)` as `input`, with their lengths as `lengths`"
    return replace(finding, arguments=arguments, fixes=fixes, notes=(*finding.notes, note))


_PACK_SEQUENCE_FIXES = {
    "pass `enforce_sorted=False`": Fix("pass `enforce_sorted=False`", Applicability.SAFE,
                                       "pack_sequence(sequences, enforce_sorted=False)"),
    "sort the batch by decreasing length": Fix(
        "sort `sequences` by decreasing length", Applicability.SAFE,
        "sequences = sorted(sequences, key=len, reverse=True)"),
}


def _unpads(args: tuple[Any, ...], given: Given) -> Found | None:
    sequence, total_length = args[0], _total_length(args[3])
    fields = _not_tensors(sequence) if _torch.is_packed(sequence) else ()
    if fields:
        sequence_given: TensorInfo | Packed | Other = Other("PackedSequence")
    elif _torch.is_packed(sequence) or _torch.is_tensor(sequence):
        sequence_given = _torch.describe_input(sequence, _LIKE)
    else:
        sequence_given = Other(type(sequence).__name__)
    data = sequence_given.data if isinstance(sequence_given, Packed) else sequence_given
    features = data.shape[-1] if isinstance(data, TensorInfo) and data.ndim >= 2 and data.shape[-1] > 0 else 1
    steps = len(sequence.batch_sizes) if fields and fields[0][0] != "batch_sizes" else None
    call = Call(sequence_given, unpad=Unpad(total_length, fields, steps), given=given)
    spec, call, findings = _judged(RnnSpec("LSTM", features, 1, batch_first=bool(args[1])), call,
                                   ("RNN408", "RNN411", "RNN412", "RNN414"))
    return spec, call, tuple(replace(f, title=f.title.replace("`input`", "`sequence`"),
                                     arguments=tuple("sequence" if a == "input" else a for a in f.arguments))
                             for f in findings)


def _not_tensors(packed: Any) -> tuple[tuple[str, str], ...]:
    """The fields of a PackedSequence that are not tensors, in the order `pad_packed_sequence` reads them."""
    values = (("batch_sizes", packed.batch_sizes), ("data", packed.data),
              ("unsorted_indices", packed.unsorted_indices))
    return tuple((name, type(value).__name__) for name, value in values
                 if not _torch.is_tensor(value) and not (name == "unsorted_indices" and value is None))


def _total_length(value: Any) -> int | float | Other | None:
    """`total_length` as the rules see it: None, an int or a float, or the type of anything else."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if _torch.is_tensor(value) and value.dim() == 0 and not value.is_floating_point():
        try:
            return int(value)
        except Exception:  # meta or fake: its value can't be read
            pass
    return Other(type(value).__name__)


def _stand_in(padded: TensorInfo | Packed | Other, batch_first: bool) -> RnnSpec:
    """A layer that fits the padded input, so that only the packing is judged."""
    if not isinstance(padded, TensorInfo):
        return RnnSpec("LSTM", 1, 1, batch_first=batch_first)
    features = padded.shape[-1] if padded.ndim >= 3 and padded.shape[-1] > 0 else 1  # a layer torch builds
    floating = padded.dtype in ("float16", "bfloat16", "float32", "float64")
    return RnnSpec("LSTM", features, 1, batch_first=batch_first,
                   dtype=padded.dtype if floating else "float32")


def _judged(spec: RnnSpec, call: Call, codes: tuple[str, ...]) -> Found:
    """The findings of `codes`, without the fixes that rebuild the stand-in layer."""
    kept = tuple(replace(f, fixes=tuple(x for x in f.fixes if x.applicability is not Applicability.CHANGES_MODEL
                                        and not (x.snippet or "").startswith("nn.")))
                 for f in diagnose(spec, call).findings if f.code in codes)
    at = next((i for i, f in enumerate(kept) if f.code == "RNN414"), None)
    if at is not None:  # torch stops at the type: what follows reads the argument as torch never does
        kept = kept[:at] + tuple(f for f in kept[at:] if f.code == "RNN414")
    return spec, call, kept


def lengths_given(value: Any, enforce_sorted: bool) -> Lengths | None:
    """`lengths` as the rules see them; None for a value that is neither a number (which torch
    makes a 0-D tensor) nor a sequence of numbers.

    A tensor whose values can't be read (meta, fake) is described by its
    count, rank and device, and the rules that need its values leave it alone.
    """
    if _torch.is_tensor(value):
        return _torch.describe_lengths(value, enforce_sorted)
    if isinstance(value, numbers.Real):  # torch makes it a 0-D tensor (RNN402)
        number, whole = float(value), isinstance(value, numbers.Integral)
        return Lengths((int(number) if whole else number,), "int64" if whole else "float32", ndim=0,
                       enforce_sorted=enforce_sorted)
    try:
        values = tuple(value)
    except TypeError:
        return None
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        return None
    floats = any(not isinstance(v, numbers.Integral) for v in values)
    values = tuple(float(v) if floats else int(v) for v in values)
    return Lengths(values, "float32" if floats else "int64", enforce_sorted=enforce_sorted)
