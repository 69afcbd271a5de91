"""The findings `rnndoctor lint` gives on public models are real bugs: shown here with real torch.

Each test loads the reduction in tests/lint/bugs/ that the linter flags and shows, by running it,
that the code does what the finding says.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from types import ModuleType

import pytest

torch = pytest.importorskip("torch")

BUGS = Path(__file__).parent / "bugs"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"lint_bug_{name}", BUGS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rnn502_the_backward_half_of_the_last_step_has_read_one_step() -> None:
    """yunjey's BiRNN: `out[:, -1, :]` keeps the backward direction after one step, so with one layer
    every step but the last can change without changing the backward half the classifier reads (with
    two, as in the tutorial, the top layer's backward direction has likewise run one step)."""
    torch.manual_seed(0)
    model = load("yunjey_birnn").BiRNN(input_size=5, hidden_size=4, num_layers=1, num_classes=3)
    seen = {}
    model.fc.register_forward_hook(lambda m, args, out: seen.update(x=args[0].detach()))
    x = torch.randn(2, 7, 5)
    changed = x.clone()
    changed[:, :-1] = torch.randn(2, 6, 5)
    model(x)
    before = seen["x"]
    model(changed)
    after = seen["x"]
    H = 4
    assert torch.equal(before[:, H:], after[:, H:])  # backward half: only the last step counts
    assert not torch.allclose(before[:, :H], after[:, :H])  # forward half: every step counts


def test_rnn301_dropout_on_one_layer_is_never_applied() -> None:
    """prakashpandey9's RCNN: torch warns at construction, and training mode gives eval mode's output."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = load("prakashpandey9_rcnn").RCNN(output_size=2, hidden_size=4, vocab_size=20, embedding_length=6)
    assert any("dropout" in str(w.message) and w.category is UserWarning for w in caught)
    tokens = torch.randint(0, 20, (3, 5))
    model.train()
    trained = model(tokens)
    model.eval()
    assert torch.equal(trained, model(tokens))


def test_rnn510_the_unpadded_output_is_time_major_in_a_batch_first_pipeline() -> None:
    """bentrevett's sentiment LSTM: `output` is (seq len, batch, hidden), not the (batch, seq len,
    hidden) its comment and its batch-first pipeline say; sample 0's steps are along dim 0."""
    torch.manual_seed(0)
    model = load("bentrevett_sentiment_unpadded").Classifier(50, 6, 4, 2)
    ids, length = torch.randint(0, 50, (3, 7)), torch.tensor([7, 5, 2])
    _, output = model(ids, length)
    assert output.shape == (7, 3, 4)  # (seq len, batch, hidden): batch and steps are swapped
    alone, _ = model.lstm(model.embedding(ids[:1]))  # sample 0 on its own, batch-first
    assert torch.allclose(output[:, 0], alone[0], atol=1e-6)  # its steps are output[:, 0], not output[0]
    assert not torch.allclose(output[0, :3], alone[0, :3], atol=1e-3)
