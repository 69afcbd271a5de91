"""`%load_ext rnndoctor` in an in-process IPython shell: the text the user sees."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

torch = pytest.importorskip("torch")
interactiveshell = pytest.importorskip("IPython.core.interactiveshell")

SETUP = """\
import torch
from torch import nn
lstm = nn.LSTM(10, 20, num_layers=2)
x = torch.randn(5, 3, 10)
"""
BAD_CALL = "output, (h_n, c_n) = lstm(x, (torch.zeros(1, 3, 20), torch.zeros(1, 3, 20)))"


@pytest.fixture
def shell() -> Iterator[Any]:
    shell = interactiveshell.InteractiveShell.instance(colors="nocolor")
    shell.run_cell(SETUP)
    yield shell
    shell.run_line_magic("unload_ext", "rnndoctor")
    interactiveshell.InteractiveShell.clear_instance()


def test_load_ext_prints_the_diagnosis_under_the_traceback(
        shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("load_ext", "rnndoctor")
    result = shell.run_cell(BAD_CALL)
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, RuntimeError)
    traceback_end = out.index("RuntimeError: Expected hidden[0] size (2, 3, 20), got [1, 3, 20]\n")
    diagnosis = out.index("\nerror[RNN203]: `h_0` and `c_0` have 1 layer, but this LSTM needs 2\n")
    assert traceback_end < diagnosis
    assert "  --> In[1]:1, in LSTM(10, 20, num_layers=2)\n" in out
    assert out.endswith("found 1 error\n")


def test_other_errors_look_as_before(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_cell("1 / 0")
    before = capsys.readouterr().out
    shell.run_cell("def f(:")
    syntax_before = capsys.readouterr().out
    shell.run_line_magic("load_ext", "rnndoctor")
    shell.run_cell("1 / 0")
    assert capsys.readouterr().out == before
    shell.run_cell("def f(:")
    assert capsys.readouterr().out == syntax_before


def test_unload_ext_restores_the_shell(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    handler, types = shell.CustomTB, shell.custom_exceptions
    shell.run_line_magic("load_ext", "rnndoctor")
    assert shell.custom_exceptions != types
    shell.run_line_magic("unload_ext", "rnndoctor")
    assert (shell.CustomTB, shell.custom_exceptions) == (handler, types)
    shell.run_cell(BAD_CALL)
    assert "error[RNN" not in capsys.readouterr().out
    shell.run_line_magic("load_ext", "rnndoctor")  # for the fixture's unload


@pytest.mark.parametrize("cell", [f"rnndoctor.watch(lstm)\n{BAD_CALL}",
                                  f"with rnndoctor.guard(lstm):\n    {BAD_CALL}"],
                         ids=["watch", "guard"])
def test_under_the_guard_torchs_error_shows_with_the_diagnosis(
        shell: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        cell: str) -> None:
    monkeypatch.setattr("rnndoctor._runtime.delivery.in_pytest_test", lambda: False)  # as in a notebook
    monkeypatch.setattr("sys.excepthook", sys.excepthook)  # the guard chains a hook onto it
    shell.run_cell("import rnndoctor")
    result = shell.run_cell(cell)
    shell.run_cell("rnndoctor.unwatch(lstm)" if "watch" in cell else "")
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, RuntimeError)
    assert isinstance(result.error_in_exec, rnndoctor_error())
    message = out.index("RuntimeError: Expected hidden[0] size (2, 3, 20), got [1, 3, 20]\n")
    diagnosis = out.index("\nerror[RNN203]: `h_0` and `c_0` have 1 layer, but this LSTM needs 2\n")
    assert message < diagnosis
    assert "guard.py" not in out  # rnndoctor's frames are skipped
    assert out.rstrip().endswith("found 1 error")


def rnndoctor_error() -> type[Exception]:
    from rnndoctor import RnnArgumentError

    return RnnArgumentError
