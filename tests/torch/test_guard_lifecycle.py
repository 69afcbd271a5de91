"""The guard's registry across threads, and when it lets go of torch's forwards.

The registry is read and added to without a lock by the patched forwards of
other threads. The regression tests force the one interleaving that broke it,
at a fixed point: another thread's call adds a layer to the registry while a
guard's exit walks it. The stress test under `-m slow` does the same by
chance, for a while.
"""

from __future__ import annotations

import gc
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import rnndoctor
from rnndoctor._runtime import guard as guard_module  # noqa: E402

ORIGINAL = nn.LSTM.forward


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    yield
    assert nn.LSTM.forward is ORIGINAL
    assert not guard_module._registry.states


class _Planted(guard_module._Watched):
    """A registry entry whose watchers, when read, let a paused call elsewhere go on."""

    def __init__(self, iterating: threading.Event, inserted: threading.Event) -> None:
        super().__init__()
        self._iterating, self._inserted = iterating, inserted

    @property  # type: ignore[override]
    def watchers(self) -> int:
        if not self._iterating.is_set():
            self._iterating.set()
            self._inserted.wait(10)
        return 0

    @watchers.setter
    def watchers(self, value: int) -> None:
        pass


def test_leaving_a_guard_while_another_thread_adds_a_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another thread's first call of a layer, under guard(), registers it while the exit walks."""
    iterating, inserted = threading.Event(), threading.Event()
    state_for = guard_module._state_for

    def paused(module: Any) -> Any:  # the other thread, inside the check, before its insert
        iterating.wait(10)
        try:
            return state_for(module)
        finally:
            inserted.set()

    monkeypatch.setattr(guard_module, "_state_for", paused)
    other = nn.LSTM(4, 5)
    with rnndoctor.guard():
        guard_module._registry.states[-1] = _Planted(iterating, inserted)
        worker = threading.Thread(target=other, args=(torch.randn(2, 3, 4),))
        worker.start()
    worker.join()
    assert inserted.is_set()
    del other
    gc.collect()


def test_the_forwards_go_back_even_when_leaving_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(key: int) -> None:
        raise RuntimeError("injected")

    lstm = nn.LSTM(4, 5)
    monkeypatch.setattr(guard_module, "_forget", broken)
    with pytest.raises(RuntimeError, match="injected"):
        with rnndoctor.guard():
            lstm(torch.randn(2, 3, 4))
    assert nn.LSTM.forward is ORIGINAL
    guard_module._registry.states.clear()  # the entry the failed exit kept


def test_a_watched_model_that_dies_lets_go_of_the_forwards() -> None:
    model = nn.Sequential(nn.LSTM(4, 5))
    rnndoctor.watch(model)
    assert nn.LSTM.forward is not ORIGINAL
    del model
    gc.collect()
    assert nn.LSTM.forward is ORIGINAL


def test_a_guarded_generator_is_guarded_while_it_runs() -> None:
    @rnndoctor.guard
    def steps() -> Iterator[bool]:
        yield nn.LSTM.forward is not ORIGINAL

    made = steps()
    assert nn.LSTM.forward is ORIGINAL
    assert list(made) == [True]


@pytest.mark.slow
def test_guards_come_and_go_while_other_threads_call_layers() -> None:
    guarded, bare = nn.LSTM(4, 5), nn.GRUCell(4, 5)
    stop, failures = threading.Event(), []

    def calls() -> None:
        x, y = torch.randn(2, 3, 4), torch.randn(3, 4)
        while not stop.is_set():
            try:
                guarded(x)
                bare(y)
                nn.LSTM(4, 5)(x)  # a new layer: an insert into the registry under guard()
            except Exception as failure:  # noqa: BLE001 - every failure is the finding
                failures.append(failure)

    workers = [threading.Thread(target=calls) for _ in range(3)]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with rnndoctor.guard():
                    with rnndoctor.guard(guarded):
                        pass
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert failures == []


def _tensors_in(value: object) -> list[object]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _tensors_in(item)]
    return []


def test_the_guard_steps_aside_while_torch_jit_traces() -> None:
    """Traced shapes are 0-d tensors: none may reach a verdict's key or a printed table."""
    lstm = torch.nn.LSTM(3, 4)
    with rnndoctor.guard(lstm):
        traced = torch.jit.trace(lstm, (torch.randn(5, 2, 3),))
        with pytest.raises(RuntimeError) as caught:
            torch.jit.trace(lstm, (torch.randn(5, 2, 7),))
        keys = [key for state in guard_module._registry.states.values() for key in state.verdicts]
    assert _tensors_in(keys) == []
    assert "tensor(" not in str(caught.value) + "".join(getattr(caught.value, "__notes__", []))
    assert torch.equal(traced(torch.ones(5, 2, 3))[0], lstm(torch.ones(5, 2, 3))[0])
