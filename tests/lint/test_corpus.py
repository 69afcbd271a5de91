"""No false alarms: the linter on correct models, and on reductions of public ones with known bugs.

- tests/lint/corpus/: small reductions (our own code, each citing its source) of the recurrent
  parts of public, correct models: zero findings.
- tests/models/: the shared corpus of correct models, whatever is there: zero findings.
- tests/semantics/test_false_alarms.py: semantic mode's correct models: zero findings outside the
  wrong twins it keeps on purpose.
- tests/lint/bugs/: reductions of public models with a real bug, shown by tests/lint/test_proofs.py:
  exactly the code named in the header's `# expect:` line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnndoctor._lint import lint_file, lint_source

HERE = Path(__file__).parent
TESTS = HERE.parent
CORPUS = sorted((HERE / "corpus").glob("*.py"))
MODELS = sorted((TESTS / "models").rglob("*.py")) + sorted((TESTS / "models").rglob("*.ipynb"))
BUGS = sorted((HERE / "bugs").glob("*.py"))


def _codes(path: Path) -> list[str]:
    result = lint_file(str(path))
    assert result.error is None, f"{path.name}: {result.error}"
    return [d.finding.code for d in result.diagnostics]


def test_the_corpus_cites_ten_public_models() -> None:
    sources = {re.search(r"# Source: https://github.com/([^/]+/[^/]+)/", p.read_text()).group(1)  # type: ignore[union-attr]
               for p in CORPUS + BUGS}
    assert len(sources) >= 10
    for p in CORPUS + BUGS:
        assert re.search(r"^# Licence: \S+", p.read_text(), re.M), f"{p.name} names no licence"


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_correct_public_model_reduction_is_clean(path: Path) -> None:
    assert _codes(path) == []


@pytest.mark.parametrize("path", MODELS or [pytest.param(None, marks=pytest.mark.skip("tests/models/ is empty"))],
                         ids=lambda p: str(p.relative_to(TESTS)) if p else "none")
def test_shared_correct_model_is_clean(path: Path) -> None:
    assert _codes(path) == []


def test_semantic_false_alarm_suite_is_clean_but_for_its_wrong_twins() -> None:
    path = TESTS / "semantics" / "test_false_alarms.py"
    source = path.read_text()
    twins = source.find("# ---- the harness can fail")
    found = [d for d in lint_source(source, str(path)) if twins < 0 or d.line < source[:twins].count("\n") + 1]
    assert found == []


@pytest.mark.parametrize("path", BUGS, ids=lambda p: p.name)
def test_public_model_with_a_real_bug_gives_its_code(path: Path) -> None:
    expected = re.search(r"^# expect: (RNN\d{3})$", path.read_text(), re.M)
    assert expected is not None
    assert _codes(path) == [expected.group(1)]
