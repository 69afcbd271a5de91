"""The guard: every recurrent call checked before torch runs it, and nothing else changed."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
from torch.nn.utils.rnn import pack_padded_sequence

import rnndoctor
from rnndoctor import RnnArgumentError, RnnDoctorWarning
from rnndoctor._runtime.guard import CLASSES
from rnndoctor.findings import Finding, Severity
from rnndoctor.report import Report

guard_module = sys.modules["rnndoctor._runtime.guard"]
HERE = Path(__file__).name
ORIGINALS = {name: getattr(nn, name).__dict__["forward"] for name in CLASSES}


class Encoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(10, 20)

    def forward(self, x: Any, hx: Any = None) -> Any:
        return self.rnn(x, hx)  # the call site the errors point at


class Seq2Seq(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = Encoder()

    def forward(self, x: Any, hx: Any = None) -> Any:
        return self.encoder(x, hx)


def states(layers: int, batch: int = 3) -> tuple[Any, Any]:
    return torch.zeros(layers, batch, 20), torch.zeros(layers, batch, 20)


CALL_SITE_LINE = next(i for i, line in enumerate(Path(__file__).read_text().splitlines(), 1)
                      if "the call site the errors point at" in line)


@pytest.fixture(autouse=True)
def torch_forwards_restored() -> Iterator[None]:
    yield
    changed = [name for name in CLASSES if getattr(nn, name).__dict__["forward"] is not ORIGINALS[name]]
    assert not changed, f"guard left patched forwards: {changed}"


# ---- errors ------------------------------------------------------------------------------

def test_error_names_the_layer_by_path_and_the_call_site() -> None:
    model = Seq2Seq()
    with pytest.raises(RuntimeError) as unguarded:
        model(torch.randn(5, 3, 10), states(2))
    with rnndoctor.guard(model), pytest.raises(RnnArgumentError) as caught:
        model(torch.randn(5, 3, 10), states(2))
    first = caught.value.report.first
    assert first is not None and first.code == "RNN203"
    assert first.origin == "guard"
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert first.location.module_path == "encoder.rnn"
    assert first.location.call_site == f"{Path(__file__).relative_to(Path.cwd())}:{CALL_SITE_LINE}"
    assert str(caught.value) == str(unguarded.value)  # torch's message; the diagnosis is separate
    assert str(caught.value.report).startswith(
        "error[RNN203]: `h_0` and `c_0` have 2 layers, but this LSTM needs 1\n"
        f"  --> {first.location.call_site}, in encoder.rnn: LSTM(10, 20)\n")


def test_global_guard_finds_the_path_from_the_stack() -> None:
    model = Seq2Seq()
    with rnndoctor.guard(), pytest.raises(RnnArgumentError) as caught:
        model(torch.randn(5, 3, 10), states(2))
    assert caught.value.report.findings[0].location.module_path == "encoder.rnn"


BAD_CALLS: list[tuple[str, Callable[[], tuple[Any, tuple[Any, ...]]]]] = [
    ("input size", lambda: (nn.LSTM(10, 20), (torch.randn(5, 3, 7),))),
    ("hidden layers", lambda: (nn.GRU(10, 20, num_layers=2), (torch.randn(5, 3, 10),
                                                              torch.zeros(1, 3, 20)))),
    ("hidden batch", lambda: (nn.RNN(10, 20), (torch.randn(5, 3, 10), torch.zeros(1, 4, 20)))),
    ("cell hidden batch", lambda: (nn.GRUCell(10, 20), (torch.randn(3, 10), torch.zeros(4, 20)))),
    ("input dtype", lambda: (nn.LSTM(10, 20), (torch.randn(5, 3, 10, dtype=torch.float64),))),
    ("input rank", lambda: (nn.GRU(10, 20), (torch.randn(2, 5, 3, 10),))),
]


@pytest.mark.parametrize("make", [m for _, m in BAD_CALLS], ids=[n for n, _ in BAD_CALLS])
def test_error_is_an_instance_of_what_torch_raises(make: Callable[[], Any]) -> None:
    layer, args = make()
    with pytest.raises(Exception) as unguarded:
        layer(*args)
    with rnndoctor.guard(layer), pytest.raises(type(unguarded.value)) as guarded:
        layer(*args)
    assert isinstance(guarded.value, RnnArgumentError)
    assert guarded.value.report.first is not None
    assert guarded.value.args == unguarded.value.args


def test_an_error_repeats_for_a_remembered_signature() -> None:
    layer = nn.LSTM(10, 20)
    with rnndoctor.guard(layer):
        for _ in range(3):
            with pytest.raises(RnnArgumentError):
                layer(torch.randn(5, 3, 10), states(2))


def test_verdict_follows_batch_first_changed_in_place() -> None:
    layer = nn.LSTM(10, 20)
    x, hx = torch.randn(5, 3, 10), states(1)
    with rnndoctor.guard(layer):
        layer(x, hx)
        layer.batch_first = True  # now the batch is 5, not 3
        with pytest.raises(RnnArgumentError):
            layer(x, hx)


# ---- what the guard must not change -------------------------------------------------------

def valid_calls() -> list[tuple[str, Callable[[], tuple[Any, tuple[Any, ...]]]]]:
    x = torch.randn(5, 3, 10)
    lengths = torch.tensor([5, 3, 2])
    return [
        ("LSTM", lambda: (nn.LSTM(10, 20, num_layers=2, bidirectional=True), (x,))),
        ("LSTM hx", lambda: (nn.LSTM(10, 20), (x, states(1)))),
        ("GRU batch_first", lambda: (nn.GRU(10, 20, batch_first=True), (x,))),
        ("RNN relu", lambda: (nn.RNN(10, 20, nonlinearity="relu"), (x, torch.randn(1, 3, 20)))),
        ("LSTM proj", lambda: (nn.LSTM(10, 20, proj_size=5), (x,))),
        ("LSTM packed", lambda: (nn.LSTM(10, 20), (pack_padded_sequence(x, lengths),))),
        ("RNN unbatched", lambda: (nn.RNN(10, 20), (torch.randn(5, 10),))),
        ("LSTMCell", lambda: (nn.LSTMCell(10, 20), (torch.randn(3, 10),))),
        ("GRUCell", lambda: (nn.GRUCell(10, 20), (torch.randn(3, 10), torch.randn(3, 20)))),
        ("RNNCell", lambda: (nn.RNNCell(10, 20), (torch.randn(10),))),
    ]


def run_with_grads(make: Callable[[], Any], guarded: bool) -> tuple[list[Any], list[Any]]:
    torch.manual_seed(0)
    layer, args = make()
    args = tuple(a.requires_grad_() if torch.is_tensor(a) else a for a in args)
    context = rnndoctor.guard(layer) if guarded else rnndoctor.guard(nn.Module())
    with context:
        out = layer(*args)
    flat = [t for t in _tensors(out)]
    sum(t.float().sum() for t in flat).backward()
    grads = [p.grad for p in layer.parameters()] + [a.grad for a in args if torch.is_tensor(a)]
    return flat, grads


def _tensors(value: Any) -> Iterator[Any]:
    if torch.is_tensor(value):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors(item)


@pytest.mark.parametrize("make", [m for _, m in valid_calls()], ids=[n for n, _ in valid_calls()])
def test_valid_calls_give_bitwise_identical_outputs_and_gradients(make: Callable[[], Any]) -> None:
    bare_out, bare_grads = run_with_grads(make, guarded=False)
    out, grads = run_with_grads(make, guarded=True)
    assert len(out) == len(bare_out) and len(grads) == len(bare_grads)
    assert all(torch.equal(a, b) for a, b in zip(out, bare_out))
    assert all(torch.equal(a, b) for a, b in zip(grads, bare_grads))


def test_no_tensor_is_held_after_ten_thousand_calls() -> None:
    layer = nn.GRU(2, 3)
    refs = []
    with rnndoctor.guard(layer), torch.no_grad():
        for i in range(10_000):
            x = torch.randn(1 + i % 3, 2, 2)
            h = torch.zeros(1, 2 if i % 100 else 5, 3)  # every hundredth call is invalid
            refs += [weakref.ref(x), weakref.ref(h)]
            try:
                layer(x, h)
            except RnnArgumentError:
                pass
        del x, h
    alive = sum(r() is not None for r in refs)
    assert alive == 0, f"{alive} tensors still alive"


def test_concurrent_calls_in_threads_are_checked_and_unchanged() -> None:
    layer = nn.LSTM(4, 8)
    inputs = [torch.randn(3, batch, 4) for batch in range(1, 9)]
    with torch.no_grad():
        expected = [layer(x)[0] for x in inputs]
    results: dict[int, list[bool]] = {}

    def work(i: int) -> None:
        seen = []
        for round_ in range(50):
            k = (i + round_) % len(inputs)
            x = inputs[k]
            try:
                out = layer(x, states_for(x) if round_ % 10 == 9 else None)
                seen.append(torch.allclose(out[0], expected[k]))  # oneDNN varies in threads
            except RnnArgumentError:
                seen.append(round_ % 10 == 9)
        results[i] = seen

    def states_for(x: Any) -> tuple[Any, Any]:
        return torch.zeros(1, x.shape[1] + 1, 8), torch.zeros(1, x.shape[1] + 1, 8)

    with rnndoctor.guard(layer), torch.no_grad():
        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(results) == list(range(8))
    assert all(all(seen) for seen in results.values())


def test_torch_errors_outside_the_rules_pass_through_unchanged(monkeypatch: Any) -> None:
    layer = nn.LSTM(10, 20)
    bad = (torch.randn(5, 3, 10), states(2))
    with pytest.raises(RuntimeError) as unguarded:
        layer(*bad)
    monkeypatch.setattr("rnndoctor._api.check", lambda *a: Report(findings=()))
    with rnndoctor.guard(layer), pytest.raises(RuntimeError) as guarded:
        layer(*bad)
    assert type(guarded.value) is RuntimeError
    assert str(guarded.value) == str(unguarded.value)


def test_a_failing_diagnosis_runs_the_call_unchecked_with_a_note(monkeypatch: Any) -> None:
    def broken(*args: Any) -> Report:
        raise KeyError("injected")

    monkeypatch.setattr("rnndoctor._api.check", broken)
    layer = nn.LSTM(10, 20)
    with rnndoctor.guard(layer), warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always")
        out, _ = layer(torch.randn(5, 3, 10))
        with pytest.raises(RuntimeError) as caught:
            layer(torch.randn(5, 3, 10), states(2))
    assert out.shape == (5, 3, 20)
    assert type(caught.value) is RuntimeError  # torch's own
    assert [n.category for n in notes] == [RnnDoctorWarning, RnnDoctorWarning]
    assert str(notes[0].message) == (
        "rnndoctor could not check this call (KeyError: 'injected'); it runs unchecked")
    assert all(n.filename == __file__ for n in notes)


# ---- warnings -----------------------------------------------------------------------------

@pytest.fixture
def made_up_warning(monkeypatch: Any) -> None:
    """Every check finds one warning, RNN199."""
    finding = Finding(code="RNN199", rule="made-up", severity=Severity.WARNING,
                      title="`input` looks odd", arguments=("input",))
    monkeypatch.setattr("rnndoctor._api.check", lambda *a: Report(findings=(finding,)))


@pytest.mark.usefixtures("made_up_warning")
def test_warnings_use_our_category_once_per_signature() -> None:
    layer = nn.GRU(10, 20)
    with rnndoctor.guard(layer), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            layer(torch.randn(5, 3, 10))
    assert [w.category for w in caught] == [RnnDoctorWarning]
    assert caught[0].filename == __file__
    assert str(caught[0].message).startswith("warning[RNN199]: `input` looks odd\n")


@pytest.mark.usefixtures("made_up_warning")
def test_warnings_can_be_filtered_by_category() -> None:
    layer = nn.GRU(10, 20)
    with rnndoctor.guard(layer), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=RnnDoctorWarning)
        layer(torch.randn(5, 3, 10))
    assert caught == []


# ---- forms and scope ---------------------------------------------------------------------

def test_decorator_forms() -> None:
    model = Seq2Seq()
    bad = (torch.randn(5, 3, 10), states(2))

    @rnndoctor.guard
    def bare() -> Any:
        return model(*bad)

    @rnndoctor.guard()
    def everywhere() -> Any:
        return model(*bad)

    @rnndoctor.guard(model)
    def scoped() -> Any:
        return model(*bad)

    for decorated in (bare, everywhere, scoped):
        with pytest.raises(RnnArgumentError):
            decorated()


def test_watch_and_unwatch() -> None:
    model = Seq2Seq()
    bad = (torch.randn(5, 3, 10), states(2))
    rnndoctor.watch(model)
    try:
        with pytest.raises(RnnArgumentError):
            model(*bad)
    finally:
        rnndoctor.unwatch(model)
    with pytest.raises(RuntimeError) as caught:
        model(*bad)
    assert not isinstance(caught.value, RnnArgumentError)


def test_nested_guards_unwind_in_order() -> None:
    model, other = Seq2Seq(), Seq2Seq()
    bad = (torch.randn(5, 3, 10), states(2))
    with rnndoctor.guard(model):
        with rnndoctor.guard(), pytest.raises(RnnArgumentError):
            other(*bad)
        with pytest.raises(RuntimeError) as caught:
            other(*bad)  # not watched: torch's own error
        assert not isinstance(caught.value, RnnArgumentError)
        with pytest.raises(RnnArgumentError):
            model(*bad)


def test_guard_takes_a_module_or_nothing() -> None:
    with pytest.raises(TypeError, match="guard\\(\\) takes an nn.Module or nothing, got int"):
        rnndoctor.guard(3)


# ---- torch.compile, TorchScript, and the segfault ----------------------------------------

class CellModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.GRUCell(10, 20)

    def forward(self, x: Any, h: Any) -> Any:
        return self.cell(x, h)


def test_compile_runs_lstm_eagerly_where_the_guard_checks_it() -> None:
    torch._dynamo.reset()
    model = Seq2Seq()
    compiled = torch.compile(model, backend="eager")
    x = torch.randn(5, 3, 10)
    with rnndoctor.guard(model):
        assert torch.equal(compiled(x, states(1))[0], model(x, states(1))[0])
        with pytest.raises(RnnArgumentError):
            compiled(x, states(2))


def test_compile_traces_cells_with_the_guard_stepping_aside() -> None:
    torch._dynamo.reset()
    model = CellModel()
    compiled = torch.compile(model, backend="eager", fullgraph=True)
    x, h = torch.randn(3, 10), torch.randn(3, 20)
    with rnndoctor.guard(model):
        assert torch.equal(compiled(x, h), model.cell.__class__.__dict__["forward"](model.cell, x, h))
        with pytest.raises(RuntimeError) as caught:
            compiled(x, torch.randn(4, 20))  # traced: torch's own check decides
    assert not isinstance(caught.value, RnnArgumentError)


class Scriptable(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.GRU(10, 20)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return self.encoder(x, h)[0]


def test_torchscript_still_scripts_and_scripted_modules_are_skipped_with_one_note(
        monkeypatch: Any) -> None:
    monkeypatch.setattr(guard_module, "_noted_scripted", False)
    model = Scriptable()
    x, h, bad_h = torch.randn(5, 3, 10), torch.zeros(1, 3, 20), torch.zeros(2, 3, 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with rnndoctor.guard():
            scripted = torch.jit.script(model)  # scripting works while the guard is on
        with pytest.warns(RnnDoctorWarning, match="skips TorchScript modules such as `Scriptable`"):
            rnndoctor.watch(scripted)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RnnDoctorWarning)
            rnndoctor.watch(scripted)  # the note is shown once
    try:
        assert torch.equal(scripted(x, h), model(x, h))
        with pytest.raises(torch.jit.Error) as caught:  # TorchScript's own error
            scripted(x, bad_h)
        assert not isinstance(caught.value, RnnArgumentError)
    finally:
        rnndoctor.unwatch(scripted)
        rnndoctor.unwatch(scripted)


SEGFAULT = """
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence
import rnndoctor

