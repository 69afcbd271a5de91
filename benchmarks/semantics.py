"""What `rnndoctor.guard(model, semantics=True)` costs on a small LSTM LM training step.

One training step: Embedding(1000, 64) -> LSTM(64, 128, batch_first=True) ->
Linear(128, 1000) on a batch of 16 sequences of 30 tokens, cross-entropy,
backward, optimizer step, with the state carried over and `detach()`ed between
steps, as in truncated backpropagation through time (about 10 ms here). Four
ways to run the same step, in the same process:

* bare: nothing installed
* pass-through mode: a TorchFunctionMode whose `__torch_function__` only
  calls `func`, the floor for any mode-based tracking
* guard: `rnndoctor.guard(model)`
* semantics: `rnndoctor.guard(model, semantics=True)`

Three workloads: the step above; the same model decoding its output one
time step at a time (`output[:, t]` for each t, then `torch.stack`), where
each subscript of a tagged output takes the tracked path of the semantic
mode (that one times half as many steps a turn, to keep the run short); and
a tagger whose step takes its batch from a DataLoader, embeds it, permutes
it to time-major for the LSTM and scores every token with `cross_entropy`
on the logits permuted to (N, C, L): the path where semantic mode follows
the loader's batch axis through the program (RNN106).

The ways take turns in a shuffled order, round after round, so drift and
position hit them alike; each turn enters the way, runs one untimed step (a
guard's first sight of a signature runs the engine), then times `--steps`
steps. Time is the CPU time of the calling thread, on one torch thread, so
other processes do not count. Times are medians over the rounds; a ratio is
the median of the per-round ratios, each taken between turns of one round.
A mode pays for each torch function called while it is on, handled or not,
so each workload also prints how many calls one step makes under the mode.
The issue's target is semantics / bare <= 1.15 on the LM step; this prints
whether it is met and asserts nothing.

    python benchmarks/semantics.py [--rounds 41] [--steps 20] [--optimizer sgd|adam]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

import rnndoctor

VOCAB, EMBED, HIDDEN, BATCH, LENGTH = 1000, 64, 128, 16, 30
THREADS = 1
TARGET = 1.15  # semantics / bare, from the issue


class LM(nn.Module):
    """Embedding -> LSTM -> Linear; `per_step` decodes the output one time step at a time."""

    def __init__(self, per_step: bool) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, EMBED)
        self.rnn = nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, VOCAB)
        self.per_step = per_step

    def forward(self, x: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        output, state = self.rnn(self.embed(x), state)
        if self.per_step:
            logits = torch.stack([self.head(output[:, t]) for t in range(output.shape[1])], 1)
        else:
            logits = self.head(output)
        return logits, state


class LoaderTrainer:
    """The tagger step: next(DataLoader) -> Embedding -> permute -> time-major LSTM -> Linear ->
    permute -> cross_entropy against (N, L) tags."""

    def __init__(self, optimizer: str) -> None:
        self.model = nn.ModuleDict({"embed": nn.Embedding(VOCAB, EMBED), "rnn": nn.LSTM(EMBED, HIDDEN),
                                    "head": nn.Linear(HIDDEN, VOCAB)})
        params = self.model.parameters()
        self.opt = (torch.optim.Adam(params, lr=1e-3) if optimizer == "adam"
                    else torch.optim.SGD(params, lr=0.1))
        data = torch.utils.data.TensorDataset(torch.randint(0, VOCAB, (64 * BATCH, LENGTH)),
                                              torch.randint(0, VOCAB, (64 * BATCH, LENGTH)))
        self.loader = torch.utils.data.DataLoader(data, batch_size=BATCH)
        self.batches = iter(self.loader)

    def step(self) -> None:
        batch = next(self.batches, None)
        if batch is None:
            self.batches = iter(self.loader)
            batch = next(self.batches)
        x, y = batch
        m = self.model
        output, _ = m["rnn"](m["embed"](x).permute(1, 0, 2))  # (L, N, E) in, time-major
        logits = m["head"](output)  # (L, N, V)
        loss = nn.functional.cross_entropy(logits.permute(1, 2, 0), y)  # (N, V, L) against (N, L)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()


class PassThrough(torch.overrides.TorchFunctionMode):
    """A TorchFunctionMode that does nothing but call the function."""

    def __torch_function__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        return func(*args, **(kwargs or {}))


class Trainer:
    """One model, its optimizer and a fixed batch; `step()` is one training step."""

    def __init__(self, per_step: bool, optimizer: str) -> None:
        self.model = LM(per_step)
        params = self.model.parameters()
        self.opt = (torch.optim.Adam(params, lr=1e-3) if optimizer == "adam"
                    else torch.optim.SGD(params, lr=0.1))
        self.x = torch.randint(0, VOCAB, (BATCH, LENGTH))
        self.y = torch.randint(0, VOCAB, (BATCH, LENGTH))
        self.state: Any = None

    def step(self) -> None:
        if self.state is not None:
            self.state = tuple(s.detach() for s in self.state)
        logits, self.state = self.model(self.x, self.state)
        loss = nn.functional.cross_entropy(logits.reshape(-1, VOCAB), self.y.reshape(-1))
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()


@contextlib.contextmanager
def bare(model: nn.Module) -> Iterator[None]:
    yield


@contextlib.contextmanager
def pass_through(model: nn.Module) -> Iterator[None]:
    with PassThrough():
        yield


@contextlib.contextmanager
def guarded(model: nn.Module) -> Iterator[None]:
    with rnndoctor.guard(model):
        yield


@contextlib.contextmanager
def semantic(model: nn.Module) -> Iterator[None]:
    with rnndoctor.guard(model, semantics=True):
        yield


WAYS: dict[str, Callable[[nn.Module], contextlib.AbstractContextManager[None]]] = {
    "bare": bare, "pass-through": pass_through, "guard": guarded, "semantics": semantic,
}


def per_step_ms(step: Callable[[], None], steps: int) -> float:
    """CPU time of this thread per step."""
    start = time.thread_time()
    for _ in range(steps):
        step()
    return (time.thread_time() - start) / steps * 1e3


def measure(trainer: Trainer | LoaderTrainer, rounds: int, steps: int) -> dict[str, list[float]]:
    """ms per step for each way, one figure per round."""
    for _ in range(3):
        trainer.step()
    times: dict[str, list[float]] = {name: [] for name in WAYS}
    order = random.Random(0)
    for _ in range(rounds):
        for name in order.sample(list(WAYS), len(WAYS)):
            with WAYS[name](trainer.model):
                trainer.step()  # not timed: a guard's first sight of a signature
                times[name].append(per_step_ms(trainer.step, steps))
    return times


def report(title: str, times: dict[str, list[float]], calls: int) -> dict[str, float]:
    """Print the table; returns each way's ratio to bare, a median of the per-round ratios."""
    base = statistics.median(times["bare"])
    ratios = {name: statistics.median(a / b for a, b in zip(values, times["bare"]))
              for name, values in times.items()}
    print(f"\n{title}")
    print(f"  torch functions per step, as a mode sees them: {calls}")
    print(f"  {'':13} {'median ms':>10} {'Δ ms':>7} {'× bare':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:13} {median:10.3f} {median - base:+7.3f} {ratios[name]:7.3f}")
    sem_guard = statistics.median(a / b for a, b in zip(times["semantics"], times["guard"]))
    print(f"  {'semantics / guard':29} {sem_guard:7.3f}")
    return ratios


