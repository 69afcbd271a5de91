"""Packing calls under the guard, judged at their own line, against real torch.

Each drawn call runs bare, then under `rnndoctor.guard()`. Where torch raises,
the guard raises the same exception (type and message) with a packing finding
that names the culprit. Where torch returns, the guard returns the same
result, unless torch accepted something wrong, which the test confirms from
torch's own result: a PackedSequence whose batch sizes do not fit its data, a
batch that lost sequences, lengths that are not those given, a padded batch
that does not hold a sequence's values.

The four functions are imported here, before any guard starts: patching the
module's attributes would not reach these names.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
from torch.nn.utils.rnn import (  # noqa: E402
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
)

import rnndoctor  # noqa: E402
from rnndoctor._runtime.postmortem import diagnose_exception  # noqa: E402
from rnndoctor.errors import RnnArgumentError  # noqa: E402
from rnndoctor.render.text import render_report  # noqa: E402

from ..golden import check_golden  # noqa: E402

DRAWS = settings(max_examples=150, deadline=None, derandomize=True,
                 suppress_health_check=list(HealthCheck))
PARAMETERS = {
    "pack_padded_sequence": {"input", "lengths", "batch_first", "enforce_sorted"},
    "pack_sequence": {"sequences", "enforce_sorted"},
    "pad_packed_sequence": {"sequence", "batch_first", "padding_value", "total_length"},
    "pad_sequence": {"sequences", "batch_first", "padding_value", "padding_side"},
}


def outcome(call: Callable[[], Any], guarded: bool) -> tuple[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if guarded:
                with rnndoctor.guard():
                    return "ok", call()
            return "ok", call()
        except Exception as error:
            return "raise", error


def same_error(bare: BaseException, guarded: tuple[str, Any], function: str) -> None:
    """The guard's error is torch's, and names one of the function's own arguments first."""
    kind, error = guarded
    assert kind == "raise", f"torch raised {bare!r}; the guard returned"
    assert isinstance(error, type(bare)) and str(error) == str(bare)
    report = getattr(error, "report", None)
    assert report is not None and report.first is not None, f"undiagnosed: {bare!r}"
    assert report.first.location.module_repr == f"torch.nn.utils.rnn.{function}"
    assert report.first.arguments[0] in PARAMETERS[function], report.first


def flagged(guarded: tuple[str, Any], function: str) -> str:
    kind, error = guarded
    assert kind == "raise" and isinstance(error, RnnArgumentError), f"not flagged: {guarded}"
    first = error.report.first
    assert first.location.module_repr == f"torch.nn.utils.rnn.{function}"
    assert first.arguments[0] in PARAMETERS[function], first
    return str(first.code)


# ---- pack_padded_sequence ---------------------------------------------------------------

@DRAWS
@given(steps=st.integers(0, 5), batch=st.integers(0, 4), features=st.sampled_from([None, 0, 1, 3]),
       values=st.lists(st.integers(-1, 7), max_size=5), form=st.sampled_from(["list", "tensor", "2-D", "float"]),
       fraction=st.booleans(), batch_first=st.booleans(), enforce_sorted=st.booleans())
def test_pack_padded_sequence_agrees_with_torch(steps: int, batch: int, features: int | None, values: list[int],
                                                form: str, fraction: bool, batch_first: bool,
                                                enforce_sorted: bool) -> None:
    shape = (batch, steps) if batch_first else (steps, batch)
    x = torch.randn(*shape) if features is None else torch.randn(*shape, features)
    given: Any = {"list": values, "tensor": torch.tensor(values, dtype=torch.int64),
                  "2-D": torch.tensor(values, dtype=torch.int64).reshape(-1, 1),
                  "float": torch.tensor([v + (0.5 if fraction else 0.0) for v in values])}[form]

    def call() -> Any:
        return pack_padded_sequence(x, given, batch_first, enforce_sorted)

    bare, guarded = outcome(call, False), outcome(call, True)
    if bare[0] == "raise":
        same_error(bare[1], guarded, "pack_padded_sequence")
        return
    packed = bare[1]
    past_the_end = int(packed.batch_sizes.sum()) != packed.data.shape[0]
    dropped = int(packed.batch_sizes[0]) < batch
    truncated = not past_the_end and pad_packed_sequence(packed)[1].tolist() != [
        v + (0.5 if fraction and form == "float" else 0.0) for v in values][:batch]
    if past_the_end or dropped or truncated:
        assert flagged(guarded, "pack_padded_sequence") in ("RNN403", "RNN406", "RNN407")
        return
    assert guarded[0] == "ok", guarded
    assert torch.equal(guarded[1].data, packed.data)
    assert torch.equal(guarded[1].batch_sizes, packed.batch_sizes)


