"""One ranking policy for every front end: `check` called from user code, `scan`, and `check` on shapes.

The Python API `check` reads its caller's frames as the post-mortem reads an
uncaught error's; `scan` reads the frames of the model's forward; the CLI's
`check` on shapes has no source and states the default policy.
"""

from __future__ import annotations

import inspect
import os
import runpy
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

import rnndoctor  # noqa: E402
from rnndoctor._runtime.postmortem import diagnose_exception  # noqa: E402
from rnndoctor.cli import main  # noqa: E402

HERE = os.path.relpath(__file__)
MODEL = """\
import torch
from torch import nn


class Tagger(nn.Module):
    def __init__(self, batch_size):
        super().__init__()
        self.batch_size = batch_size
        self.lstm = nn.LSTM(8, 16, batch_first=True)

    def forward(self, x):
        h_0 = torch.zeros(1, self.batch_size, 16)  # root cause
        c_0 = torch.zeros(1, self.batch_size, 16)
        out, _ = self.lstm(x, (h_0, c_0))
        return out
"""
ROOT_CAUSE = 12


def _line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def test_check_from_user_code_ranks_by_the_line_that_built_the_states() -> None:
    lstm = nn.LSTM(8, 16, batch_first=True)
    loader = DataLoader(TensorDataset(torch.randn(70, 5, 8)), batch_size=32)
    states = (torch.zeros(1, 32, 16), torch.zeros(1, 32, 16)); built = _line()  # noqa: E702
    for (x,) in loader:
        report = rnndoctor.check(lstm, x, states)
    first = report.first
    assert first is not None and first.arguments[:2] == ("h_0", "c_0")
    assert first.fixes[0].site == f"{HERE}:{built}"
    assert first.fixes[0].snippet == "states = (torch.zeros(1, x.size(0), 16), torch.zeros(1, x.size(0), 16))"
    assert first.fixes[1].snippet == "DataLoader(..., drop_last=True)"
    assert first.notes[-1].endswith("this batch has 6 = 70 − 2 × 32: the last batch of `loader` "
                                    "(drop_last=False)")


def test_check_names_the_input_first_where_the_loader_never_gives_its_batch() -> None:
    lstm = nn.LSTM(8, 16, batch_first=True)
    loader = DataLoader(TensorDataset(torch.randn(64, 5, 8)), batch_size=32)
    states = (torch.zeros(1, 32, 16), torch.zeros(1, 32, 16))
    first = rnndoctor.check(lstm, torch.randn(16, 5, 8), states).first
    assert first is not None and first.arguments[0] == "input" and loader is not None
    assert first.fixes[0].title == "give `input` batch 32"


def test_check_on_shapes_is_left_as_judged_at_the_call() -> None:
    lstm = nn.LSTM(8, 16, batch_first=True)
    first = rnndoctor.check(lstm, (6, 5, 8), ((1, 32, 16), (1, 32, 16))).first
    assert first is not None and all(f.site is None for f in first.fixes)
    assert not any(" at " + HERE in n for n in first.notes)


def test_scan_ranks_by_the_models_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    monkeypatch.chdir(tmp_path)
    model = runpy.run_path("model.py")["Tagger"](32)
    report = rnndoctor.scan(model, (6, 5, 8))
    first = report.rows[0].findings[0]
    assert first.code == "RNN204" and first.arguments[0] == "h_0"
    assert first.fixes[0].site == f"model.py:{ROOT_CAUSE}"
    assert first.fixes[0].snippet.startswith("h_0 = torch.zeros(1, x.size(0), 16)")  # type: ignore[union-attr]
    assert "`self.batch_size` is 32, set at model.py:8" in first.notes[-1]
    assert f"--> model.py:{ROOT_CAUSE}" in str(report)
    with pytest.raises(RuntimeError) as raised:  # the post-mortem ranks the same failure the same way
        model(torch.randn(6, 5, 8))
    post_mortem = diagnose_exception(raised.value)
    assert post_mortem is not None and post_mortem.first is not None
    assert post_mortem.first.arguments[0] == first.arguments[0]
    assert post_mortem.first.fixes[0].site == first.fixes[0].site


def test_the_cli_check_on_shapes_states_the_default_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "nn.LSTM(8, 16, batch_first=True)", "--input", "6,5,8",
                 "--h0", "1,32,16", "--c0", "1,32,16"]) == 1
    out = capsys.readouterr().out
    assert "error[RNN204]: `h_0` and `c_0` have batch 32, but `input` has batch 6" in out
    assert ("the input comes from the data and the states are built to match it (`h_0` and `c_0` agreeing "
            "on batch 32 is one witness), so `h_0` and `c_0` are ranked as the ones to change") in out
    assert "-->" not in out.split("help:", 1)[1]
