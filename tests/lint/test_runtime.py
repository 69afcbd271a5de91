"""RNN311 at run time: a live layer's positional arguments, read from its owner's source."""

from __future__ import annotations

import pytest

from rnndoctor._lint.runtime import positional_arguments

from .owners import tagger


def test_positional_arguments_from_the_owners_source() -> None:
    assert positional_arguments(tagger.Tagger, "rnn") == 4
    assert positional_arguments(tagger.Tagger, "by_keyword") == 2
    assert positional_arguments(tagger.Tagger, "either") == 0  # two constructions: not known
    assert positional_arguments(tagger.Tagger, "missing") == 0
    assert positional_arguments(int, "rnn") == 0  # no source


def test_scan_reports_a_positional_bool() -> None:
    pytest.importorskip("torch")
    import rnndoctor

    report = rnndoctor.scan(tagger.Tagger(), (5, 3, 10))
    found = {row.path: [f.code for f in row.findings] for row in report.rows}
    assert found["rnn"] == ["RNN311"]
    assert found["by_keyword"] == []