# ---- pad_sequence and pack_sequence -----------------------------------------------------

TRAILING = [(), (1,), (3,), (0,), (2, 3), (3, 1), (1, 3)]
DTYPES = [torch.float32, torch.float64, torch.int64]


def _sequence(length: int, trailing: tuple[int, ...], dtype: Any) -> Any:
    if length < 0:  # 0-D: no time axis
        return torch.tensor(2, dtype=dtype)
    if dtype.is_floating_point:
        return torch.randn(length, *trailing, dtype=dtype)
    return torch.randint(0, 5, (length, *trailing), dtype=dtype)


def _holds(padded: Any, sequences: list[Any], batch_first: bool) -> bool:
    """Whether the padded batch holds each sequence's values, in its shape."""
    for i, s in enumerate(sequences):
        part = padded[i, : s.shape[0]] if batch_first else padded[: s.shape[0], i]
        if part.shape != s.shape or not torch.allclose(part.double(), s.double(), rtol=1e-5, atol=1e-6):
            return False
    return True


@DRAWS
@given(items=st.lists(st.tuples(st.integers(-1, 4), st.sampled_from(TRAILING), st.sampled_from(DTYPES)),
                      max_size=4),
       packs=st.booleans(), batch_first=st.booleans(), enforce_sorted=st.booleans())
def test_pad_and_pack_sequence_agree_with_torch(items: list[tuple[int, tuple[int, ...], Any]], packs: bool,
                                                batch_first: bool, enforce_sorted: bool) -> None:
    sequences = [_sequence(*item) for item in items]
    function = "pack_sequence" if packs else "pad_sequence"

    def call() -> Any:
        if packs:
            return pack_sequence(sequences, enforce_sorted)
        return pad_sequence(sequences, batch_first)

    bare, guarded = outcome(call, False), outcome(call, True)
    if bare[0] == "raise":
        same_error(bare[1], guarded, function)
        return
    padded = pad_packed_sequence(bare[1])[0] if packs else bare[1]
    if not _holds(padded, sequences, batch_first and not packs):
        assert flagged(guarded, function) == "RNN409"
        return
    assert guarded[0] == "ok", guarded
    result = guarded[1].data if packs else guarded[1]
    assert torch.equal(result, bare[1].data if packs else bare[1])


# ---- pad_packed_sequence ----------------------------------------------------------------

@DRAWS
@given(rows=st.integers(0, 8), sizes=st.lists(st.integers(-1, 4), max_size=5))
def test_pad_packed_sequence_agrees_with_torch(rows: int, sizes: list[int]) -> None:
    packed = PackedSequence(torch.randn(rows, 2), torch.tensor(sizes, dtype=torch.int64))
    consistent = all(n >= 0 for n in sizes) and sum(sizes) == rows and sizes == sorted(sizes, reverse=True)
    rises = any(b > a for a, b in zip(sizes, sizes[1:]))
    if not consistent and (any(n < 0 for n in sizes) or any(n <= 0 for n in sizes[:-1]) or rises):
        # torch 2.13 can corrupt its heap ([2, 1, 2] over 5 rows, [3, 0, 3] and [2, -1] abort the
        # process): not run here
        assert flagged(outcome(lambda: pad_packed_sequence(packed), True), "pad_packed_sequence") == "RNN408"
        return
    bare, guarded = outcome(lambda: pad_packed_sequence(packed), False), outcome(
        lambda: pad_packed_sequence(packed), True)
    if bare[0] == "raise":
        same_error(bare[1], guarded, "pad_packed_sequence")
        return
    padded, lengths = bare[1]
    if int(lengths.sum()) != rows:  # rows torch read, against the rows the data has
        assert flagged(guarded, "pad_packed_sequence") == "RNN408"
        return
    assert guarded[0] == "ok" and torch.equal(guarded[1][0], padded)


