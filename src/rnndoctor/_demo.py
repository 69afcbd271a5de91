"""The article's three examples, diagnosed, and what torch itself does with each.

The examples come from "What invalid argument combination caused nn.LSTM() to
fail?" (2025). The article is right about the first two and wrong about the
third: a multi-layer bidirectional LSTM runs without `h_0` and `c_0`.
"""

from __future__ import annotations

import importlib.util
import shlex
from dataclasses import dataclass
from typing import Any

from ._api import check, expected_shapes
from .report import Report
from .shapes import ExpectedShapes
from .specs import RnnSpec, Seq, TensorInfo, constructor_args, spec

__all__ = ["ARTICLE", "EXAMPLES", "Example", "Outcome", "TorchRun", "run_examples"]

ARTICLE = "What invalid argument combination caused nn.LSTM() to fail?"


@dataclass(frozen=True)
class Example:
    """One of the article's examples: its code, its claim, and the call as shapes."""

    title: str
    code: str
    claim: str  # what the article says happens
    claims_failure: bool
    layer: RnnSpec
    input: tuple[int, ...]
    states: tuple[tuple[int, ...], ...] = ()  # (h_0, c_0) shapes when the example passes them

    @property
    def command(self) -> str:
        """The `rnndoctor check` command line that diagnoses this call."""
        parts = [f"rnndoctor check {shlex.quote(f'nn.{self.layer!r}')} --input {_csv(self.input)}"]
        parts += [f"--{name} {_csv(s)}" for name, s in zip(("h0", "c0"), self.states)]
        return " ".join(parts)


@dataclass(frozen=True)
class TorchRun:
    """What the real call did: the exception it raised, or the shapes it returned."""

    version: str
    error: str | None
    message: str = ""
    outputs: tuple[tuple[str, tuple[int, ...]], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """An example with rnndoctor's report and, when torch is importable, torch's own verdict."""

    example: Example
    report: Report
    torch: TorchRun | None
    shapes: ExpectedShapes


EXAMPLES = (
    Example(
        title="Example 1: incorrect `input_size`",
        code="lstm = nn.LSTM(input_size=50, hidden_size=100, num_layers=1, batch_first=False)\n"
             "input_seq = torch.randn(10, 32, 25)  # Input size mismatch: 25 instead of 50\n"
             "output, (hn, cn) = lstm(input_seq)",
        claim="raises a RuntimeError: the input has 25 features where the LSTM expects 50",
        claims_failure=True,
        layer=spec("LSTM", input_size=50, hidden_size=100, num_layers=1, batch_first=False),
        input=(10, 32, 25),
    ),
    Example(
        title="Example 2: incorrect `batch_size`",
        code="lstm = nn.LSTM(input_size=50, hidden_size=100, num_layers=1, batch_first=False)\n"
             "input_seq = torch.randn(10, 16, 50)  # Batch size mismatch: 16 instead of 32\n"
             "h0 = torch.randn(1, 32, 100)  # 32 is the correct batch size\n"
             "c0 = torch.randn(1, 32, 100)\n"
             "output, (hn, cn) = lstm(input_seq, (h0, c0))",
        claim="fails: the input has batch 16 and h0, c0 have batch 32; change either side",
        claims_failure=True,
        layer=spec("LSTM", input_size=50, hidden_size=100, num_layers=1, batch_first=False),
        input=(10, 16, 50),
        states=((1, 32, 100), (1, 32, 100)),
    ),
    Example(
        title="Example 3: no initial states for a 2-layer bidirectional LSTM",
        code="lstm = nn.LSTM(input_size=50, hidden_size=100, num_layers=2, bidirectional=True,\n"
             "               batch_first=True)\n"
             "input_seq = torch.randn(32, 10, 50)  # Correct input size and batch size\n"
             "output, (hn, cn) = lstm(input_seq)  # Missing initial states for multiple layers",
        claim="fails: multiple layers or directions need h0 and c0 to be given",
        claims_failure=True,
        layer=spec("LSTM", input_size=50, hidden_size=100, num_layers=2, bidirectional=True,
                   batch_first=True),
        input=(32, 10, 50),
    ),
)


def run_examples(use_torch: bool = True) -> list[Outcome]:
    """Diagnose every example; also run it with torch when asked and torch is importable."""
    with_torch = use_torch and importlib.util.find_spec("torch") is not None
    return [_outcome(ex, with_torch) for ex in EXAMPLES]


def _outcome(ex: Example, with_torch: bool) -> Outcome:
    x = TensorInfo(ex.input)
    hx = Seq("tuple", tuple(TensorInfo(s) for s in ex.states)) if ex.states else None
    batch = ex.input[0 if ex.layer.is_batch_first else 1]
    seq_len = ex.input[1 if ex.layer.is_batch_first else 0]
    return Outcome(
        example=ex,
        report=check(ex.layer, x, hx),
        torch=_run_torch(ex) if with_torch else None,
        shapes=expected_shapes(ex.layer, batch=batch, seq_len=seq_len),
    )


def _run_torch(ex: Example) -> TorchRun:
    """The real call, with random tensors; torch's exception is its verdict."""
    import torch

    torch.manual_seed(0)
    version = torch.__version__.split("+")[0]  # without the build tag (+cpu, +cu124)
    args, kwargs = constructor_args(ex.layer)
    layer = getattr(torch.nn, ex.layer.kind)(*args, **kwargs)
    x = torch.randn(ex.input)
    states = tuple(torch.randn(s) for s in ex.states)
    try:
        with torch.no_grad():
            output, (h_n, c_n) = layer(x, states) if states else layer(x)
    except (RuntimeError, ValueError, TypeError) as e:
        return TorchRun(version, type(e).__name__, str(e).splitlines()[0])
    return TorchRun(version, None, outputs=_shapes(output=output, h_n=h_n, c_n=c_n))


def _shapes(**tensors: Any) -> tuple[tuple[str, tuple[int, ...]], ...]:
    return tuple((name, tuple(t.shape)) for name, t in tensors.items())


def _csv(shape: tuple[int, ...]) -> str:
    return ",".join(map(str, shape))
