"""Speed of `rnndoctor lint` on a source tree, as a ratio to parsing the same files with `ast`; ruff beside it.

On one core, in this process, each round times `ast.parse` of every file and
`lint_source` of every file (which parses too, and starts with the rule
engine's memo empty), interleaved, REPEATS rounds; the figures are medians.
The ratios are given twice: for the whole tree, where most files name no
recurrent layer and a text prefilter skips them, and for the files that build
or call one (the linter reads a layer in them), where the
analysis itself is measured. Then the command line, as a process: `rnndoctor
lint` with its default processes, and `ruff check` (all cores, and
RAYON_NUM_THREADS=1), when ruff is installed (the dev extra has it).

The tree is named by its path; the figures in the README come from flair at
d4ea3777998ba67bfbe6b6b8359e024dcf673c3e (https://github.com/flairNLP/flair):

    git clone https://github.com/flairNLP/flair && git -C flair checkout d4ea3777998b
    python benchmarks/lint.py flair
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rnndoctor import engine
from rnndoctor._lint import lint_source, might_have_layers
from rnndoctor._lint.files import discover
from rnndoctor._lint.interp import read_module

REPEATS = 7


def sources(tree: str) -> dict[str, str]:
    """Every .py file under `tree` that parses, by path."""
    found = {}
    for path in discover([tree]):
        if not path.endswith(".py"):
            continue
        try:
            text = Path(path).read_text(encoding="utf-8")
            ast.parse(text)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        found[path] = text
    return found


def recurrent(files: dict[str, str]) -> dict[str, str]:
    """The files in which the linter reads at least one recurrent layer."""
    return {p: t for p, t in files.items() if might_have_layers(t) and read_module(ast.parse(t)).layers}


def seconds(files: dict[str, str], lint: bool) -> float:
    engine._findings.cache_clear()  # each round starts cold, as one run of the command does
    start = time.perf_counter()
    for path, text in files.items():
        if lint:
            lint_source(text, path)
        else:
            ast.parse(text, filename=path)
    return time.perf_counter() - start


def compare(name: str, files: dict[str, str]) -> None:
    parse, lint = [], []
    for _ in range(REPEATS):
        parse.append(seconds(files, lint=False))
        lint.append(seconds(files, lint=True))
    p, q = statistics.median(parse), statistics.median(lint)
    lines = sum(t.count("\n") for t in files.values())
    print(f"  {name:34} {len(files):6} files {lines:8} lines   ast.parse {p * 1000:8.1f} ms   "
          f"lint {q * 1000:8.1f} ms   ratio {q / p:5.2f}   lint {len(files) / q:8.0f} files/s")


def wall(argv: list[str], env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", help="the source tree to lint, e.g. a checkout of flair at d4ea3777998b")
    tree = parser.parse_args().tree
    files = sources(tree)
    print(f"{tree}: medians of {REPEATS} rounds, one core, in-process")
    compare("whole tree", files)
    compare("files that build or call a layer", recurrent(files))
    cores = os.cpu_count() or 1
    print(f"\nas a process, whole tree ({len(files)} .py files), {cores} cores")
    lint_s = wall([sys.executable, "-m", "rnndoctor", "lint", tree, "--no-config", "--color", "never"])
    print(f"  {'rnndoctor lint':34} {lint_s * 1000:8.1f} ms   {len(files) / lint_s:8.0f} files/s")
    ruff = shutil.which("ruff") or (str(Path(sys.executable).with_name("ruff")) if
                                    Path(sys.executable).with_name("ruff").exists() else None)
    if ruff is None:
        print("  ruff is not installed (pip install -e '.[dev]')")
        return
    argv = [ruff, "check", "--no-cache", "--isolated", "--exit-zero", "-q", tree]
    for label, env in (("ruff check", None), ("ruff check, RAYON_NUM_THREADS=1", {"RAYON_NUM_THREADS": "1"})):
        s = wall(argv, env)
        print(f"  {label:34} {s * 1000:8.1f} ms   {len(files) / s:8.0f} files/s")


if __name__ == "__main__":
    main()
