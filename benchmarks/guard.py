"""What the guard and the post-mortem cost per call, side by side in one run.

Five ways to call the same layer, each as a ratio to the bare call:

* bare: `lstm(x)`, nothing installed
* pre-hook: an empty `register_forward_pre_hook`, the naive per-module design
* pass-through: the class's forward replaced by one that only calls torch's, as the
  guard replaces it: the floor of any check made in the forward
* guard: inside `rnndoctor.guard(lstm)`, on a call signature it has seen
* post-mortem: after `rnndoctor.install()`, which adds nothing to the call

Three workloads: LSTM(4, 4) with x (1, 1, 4), where the fixed cost shows most,
LSTM(32, 64) with x (16, 8, 32), and LSTM(4, 4, 1, True) built by a module, so
that the guard reads its construction (RNN311); all under torch.no_grad() on
one thread. Last, the one-off cost, per layer, of reading its construction.
The ways take turns in a shuffled order, round after round, so drift and
position hit them alike; time is
the CPU time of the calling thread, so other processes do not count. Figures
are medians over the rounds.

    python benchmarks/guard.py [--rounds 61]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import time
import timeit
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

import rnndoctor

TARGET_S = 0.02  # the length of one timed batch of calls


@contextlib.contextmanager
def bare(lstm: nn.Module) -> Iterator[None]:
    yield


@contextlib.contextmanager
def pre_hook(lstm: nn.Module) -> Iterator[None]:
    handle = lstm.register_forward_pre_hook(lambda module, args: None)
    try:
        yield
    finally:
        handle.remove()


@contextlib.contextmanager
def pass_through(lstm: nn.Module) -> Iterator[None]:
    cls = type(lstm)
    original = cls.forward

    def forward(self: nn.Module, input: Any, hx: Any = None) -> Any:
        return original(self, input, hx)

    cls.forward = forward
    try:
        yield
    finally:
        cls.forward = original


@contextlib.contextmanager
def guarded(lstm: nn.Module) -> Iterator[None]:
    with rnndoctor.guard(lstm):
        yield


@contextlib.contextmanager
def post_mortem(lstm: nn.Module) -> Iterator[None]:
    rnndoctor.install()
    try:
        yield
    finally:
        rnndoctor.uninstall()


WAYS: dict[str, Callable[[nn.Module], contextlib.AbstractContextManager[None]]] = {
    "bare": bare, "pre-hook": pre_hook, "pass-through": pass_through, "guard": guarded, "post-mortem": post_mortem,
}


def per_call_us(call: Callable[[], Any], number: int) -> float:
    """CPU time of this thread per call: other processes on a shared machine do not count."""
    return timeit.Timer(call, timer=time.thread_time).timeit(number) / number * 1e6


def measure(lstm: nn.Module, x: torch.Tensor, rounds: int) -> dict[str, list[float]]:
    """µs per call for each way, one figure per round."""
    def call() -> Any:
        return lstm(x)

    number = max(50, int(TARGET_S / (per_call_us(call, 200) * 1e-6)))
    times: dict[str, list[float]] = {name: [] for name in WAYS}
    order = random.Random(0)
    for _ in range(rounds):
        for name in order.sample(list(WAYS), len(WAYS)):
            with WAYS[name](lstm):
                call()  # a guard's first sight of a signature runs the engine: not timed
                times[name].append(per_call_us(call, number))
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    base = statistics.median(times["bare"])
    print(f"\n{title}")
    print(f"  {'':12} {'median µs':>10} {'Δ µs':>7} {'ratio':>6}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:12} {median:10.2f} {median - base:+7.2f} {median / base:6.3f}")


class Owner(nn.Module):
    """A layer built with a positional flag: the guard's spec of it carries RNN311."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(4, 4, 1, True)


def first_sight(rounds: int) -> None:
    """ms to read a fresh layer's construction: found through a module-level name, as in a script."""
    global script_model
    from rnndoctor._lint import runtime

    times = []
    for _ in range(rounds):
        script_model = Owner()
        start = time.perf_counter()
        assert runtime.positional_of(script_model.rnn) == 4
        times.append((time.perf_counter() - start) * 1e3)
    print(f"\nfirst sight of a layer (its owner bound to a module-level name): first {times[0]:.2f} ms "
          f"(the file's source read), then median {statistics.median(times[1:]):.3f} ms")


script_model: nn.Module | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=61, help="rounds of turns (default 61)")
    rounds = parser.parse_args().rounds
    torch.set_num_threads(1)
    torch.manual_seed(0)
    owner = Owner()  # kept alive: the guard finds the layer's construction through it
    workloads = [
        ("LSTM(4, 4), x (1, 1, 4)", nn.LSTM(4, 4), torch.randn(1, 1, 4)),
        ("LSTM(32, 64), x (16, 8, 32)", nn.LSTM(32, 64), torch.randn(16, 8, 32)),
        ("LSTM(4, 4, 1, True) built by a module (RNN311), x (1, 1, 4)", owner.rnn, torch.randn(1, 1, 4)),
    ]
    print(f"torch {torch.__version__}, 1 thread, torch.no_grad(), median of {rounds} rounds")
    with torch.no_grad():
        for title, lstm, x in workloads:
            report(title, measure(lstm, x, rounds))
    first_sight(max(5, rounds // 6))


if __name__ == "__main__":
    main()
