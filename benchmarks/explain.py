"""Wall time of `rnndoctor explain`, beside `python -c pass` and `import torch`; and 5 MB of junk.

Each command runs REPEATS times as a fresh process, interleaved so that a busy
machine slows all of them alike; the figures are medians. The second table
times `explain()` in-process on 5 MB adversarial inputs: repeated near-matches,
very long lines, binary junk and invalid UTF-8.

    python benchmarks/explain.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from rnndoctor._explain import explain

REPEATS = 21
SIZE = 5 * 1024 * 1024
MESSAGE = "RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]"
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
    "rnndoctor explain MESSAGE": [sys.executable, "-m", "rnndoctor", "explain", MESSAGE, "--color", "never"],
    "rnndoctor explain --format json": [sys.executable, "-m", "rnndoctor", "explain", MESSAGE, "--format", "json"],
}


def wall_ms(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000


def adversarial() -> dict[str, Callable[[], str | bytes]]:
    def repeat(unit: str) -> str:
        return (unit * (SIZE // len(unit) + 1))[:SIZE]

    return {
        "near-matches, one per line": lambda: repeat("RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32,\n"),
        "one 5 MB line of a shape": lambda: "Expected hidden size (" + repeat("1, "),
        "traceback frames, repeated": lambda: repeat('  File "/x/torch/nn/modules/rnn.py", line 9, in forward\n    nn.LSTM(1, 2)(x)\n'),
        "constructors and arrows": lambda: repeat("----> 5 lstm = nn.LSTM(10, 20, num_layers=2) Cell In[1], line 3\n"),
        "colons and Warning: ": lambda: repeat(": Warning: UserWarning: a: "),
        "binary junk, invalid UTF-8": lambda: bytes(range(256)) * (SIZE // 256),
        "spaces only": lambda: " " * SIZE,
    }


def main() -> None:
    runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(REPEATS):
        for name, argv in COMMANDS.items():
            runs[name].append(wall_ms(argv))
    print(f"wall time per process, median of {REPEATS} (interleaved)")
    for name, times in runs.items():
        print(f"  {name:34} {statistics.median(times):8.1f} ms")
    print(f"\nexplain() on {SIZE // (1024 * 1024)} MB inputs, in-process, median of 3")
    for name, make in adversarial().items():
        text = make()
        times = []
        for _ in range(3):
            start = time.perf_counter()
            explain(text)
            times.append((time.perf_counter() - start) * 1000)
        print(f"  {name:34} {statistics.median(times):8.1f} ms")


if __name__ == "__main__":
    main()