# ---- what is given in place of a PackedSequence, a tensor, or a side ----------------------

def culprits(fixes: dict[str, Callable[[], Any]]) -> set[str]:
    """Ground truth from torch: the argument whose valid value alone makes the call run; where
    none or both do, either may be named first (torch's message decides)."""
    runs = {name for name, fixed in fixes.items() if outcome(fixed, False)[0] == "ok"}
    return runs if len(runs) == 1 else set(fixes)


def diagnosed(bare: tuple[str, Any], guarded: tuple[str, Any], function: str, arguments: set[str]) -> None:
    """The guard and the post-mortem: torch's error, the argument at fault first, torch's type."""
    same_error(bare[1], guarded, function)
    for report in (guarded[1].report, diagnose_exception(bare[1])):
        assert report is not None and report.first is not None, f"undiagnosed: {bare[1]!r}"
        assert report.first.arguments[0] in arguments, (bare[1], report.first)
        assert report.first.raises == type(bare[1]).__name__, (bare[1], report.first)


def test_batch_sizes_that_rise_in_an_array_are_run_by_torch() -> None:
    """Only a tensor of rising batch sizes reaches the kernel that can crash; an array fails first."""
    import numpy as np

    packed = pack_sequence([torch.randn(3, 2), torch.randn(2, 2)])
    call = partial(pad_packed_sequence, packed._replace(batch_sizes=np.array([1, 2, 2])))
    bare, guarded = outcome(call, False), outcome(call, True)
    diagnosed(bare, guarded, "pad_packed_sequence", {"sequence"})


@pytest.mark.parametrize("change", [{"total_length": 1}, {"total_length": 4.0}, {"batch_first": "yes"},
                                    {"data": "list"}, {"total_length": True}])
def test_batch_sizes_that_rise_are_run_where_torch_fails_before_its_kernel(change: dict[str, Any]) -> None:
    """[2, 1, 2] over 5 rows can abort torch 2.13 in its kernel, which the guard never runs; but where
    an argument fails before the kernel, torch raises its own error, and the guard keeps its type."""
    packed = PackedSequence(torch.randn(5, 2), torch.tensor([2, 1, 2]))
    if change.pop("data", None):
        packed = packed._replace(data=packed.data.tolist())
    call = partial(pad_packed_sequence, packed, **change)
    bare, guarded = outcome(call, False), outcome(call, True)
    assert bare[0] == guarded[0] == "raise"
    assert type(guarded[1]) is type(bare[1]) or isinstance(guarded[1], type(bare[1])), guarded[1]
    assert str(guarded[1]).splitlines()[0] == str(bare[1]).splitlines()[0]


SEQUENCES: dict[str, Callable[[Any], Any]] = {
    "packed": lambda p: p,
    "tensor": lambda p: pad_packed_sequence(p)[0],
    "tuple": lambda p: (p, torch.zeros(1, p.batch_sizes[0], 3)),  # what a layer returns
    "list": lambda p: [p.data],
    "None": lambda p: None,
    "data list": lambda p: p._replace(data=p.data.tolist()),
    "data ndarray": lambda p: p._replace(data=p.data.numpy()),
    "batch_sizes list": lambda p: p._replace(batch_sizes=p.batch_sizes.tolist()),
    "batch_sizes ndarray": lambda p: p._replace(batch_sizes=p.batch_sizes.numpy()),
    "batch_sizes ndarray, rising": lambda p: p._replace(batch_sizes=p.batch_sizes.flip(0).numpy()),
    "batch_sizes None": lambda p: p._replace(batch_sizes=None),
    "unsorted_indices list": lambda p: p._replace(unsorted_indices=p.unsorted_indices.tolist()),
}


@DRAWS
@given(form=st.sampled_from(list(SEQUENCES)), lengths=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       total=st.sampled_from([None, -1, 0, 2, 3, 4, 6, 2.0, 4.0, 6.5, "6", True, False]),
       batch_first=st.booleans())
