"""`pytest --rnndoctor`: the guard for a whole test session, and the diagnosis in failure reports."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

pytest_plugins = ["pytester"]

TESTS = """
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(10, 20)

    def forward(self, x, lengths=None):
        if lengths is not None:
            x = pack_padded_sequence(x, lengths)
        return self.rnn(x, torch.zeros(2, 3, 20))


def test_bad_state():
    Encoder()(torch.randn(5, 3, 10))


def test_bad_lengths():
    Encoder()(torch.randn(5, 3, 10), [5, 3])


def test_patched():
    assert nn.GRU.forward.__module__ == "torch.nn.modules.rnn"
    assert (nn.GRU.forward.__code__.co_filename.endswith("guard.py")) == GUARDED
"""


def run(pytester: pytest.Pytester, *args: str, guarded: bool) -> pytest.RunResult:
    pytester.makepyfile(test_model=TESTS.replace("GUARDED", str(guarded)))
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_without_the_option_the_plugin_does_nothing(pytester: pytest.Pytester) -> None:
    result = run(pytester, guarded=False)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["E * RuntimeError: Expected hidden size (1, 3, 20), got *"])
    result.stdout.no_fnmatch_line("*rnndoctor diagnosis*")
    result.stdout.no_fnmatch_line("*RnnArgumentError*")


def test_the_option_keeps_torchs_error_and_adds_the_diagnosis(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--rnndoctor", "-k", "state or patched", guarded=True)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "E * RuntimeError: Expected hidden size (1, 3, 20), got [[]2, 3, 20]",
        "*- rnndoctor diagnosis -*",
        "error[[]RNN203]: `h_0` has 2 layers, but this GRU needs 1",
        "  --> test_model.py:14, in rnn: GRU(10, 20)",
        "*short test summary info*",
        "FAILED test_model.py::test_bad_state - RuntimeError: Expected hidden size*",
    ])
    result.stdout.no_fnmatch_line("*RnnArgumentError*")
    result.stdout.no_fnmatch_line("*guard.py*")  # rnndoctor's frames are not shown


IN_A_TEST = """
import torch
from torch import nn

import rnndoctor


def test_guarded_here():
    gru = nn.GRU(10, 20)
    with rnndoctor.guard(gru):
        gru(torch.randn(5, 3, 7))
"""


@pytest.mark.parametrize("tb", ["auto", "native"])
def test_a_guard_in_a_test_adds_the_diagnosis_without_the_option(pytester: pytest.Pytester,
                                                                  tb: str) -> None:
    pytester.makepyfile(test_here=IN_A_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", f"--tb={tb}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*RuntimeError: input.size(-1) must be equal to input_size. Expected 10, got 7",
        "*- rnndoctor diagnosis -*",
        "error[[]RNN103]: `input` has 7 features, but this GRU expects 10",
        "  --> test_here.py:10, in GRU(10, 20)",
    ])
    result.stdout.no_fnmatch_line("*guard.py*")


def test_a_packing_error_gets_the_diagnosis_at_the_pack_call(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--rnndoctor", "-k", "lengths", guarded=True)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "E * RuntimeError: Expected `len(lengths)` to be equal to batch_size, but got 2 *",
        "*- rnndoctor diagnosis -*",
        "error[[]RNN403]: `lengths` has 2 entries, but `input` has batch 3",
        "  --> test_model.py:13, in torch.nn.utils.rnn.pack_padded_sequence",
    ])
    result.stdout.no_fnmatch_line("*packing.py*")  # rnndoctor's frames are not shown


def test_the_option_is_in_the_help(pytester: pytest.Pytester) -> None:
    pytester.runpytest("--help").stdout.fnmatch_lines(["rnndoctor:", "*--rnndoctor*"])


SEMANTIC = """
import torch
from torch import nn


def test_uses_h_n():
    lstm = nn.LSTM(4, 8, bidirectional=True)
    _, (h_n, _) = lstm(torch.randn(5, 3, 4))
    assert h_n[-1].shape == (3, 8)
"""


@pytest.mark.parametrize("option", ["--rnndoctor", "--rnndoctor-semantics"])
def test_semantic_warnings_land_in_the_warnings_summary(pytester: pytest.Pytester,
                                                        option: str) -> None:
    pytester.makepyfile(test_semantic=SEMANTIC)
    result = pytester.runpytest("-p", "no:cacheprovider", option)
    result.assert_outcomes(passed=1)
    if option == "--rnndoctor":
        result.stdout.no_fnmatch_line("*RNN504*")
    else:
        result.stdout.fnmatch_lines([
            "*warnings summary*",
            "test_semantic.py::test_uses_h_n",
            "*test_semantic.py:8: RnnDoctorWarning: warning[[]RNN504]: `h_n[[]-1]` is the backward*",
        ])


TWO = """
import torch
from torch import nn


def test_a_buggy():
    lstm = nn.LSTM(3, 4, bidirectional=True, batch_first=True)
    out, (h, c) = lstm(torch.randn(2, 5, 3))
    assert h[-1].shape == (2, 4)


def test_b_correct():
    gru = nn.GRU(3, 4, batch_first=True)
    out, h = gru(torch.randn(2, 5, 3))
    assert out[:, -1].shape == (2, 4)
"""


@pytest.mark.parametrize("error", [False, True], ids=["warning", "error"])
def test_a_waiting_use_is_charged_to_its_own_test(pytester: pytest.Pytester, error: bool) -> None:
    pytester.makepyfile(test_two=TWO)
    flags = ["-W", "error::rnndoctor.RnnDoctorWarning"] if error else []
    result = pytester.runpytest("-p", "no:cacheprovider", "--rnndoctor-semantics", *flags)
    if error:
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(["FAILED test_two.py::test_a_buggy - *RNN504*"])
    else:
        result.assert_outcomes(passed=2)
        result.stdout.fnmatch_lines(["test_two.py::test_a_buggy", "*warning[[]RNN504]*"])
        result.stdout.no_fnmatch_line("test_two.py::test_b_correct")
    assert result.ret == (1 if error else 0)
