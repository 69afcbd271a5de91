"""Lint and the guard's semantic mode give the same findings for the semantic rules lint follows.

Each catalogue example (and its fixed twin) is linted, then run under
`rnndoctor.guard(semantics=True)` with real torch: the codes and titles agree.
"""

from __future__ import annotations

import linecache
import textwrap
import warnings

import pytest

from rnndoctor._lint import lint_source
from rnndoctor.rules import REGISTRY

from .test_lint import HEAD, _section

torch = pytest.importorskip("torch")

import rnndoctor  # noqa: E402 - after torch is known to be there
from rnndoctor import RnnDoctorWarning  # noqa: E402

SEMANTIC = [r.code for r in REGISTRY if r.code.startswith("RNN5")]


def at_run_time(source: str) -> list[tuple[str, str]]:
    """The warnings' first lines, `(code, title)`, of `source` run under the semantic guard."""
    filename = "<rnndoctor-parity>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with rnndoctor.guard(semantics=True):
                exec(compile(source, filename, "exec"), {"__name__": "__main__"})  # noqa: S102 - our catalogue
    finally:
        del linecache.cache[filename]
    firsts = [str(w.message).splitlines()[0] for w in caught if issubclass(w.category, RnnDoctorWarning)]
    return sorted((line[line.index("[") + 1:line.index("]")], line.split(": ", 1)[1]) for line in firsts)


def linted(source: str) -> list[tuple[str, str]]:
    return sorted((d.finding.code, d.finding.title) for d in lint_source(source))


@pytest.mark.parametrize("section", ["Example", "Use instead"])
@pytest.mark.parametrize("code", SEMANTIC)
def test_lint_agrees_with_semantic_mode(code: str, section: str) -> None:
    source = HEAD + textwrap.dedent(_section(code, section))
    expected = at_run_time(source)
    assert [c for c, _ in expected] == ([code] if section == "Example" else [])
    assert linted(source) == expected