@example(form="tuple", lengths=[3, 2], total=None, batch_first=False)
@example(form="data list", lengths=[3, 2], total=2, batch_first=False)
@example(form="packed", lengths=[3, 2], total=2.0, batch_first=True)
def test_pad_packed_sequence_arguments_agree_with_torch(form: str, lengths: list[int], total: Any,
                                                         batch_first: bool) -> None:
    packed = pack_sequence([torch.randn(n, 2) for n in lengths], enforce_sorted=False)
    sequence = SEQUENCES[form](packed)
    bare, guarded = [outcome(lambda: pad_packed_sequence(sequence, batch_first, total_length=total), g)
                     for g in (False, True)]
    if bare[0] == "ok":
        assert guarded[0] == "ok" and torch.equal(guarded[1][0], bare[1][0])
        return
    diagnosed(bare, guarded, "pad_packed_sequence", culprits({
        "total_length": lambda: pad_packed_sequence(sequence, batch_first),
        "sequence": lambda: pad_packed_sequence(packed, batch_first, total_length=total)}))


ITEMS: dict[str, Callable[[int], Any]] = {
    "tensor": lambda n: torch.randn(n, 3),
    "list": lambda n: [[0.5] * 3] * n,
    "ndarray": lambda n: torch.randn(n, 3).numpy(),
    "None": lambda n: None,
    "meta": lambda n: torch.randn(n, 3, device="meta"),  # no values to copy
}


@DRAWS
@given(items=st.lists(st.tuples(st.sampled_from(list(ITEMS)), st.integers(1, 4)), max_size=3),
       side=st.sampled_from(["right", "left", "Left", "up", " right", None]),
       stacked=st.booleans(), batch_first=st.booleans(), packs=st.booleans())
@example(items=[("tensor", 3), ("meta", 2)], side="right", stacked=False, batch_first=False, packs=False)
@example(items=[("tensor", 3), ("list", 2)], side="up", stacked=False, batch_first=True, packs=False)
@example(items=[("tensor", 3), ("list", 2)], side="right", stacked=False, batch_first=False, packs=True)
def test_pad_sequence_arguments_agree_with_torch(items: list[tuple[str, int]], side: Any, stacked: bool,
                                                 batch_first: bool, packs: bool) -> None:
    sequences: Any = [ITEMS[kind](n) for kind, n in items]
    if stacked and items and all(kind == "tensor" for kind, _ in items):
        sequences = torch.stack([s[:1] for s in sequences])  # a tensor is read as its rows

    def call() -> Any:
        if packs:
            return pack_sequence(sequences, enforce_sorted=False)
        return pad_sequence(sequences, batch_first, padding_side=side)

    bare, guarded = outcome(call, False), outcome(call, True)
    if bare[0] == "ok":
        result, expected = (guarded[1].data, bare[1].data) if packs else (guarded[1], bare[1])
        assert guarded[0] == "ok" and result.device == expected.device and result.shape == expected.shape
        assert result.is_meta or torch.equal(result, expected)
        return
    if packs:
        diagnosed(bare, guarded, "pack_sequence", {"sequences"})
        return
    valid = [torch.randn(n, 3, device="meta" if items[0][0] == "meta" else "cpu") for _, n in items]
    diagnosed(bare, guarded, "pad_sequence", culprits({
        "padding_side": lambda: pad_sequence(sequences, batch_first),
        "sequences": lambda: pad_sequence(valid, batch_first, padding_side=side)}))


# ---- arguments of a type torch rejects (RNN414) -------------------------------------------

FLAGS: dict[str, Callable[[], Any]] = {
    "True": lambda: True, "False": lambda: False, "None": lambda: None, "'yes'": lambda: "yes",
    "1": lambda: 1, "0.0": lambda: 0.0, "np.bool_": lambda: np.bool_(True), "0-D tensor": lambda: torch.tensor(True),
}
PADDING: dict[str, Callable[[], Any]] = {
    "0.0": lambda: 0.0, "-1": lambda: -1, "True": lambda: True, "None": lambda: None, "'0'": lambda: "0",
    "1j": lambda: 1j, "np.float32": lambda: np.float32(2), "np.int64": lambda: np.int64(2),
    "0-D tensor": lambda: torch.tensor(1.5), "1-D tensor": lambda: torch.ones(1), "[0.0]": lambda: [0.0],
    "Fraction": lambda: Fraction(1, 2),
}
WHOLE: dict[str, Callable[[], Any]] = {  # `lengths` or `sequences`
    "valid": lambda: None, "None": lambda: None, "5": lambda: 5, "generator": lambda: None,
}
DEFAULTS = {"batch_first": False, "padding_value": 0.0}


