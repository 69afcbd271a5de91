"""µs per `rnndoctor.check()` against torch's own Python-side check, side by side.

torch's check is `RNNBase.check_forward_args` (for nn.LSTM, `LSTM.check_forward_args`)
on the same module and tensors. Figures are medians of REPEATS runs of NUMBER calls.
check() remembers the verdict for a call signature it has seen (shapes, dtypes,
devices, hx structure), so repeated calls cost a lookup; the last row is the
full engine on a signature it has not seen.

    python benchmarks/check.py
"""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable

import torch
from torch import nn

import rnndoctor
from rnndoctor import _torch, engine

NUMBER, REPEATS = 2000, 15


def median_us(fn: Callable[[], object]) -> float:
    runs = timeit.repeat(fn, number=NUMBER, repeat=REPEATS)
    return statistics.median(runs) / NUMBER * 1e6


def main() -> None:
    torch.set_num_threads(1)
    lstm = nn.LSTM(32, 64, num_layers=2)
    x = torch.randn(8, 16, 32)
    hx = (torch.zeros(2, 16, 64), torch.zeros(2, 16, 64))
    shapes = ((8, 16, 32), ((2, 16, 64), (2, 16, 64)))
    bad = torch.randn(8, 16, 25)

    spec = _torch.spec_from_module(lstm)
    call = _torch.describe_call(spec, x, hx)
    first_sight = engine._findings.__wrapped__  # the engine itself, without the memo

    torch_check = median_us(lambda: lstm.check_forward_args(x, hx, None))
    rows = [
        ("check() on tensors, valid call", median_us(lambda: rnndoctor.check(lstm, x, hx))),
        ("check() on shapes, valid call", median_us(lambda: rnndoctor.check(lstm, *shapes))),
        ("check() on tensors, invalid call", median_us(lambda: rnndoctor.check(lstm, bad, hx))),
        ("engine on a call seen for the first time", median_us(lambda: first_sight(spec.key, spec, call))),
    ]
    print(f"torch {torch.__version__}, LSTM(32, 64, num_layers=2), input (8, 16, 32), "
          f"median of {REPEATS} x {NUMBER} calls")
    print(f"{'torch LSTM.check_forward_args':36} {torch_check:8.2f} µs   1.00x")
    for name, us in rows:
        print(f"{name:36} {us:8.2f} µs  {us / torch_check:5.2f}x")


if __name__ == "__main__":
    main()
