"""Running a hand-off program: its failure under `rnndoctor run`, and each of its fixes under torch."""

from __future__ import annotations

import runpy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from rnndoctor.cli import main

from .test_corpus import _applied, _first


def first_finding(source: str, raises: type[BaseException] | tuple[type[BaseException], ...], tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`source` as seq2seq.py: torch raises `raises` running it, and `rnndoctor run` reports; its first finding."""
    program = tmp_path / "seq2seq.py"
    program.write_text(source)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(raises):
        runpy.run_path(program.name, run_name="__main__")
    out = tmp_path / "report.json"
    assert main(["run", "--report-json", str(out), program.name]) == 1
    return _first(out)


def run_each_edit(source: str, fixes: Iterable[dict[str, Any]], tmp_path: Path) -> None:
    """Each fix that edits a line, put into the program, runs under torch."""
    lines = source.splitlines()
    for fix in fixes:
        if fix.get("site"):
            edited = tmp_path / "edited.py"
            edited.write_text("\n".join(_applied(lines, int(fix["site"].rpartition(":")[2]), fix["snippet"])))
            runpy.run_path(str(edited), run_name="__main__")