def _arguments(function: str, whole: str, batch_first: Any, padding_value: Any) -> dict[str, Any]:
    lengths = [5, 3, 2]
    sequences = [torch.randn(n, 4) for n in lengths]
    if function == "pack_padded_sequence":
        given = {"None": None, "5": 5, "generator": iter(lengths)}.get(whole, lengths)
        return {"input": torch.randn(5, 3, 4), "lengths": given, "batch_first": batch_first}
    if function == "pad_packed_sequence":
        packed = pack_sequence(sequences)
        return {"sequence": packed, "batch_first": batch_first, "padding_value": padding_value}
    given = {"None": None, "5": 5, "generator": iter(sequences)}.get(whole, sequences)
    if function == "pack_sequence":
        return {"sequences": given}
    return {"sequences": given, "batch_first": batch_first, "padding_value": padding_value}


@DRAWS
@given(function=st.sampled_from(["pack_padded_sequence", "pack_sequence", "pad_packed_sequence", "pad_sequence"]),
       whole=st.sampled_from(list(WHOLE)), flag=st.sampled_from(list(FLAGS)), padding=st.sampled_from(list(PADDING)))
@example(function="pad_sequence", whole="None", flag="'yes'", padding="None")
@example(function="pack_padded_sequence", whole="None", flag="'yes'", padding="0.0")
@example(function="pad_packed_sequence", whole="valid", flag="None", padding="'0'")
def test_arguments_of_a_type_torch_rejects_agree_with_torch(function: str, whole: str, flag: str,
                                                             padding: str) -> None:
    call = getattr(torch.nn.utils.rnn, function)
    made = {"batch_first": FLAGS[flag](), "padding_value": PADDING[padding]()}
    bare, guarded = [outcome(lambda: call(**_arguments(function, whole, *made.values())), g) for g in (False, True)]
    if bare[0] == "ok":
        assert guarded[0] == "ok", guarded
        return
    if isinstance(bare[1], RuntimeError) and "overflow" in str(bare[1]):
        return  # a complex padding_value for real data: RNN414's doc leaves it alone
    fixes = {"lengths" if function == "pack_padded_sequence" else "sequences":
             lambda: call(**_arguments(function, "valid", *made.values()))}
    fixes.update({name: partial(lambda name: call(**_arguments(function, whole, **{
        **made, name: DEFAULTS[name]})), name) for name in made})
    arguments = culprits({name: fix for name, fix in fixes.items()
                          if name in inspect.signature(call).parameters})
    diagnosed(bare, guarded, function, arguments)


# ---- names bound before the guard, unreadable values, the post-mortem ------------------

def test_names_bound_before_the_guard_are_checked_and_torch_is_left_as_it_was() -> None:
    code = pack_padded_sequence.__code__
    signature, source = inspect.signature(pack_padded_sequence), inspect.getsource(pack_padded_sequence)
    with rnndoctor.guard():
        assert pack_padded_sequence.__code__ is not code
        assert inspect.signature(pack_padded_sequence) == signature
        assert inspect.getsource(pack_padded_sequence) == source
        assert torch.nn.utils.rnn.pack_padded_sequence is pack_padded_sequence
        with pytest.raises(RnnArgumentError, match="RNN406"):
            pack_padded_sequence(torch.randn(4, 3, 2), [6, 4, 2])
    assert pack_padded_sequence.__code__ is code
    pack_padded_sequence(torch.randn(4, 3, 2), [6, 4, 2])  # torch's own, unchecked: no error


def test_a_valid_call_gives_torch_s_result() -> None:
    x = torch.randn(5, 3, 2, requires_grad=True)
    bare = pack_padded_sequence(x, torch.tensor([5, 3, 2]))
    with rnndoctor.guard():
        guarded = pack_padded_sequence(x, torch.tensor([5, 3, 2]))
    assert torch.equal(guarded.data, bare.data) and guarded.data.grad_fn is not None


