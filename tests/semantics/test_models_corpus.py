"""Correct models reduced from public code (tests/models/) train under semantic mode without a warning.

Each file in tests/models/ is plain Python that imports only torch and
defines one model class with `batches()` and `loss(batch)`; its header cites
the source, the pinned commit and the licence. Lint (issue 17) reads the
same files. Each model trains for two steps under `guard(model,
semantics=True)` through test_false_alarms.py's harness, and must warn
nothing.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from rnndoctor._runtime import semantics as _semantics

from .test_false_alarms import train

CORPUS = Path(__file__).parents[1] / "models"
FILES = sorted(CORPUS.glob("*.py"))


def model_class(path: Path) -> Any:
    """The one nn.Module subclass the file defines."""
    spec = importlib.util.spec_from_file_location(f"rnndoctor_corpus_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    classes = [value for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, torch.nn.Module)
               and value.__module__ == module.__name__]
    assert len(classes) == 1, f"{path.name} defines {len(classes)} model classes"
    return classes[0]


def test_the_corpus_holds_at_least_ten_cited_models() -> None:
    assert len(FILES) >= 10
    for path in FILES:
        text = path.read_text()
        header = text.split('"""')[1]
        assert re.search(r"^Source: https://github\.com/\S+/blob/[0-9a-f]{40}/", header, re.M), path.name
        assert re.search(r"^Commit: [0-9a-f]{40}\b", header, re.M), path.name
        assert re.search(r"^Licence: \S", header, re.M), path.name
        imports = re.findall(r"^(?:import|from) (\S+)", text, re.M)
        assert all(name == "torch" or name.startswith("torch.") for name in imports), path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_public_model_trains_without_a_warning(path: Path) -> None:
    before = _semantics.collected()
    assert train(model_class(path)()) == []
    assert _semantics.collected() == before
