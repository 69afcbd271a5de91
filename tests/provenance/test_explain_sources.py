"""explain reads the source files a traceback names: under the current directory only, unless asked.

The traceback of a real failure (real torch) is given to explain from
another directory, through a link, after the file changed or went away, and
with terminal control characters in the line that made the wrong number.
"""

from __future__ import annotations

import os
import re
import runpy
import traceback
from pathlib import Path

import pytest

pytest.importorskip("torch")

import rnndoctor  # noqa: E402
from rnndoctor.cli import main  # noqa: E402

PROGRAM = """\
import torch
from torch import nn

gru = nn.GRU(3, 5, batch_first=True)
x = torch.randn(4, 2, 3)
h = torch.zeros(1, 10, 5){tail}  # root cause
out, h = gru(x, h)
"""
ROOT_CAUSE = 6
# An OSC title with its BEL, a CSI clear-screen, a backspace and a C1 CSI colour.
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x08\x9b31m"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _traceback(directory: Path, tail: str = "") -> tuple[Path, str]:
    """Run the program in `directory` (real torch fails on it); its file and traceback's text."""
    program = directory / "train.py"
    program.write_text(PROGRAM.format(tail=tail), encoding="utf-8")
    with pytest.raises(RuntimeError) as raised:
        runpy.run_path(str(program), run_name="__main__")
    return program, "".join(traceback.format_exception(raised.value))


def _first_site(text: str, **kwargs: bool) -> str | None:
    first = rnndoctor.explain(text, **kwargs).first
    assert first is not None and first.code == "RNN204" and first.arguments[0] == "h_0"
    return first.fixes[0].site


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "project").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    return tmp_path


def test_a_file_under_the_current_directory_is_read(project: Path) -> None:
    _, text = _traceback(project / "project")
    first = rnndoctor.explain(text).first
    assert first is not None
    assert first.fixes[0].site == f"train.py:{ROOT_CAUSE}"
    assert first.fixes[0].snippet == "h = torch.zeros(1, x.size(0), 5)"
    assert "the fixes are inferred from the message and the source; none could be tried" in first.notes


def test_a_file_outside_it_is_read_only_with_read_sources(project: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    program, text = _traceback(project / "project")
    monkeypatch.chdir(project / "elsewhere")
    assert _first_site(text) is None  # fewer facts, the same diagnosis at the call
    unread = rnndoctor.explain(text).first
    assert unread is not None
    assert "the fixes are inferred from the message alone; none could be tried" in unread.notes
    assert _first_site(text, read_sources=True) == f"{program}:{ROOT_CAUSE}"
    log = project / "log.txt"
    log.write_text(text)
    assert main(["explain", "--file", str(log)]) == 1
    assert f"--> {program}:{ROOT_CAUSE}" not in capsys.readouterr().out
    assert main(["explain", "--read-sources", "--file", str(log)]) == 1
    assert f"--> {program}:{ROOT_CAUSE}" in capsys.readouterr().out


def test_a_link_out_of_the_current_directory_is_not_followed(project: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    program, text = _traceback(project / "project")
    monkeypatch.chdir(project / "elsewhere")
    os.symlink(program, "train.py")
    assert _first_site(text.replace(str(program), "train.py")) is None
    assert _first_site(text.replace(str(program), "train.py"), read_sources=True) == f"train.py:{ROOT_CAUSE}"


def test_a_file_changed_since_the_traceback_is_not_used(project: Path) -> None:
    program, text = _traceback(project / "project")
    program.write_text("# a line added at the top\n" + program.read_text())
    assert _first_site(text) is None


def test_a_missing_or_unreadable_file_gives_fewer_facts(project: Path) -> None:
    program, text = _traceback(project / "project")
    program.write_bytes(b"\xff\xfe not python \x00")
    assert _first_site(text) is None
    program.unlink()
    assert _first_site(text) is None
    (project / "project" / "train.py").mkdir()
    assert _first_site(text) is None


def test_control_characters_in_a_source_line_are_never_echoed(project: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, text = _traceback(project / "project", f'.to("cpu" if "{ESCAPES}" else "cpu")')
    first = rnndoctor.explain(text).first
    assert first is not None and first.fixes[0].site == f"train.py:{ROOT_CAUSE}"
    assert first.fixes[0].snippet == 'h = torch.zeros(1, x.size(0), 5).to("cpu" if "" else "cpu")'
    log = project / "log.txt"
    log.write_text(text, encoding="utf-8")
    for fmt in ("text", "json", "html"):
        assert main(["explain", "--format", fmt, "--file", str(log)]) == 1
        out = capsys.readouterr().out
        assert f"train.py:{ROOT_CAUSE}" in out and not _CONTROL.search(out), fmt
