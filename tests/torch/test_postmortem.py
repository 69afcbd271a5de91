"""Post-mortem: an uncaught error diagnosed from the frames it came through."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
from torch.nn.utils.rnn import pack_padded_sequence

import rnndoctor
from rnndoctor._runtime.postmortem import diagnose_exception, diagnosis_text

postmortem = sys.modules["rnndoctor._runtime.postmortem"]


class Encoder(nn.Module):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self.rnn = nn.LSTM(10, 20, **kwargs)

    def forward(self, x: Any, hx: Any = None) -> Any:
        return self.rnn(x, hx)


def raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as e:
        return e
    raise AssertionError("no error raised")


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """install() over recording hooks; yields what the previous hooks were given."""
    seen: list[str] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, v, tb: seen.append(f"sys: {v}"))
    monkeypatch.setattr(threading, "excepthook", lambda a: seen.append(f"thread: {a.exc_value}"))
    rnndoctor.install()
    yield seen
    rnndoctor.uninstall()


def test_install_chains_and_uninstall_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    def previous(*args: object) -> None:
        pass

    monkeypatch.setattr(sys, "excepthook", previous)
    monkeypatch.setattr(threading, "excepthook", previous)
    rnndoctor.install()
    rnndoctor.install()  # a second call changes nothing
    assert sys.excepthook is not previous and threading.excepthook is not previous
    rnndoctor.uninstall()
    assert sys.excepthook is previous and threading.excepthook is previous


def test_diagnosis_is_printed_under_the_original_traceback(
        hooks: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    model = Encoder(num_layers=2, bidirectional=True)
    h = torch.zeros(2, 8, 20)
    error = raised(lambda: model(torch.randn(5, 8, 10), (h, h)))
    sys.excepthook(type(error), error, error.__traceback__)
    assert hooks == ["sys: Expected hidden[0] size (4, 8, 20), got [2, 8, 20]"]
    err = capsys.readouterr().err
    assert err.startswith("\nerror[RNN203]: `h_0` and `c_0` have 2 layers, but this LSTM needs 4\n")
    assert f"  --> {Path(__file__).relative_to(Path.cwd())}:" in err
    assert ", in rnn: LSTM(10, 20, num_layers=2, bidirectional=True)\n" in err


def test_threads_are_diagnosed_too(hooks: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    error = raised(lambda: nn.GRU(10, 20)(torch.randn(5, 3, 7)))
    args = threading.ExceptHookArgs([type(error), error, error.__traceback__, None])
    threading.excepthook(args)
    assert hooks == [f"thread: {error}"]
    assert capsys.readouterr().err.startswith("\nerror[RNN103]: `input` has 7 features")


def test_the_call_is_rebuilt_as_the_layer_received_it() -> None:
    # torch's forward unsqueezes an unbatched input and its states before it checks them
    model = Encoder()
    h = torch.zeros(2, 20)
    report = diagnose_exception(raised(lambda: model(torch.randn(5, 10), (h, h))))
    assert report is not None and report.call is not None
    assert repr(report.call.hx).count("shape=(2, 20)") == 2
    assert [f.code for f in report.errors] == ["RNN203"]


def test_a_direct_forward_call_is_rebuilt_from_its_locals() -> None:
    lstm = nn.LSTM(10, 20)
    report = diagnose_exception(raised(lambda: lstm.forward(torch.randn(5, 3, 7))))
    assert report is not None and [f.code for f in report.errors] == ["RNN103"]


def test_the_cause_of_a_wrapping_error_is_diagnosed() -> None:
    model = Encoder()

    def train() -> None:
        try:
            model(torch.randn(5, 3, 7))
        except RuntimeError as e:
            raise ValueError("epoch 3 failed") from e

    report = diagnose_exception(raised(train))
    assert report is not None and report.first is not None and report.first.code == "RNN103"


def test_errors_from_elsewhere_add_nothing() -> None:
    assert diagnosis_text(raised(lambda: int("x"))) == ""
    assert diagnose_exception(raised(lambda: int("x"))) is None


def test_guard_errors_already_carry_their_diagnosis() -> None:
    lstm = nn.LSTM(10, 20)
    with rnndoctor.guard(lstm):
        error = raised(lambda: lstm(torch.randn(5, 3, 7)))
    assert isinstance(error, rnndoctor.RnnArgumentError)
    assert diagnosis_text(error) == ""  # the layer and the input are made where no source shows it
    assert diagnose_exception(error) is error.report


def test_under_a_guard_error_only_where_the_values_were_made_is_added() -> None:
    lstm = nn.LSTM(10, 20)  # the line a constructor fix points at
    built = sys._getframe().f_lineno - 1
    with rnndoctor.guard(lstm), pytest.raises(rnndoctor.RnnArgumentError) as raised_here:
        lstm(torch.randn(5, 3, 7))
    error = raised_here.value
    added = diagnosis_text(error)
    assert added.startswith("\nrnndoctor: where the values of this RNN103 were made\n")
    assert f"  --> tests/torch/test_postmortem.py:{built}\n" in added
    report = diagnose_exception(error)
    assert report is not None and report.first is not None and error.report.first is not None
    assert report.first.code == "RNN103" and report.first.arguments == error.report.first.arguments


def test_a_valid_call_gets_a_one_line_note() -> None:
    model = Encoder()

    def refuse(module: Any, args: Any) -> None:
        raise RuntimeError("a hook said no")

    model.rnn.register_forward_pre_hook(refuse)
    text = diagnosis_text(raised(lambda: model(torch.randn(5, 3, 10))))
    assert text == ("\nrnndoctor: no argument error found in the call to `rnn`: LSTM(10, 20) "
                    "with input (5, 3, 10)\n")


def test_a_failing_diagnosis_leaves_the_error_alone_with_a_note(
        hooks: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(frames: object) -> None:
        raise KeyError("injected")

    monkeypatch.setattr(postmortem, "_call_in", broken)
    error = raised(lambda: nn.LSTM(10, 20)(torch.randn(5, 3, 7)))
    sys.excepthook(type(error), error, error.__traceback__)
    assert hooks == [f"sys: {error}"]
    assert capsys.readouterr().err == (
        "rnndoctor: could not diagnose this error (KeyError: 'injected'); "
        "the traceback above is unchanged\n")


def test_packing_is_diagnosed_against_the_layer_nearby() -> None:
    class Packing(Encoder):
        def forward(self, x: Any, hx: Any = None) -> Any:
            return self.rnn(pack_padded_sequence(x, [3, 5, 2]), hx)

    x = torch.randn(5, 3, 10)
    report = diagnose_exception(raised(lambda: Packing()(x)))
    expected = rnndoctor.check(nn.LSTM(10, 20), x, lengths=[3, 5, 2])
    assert report is not None and report.call is not None and report.call.lengths is not None
    assert report.call.lengths.values == (3, 5, 2)
    assert [f.code for f in report.errors] == [f.code for f in expected.errors]
    assert all(f.location.module_path == "rnn" for f in report)


def test_packing_without_a_layer_is_judged_alone() -> None:
    error = raised(lambda: pack_padded_sequence(torch.randn(5, 3, 10), [5, 3]))
    report = diagnose_exception(error)
    assert report is not None and report.call is not None and report.call.lengths is not None
    text = diagnosis_text(error)
    assert "torch.nn.utils.rnn.pack_padded_sequence" in text


def test_rank_prefix_starts_every_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postmortem, "rank_prefix", lambda: "[rank 1] ")
    text = diagnosis_text(raised(lambda: nn.GRU(10, 20)(torch.randn(5, 3, 7))))
    lines = [line for line in text.splitlines() if line]
    assert lines and all(line.startswith("[rank 1] ") for line in lines)


SCRIPT = """
import torch
from torch import nn
import rnndoctor

rnndoctor.install()
gru = nn.GRU(10, 20)
gru(torch.randn(5, 3, 10), torch.zeros(2, 3, 20))
"""


def test_an_uncaught_error_in_a_script(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCRIPT))
    done = subprocess.run([sys.executable, "train.py"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 1
    err = done.stderr
    assert err.startswith("Traceback (most recent call last):\n")
    original = err.index("RuntimeError: ")
    diagnosis = err.index("\nerror[RNN")
    assert original < diagnosis
    assert "  --> train.py:8, in GRU(10, 20)\n" in err[diagnosis:]
