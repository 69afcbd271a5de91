"""Tests written against torch's messages keep passing under the guard.

Every pattern of the corpus (`raises_corpus.py`) must match what torch raises
without rnndoctor (the ground truth), come from a call the guard judges
invalid, and still pass under `with rnndoctor.guard()`, `pytest --rnndoctor`
and `pytest -p no:rnndoctor` with the guard inside the test.
"""

from __future__ import annotations

import builtins
from collections import Counter
from typing import Any

import pytest

torch = pytest.importorskip("torch")
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

import rnndoctor

from .raises_corpus import CORPUS, Pattern

pytest_plugins = ["pytester"]

IDS = [f"{i}-{p.call.split('(')[0]}" for i, p in enumerate(CORPUS)]
SCOPE = {"torch": torch, "nn": nn, "pack_padded_sequence": pack_padded_sequence}


def run(call: str) -> Any:
    return eval(call, dict(SCOPE))  # the corpus's own source text, never user input


def layer_and_arguments(call: str) -> tuple[Any, tuple[Any, ...]]:
    layer, arguments = call.split(")(", 1)
    return run(layer + ")"), run("(" + arguments[:-1] + ",)")


def expected(entry: Pattern) -> type[BaseException]:
    exception: type[BaseException] = getattr(builtins, entry.exception)
    return exception


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_torch_raises_what_the_pattern_matches(entry: Pattern) -> None:
    with pytest.raises(expected(entry), match=entry.pattern) as caught:
        run(entry.call)
    assert not isinstance(caught.value, rnndoctor.RnnArgumentError)


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_the_guard_judges_the_call_invalid(entry: Pattern) -> None:
    layer, arguments = layer_and_arguments(entry.call)
    first = rnndoctor.check(layer, *arguments).first
    assert first is not None and first.raises == entry.exception


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_the_pattern_passes_under_a_guard(entry: Pattern) -> None:
    with rnndoctor.guard(), pytest.raises(expected(entry), match=entry.pattern) as caught:
        run(entry.call)
    assert isinstance(caught.value, rnndoctor.RnnArgumentError)  # the guard diagnosed it


def test_the_corpus_has_end_anchored_patterns_and_named_sources() -> None:
    anchored = [p for p in CORPUS if p.pattern.endswith("$")]
    assert len(anchored) >= 10
    sources = Counter(p.source.split(":")[0] for p in CORPUS)
    assert sources["pytorch/pytorch@00131b6bd4bedfa71eb27b407292be0ba45e5ee8"] >= 10


TEST_FILE = """
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

import rnndoctor

GUARD = {guard}


def scope():
    return rnndoctor.guard() if GUARD else pytest.MonkeyPatch.context()

{tests}
"""

TEST = """
def test_{i}():
    with scope(), pytest.raises({exception}, match={pattern!r}) as caught:
        {call}
    assert isinstance(caught.value, rnndoctor.RnnArgumentError) == {diagnosed}
"""


@pytest.mark.parametrize(("options", "guard", "diagnosed"), [
    ((), False, False),
    (("--rnndoctor",), False, True),
    (("-p", "no:rnndoctor"), True, True),
], ids=["plain", "--rnndoctor", "guard-in-test"])
def test_the_corpus_as_a_test_suite(pytester: pytest.Pytester, options: tuple[str, ...],
                                    guard: bool, diagnosed: bool) -> None:
    tests = "".join(TEST.format(i=i, exception=p.exception, pattern=p.pattern, call=p.call,
                                diagnosed=diagnosed) for i, p in enumerate(CORPUS))
    pytester.makepyfile(test_corpus=TEST_FILE.format(guard=guard, tests=tests))
    result = pytester.runpytest("-p", "no:cacheprovider", *options)
    result.assert_outcomes(passed=len(CORPUS))
