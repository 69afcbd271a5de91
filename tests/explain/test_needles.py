"""Each pattern's needle, the literal `find` looks for before it compiles the pattern, is in every match."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnndoctor._explain.patterns import PATTERNS, Pattern, find


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_match_contains_the_needle(pattern: Pattern, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(re.compile(pattern.text), fullmatch=True))
    assert pattern.needle in text
    assert pattern.needle.replace(" ", "") in re.sub(r"\s", "", text)


def test_most_patterns_have_a_needle() -> None:
    assert sum(len(p.needle) >= 8 for p in PATTERNS) >= 0.9 * len(PATTERNS)


def test_unknown_text_compiles_no_pattern_whose_needle_is_absent() -> None:
    from rnndoctor._explain import patterns

    patterns._COMPILED.clear()
    assert find("not a message torch writes") is None
    assert len(patterns._COMPILED) <= 2 * sum(not p.needle for p in PATTERNS)
