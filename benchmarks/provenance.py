"""The error path with provenance, against jaxtyping building its message for the same failure.

One failure: a training loop whose states were built for batch 32 before the
loop reaches the last batch of 6 (tests/corpus/p01). Timed, each as the CPU
time of this thread, in shuffled turns, round after round; medians:

* at the call: `rnndoctor.check(...)` rendered to text (the guard's error, no provenance)
* with provenance: the post-mortem's full diagnosis of the uncaught error (frames,
  the source's AST, the loader, ranking) rendered to text
* jaxtyping: a `@jaxtyped(typechecker=...)` function annotated with the
  states' shapes, called with the failing tensors, until its TypeCheckError
  (the message included) is built. Skipped when jaxtyping is not installed
  (`pip install -e .[bench]`).

    python benchmarks/provenance.py [--rounds 41]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

import rnndoctor
from rnndoctor._runtime.postmortem import diagnose_exception
from rnndoctor.render.text import render_report

PROGRAM = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "p01_init_hidden_last_batch.py"


def failure() -> tuple[BaseException, nn.Module, torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Run the corpus program once and keep its uncaught error (its frames stay readable)."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(PROGRAM)}
    code = compile(PROGRAM.read_text(), str(PROGRAM), "exec")
    try:
        exec(code, namespace)
    except RuntimeError as error:
        net = namespace["net"]
        x = net.embedding(namespace["inputs"])
        return error, net.lstm, x, namespace["h"]
    raise SystemExit("the corpus program did not fail")


try:
    from jaxtyping import Float, TypeCheckError, jaxtyped
    from typeguard import typechecked  # jaxtyping's documented companion
except ImportError:
    jaxtyped = None
else:
    @jaxtyped(typechecker=typechecked)
    def forward(x: Float[torch.Tensor, "batch seq feat"],
                h_0: Float[torch.Tensor, "layers batch hidden"],
                c_0: Float[torch.Tensor, "layers batch hidden"]) -> None:
        """The layer's call, annotated with the shapes jaxtyping checks."""


def jaxtyping_call(x: torch.Tensor, h: tuple[torch.Tensor, torch.Tensor]) -> Callable[[], object] | None:
    if jaxtyped is None:
        return None

    def call() -> object:
        try:
            forward(x, *h)
        except TypeCheckError as error:
            return str(error)
        raise SystemExit("jaxtyping accepted the failing call")

    return call


def per_call_ms(call: Callable[[], object], number: int) -> float:
    start = time.thread_time()
    for _ in range(number):
        call()
    return (time.thread_time() - start) / number * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--number", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    error, lstm, x, h = failure()
    ways: dict[str, Callable[[], object]] = {
        "at the call": lambda: render_report(rnndoctor.check(lstm, x, h)),
        "with provenance": lambda: render_report(diagnose_exception(error) or rnndoctor.check(lstm, x, h)),
    }
    jax = jaxtyping_call(x, h)
    if jax is not None:
        ways["jaxtyping"] = jax
    else:
        print("jaxtyping: not installed, skipped", file=sys.stderr)
    for call in ways.values():
        call()  # warm up
    figures: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        order = list(ways)
        random.shuffle(order)
        for name in order:
            figures[name].append(per_call_ms(ways[name], args.number))
    medians = {name: statistics.median(v) for name, v in figures.items()}
    print(f"error path, one failure (tests/corpus/p01), medians over {args.rounds} rounds, thread CPU time")
    for name, ms in medians.items():
        print(f"  {name:16} {ms:8.3f} ms")
    if "jaxtyping" in medians:
        ratio = medians["with provenance"] / medians["jaxtyping"]
        print(f"  with provenance / jaxtyping = {ratio:.2f}x (target <= 0.3x)")
    print(f"  with provenance / at the call = {medians['with provenance'] / medians['at the call']:.2f}x")


if __name__ == "__main__":
    main()