def test_meta_tensors_give_fewer_facts_never_an_error() -> None:
    meta = torch.randn(4, 3, 2, device="meta")
    with rnndoctor.guard():
        with pytest.raises(RnnArgumentError, match="RNN406"):  # readable lengths, meta input
            pack_padded_sequence(meta, [6, 4, 2])
    lengths = torch.tensor([4, 3, 2], device="meta")
    for enforce_sorted in (True, False):
        call = partial(pack_padded_sequence, meta, lengths, enforce_sorted=enforce_sorted)
        bare, guarded = outcome(call, False), outcome(call, True)
        assert bare[0] == "raise"
        assert isinstance(guarded[1], type(bare[1])) and str(guarded[1]) == str(bare[1])
        for report in (guarded[1].report, diagnose_exception(bare[1])):  # meta stands in for CUDA
            assert (report.first.code, report.first.arguments[0]) == ("RNN402", "lengths")
            assert [f.code for f in report][-1] == "RNN410"


def test_fake_tensors_give_fewer_facts_never_an_error() -> None:
    from torch._subclasses.fake_tensor import FakeTensorMode

    for values in ([4, 3, 2], [6, 4, 2]):
        with FakeTensorMode():
            call = partial(pack_padded_sequence, torch.randn(4, 3, 2), torch.tensor(values))
            bare, guarded = outcome(call, False), outcome(call, True)
            padded = outcome(partial(pad_sequence, [torch.randn(3, 2), torch.randn(2, 2)]), True)
        assert bare[0] == "raise"  # torch cannot pack fake tensors: the output's size depends on values
        assert isinstance(guarded[1], type(bare[1])) and str(guarded[1]) == str(bare[1])
        assert padded[0] == "ok"


def test_the_post_mortem_names_the_call_the_program_made() -> None:
    try:
        pack_sequence([torch.randn(2, 3), torch.randn(4, 3)])
    except RuntimeError as error:
        report = diagnose_exception(error)
    assert report is not None and report.first is not None
    assert report.first.location.module_repr == "torch.nn.utils.rnn.pack_sequence"
    assert report.first.arguments[0] == "sequences"
    assert report.first.fixes[0].snippet == "pack_sequence(sequences, enforce_sorted=False)"


CALLS: dict[str, Callable[[], Any]] = {
    "pack_sequence, unsorted": lambda: pack_sequence([torch.randn(2, 3), torch.randn(4, 3)]),
    "pack_sequence, an empty sequence": lambda: pack_sequence([torch.randn(4, 3), torch.randn(0, 3)]),
    "pad_sequence, no sequences": lambda: pad_sequence([]),
    "pack_sequence, a 0-D sequence": lambda: pack_sequence([torch.randn(3, 2), torch.tensor(1.0)]),
    "pad_sequence, an int batch": lambda: pad_sequence([torch.tensor([[1], [2]]), torch.tensor([[2.7]])]),
    "pad_sequence, a 2-D sequence after a 3-D one": lambda: pad_sequence(
        [torch.randn(3, 2, 4), torch.randn(2, 4)]),
    "pad_packed_sequence, a hand-built batch": lambda: pad_packed_sequence(
        PackedSequence(torch.randn(8, 2), torch.tensor([3, 3, 1]))),
    "pack_padded_sequence, lengths on meta": lambda: pack_padded_sequence(
        torch.randn(4, 3, 2), torch.tensor([4, 3, 2], device="meta")),
    "pad_packed_sequence, the layer's (output, h_n)": lambda: pad_packed_sequence(
        torch.nn.GRU(3, 4)(pack_sequence([torch.randn(3, 3), torch.randn(2, 3)]))),
    "pad_packed_sequence, a short total_length": lambda: pad_packed_sequence(
        pack_sequence([torch.randn(3, 3), torch.randn(2, 3)]), total_length=2),
    "pad_sequence, a side in capitals": lambda: pad_sequence(
        [torch.randn(3, 3), torch.randn(2, 3)], padding_side="Left"),
    "pad_sequence, a list among the sequences": lambda: pad_sequence([torch.randn(3, 3), [[0.5] * 3] * 2]),
}


