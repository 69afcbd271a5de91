"""`%load_ext rnndoctor` in an in-process IPython shell: the text the user sees."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

torch = pytest.importorskip("torch")
import rnndoctor

interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
displaypub = pytest.importorskip("IPython.core.displaypub")

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
    assert out.endswith("found 1 error\n\n")  # the text/plain of the displayed report


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
    shapes = rnndoctor.expected_shapes(rnndoctor.spec("GRU", 10, 20))
    assert "text/html" not in shell.display_formatter.format(shapes)[0]
    shell.run_cell(BAD_CALL)
    assert "error[RNN" not in capsys.readouterr().out
    shell.run_line_magic("load_ext", "rnndoctor")  # for the fixture's unload


class _Published(displaypub.DisplayPublisher):  # type: ignore[misc]
    """The shell's display publisher, keeping each mimebundle instead of printing it."""

    bundles: list[dict[str, str]]

    def publish(self, data: dict[str, str], *args: Any, **kwargs: Any) -> None:
        self.bundles.append(data)


@pytest.fixture
def published(shell: Any, monkeypatch: pytest.MonkeyPatch) -> _Published:
    published = _Published(shell=shell)
    published.bundles = []
    monkeypatch.setattr(shell, "display_pub", published)
    return published


def test_the_diagnosis_is_displayed_as_html_beside_its_text(
        shell: Any, published: _Published, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("load_ext", "rnndoctor")
    shell.run_cell(BAD_CALL)
    out = capsys.readouterr().out
    assert "RuntimeError: Expected hidden[0] size (2, 3, 20), got [1, 3, 20]\n" in out
    assert "error[RNN203]" not in out  # the traceback's; the diagnosis is the bundle below
    (bundle,) = published.bundles
    assert bundle["text/plain"].startswith("error[RNN203]: `h_0` and `c_0` have 1 layer")
    html = bundle["text/html"]
    assert '<g class="rnnd-cell rnnd-bad" data-tensor="h_0" data-dim="0" data-expected="2" data-actual="1">' in html


def test_a_guard_error_shows_torchs_message_then_the_diagram_once(
        shell: Any, published: _Published, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rnndoctor._runtime.delivery.in_pytest_test", lambda: False)  # as in a notebook
    monkeypatch.setattr("sys.excepthook", sys.excepthook)  # the guard chains a hook onto it
    shell.run_line_magic("load_ext", "rnndoctor")
    result = shell.run_cell(f"import rnndoctor\nwith rnndoctor.guard(lstm):\n    {BAD_CALL}")
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, RuntimeError)
    assert "RuntimeError: Expected hidden[0] size (2, 3, 20), got [1, 3, 20]\n" in out
    assert "error[RNN203]" not in out  # the note is held back while the traceback shows
    (bundle,) = published.bundles
    # ranked by where the states were made (In[1]:3), then the fix at the call
    assert "allocate `h_0` and `c_0` with 2 layers" in bundle["text/plain"] and "<svg" in bundle["text/html"]
    assert "error[RNN203]" in result.error_in_exec.__notes__[0]  # put back afterwards


def test_the_note_put_back_is_the_ranked_diagnosis(
        shell: Any, published: _Published, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After the display, the exception keeps the diagnosis shown: ranked by where the states
    were made, not the one made at the call."""
    monkeypatch.setattr("rnndoctor._runtime.delivery.in_pytest_test", lambda: False)  # as in a notebook
    monkeypatch.setattr("sys.excepthook", sys.excepthook)  # the guard chains a hook onto it
    shell.run_line_magic("load_ext", "rnndoctor")
    result = shell.run_cell(f"import rnndoctor\nwith rnndoctor.guard(lstm):\n    {BAD_CALL}")
    capsys.readouterr()
    (bundle,) = published.bundles
    (note,) = result.error_in_exec.__notes__
    assert "`h_0` and `c_0` are built at In[" in note and "(one witness)" in note
    assert note.strip() == bundle["text/plain"].strip()
    assert result.error_in_exec.report.first.notes == published_first_notes(bundle)


def published_first_notes(bundle: dict[str, str]) -> tuple[str, ...]:
    """The `= note:` lines of the displayed text, as the finding's notes."""
    return tuple(line.split("= note: ", 1)[1] for line in bundle["text/plain"].splitlines()
                 if "= note: " in line and "torch raises" not in line)


def test_a_diagnosis_note_is_held_back_while_the_traceback_shows(
        shell: Any, published: _Published, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("load_ext", "rnndoctor")
    result = shell.run_cell("import rnndoctor\n"
                   "try:\n"
                   f"    {BAD_CALL}\n"
                   "except RuntimeError as e:\n"
                   "    e.add_note(str(rnndoctor._runtime.postmortem.diagnose_exception(e)))\n"
                   "    e.add_note('a note of the user')\n"
                   "    raise")
    out = capsys.readouterr().out
    assert "error[RNN203]" not in out and "a note of the user" in out
    assert published.bundles and "<svg" in published.bundles[0]["text/html"]
    assert result.error_in_exec.__notes__[0].startswith("error[RNN203]")  # put back


def test_a_display_that_fails_is_one_line(shell: Any, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    def broken(report: object) -> None:
        raise RuntimeError("no display here")

    monkeypatch.setattr("rnndoctor._runtime.notebook.display_report", broken)
    shell.run_line_magic("load_ext", "rnndoctor")
    shell.run_cell(BAD_CALL)
    out = capsys.readouterr().out
    assert "RuntimeError: Expected hidden[0] size (2, 3, 20), got [1, 3, 20]\n" in out
    assert out.endswith("rnndoctor: could not display the diagnosis (RuntimeError); "
                        "the traceback above is unchanged\n")


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
