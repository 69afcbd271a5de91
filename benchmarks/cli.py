"""Median wall time of each shape-only `rnndoctor` command, next to bare Python and torch.

    .venv/bin/python benchmarks/cli.py [--repeat 11]

Every command runs in a fresh process, round-robin, so the baselines (`python
-c pass` and `python -c "import torch"`) are measured in the same run and under
the same load as the commands. The target is under 150 ms per command.

Bytecode caching is switched on for the children (PYTHONDONTWRITEBYTECODE is
removed) and every command runs once before timing, as on a user's machine.
The CPU time (user + system) beside each median shows how much of the wall
time is the command's own work when other processes share the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

LSTM = "nn.LSTM(50, 100, num_layers=2, bidirectional=True, batch_first=True)"
COMMANDS: list[list[str]] = [
    ["rules"],
    ["rule", "RNN204"],
    ["shapes", LSTM, "--batch", "32", "--seq-len", "10"],
    ["check", "nn.LSTM(50, 100)", "--input", "10,32,25"],
    ["check", "nn.LSTM(50, 100)", "--input", "10,16,50", "--h0", "1,32,100", "--c0", "1,32,100"],
    ["check", LSTM, "--input", "32,10,50"],
    ["check", LSTM, "--input", "32,10,50", "--format", "json"],
]


def rnndoctor() -> list[str]:
    """The console script beside this interpreter, or `python -m rnndoctor`."""
    script = Path(sys.executable).with_name("rnndoctor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rnndoctor"]


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run, in ms."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, _, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="runs per command (default 11)")
    repeat = parser.parse_args().repeat
    runs: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import torch"': [sys.executable, "-c", "import torch"],
    }
    runs |= {"rnndoctor " + " ".join(_quote(a) for a in c): rnndoctor() + c for c in COMMANDS}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for argv in runs.values():
        timed(argv)  # writes the bytecode caches
    for _ in range(repeat):
        for name, argv in runs.items():
            times[name].append(timed(argv))
    base = statistics.median(wall for wall, _ in times["python -c pass"])
    width = max(map(len, runs))
    print(f"{'command'.ljust(width)}   median wall ms   × python -c pass   median CPU ms")
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"{name.ljust(width)}   {wall:14.1f}   {wall / base:16.1f}   {cpu:13.1f}")
    print(f"\n{repeat} runs each; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


def _quote(arg: str) -> str:
    return f"'{arg}'" if any(c in arg for c in " (),=") else arg


if __name__ == "__main__":
    raise SystemExit(main())