def test_golden_output(update_goldens: bool) -> None:
    text = ""
    for name, call in CALLS.items():
        kind, error = outcome(call, True)
        assert kind == "raise", name
        text += f"# {name}: {type(error).__mro__[1].__name__}\n{render_report(error.report)}\n"
    check_golden("render/packing.txt", re.sub(r"tests/torch/test_packing\.py:\d+", "<test>", text), update_goldens)


class Encoder(torch.nn.Module):
    """A GRU fed by `pack_padded_sequence`, the pack call beside the layer."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = torch.nn.GRU(2, 4)

    def forward(self, x: Any, lengths: Any) -> Any:
        return self.rnn(pack_padded_sequence(x, lengths))


def test_the_post_mortem_reads_no_value_of_meta_lengths() -> None:
    """Without the guard, a pack call beside a layer is judged against it; meta lengths are
    judged by their device alone, never `Cannot copy out of meta tensor` from rnndoctor."""
    try:
        Encoder()(torch.randn(4, 3, 2), torch.tensor([4, 3, 2], device="meta"))
    except RuntimeError as error:
        report = diagnose_exception(error)
    assert report is not None and report.first is not None
    assert report.first.code == "RNN402" and report.first.arguments[0] == "lengths"
    assert report.first.location.module_path == "rnn"


def _fake_lengths(values: list[int]) -> Any:
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode():
        return torch.tensor(values)


def test_check_reads_no_value_of_meta_or_fake_lengths() -> None:
    """Lengths that hold no data give fewer findings and one note (RNN410), never an error."""
    lstm = torch.nn.LSTM(4, 8)
    meta = rnndoctor.check(lstm, torch.randn(5, 3, 4), lengths=torch.tensor([5, 4, 3], device="meta"))
    assert [f.code for f in meta] == ["RNN402", "RNN410"]
    assert "lengths [?, ?, ?] (int64, meta)" in rnndoctor.render.text.call_summary(meta.call)
    for values in ([5, 4, 3], [9, 4, 3], [3, 4, 0]):  # values beyond the input, or unsorted: not known
        fake = rnndoctor.check(lstm, torch.randn(5, 3, 4), lengths=_fake_lengths(values))
        assert fake and [f.code for f in fake] == ["RNN410"]
    counted = rnndoctor.check(lstm, torch.randn(5, 3, 4), lengths=_fake_lengths([5, 4]))
    assert counted.first is not None and counted.first.code == "RNN403"  # the count is still read


def test_the_guard_and_the_post_mortem_read_no_value_of_fake_lengths() -> None:
    """torch can't pack fake lengths; its error goes through, with nothing wrong claimed."""
    lengths = _fake_lengths([9, 4, 3])

    bare, guarded = outcome(partial(Encoder(), torch.randn(4, 3, 2), lengths), False), outcome(
        partial(Encoder(), torch.randn(4, 3, 2), lengths), True)
    assert bare[0] == guarded[0] == "raise"
    assert type(guarded[1]) is type(bare[1]) and str(guarded[1]) == str(bare[1])
    report = diagnose_exception(bare[1])
    assert report is not None and report.first is None
    assert [f.code for f in report] == ["RNN410"]


def test_scan_reads_no_value_of_meta_or_fake_lengths() -> None:
    for lengths in (torch.tensor([4, 3, 2], device="meta"), _fake_lengths([4, 3, 2])):
        bare = outcome(partial(Encoder(), torch.randn(4, 3, 2), lengths), False)
        report = rnndoctor.scan(Encoder(), torch.randn(4, 3, 2), lengths)
        assert bare[0] == "raise" and not report.finished  # torch can't pack them either
        assert [f.error for f in report.failures] == [type(bare[1]).__name__], report


