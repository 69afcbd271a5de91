"""Semantic-mode tests: every test starts with nothing warned and nothing collected."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from rnndoctor._runtime import semantics as _semantics


@pytest.fixture(autouse=True)
def fresh_semantics() -> Iterator[None]:
    """Warnings are deduplicated per (code, file, line) for the process: forget them."""
    _semantics._state.warned.clear()
    _semantics._state.findings.clear()
    yield
    _semantics._state.warned.clear()
    _semantics._state.findings.clear()


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """The models are tiny: intra-op threads only wait on each other, slowly on a busy machine."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
