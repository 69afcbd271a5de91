"""`check`, `expected_shapes` and `init_hidden` on real modules and tensors."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: E402

import rnndoctor  # noqa: E402

LAYERS = [
    nn.RNN(4, 6), nn.GRU(4, 6, num_layers=2, batch_first=True), nn.LSTM(4, 6, bidirectional=True),
    nn.LSTM(4, 6, proj_size=3, num_layers=2), nn.RNNCell(4, 6), nn.LSTMCell(4, 6), nn.GRUCell(4, 6),
]


def sample_input(layer: nn.Module, batch: int = 3, seq_len: int = 5) -> torch.Tensor:
    if isinstance(layer, nn.RNNCellBase):
        return torch.randn(batch, 4)
    return torch.randn(batch, seq_len, 4) if layer.batch_first else torch.randn(seq_len, batch, 4)


@pytest.mark.parametrize("layer", LAYERS, ids=repr)
def test_init_hidden_states_run_and_match_expected_shapes(layer: nn.Module) -> None:
    x = sample_input(layer).double()
    layer = layer.double()
    hx = rnndoctor.init_hidden(layer, x)
    assert rnndoctor.check(layer, x, hx)
    layer(x, hx)
    states = hx if isinstance(hx, tuple) else (hx,)
    assert all(s.dtype == torch.float64 and not s.any() for s in states)
    shapes = rnndoctor.expected_shapes(layer, batch=3, seq_len=5)
    assert [tuple(s.shape) for s in states] == [shapes[n] for n in ("h_0", "c_0") if n in shapes]


def test_init_hidden_takes_the_batch_of_a_packed_sequence() -> None:
    lstm = nn.LSTM(4, 6)
    packed = pack_padded_sequence(torch.randn(5, 3, 4), [5, 3, 2])
    h_0, c_0 = rnndoctor.init_hidden(lstm, packed)
    assert h_0.shape == c_0.shape == (1, 3, 6)
    assert rnndoctor.check(lstm, packed, (h_0, c_0))
    lstm(packed, (h_0, c_0))


def test_init_hidden_unbatched() -> None:
    gru = nn.GRU(4, 6, num_layers=2)
    x = torch.randn(5, 4)
    h = rnndoctor.init_hidden(gru, x)
    assert h.shape == (2, 6)
    gru(x, h)


@pytest.mark.parametrize("form", ["tensor", "meta", "shape", "size"])
def test_check_accepts_every_input_form(form: str) -> None:
    lstm = nn.LSTM(50, 100)
    x = torch.randn(10, 32, 25)
    value = {"tensor": x, "meta": x.to("meta"), "shape": (10, 32, 25), "size": x.shape}[form]
    report = rnndoctor.check(lstm, value)
    assert not report and report.first is not None and report.first.code == "RNN103"


def test_check_accepts_a_spec_and_a_packed_sequence() -> None:
    layer = rnndoctor.spec("GRU", 4, 6)
    packed = pack_padded_sequence(torch.randn(5, 3, 4), [5, 3, 2])
    assert rnndoctor.check(layer, packed, (1, 3, 6))
    assert not rnndoctor.check(layer, packed, (1, 2, 6))


def test_report_protocol() -> None:
    report = rnndoctor.check(nn.LSTM(50, 100), (10, 32, 25))
    assert not report
    assert list(report) == list(report.findings) and len(report) == 1
    assert str(report).startswith("error[RNN103]: `input` has 25 features")
    with pytest.raises(RuntimeError) as caught:
        report.raise_for_errors()
    assert isinstance(caught.value, rnndoctor.RnnArgumentError)
    assert caught.value.report is report


def test_valid_report_is_truthy_and_says_so() -> None:
    report = rnndoctor.check(nn.LSTM(50, 100), (10, 32, 50))
    assert report and not report.findings
    report.raise_for_errors()
    assert str(report) == "ok: no problems found\n"


def test_check_rejects_what_is_not_a_layer() -> None:
    with pytest.raises(TypeError, match="expected a recurrent layer"):
        rnndoctor.check(nn.Linear(3, 4), (1, 3))


def test_a_shape_with_a_negative_size_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"the shape \(5, -3, 10\) has a negative size"):
        rnndoctor.check(nn.LSTM(10, 20), (5, -3, 10))