lstm = nn.LSTM(10, 20)
packed = pack_padded_sequence(torch.randn(5, 3, 10), [5, 3, 2])
with rnndoctor.guard(lstm):
    lstm(packed, (torch.zeros(2, 3, 20), torch.zeros(1, 3, 20)))
"""


def test_the_packed_lstm_segfault_is_stopped(tmp_path: Path) -> None:
    script = tmp_path / "segfault.py"
    script.write_text(textwrap.dedent(SEGFAULT))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1, done.stderr  # an uncaught exception, not signal 11 (-11)
    assert "\nrnndoctor.RnnArgumentError: error[RNN203]: `h_0` has 2 layers" in done.stderr


def test_garbage_collected_modules_leave_the_registry() -> None:
    with rnndoctor.guard():
        layer = nn.GRU(2, 3)
        layer(torch.randn(1, 1, 2))
        key = id(layer)
        assert key in guard_module._registry.states
        del layer
        gc.collect()
        assert key not in guard_module._registry.states


def test_autocast_calls_are_left_to_torch() -> None:
    """torch skips its dtype check under autocast; a bfloat16 input into a float32 LSTM runs."""
    lstm = nn.LSTM(4, 6)
    x = torch.randn(3, 2, 4, dtype=torch.bfloat16)
    with pytest.raises(ValueError), rnndoctor.guard(lstm):
        lstm(x)  # outside autocast, torch and the guard both reject it
    with torch.autocast("cpu", dtype=torch.bfloat16), rnndoctor.guard(lstm):
        expected = lstm(x)[0]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert torch.equal(lstm(x)[0], expected)


@pytest.mark.parametrize("batches", [[5, 5, 2, 5, 2, 2, 7, 5], [3] * 6, [1, 2, 1, 2, 1]])
def test_each_valid_call_counts_once_under_its_batch(batches: list[int]) -> None:
    """The batches a layer saw, for provenance: each valid call counts once, under its batch,
    the repeated signatures that return after one lookup included."""
    lstm = nn.LSTM(3, 4)
    with rnndoctor.guard(lstm):
        for n in batches:
            lstm(torch.randn(2, n, 3))
        seen = guard_module.history(lstm)
    assert seen == tuple(sorted((n, batches.count(n)) for n in set(batches)))


def test_forgotten_verdicts_take_the_last_signature_with_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_SIGNATURES the verdicts are forgotten: a signature seen before is judged and
    counted anew, where the history looks."""
    monkeypatch.setattr(guard_module, "MAX_SIGNATURES", 2)
    lstm = nn.LSTM(3, 4)
    with rnndoctor.guard(lstm):
        for n in (1, 2, 2, 3, 2):  # the third signature forgets the first two
            lstm(torch.randn(2, n, 3))
        seen = guard_module.history(lstm)
    assert seen == ((2, 1), (3, 1))
