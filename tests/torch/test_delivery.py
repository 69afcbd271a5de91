"""What the program sees under the guard: torch's own exception, with the diagnosis added.

Ground truth is torch's exception for the same call without the guard: its
type, `args`, `str()`, `repr()` and, in a plain Python process, the whole
traceback it prints.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
from torch.nn.utils.rnn import pack_padded_sequence

import rnndoctor
from rnndoctor import RnnArgumentError
from rnndoctor._runtime import delivery as _delivery
from rnndoctor.findings import Finding, Severity
from rnndoctor.report import Report

PACKAGE = str(Path(rnndoctor.__file__).parent) + os.sep

BAD_CALLS: list[tuple[str, Callable[[], tuple[Any, tuple[Any, ...]]]]] = [
    ("input size", lambda: (nn.LSTM(10, 20), (torch.randn(5, 3, 7),))),
    ("hidden layers", lambda: (nn.GRU(10, 20, num_layers=2), (torch.randn(5, 3, 10),
                                                              torch.zeros(1, 3, 20)))),
    ("hidden batch", lambda: (nn.RNN(10, 20), (torch.randn(5, 3, 10), torch.zeros(1, 4, 20)))),
    ("LSTM c_0 size", lambda: (nn.LSTM(10, 20), (torch.randn(5, 3, 10),
                                                 (torch.zeros(1, 3, 20), torch.zeros(1, 3, 9))))),
    ("cell hidden batch", lambda: (nn.GRUCell(10, 20), (torch.randn(3, 10), torch.zeros(4, 20)))),
    ("input dtype", lambda: (nn.LSTM(10, 20), (torch.randn(5, 3, 10, dtype=torch.float64),))),
    ("input rank", lambda: (nn.GRU(10, 20), (torch.randn(2, 5, 3, 10),))),
    ("hx a tuple", lambda: (nn.GRU(10, 20), (torch.randn(5, 3, 10), (torch.zeros(1, 3, 20),)))),
]
IDS = [name for name, _ in BAD_CALLS]
MAKERS = [make for _, make in BAD_CALLS]


def raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as e:
        return e
    raise AssertionError("no error raised")


def guarded_error(layer: Any, args: tuple[Any, ...]) -> BaseException:
    """The error that leaves `with rnndoctor.guard(layer)`."""
    def call() -> None:
        with rnndoctor.guard(layer):
            layer(*args)
    return raised(call)


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard as outside pytest: the diagnosis goes on the exception as a note."""
    monkeypatch.setattr(_delivery, "in_pytest_test", lambda: False)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the guard chains a hook onto it


@pytest.mark.usefixtures("notes")
@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_the_program_sees_torchs_exception(make: Callable[[], Any]) -> None:
    layer, args = make()
    torchs = raised(lambda: layer(*args))
    ours = guarded_error(layer, args)
    assert isinstance(ours, type(torchs)) and isinstance(ours, RnnArgumentError)
    assert type(ours).__name__ == type(torchs).__name__
    assert type(ours).__module__ == type(torchs).__module__
    assert ours.args == torchs.args
    assert str(ours) == str(torchs) and repr(ours) == repr(torchs)
    first = ours.report.first
    assert first is not None and first.raises == type(torchs).__name__
    assert ours.__notes__ == [_delivery.note_text(ours.report)]
    assert ours.__notes__[0].startswith(f"\nerror[{first.code}]: {first.title}\n")


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_under_pytest_nothing_is_attached(make: Callable[[], Any]) -> None:
    layer, args = make()
    ours = guarded_error(layer, args)
    assert not hasattr(ours, "__notes__")
    assert _delivery.section_text(ours) == _delivery.note_text(ours.report).strip("\n")


def test_torch_runs_the_call_and_raises_its_own_error() -> None:
    layer, args = BAD_CALLS[0][1]()
    tb = guarded_error(layer, args).__traceback__
    assert tb is not None
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert tb.tb_frame.f_code.co_filename.endswith(os.path.join("torch", "nn", "modules", "rnn.py"))


def frames(tb: TracebackType | None) -> list[str]:
    found = []
    while tb is not None:
        found.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    return found


@pytest.mark.parametrize("make", MAKERS, ids=IDS)
def test_leaving_the_guard_unlinks_rnndoctors_frames(make: Callable[[], Any]) -> None:
    layer, args = make()
    shown = frames(guarded_error(layer, args).__traceback__)
    assert shown and not [f for f in shown if f.startswith(PACKAGE)]


