"""A packing call of `torch.nn.utils.rnn`, judged from its arguments by the packing rules.

`pack_padded_sequence`, `pack_sequence`, `pad_packed_sequence` and
`pad_sequence` have no layer: the rules (RNN401-RNN409) judge each call
against a stand-in layer that fits the padded input, and only their findings
are kept, without the fixes that would rebuild the stand-in. The guard
(`packing`) and the post-mortem both diagnose through here, so they agree.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from .. import _origins, _torch
from .._record import replace
from ..engine import diagnose
from ..findings import Applicability, Finding, Fix, Location
from ..provenance import Provenance, with_provenance
from ..report import Report
from ..specs import Call, Lengths, Other, Packed, RnnSpec, TensorInfo, Unpad

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
    found = _unpads(args) if name == "pad_packed_sequence" else _packs(name, args)
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


def _packs(name: str, args: tuple[Any, ...]) -> Found | None:
    if name == "pack_padded_sequence":
        input, lengths, batch_first, enforce_sorted = args
        padded = _torch.describe_input(input, _LIKE)
        read = lengths_given(lengths, bool(enforce_sorted))
        if read is None:
            return None
        return _judged(_stand_in(padded, bool(batch_first)), Call(padded, None, read), ("RNN101", *_PACK_CODES))
    items = _sequences(args[0])
    if items is None:
        return None
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
    call = Call(padded, None, lengths, sequences=infos, padding_side=side)
    spec, call, findings = _judged(_stand_in(padded, batch_first), call,
                                   ("RNN409", *_PACK_CODES) if packs else ("RNN409", "RNN413"))
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


def _unpads(args: tuple[Any, ...]) -> Found | None:
    sequence, total_length = args[0], _total_length(args[3])
    fields = _not_tensors(sequence) if _torch.is_packed(sequence) else ()
    if fields:
        given: TensorInfo | Packed | Other = Other("PackedSequence")
    elif _torch.is_packed(sequence) or _torch.is_tensor(sequence):
        given = _torch.describe_input(sequence, _LIKE)
    else:
        given = Other(type(sequence).__name__)
    data = given.data if isinstance(given, Packed) else given
    features = data.shape[-1] if isinstance(data, TensorInfo) and data.ndim >= 2 and data.shape[-1] > 0 else 1
    steps = len(sequence.batch_sizes) if fields and fields[0][0] != "batch_sizes" else None
    call = Call(given, unpad=Unpad(total_length, fields, steps))
    spec, call, findings = _judged(RnnSpec("LSTM", features, 1, batch_first=bool(args[1])), call,
                                   ("RNN408", "RNN411", "RNN412"))
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
    return spec, call, kept


def lengths_given(value: Any, enforce_sorted: bool) -> Lengths | None:
    """`lengths` as the rules see them; None for a value that is no sequence of numbers.

    A tensor whose values can't be read (meta, fake) is described by its
    count, rank and device, and the rules that need its values leave it alone.
    """
    if _torch.is_tensor(value):
        return _torch.describe_lengths(value, enforce_sorted)
    try:
        values = tuple(value)
    except TypeError:
        return None
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        return None
    floats = any(not isinstance(v, numbers.Integral) for v in values)
    values = tuple(float(v) if floats else int(v) for v in values)
    return Lengths(values, "float32" if floats else "int64", enforce_sorted=enforce_sorted)