class Counting(torch.overrides.TorchFunctionMode):
    """Counts the calls; on top of the semantic mode it sees what that mode sees."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def __torch_function__(self, func: Any, types: Any, args: Any = (),
                           kwargs: Any = None) -> Any:
        self.calls += 1
        return func(*args, **(kwargs or {}))


def calls_per_step(trainer: Trainer | LoaderTrainer) -> int:
    """The torch functions one step calls under `guard(model, semantics=True)`."""
    counting = Counting()
    with rnndoctor.guard(trainer.model, semantics=True):
        trainer.step()
        with counting:
            trainer.step()
    return counting.calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=41, help="rounds of turns (default 41)")
    parser.add_argument("--steps", type=int, default=20, help="timed steps per turn (default 20)")
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    args = parser.parse_args()
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, torch.set_num_threads({torch.get_num_threads()}), "
          f"{args.optimizer}, median of {args.rounds} rounds of {args.steps} steps")
    print(f"model: Embedding({VOCAB}, {EMBED}) -> LSTM({EMBED}, {HIDDEN}, batch_first=True) -> "
          f"Linear({HIDDEN}, {VOCAB}), batch {BATCH}, length {LENGTH}")
    lm = Trainer(False, args.optimizer)
    ratios = report("LM training step, logits = head(output)",
                    measure(lm, args.rounds, args.steps), calls_per_step(lm))
    verdict = "met" if ratios["semantics"] <= TARGET else "not met"
    print(f"  target (the issue): semantics / bare <= {TARGET:.2f}: {verdict} "
          f"({ratios['semantics']:.3f})")
    decoding = Trainer(True, args.optimizer)
    report(f"the same step, decoded one time step at a time ({LENGTH} x output[:, t], stack), "
           f"{max(1, args.steps // 2)} steps a turn",
           measure(decoding, args.rounds, max(1, args.steps // 2)), calls_per_step(decoding))
    tagger = LoaderTrainer(args.optimizer)
    ratios = report("a tagger step: DataLoader batch, Embedding, permute to time-major, LSTM, Linear, "
                    "cross_entropy on (N, C, L)", measure(tagger, args.rounds, args.steps),
                    calls_per_step(tagger))
    verdict = "met" if ratios["semantics"] <= TARGET else "not met"
    print(f"  target (the issue): semantics / bare <= {TARGET:.2f}: {verdict} "
          f"({ratios['semantics']:.3f})")

if __name__ == "__main__":
    main()
