"""Semantic mode under torch.compile: it steps aside wherever Dynamo traces.

Dynamo traces a TorchFunctionMode's `__torch_function__` like any Python; the
mode must then give it only the torch function, with no lock, cache or frame
inspection of ours in the way: no `Unsupported` error with `fullgraph=True`,
no graph break and no Dynamo warning without it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import rnndoctor


def uses(output: Any, h_n: Any) -> Any:
    """Indexes, views and reshapes of a layer's results, as a compiled head would make them."""
    return output[:, -1].reshape(2, -1) + h_n[-1].view(2, 5) + output.contiguous()[:, 0]


class Tagger(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(4, 5, batch_first=True)
        self.head = nn.Linear(5, 3)

    def forward(self, x: Any) -> Any:
        output, (h_n, _) = self.rnn(x)
        return self.head(uses(output, h_n))


def compiled_uses(fullgraph: bool) -> tuple[Any, Any, list[str]]:
    lstm = nn.LSTM(4, 5, batch_first=True)
    torch._dynamo.reset()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with rnndoctor.guard(lstm, semantics=True):
            output, (h_n, _) = lstm(torch.randn(2, 3, 4))
            expected = uses(output, h_n)
            got = torch.compile(uses, fullgraph=fullgraph, backend="eager")(output, h_n)
    ours = [str(w.message) for w in caught if "rnndoctor" in str(w.message) + w.filename]
    return got, expected, ours


@pytest.mark.parametrize("fullgraph", [True, False], ids=["fullgraph", "breaks-allowed"])
def test_a_compiled_function_uses_a_tracked_output(fullgraph: bool) -> None:
    got, expected, warned = compiled_uses(fullgraph)
    assert torch.equal(got, expected)
    assert warned == []


def explained(run: Callable[[Any], Any], x: Any, model: Any) -> Any:
    torch._dynamo.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rnndoctor.RnnDoctorWarning)
        if model is None:
            return torch._dynamo.explain(run)(x)
        with rnndoctor.guard(model, semantics=True):
            return torch._dynamo.explain(run)(x)


def test_semantic_mode_adds_no_graph_break() -> None:
    model = Tagger()
    x = torch.randn(2, 3, 4)
    bare, guarded = explained(model, x, None), explained(model, x, model)
    assert (guarded.graph_count, guarded.graph_break_count) == (bare.graph_count,
                                                                bare.graph_break_count)
    assert [str(r.reason) for r in guarded.break_reasons] == [str(r.reason)
                                                              for r in bare.break_reasons]
