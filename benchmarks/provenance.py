"""The error path with provenance, against jaxtyping building its message for the same failure.

One failure: a training loop whose states were built for batch 32 before the
loop reaches the last batch of 6 (tests/corpus/p01). Timed, each as the CPU
time of this thread, in shuffled turns, round after round; medians:

* at the call: the check the guard runs, rendered to text (no provenance)
* with provenance: the post-mortem's full diagnosis of the uncaught error (frames,
  the source's AST, the loader, ranking) rendered to text
* jaxtyping: a `@jaxtyped(typechecker=...)` function annotated with the
  states' shapes, called with the failing tensors, until its TypeCheckError
  (the message included) is built
* TensorSensor: the failing call inside `tsensor.clarify(show=None)`, until its
  augmented RuntimeError is built. It runs the call again to find the culprit
  and draws its figure even when not shown; the figure is closed after each
  call, or they pile up. Its cost includes torch's two failing calls.

jaxtyping and TensorSensor are skipped when not installed (`pip install -e .[bench]`).

    python benchmarks/provenance.py [--rounds 41]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from rnndoctor._api import _checked
from rnndoctor._runtime.postmortem import diagnose_exception
from rnndoctor.render.text import render_report
from rnndoctor.report import Report

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


try:
    os.environ.setdefault("MPLBACKEND", "Agg")  # TensorSensor draws with matplotlib
    import tsensor
    from matplotlib import pyplot
except ImportError:
    tsensor = None


def tsensor_call(lstm: nn.Module, x: torch.Tensor,
                 h: tuple[torch.Tensor, torch.Tensor]) -> Callable[[], object] | None:
    if tsensor is None:
        return None

    def forward(x: torch.Tensor, h_0: torch.Tensor, c_0: torch.Tensor) -> object:
        return lstm(x, (h_0, c_0))

    def call() -> object:
        try:
            with tsensor.clarify(show=None):
                forward(x, *h)
        except RuntimeError as error:
            return str(error)
        finally:
            pyplot.close("all")
        raise SystemExit("TensorSensor's call did not fail")

    return call


def _diagnosed(error: BaseException) -> Report:
    report = diagnose_exception(error)
    if report is None:
        raise SystemExit("the post-mortem did not diagnose the failure")
    return report


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
        "at the call": lambda: render_report(_checked(lstm, x, h, None, None)),
        "with provenance": lambda: render_report(_diagnosed(error)),
    }
    for name, other in (("jaxtyping", jaxtyping_call(x, h)), ("TensorSensor", tsensor_call(lstm, x, h))):
        if other is not None:
            ways[name] = other
        else:
            print(f"{name}: not installed, skipped", file=sys.stderr)
    for call in ways.values():
        call()  # warm up
    figures: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        order = list(ways)
        random.shuffle(order)
        for name in order:
            figures[name].append(per_call_ms(ways[name], 1 if name == "TensorSensor" else args.number))
    medians = {name: statistics.median(v) for name, v in figures.items()}
    print(f"error path, one failure (tests/corpus/p01), medians over {args.rounds} rounds, thread CPU time")
    for name, ms in medians.items():
        print(f"  {name:16} {ms:8.3f} ms")
    for other in ("jaxtyping", "TensorSensor"):
        if other in medians:
            ratio = medians["with provenance"] / medians[other]
            target = " (target <= 0.3x)" if other == "jaxtyping" else ""
            print(f"  with provenance / {other} = {ratio:.2f}x{target}")
    print(f"  with provenance / at the call = {medians['with provenance'] / medians['at the call']:.2f}x")


if __name__ == "__main__":
    main()