def test_whole_number_float_lengths_are_judged_once_per_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid call with float lengths of whole numbers runs the engine at its first call only (for
    RNN407's warning); fractional ones, which torch truncates, are judged at every call."""
    from rnndoctor._runtime import packed_calls

    judged: list[str] = []
    engine = packed_calls.diagnose
    monkeypatch.setattr(packed_calls, "diagnose", lambda *a: judged.append("x") or engine(*a))
    x = torch.randn(5, 2, 3)
    with warnings.catch_warnings(record=True) as caught, rnndoctor.guard():
        warnings.simplefilter("always")
        for _ in range(3):
            pack_padded_sequence(x, torch.tensor([5.0, 3.0]))
    assert len(judged) == 1
    assert [str(w.message).splitlines()[0] for w in caught] == [
        "warning[RNN407]: `lengths` is float32, and torch truncates float lengths toward zero"]
    with rnndoctor.guard():
        for _ in range(2):
            with pytest.raises(RnnArgumentError, match="RNN407"):
                pack_padded_sequence(x, torch.tensor([5.0, 2.5]))
    assert len(judged) == 3


UNPACKED = """
import torch
from torch.nn.utils.rnn import pack_sequence, pad_packed_sequence

gru = torch.nn.GRU(3, 4)
packed = pack_sequence([torch.randn(3, 3), torch.randn(2, 3)])
result = gru(packed)
padded, lengths = pad_packed_sequence(result, total_length=TOTAL)
"""


@pytest.mark.parametrize("guard", [True, False])
def test_rnndoctor_run_names_the_argument_of_the_unpacking_call(tmp_path: Any, guard: bool) -> None:
    """Under `rnndoctor run`, with or without the guard: torch's error, then the finding at its line."""
    from ..test_run_cli import rnndoctor_run, write

    for total, error, finding in [
        ("None", "AttributeError: 'tuple' object has no attribute 'batch_sizes'",
         "error[RNN411]: `sequence` is a tuple, not a PackedSequence"),
        ("2.5", "ValueError: Expected total_length to be at least the length of the longest sequence",
         "error[RNN412]: `total_length` is 2.5, but the longest sequence has 3 steps"),
    ]:
        source = UNPACKED.replace("TOTAL", total)
        if total != "None":
            source = source.replace("(result,", "(result[0],")
        write(tmp_path, "train.py", source)
        done = rnndoctor_run(tmp_path, *(() if guard else ("--no-guard",)), "train.py")
        assert done.returncode == 1
        assert done.stderr.index(error) < done.stderr.index(f"\n{finding}"), done.stderr
        assert "  --> train.py:7, in torch.nn.utils.rnn.pad_packed_sequence\n" in done.stderr


@DRAWS
@given(steps=st.integers(0, 5), batch=st.integers(0, 4), values=st.lists(st.integers(-1, 7), max_size=5),
       floats=st.booleans(), batch_first=st.booleans(), meta=st.booleans())
def test_unreadable_lengths_give_a_subset_of_the_findings(steps: int, batch: int, values: list[int], floats: bool,
                                                          batch_first: bool, meta: bool) -> None:
    """`check` with lengths whose values can't be read never raises, and finds no more than it
    finds with the real lengths, besides RNN410's note (and, on meta, RNN402: not on the CPU)."""
    lstm = torch.nn.LSTM(3, 4, batch_first=batch_first)
    x = torch.randn(*((batch, steps) if batch_first else (steps, batch)), 3)
    real = torch.tensor(values, dtype=torch.float32 if floats else torch.int64)
    unread = real.to("meta") if meta else _fake_lengths(values).to(real.dtype)
    known = {f.code for f in rnndoctor.check(lstm, x, lengths=real)}
    found = {f.code for f in rnndoctor.check(lstm, x, lengths=unread)}
    if "RNN410" not in found:  # read after all: none, or a fake tensor of one value keeps it
        assert not values or (not meta and len(values) == 1)
        assert found == known
    assert found - {"RNN410", "RNN402" if meta else ""} <= known


@pytest.mark.parametrize("name", ["pad_packed_sequence, the layer's (output, h_n)",
                                  "pad_packed_sequence, a short total_length", "pad_sequence, a side in capitals",
                                  "pad_sequence, no sequences"])
def test_explain_names_what_the_guard_names(name: str) -> None:
    """Given torch's message alone, `explain` gives the guard's rule and first argument."""
    bare, guarded = outcome(CALLS[name], False), outcome(CALLS[name], True)
    explained = rnndoctor.explain(f"{type(bare[1]).__name__}: {bare[1]}").findings
    first = guarded[1].report.first
    assert explained and (explained[0].code, explained[0].arguments[0]) == (first.code, first.arguments[0])
