"""What the guard costs a valid packing call, side by side with the bare call in one run.

Each workload is timed bare and inside `rnndoctor.guard()`, which runs the
four packing functions of `torch.nn.utils.rnn` through rnndoctor's check
(a copy of torch's function, then a few attribute reads). The two ways take
turns in a shuffled order, round after round; time is the CPU time of the
calling thread. Each round gives one ratio guard / bare; the figures are
medians over the rounds. The last workload is a whole packed step, as a
model runs it: pack, an nn.LSTM, unpack.

    python benchmarks/packing.py [--rounds 41]
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
from torch.nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence, pad_sequence

import rnndoctor

TARGET_S = 0.02  # the length of one timed batch of calls


@contextlib.contextmanager
def bare() -> Iterator[None]:
    yield


WAYS: dict[str, Callable[[], contextlib.AbstractContextManager[Any]]] = {
    "bare": bare, "guard": rnndoctor.guard,
}


def per_call_us(call: Callable[[], Any], number: int) -> float:
    return timeit.Timer(call, timer=time.thread_time).timeit(number) / number * 1e6


def measure(call: Callable[[], Any], rounds: int) -> dict[str, list[float]]:
    """µs per call for each way, one figure per round."""
    number = max(50, int(TARGET_S / (per_call_us(call, 100) * 1e-6)))
    times: dict[str, list[float]] = {name: [] for name in WAYS}
    order = random.Random(0)
    for _ in range(rounds):
        for name in order.sample(list(WAYS), len(WAYS)):
            with WAYS[name]():
                call()  # the layer's first sight of a signature runs the engine: not timed
                times[name].append(per_call_us(call, number))
    return times


def workloads() -> dict[str, Callable[[], Any]]:
    torch.manual_seed(0)
    lengths = torch.tensor([12, 11, 9, 9, 7, 5, 3, 2])
    padded = torch.randn(12, 8, 16)
    sequences = [torch.randn(int(n), 16) for n in lengths]
    packed = pack_padded_sequence(padded, lengths)
    lstm = nn.LSTM(16, 32)

    def step() -> Any:
        output, _ = lstm(pack_padded_sequence(padded, lengths))
        return pad_packed_sequence(output)

    return {
        "pack_padded_sequence (12, 8, 16)": lambda: pack_padded_sequence(padded, lengths),
        "pack_padded_sequence, list lengths": lambda: pack_padded_sequence(padded, lengths.tolist()),
        "pack_sequence, 8 sequences": lambda: pack_sequence(sequences),
        "pad_sequence, 8 sequences": lambda: pad_sequence(sequences),
        "pad_packed_sequence": lambda: pad_packed_sequence(packed),
        "pack, LSTM(16, 32), unpack": step,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41, help="rounds of turns (default 41)")
    rounds = parser.parse_args().rounds
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread, torch.no_grad(), median of {rounds} rounds")
    print(f"  {'':36} {'bare µs':>8} {'guard µs':>9} {'ratio':>6}")
    with torch.no_grad():
        for title, call in workloads().items():
            times = measure(call, rounds)
            ratio = statistics.median(g / b for g, b in zip(times["guard"], times["bare"]))
            print(f"  {title:36} {statistics.median(times['bare']):8.2f} "
                  f"{statistics.median(times['guard']):9.2f} {ratio:6.3f}")


if __name__ == "__main__":
    main()
