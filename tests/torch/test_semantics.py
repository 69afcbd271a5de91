"""Semantic mode's machinery: the batch evidence (RNN106), sort orders (RNN507), and its costs.

Each pattern's proof runs real torch: the flagged code and the fixed code give
different numbers on the same data, the flagged code warns, and the fixed
code does not.
"""

from __future__ import annotations

import gc
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from torch.utils.data import DataLoader, TensorDataset

import rnndoctor
from rnndoctor import RnnDoctorWarning
from rnndoctor._runtime import semantics as _semantics


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    """Warnings are shown once per code and line in a process: start each test afresh."""
    _semantics._state.warned.clear()
    _semantics._state.findings.clear()
    yield


def codes(run: Callable[[], Any], model: Any = None) -> list[str]:
    """The codes semantic mode warns about while `run()` runs under the guard."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with rnndoctor.guard(model, semantics=True):
            run()
    return [str(w.message).split("]")[0].split("[")[1] for w in caught
            if issubclass(w.category, RnnDoctorWarning)]


# ---- RNN106: the DataLoader's batch size against the layer's batch axis ------------------

TOKENS = TensorDataset(torch.randint(0, 50, (70, 12)))


class Classifier(nn.Module):
    def __init__(self, batch_first: bool, transpose: bool = False) -> None:
        super().__init__()
        self.transpose = transpose
        self.embed = nn.Embedding(50, 8)
        self.rnn = nn.GRU(8, 16, batch_first=batch_first)

    def forward(self, tokens: Any) -> Any:
        x = self.embed(tokens)
        if self.transpose:
            x = x.transpose(0, 1)
        _, h_n = self.rnn(x)
        return h_n[-1]


def each_batch(model: nn.Module, loader: DataLoader) -> Callable[[], None]:  # type: ignore[type-arg]
    def run() -> None:
        for (tokens,) in loader:
            model(tokens)
    return run


def test_rnn106_a_batch_first_batch_into_a_time_major_layer() -> None:
    torch.manual_seed(0)
    wrong, right = Classifier(batch_first=False), Classifier(batch_first=False, transpose=True)
    right.load_state_dict(wrong.state_dict())
    tokens = next(iter(DataLoader(TOKENS, batch_size=32)))[0]
    assert wrong(tokens).shape != right(tokens).shape  # one summary per step, not per sample
    assert codes(each_batch(wrong, DataLoader(TOKENS, batch_size=32)), wrong) == ["RNN106"]
    assert codes(each_batch(right, DataLoader(TOKENS, batch_size=32)), right) == []


def test_rnn106_a_time_major_batch_into_a_batch_first_layer() -> None:
    sequences = [torch.randn(5, 8) for _ in range(40)]
    loader = DataLoader(sequences, batch_size=16, collate_fn=pad_sequence)  # (L, N, 8)
    gru = nn.GRU(8, 16, batch_first=True)
    assert codes(lambda: [gru(x) for x in loader], gru) == ["RNN106"]
    gru_time_major = nn.GRU(8, 16)
    assert codes(lambda: [gru_time_major(x) for x in loader], gru_time_major) == []


@pytest.mark.parametrize("loader", [
    DataLoader(TensorDataset(torch.randint(0, 50, (70, 32))), batch_size=32),  # L == N: no evidence
    DataLoader(TOKENS, batch_size=100),  # one smaller batch: no axis has the batch size
    DataLoader(TOKENS, batch_size=None),  # no batching
], ids=["seq-len-equals-batch", "short-last-batch", "unbatched-loader"])
def test_rnn106_stays_silent_without_evidence(loader: DataLoader) -> None:  # type: ignore[type-arg]
    model = Classifier(batch_first=False)

    def run() -> None:
        for (tokens,) in loader:
            model(tokens if tokens.ndim == 2 else tokens.unsqueeze(1))
    assert codes(run, model) == []


# ---- RNN507: a batch sorted by hand for packing ------------------------------------------

LSTM = nn.LSTM(10, 20, batch_first=True)
X = torch.randn(4, 6, 10)
LENGTHS = torch.tensor([2, 6, 3, 5])


def sorted_by_hand(undo: bool = False, labels_too: bool = False) -> Any:
    sorted_lengths, order = LENGTHS.sort(descending=True)
    packed = pack_padded_sequence(X[order], sorted_lengths, batch_first=True)
    _, (h_n, _) = LSTM(packed)
    if labels_too:
        torch.arange(4)[order]
    return h_n[-1][order.argsort()] if undo else h_n[-1]


def packed_unsorted() -> Any:
    packed = pack_padded_sequence(X, LENGTHS, batch_first=True, enforce_sorted=False)
    _, (h_n, _) = LSTM(packed)
    return h_n[-1]


def test_rnn507_proof() -> None:
    with torch.no_grad():
        assert not torch.allclose(sorted_by_hand(), packed_unsorted())
        assert torch.allclose(sorted_by_hand(undo=True), packed_unsorted(), atol=1e-6)
    assert codes(sorted_by_hand, LSTM) == ["RNN507"]
    assert codes(packed_unsorted, LSTM) == []


@pytest.mark.parametrize("run", [lambda: sorted_by_hand(undo=True),
                                 lambda: sorted_by_hand(labels_too=True)],
                         ids=["undone", "labels-sorted-too"])
def test_rnn507_stays_silent_when_the_order_is_kept_track_of(run: Callable[[], Any]) -> None:
    assert codes(run, LSTM) == []


def test_rnn507_waits_while_the_order_lives() -> None:
    kept: list[Any] = []

    def run() -> None:
        sorted_lengths, order = LENGTHS.sort(descending=True)
        LSTM(pack_padded_sequence(X[order], sorted_lengths, batch_first=True))
        kept.append(order)  # it may still be undone after the guard
    assert codes(run, LSTM) == []


# ---- the machinery -------------------------------------------------------------------------

def test_tracking_keeps_no_tensor_alive() -> None:
    lstm = nn.LSTM(4, 8, bidirectional=True)
    with rnndoctor.guard(lstm, semantics=True):
        output, (h_n, c_n) = lstm(torch.randn(3, 2, 4))
        refs = [weakref.ref(t) for t in (output, h_n, c_n, output.contiguous())]
        assert len(_semantics._state.tags) >= 3
        del output, h_n, c_n
        gc.collect()
        assert all(r() is None for r in refs)
        assert not _semantics._state.tags
    assert not _semantics._state.tags


def test_results_are_unchanged() -> None:
    torch.manual_seed(0)
    lstm = nn.LSTM(4, 8, batch_first=True, bidirectional=True)
    x = torch.randn(3, 5, 4, requires_grad=True)
    bare = lstm(x)[0][:, -1].sum()
    bare.backward()
    grad, x.grad = x.grad.clone(), None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RnnDoctorWarning)
        with rnndoctor.guard(lstm, semantics=True):
            guarded = lstm(x)[0][:, -1].sum()
            guarded.backward()
    assert torch.equal(bare, guarded) and torch.equal(grad, x.grad)


@pytest.mark.parametrize("part", ["_judged", "_tag_of", "_results"])
def test_a_failure_of_ours_is_one_note_and_the_program_goes_on(monkeypatch: pytest.MonkeyPatch,
                                                               part: str) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("injected")
    monkeypatch.setattr(_semantics, part, broken)
    lstm = nn.LSTM(4, 8, batch_first=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with rnndoctor.guard(lstm, semantics=True):
            output, _ = lstm(torch.randn(3, 5, 4))
            last = output[-1]
            output[:, -1]
    assert last.shape == (5, 8)
    messages = [str(w.message) for w in caught]
    assert messages == ["rnndoctor's semantic check failed (RuntimeError: injected); the program "
                        "runs on, with this use unchecked"]


def test_the_mode_is_gone_after_the_guard() -> None:
    lstm = nn.LSTM(4, 8, batch_first=True)
    with rnndoctor.guard(lstm, semantics=True):
        assert torch.overrides._get_current_function_mode_stack()
    assert not torch.overrides._get_current_function_mode_stack()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output, _ = lstm(torch.randn(3, 5, 4))
        output[-1]
    assert not caught


# ---- a use that waits: what settles it, and what does not ---------------------------------

BI = nn.LSTM(4, 3, batch_first=True, bidirectional=True)


def bidirectional(use: Callable[[Any, Any], Any]) -> Callable[[], None]:
    def run() -> None:
        output, (h_n, _) = BI(torch.randn(2, 5, 4))
        use(output, h_n)
    return run


@pytest.mark.parametrize(("use", "expected"), [
    (lambda out, h: out[:, -1].split(3, -1)[0], []),
    (lambda out, h: out[:, -1].chunk(2, dim=-1), []),
    (lambda out, h: out[:, -1][:, :3], []),
    (lambda out, h: out[:, -1][:, 1:5], ["RNN502"]),  # features 3 and 4 are backward
    (lambda out, h: out[:, -1].split(2, -1), ["RNN502"]),
    (lambda out, h: torch.add(h[-2], h[-1]), []),
    (lambda out, h: torch.cat([h[-2].detach(), F.dropout(h[-1])], dim=-1), []),
    (lambda out, h: h[-1] * 2, ["RNN504"]),
    (lambda out, h: torch.cat([h[-1], h[-1]], dim=-1), ["RNN504"]),
], ids=["split", "chunk", "forward-slice", "slice-into-backward", "split-not-by-direction", "add",
        "detach-and-dropout", "scaled", "twice-itself"])
def test_what_settles_a_waiting_use(use: Callable[[Any, Any], Any], expected: list[str]) -> None:
    assert codes(bidirectional(use), BI) == expected


def test_rnn501_on_a_time_major_output_proof() -> None:
    """`output[:, -1]` copied from batch-first code: with L == N the shapes even agree."""
    torch.manual_seed(0)
    gru = nn.GRU(4, 3)
    x = torch.randn(5, 5, 4)  # L == N == 5
    with torch.no_grad():
        output, h_n = gru(x)
        assert output[:, -1].shape == output[-1].shape
        assert not torch.allclose(output[:, -1], output[-1])
        assert torch.allclose(output[-1], h_n[-1])
    assert codes(lambda: gru(x)[0][:, -1], gru) == ["RNN501"]
    assert codes(lambda: gru(x)[0][-1], gru) == []


def test_warnings_filtered_as_errors_raise_in_the_program() -> None:
    lstm = nn.LSTM(4, 8, batch_first=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RnnDoctorWarning)
        with rnndoctor.guard(lstm, semantics=True):
            output, _ = lstm(torch.randn(3, 5, 4))
            with pytest.raises(RnnDoctorWarning, match=r"warning\[RNN501\]"):
                output[-1]


# ---- what the review found: scope, threads, and when waiting uses are settled ------------

def test_rnn507_filtered_as_an_error_raises_in_the_program() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RnnDoctorWarning)
        with pytest.raises(RnnDoctorWarning, match=r"warning\[RNN507\]"):
            with rnndoctor.guard(LSTM, semantics=True):
                sorted_by_hand()


@pytest.mark.parametrize("route", [lambda y, order: y.gather(0, order),
                                   lambda y, order: y[order.clone()],
                                   lambda y, order: [y[i] for i in order.tolist()]],
                         ids=["gather", "clone", "tolist"])
def test_rnn507_is_silent_once_the_order_goes_where_it_cannot_be_followed(
        route: Callable[[Any, Any], Any]) -> None:
    def run() -> None:
        sorted_lengths, order = LENGTHS.sort(descending=True)
        LSTM(pack_padded_sequence(X[order], sorted_lengths, batch_first=True))
        route(torch.arange(4), order)
    assert codes(run, LSTM) == []


class TwoEncoders(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.GRU(3, 6, bidirectional=True, batch_first=True)
        self.b = nn.GRU(3, 6, bidirectional=True, batch_first=True)

    def forward(self, x: Any) -> Any:
        _, h_a = self.a(x)
        forward, backward = h_a[-2], h_a[-1]
        _, h_b = self.b(x)  # another layer's call: h_a's halves still wait for each other
        return torch.cat([forward, backward, h_b[-2], h_b[-1]], dim=1)


def test_a_partner_is_awaited_across_another_layers_call() -> None:
    model = TwoEncoders()
    assert codes(lambda: model(torch.randn(2, 5, 3)), model) == []


def test_a_nested_guard_leaves_the_outer_ones_waiting_uses() -> None:
    model = TwoEncoders()

    def run() -> None:
        _, h = model.a(torch.randn(2, 5, 3))
        backward = h[-1]
        with rnndoctor.guard(model.b, semantics=True):
            pass
        torch.cat([h[-2], backward], dim=1)
    assert codes(run, model) == []


def test_only_the_guarded_model_is_judged() -> None:
    guarded, other = nn.GRU(3, 6, batch_first=True), nn.LSTM(3, 6, batch_first=True)

    def run() -> None:
        other(torch.randn(4, 5, 3))[0][-1]
        guarded(torch.randn(4, 5, 3))[0][-1]
    assert codes(run, guarded) == ["RNN501"]
    assert [f.location.module_repr for f in _semantics.collected()] == [
        "GRU(3, 6, batch_first=True)"]


def test_another_threads_calls_neither_track_nor_settle() -> None:
    encoder = nn.GRU(3, 6, bidirectional=True, batch_first=True)
    with rnndoctor.guard():  # every layer, so that the other thread's one is guarded too
        def run() -> None:
            _, h = encoder(torch.randn(4, 5, 3))
            backward = h[-1]
            worker = threading.Thread(target=lambda: encoder(torch.randn(4, 5, 3)))
            worker.start()
            worker.join()
            torch.cat([h[-2], backward], dim=1)
        assert codes(run) == []


@pytest.mark.parametrize("use", [lambda out: out.select(0, -1), lambda out: torch.select(out, 0, 3),
                                 lambda out: out[np.int64(-1)], lambda out: out[torch.tensor(-1)]],
                         ids=["select", "torch.select", "numpy-int", "0-d-tensor"])
def test_other_spellings_of_a_subscript(use: Callable[[Any], Any]) -> None:
    lstm = nn.LSTM(4, 8, batch_first=True)
    assert codes(lambda: use(lstm(torch.randn(4, 5, 4))[0]), lstm) == ["RNN501"]


def test_rnn106_finds_tensors_nested_in_the_batch() -> None:
    model = Classifier(batch_first=False)
    loader = DataLoader(TOKENS, batch_size=32, collate_fn=lambda b: ((torch.stack([t for (t,) in b]),),))

    def run() -> None:
        for ((tokens,),) in loader:
            model(tokens)
    assert codes(run, model) == ["RNN106"]


def test_rnn505_fix_keeps_the_shape_the_view_asked_for() -> None:
    lstm = nn.LSTM(6, 4, bidirectional=True)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with rnndoctor.guard(lstm, semantics=True):
            output, _ = lstm(torch.randn(5, 3, 6))
            output.view(3, 5, 2, 4)
    (finding,) = _semantics.collected()
    assert finding.fixes[0].snippet == "output.transpose(0, 1).reshape(3, 5, 2, -1)"
    assert output.transpose(0, 1).reshape(3, 5, 2, -1).shape == (3, 5, 2, 4)
