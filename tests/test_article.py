"""The three examples of the article rnndoctor started from, run for real."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import rnndoctor  # noqa: E402


def test_example_1_feature_size() -> None:
    lstm = nn.LSTM(input_size=50, hidden_size=100, num_layers=1, batch_first=False)
    input_seq = torch.randn(10, 32, 25)
    with pytest.raises(RuntimeError):
        lstm(input_seq)
    report = rnndoctor.check(lstm, input_seq)
    first = report.first
    assert first is not None and first.code == "RNN103"
    assert first.arguments[0] == "input"
    features = [d for d in first.dims if d.tensor == "input" and d.symbol == "H_in"]
    assert [(d.expected, d.actual) for d in features] == [(50, 25)]


def test_example_2_batch_offers_both_fixes() -> None:
    lstm = nn.LSTM(input_size=50, hidden_size=100, num_layers=1, batch_first=False)
    input_seq = torch.randn(10, 16, 50)
    h0, c0 = torch.randn(1, 32, 100), torch.randn(1, 32, 100)
    with pytest.raises(RuntimeError):
        lstm(input_seq, (h0, c0))
    report = rnndoctor.check(lstm, input_seq, (h0, c0))
    first = report.first
    assert first is not None and first.code == "RNN204"
    titles = [fix.title for fix in first.fixes]
    assert titles[-2:] == ["build the states for batch 16", "give `input` batch 32"]
    # called from here, check reads this function's source: the first fix edits the line that built the states
    built = next(i for i, line in enumerate(Path(__file__).read_text().splitlines(), 1)
                 if line.strip().startswith("h0, c0 = torch.randn(1, 32, 100)"))
    assert first.fixes[0].site is not None and first.fixes[0].site.endswith(f"test_article.py:{built}")
    assert first.fixes[0].snippet is not None and "input_seq.size(1)" in first.fixes[0].snippet
    assert first.arguments[:2] == ("h_0", "c_0")
    # the evidence for the ranking: h_0 and c_0 are one witness against the data
    assert any("the input comes from the data" in note for note in first.notes)


def test_example_3_is_valid_and_shapes_are_right() -> None:
    lstm = nn.LSTM(input_size=50, hidden_size=100, num_layers=2, bidirectional=True,
                   batch_first=True)
    input_seq = torch.randn(32, 10, 50)
    output, (hn, cn) = lstm(input_seq)  # missing states default to zeros: this is valid
    report = rnndoctor.check(lstm, input_seq)
    assert report and not report.errors
    shapes = rnndoctor.expected_shapes(lstm, batch=32, seq_len=10)
    assert shapes["output"] == tuple(output.shape) == (32, 10, 200)
    assert shapes["h_n"] == tuple(hn.shape) == (4, 32, 100)
    assert shapes["c_n"] == tuple(cn.shape) == (4, 32, 100)
