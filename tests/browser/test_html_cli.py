"""`--format html` on check, explain, scan and every other command; `check --open`."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnndoctor import cli
from rnndoctor.render.output import html_page

from .cases import EVIL


def test_check_writes_one_page(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "nn.LSTM(50, 100)", "--input", "10,32,25", "--format", "html"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("<!DOCTYPE html>") and out.count("<svg") == 1 and "RNN103" in out


def test_explain_writes_one_page(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["explain", "Expected hidden[0] size (4, 32, 100), got [2, 32, 100]",
                     "--format", "html"])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("<!DOCTYPE html>") and "RNN203" in out
    assert "recognised: <code>fwd.hidden_size</code>" in out


def test_a_pasted_message_is_escaped_on_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["explain", f"RuntimeError: {EVIL}", "--format", "html"])
    out = capsys.readouterr().out
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_commands_without_a_diagram_write_their_text_as_a_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules", "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "RNN203" in out and "<svg" not in out


def test_check_open_writes_the_page_and_opens_it(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    code = cli.main(["check", "nn.LSTM(50, 100)", "--input", "10,32,25", "--open"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out.startswith("error[RNN103]")
    path = Path(captured.err.removeprefix("rnndoctor: opened ").strip())
    try:
        assert opened == [path.as_uri()]
        assert path.read_text().startswith("<!DOCTYPE html>") and "<svg" in path.read_text()
    finally:
        path.unlink()


def test_a_page_without_html_still_escapes() -> None:
    page = html_page(EVIL, "rules")
    assert "<script>" not in page and "&lt;script&gt;" in page


MODEL = """\
from torch import nn


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.LSTM(50, 100, batch_first=True, bidirectional=True)
        self.decoder = nn.LSTM(100, 100, batch_first=True)

    def forward(self, x):
        return self.decoder(self.encoder(x)[0])[0]


def build():
    return Seq2Seq()
"""


def test_scan_writes_one_page_with_the_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "seq2seq.py"
    model.write_text(MODEL)
    code = cli.main(["scan", f"{model}:build", "--input", "32,10,50", "--format", "html"])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("<!DOCTYPE html>")
    assert '<g class="rnnd-link rnnd-bad" data-label="(32, 10, 200)">' in out
    assert out.count("<svg") == 2  # the chain, and the failing call's diagram
