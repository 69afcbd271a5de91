"""Median wall time of each command that needs no tensors, next to bare Python and torch.

    .venv/bin/python benchmarks/cli.py [--repeat 11]

Every command runs in a fresh process, round-robin, so the baselines (`python
-c pass` and `python -c "import torch"`) are measured in the same run and under
the same load as the commands. The target: `rules`, `explain MESSAGE` and
`check` on shapes start within 6x `python -c pass`, piped and with `--color
always` (which loads rich).

Bytecode caching is switched on for the children (PYTHONDONTWRITEBYTECODE is
removed) and every command runs once before timing, as on a user's machine.
The CPU time (user + system) beside each median shows how much of the wall
time is the command's own work when other processes share the machine.

On a shared machine, `--instructions` counts each command's instructions once
under valgrind (callgrind) instead: a figure that load does not change, and a
ratio to `python -c pass` that runs a little above the wall-time one, since
start-up's system calls and page faults are not instructions.
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
    ["explain", "RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]"],
    ["explain", "not a message torch writes"],
]
COLOURED = [["rules"], ["check", "nn.LSTM(50, 100)", "--input", "10,32,25"], COMMANDS[-2]]


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
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under valgrind instead of timing (once per command)")
    options = parser.parse_args()
    repeat = options.repeat
    runs: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import torch"': [sys.executable, "-c", "import torch"],
    }
    runs |= {"rnndoctor " + " ".join(_quote(a) for a in c): rnndoctor() + c for c in COMMANDS}
    runs |= {"rnndoctor " + " ".join(_quote(a) for a in c) + " --color always": rnndoctor() + c + ["--color", "always"]
             for c in COLOURED}
    if options.instructions:
        return _count_instructions(runs)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for argv in runs.values():
        timed(argv)  # writes the bytecode caches
    for _ in range(repeat):
        for name, argv in runs.items():
            times[name].append(timed(argv))
    base = statistics.median(wall for wall, _ in times["python -c pass"])
    base_cpu = statistics.median(cpu for _, cpu in times["python -c pass"])
    width = min(max(map(len, runs)), 72)
    print(f"{'command'.ljust(width)}   median wall ms   × pass   median CPU ms   × pass")
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        shown = name if len(name) <= width else name[:width - 1] + "…"
        print(f"{shown.ljust(width)}   {wall:14.1f}   {wall / base:6.1f}   {cpu:13.1f}   {cpu / base_cpu:6.1f}")
    print(f"\n{repeat} runs each; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


def _count_instructions(runs: dict[str, list[str]]) -> int:
    import re
    import shutil

    if shutil.which("valgrind") is None:
        print("--instructions needs valgrind on PATH", file=sys.stderr)
        return 2
    counts = {}
    for name, argv in runs.items():
        if "import torch" in name:
            continue
        subprocess.run(argv, capture_output=True, env=ENV)  # writes the bytecode caches
        run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
                             capture_output=True, text=True, env=ENV)
        found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
        if found is None:
            print(f"valgrind gave no count for {name}:\n{run.stderr[-500:]}", file=sys.stderr)
            return 1
        counts[name] = int(found.group(1).replace(",", ""))
    base = counts["python -c pass"]
    width = min(max(map(len, counts)), 72)
    print(f"{'command'.ljust(width)}   instructions   × pass")
    for name, count in counts.items():
        shown = name if len(name) <= width else name[:width - 1] + "…"
        print(f"{shown.ljust(width)}   {count / 1e6:10.1f} M   {count / base:6.2f}")
    print(f"\nPython {sys.version.split()[0]}; callgrind instruction counts (I refs)")
    return 0


def _quote(arg: str) -> str:
    return f"'{arg}'" if any(c in arg for c in " (),=") else arg


if __name__ == "__main__":
    raise SystemExit(main())
