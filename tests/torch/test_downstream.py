"""A torch function failing on a recurrent layer's result, explained in the layer's terms.

Torch raises its own error, unchanged (type and message, checked against the
same call run without rnndoctor); under `guard(semantics=True)` the
post-mortem's text then names the layer that produced the operand, the
operand's layout, what the function reads there, and a change that torch
accepts (run here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

import rnndoctor
from rnndoctor._runtime import postmortem

N, L, H, C = 2, 7, 4, 5


def failure(run: Callable[[], Any]) -> Exception:
    with pytest.raises(Exception) as caught:
        run()
    return caught.value


def guarded(layer: Any, run: Callable[[], Any]) -> Exception:
    with rnndoctor.guard(layer, semantics=True):
        return failure(run)


def test_cross_entropy_on_a_batch_first_output_through_a_linear() -> None:
    torch.manual_seed(0)
    lstm, fc = nn.LSTM(3, H, batch_first=True), nn.Linear(H, C)
    x, y = torch.randn(N, L, 3), torch.randint(0, C, (N, L))

    def run() -> Any:
        out, _ = lstm(x)
        return F.cross_entropy(fc(out), y)

    bare, seen = failure(run), guarded(lstm, run)
    assert type(seen) is type(bare) and str(seen) == str(bare)
    text = postmortem.diagnosis_text(seen)
    assert "`cross_entropy` failed on a tensor a recurrent layer returned" in text
    assert "LSTM(3, 4, batch_first=True)" in text
    assert "(N=2, L=7, F=5), batch-first" in text
    assert "`logits.transpose(1, 2)`" in text
    out, _ = lstm(x)
    F.cross_entropy(fc(out).transpose(1, 2), y)  # the change torch accepts


def test_ctc_loss_on_a_batch_first_output() -> None:
    torch.manual_seed(0)
    lstm = nn.LSTM(3, C, batch_first=True)
    x = torch.randn(N, L, 3)
    targets, target_lengths = torch.randint(1, C, (N, 3)), torch.full((N,), 3)
    input_lengths = torch.full((N,), L)

    def run() -> Any:
        log_probs = lstm(x)[0].log_softmax(2)
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths)

    bare, seen = failure(run), guarded(lstm, run)
    assert type(seen) is type(bare) and str(seen) == str(bare)
    text = postmortem.diagnosis_text(seen)
    assert "`ctc_loss` failed" in text and "`log_probs.transpose(0, 1)`" in text
    F.ctc_loss(lstm(x)[0].log_softmax(2).transpose(0, 1), targets, input_lengths, target_lengths)


def test_bmm_on_a_time_major_output() -> None:
    torch.manual_seed(0)
    gru = nn.GRU(3, H)
    x, query = torch.randn(L, N, 3), torch.randn(N, H, 1)

    def run() -> Any:
        memory, _ = gru(x)  # (L, N, H), used as if (N, L, H)
        return torch.bmm(memory, query)

    bare, seen = failure(run), guarded(gru, run)
    assert type(seen) is type(bare) and str(seen) == str(bare)
    text = postmortem.diagnosis_text(seen)
    assert "`bmm` failed" in text and "time-major" in text and "`output.transpose(0, 1)`" in text
    torch.bmm(gru(x)[0].transpose(0, 1), query)


def test_a_failure_on_other_tensors_is_not_explained() -> None:
    lstm = nn.LSTM(3, H)

    def run() -> Any:
        lstm(torch.randn(L, N, 3))
        return torch.bmm(torch.randn(2, 3, 4), torch.randn(2, 5, 6))

    assert postmortem.diagnosis_text(guarded(lstm, run)) == ""


def test_without_semantic_mode_nothing_is_kept() -> None:
    lstm, fc = nn.LSTM(3, H, batch_first=True), nn.Linear(H, C)

    def run() -> Any:
        out, _ = lstm(torch.randn(N, L, 3))
        return F.cross_entropy(fc(out), torch.randint(0, C, (N, L)))

    with rnndoctor.guard(lstm):
        assert postmortem.diagnosis_text(failure(run)) == ""


def test_rnndoctor_run_prints_it_under_torch_s_traceback(tmp_path: Any) -> None:
    import subprocess
    import sys

    program = tmp_path / "train.py"
    program.write_text("import torch\nfrom torch import nn\nfrom torch.nn import functional as F\n"
                       "lstm, fc = nn.LSTM(3, 4, batch_first=True), nn.Linear(4, 5)\n"
                       "out, _ = lstm(torch.randn(2, 7, 3))\n"
                       "F.cross_entropy(fc(out), torch.randint(0, 5, (2, 7)))\n")
    done = subprocess.run([sys.executable, "-m", "rnndoctor", "run", "--semantics", str(program)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    torch_line = "RuntimeError: Expected target size [2, 5], got [2, 7]"
    assert torch_line in done.stderr
    after = done.stderr.split(torch_line, 1)[1]
    assert "rnndoctor: `cross_entropy` failed on a tensor a recurrent layer returned" in after
    assert "(N=2, L=7, F=5), batch-first" in after