def test_frames_a_watched_layer_shows_are_marked_hidden() -> None:
    layer, args = BAD_CALLS[0][1]()
    rnndoctor.watch(layer)
    try:
        error = raised(lambda: layer(*args))
    finally:
        rnndoctor.unwatch(layer)
    tb, ours = error.__traceback__, []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(PACKAGE):
            ours.append(tb.tb_frame.f_locals.get("__tracebackhide__"))
        tb = tb.tb_next
    assert ours and all(ours)  # what pytest and IPython skip


def test_pickled_it_is_torchs_plain_exception() -> None:
    layer, args = BAD_CALLS[0][1]()
    torchs = raised(lambda: layer(*args))
    again = pickle.loads(pickle.dumps(guarded_error(layer, args)))
    assert type(again) is type(torchs) and again.args == torchs.args


def test_where_torch_would_crash_rnndoctor_raises_a_one_line_summary() -> None:
    lstm = nn.LSTM(10, 20)  # a packed LSTM with h_0 deeper than c_0: torch 2.13 segfaults
    packed = pack_padded_sequence(torch.randn(5, 3, 10), [5, 3, 2])
    error = guarded_error(lstm, (packed, (torch.zeros(2, 3, 20), torch.zeros(1, 3, 20))))
    assert isinstance(error, RnnArgumentError) and isinstance(error, RuntimeError)
    first = error.report.first
    assert first is not None and first.raises is None
    assert str(error).splitlines()[0] == f"error[{first.code}]: {first.title}"
    assert not [f for f in frames(error.__traceback__) if f.startswith(PACKAGE)]


def made_up_error(monkeypatch: pytest.MonkeyPatch, raises: str | None) -> None:
    finding = Finding(code="RNN199", rule="made-up", severity=Severity.ERROR,
                      title="`input` looks wrong", arguments=("input",), raises=raises)
    monkeypatch.setattr("rnndoctor._api.check", lambda *a: Report(findings=(finding,)))


def test_a_call_judged_invalid_that_torch_runs_raises_rnndoctors_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    made_up_error(monkeypatch, "RuntimeError")
    layer = nn.GRU(10, 20)
    error = guarded_error(layer, (torch.randn(5, 3, 10),))
    assert isinstance(error, RnnArgumentError) and not _delivery.section_text(error)
    assert str(error).startswith("error[RNN199]: `input` looks wrong\n")


@pytest.mark.usefixtures("notes")
def test_a_failure_to_add_the_diagnosis_leaves_torchs_error_with_one_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Exception:
        raise KeyError("injected")

    monkeypatch.setattr(_delivery, "keep", broken)
    layer, args = BAD_CALLS[0][1]()
    torchs = raised(lambda: layer(*args))
    ours = guarded_error(layer, args)
    assert type(ours) is type(torchs) and ours.args == torchs.args
    assert ours.__notes__ == ["rnndoctor: could not add its diagnosis (KeyError: 'injected')"]


@pytest.mark.usefixtures("notes")
def test_python_3_10_gets_notes_and_an_excepthook_that_prints_them(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    printed: list[str] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, v, tb: printed.append(str(v)))
    monkeypatch.setattr(_delivery, "_ADD_NOTE", False)
    layer, args = BAD_CALLS[0][1]()
    ours = guarded_error(layer, args)
    assert ours.__notes__ == [_delivery.note_text(ours.report)]
    sys.excepthook(type(ours), ours, ours.__traceback__)
    assert printed == [str(ours)]
    assert capsys.readouterr().err == ours.__notes__[0] + "\n"


SCRIPT = """
import contextlib
import sys

import torch
from torch import nn

import rnndoctor

lstm = nn.LSTM(10, 20)
if sys.argv[1] == "watched":
    rnndoctor.watch(lstm)
with rnndoctor.guard(lstm) if sys.argv[1] == "guarded" else contextlib.nullcontext():
    lstm(torch.randn(5, 3, 7))
"""


@pytest.mark.parametrize("mode", ["guarded", "watched"])
def test_plain_python_prints_torchs_traceback_then_the_diagnosis(tmp_path: Path, mode: str) -> None:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCRIPT))

    def run(mode: str) -> str:
        done = subprocess.run([sys.executable, str(script), mode], capture_output=True, text=True,
                              timeout=120, check=False, cwd=tmp_path)
        assert done.returncode == 1
        return done.stderr

    bare, guarded = run("bare"), run(mode)
    assert guarded.startswith(bare)
    diagnosis = guarded[len(bare):]
    assert diagnosis.startswith("\nerror[RNN103]: `input` has 7 features, but this LSTM expects 10\n"
                                "  --> train.py:14, in LSTM(10, 20)\n")
    assert diagnosis.endswith("\nfound 1 error\n")
