"""The package as PyPI users see it: version, licence, metadata, README links, torch optional."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import rnndoctor
from rnndoctor import cli

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LINK = re.compile(r"\]\((?P<target>[^)\s]+)[^)]*\)|<(?:a|img)\b[^>]*\b(?:href|src)=\"(?P<html>[^\"]+)\"")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)


def test_version_is_pyprojects() -> None:
    assert rnndoctor.__version__ == PROJECT["version"]


def test_version_costs_no_metadata_lookup() -> None:
    done = _python("import sys, rnndoctor; rnndoctor.__version__; "
                   "sys.exit('importlib.metadata' in sys.modules)")
    assert done.returncode == 0, done.stderr


def test_cli_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"rnndoctor {PROJECT['version']}\n"


def test_licence_is_the_whole_mit_text() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    assert text.startswith("MIT License\n\nCopyright (c) ")
    assert "The rnndoctor authors" in text.splitlines()[2]
    for clause in ("Permission is hereby granted, free of charge",
                   "The above copyright notice and this permission notice shall be included",
                   'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND'):
        assert clause in text


def test_classifiers_name_every_supported_python() -> None:
    low = int(PROJECT["requires-python"].removeprefix(">=3."))
    versions = {c.rsplit(" :: ", 1)[1] for c in PROJECT["classifiers"]
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert versions and min(versions, key=lambda v: int(v[2:])) == f"3.{low}"
    assert sorted(int(v[2:]) for v in versions) == list(range(low, low + len(versions)))
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])  # the SPDX expression says it


def test_no_invented_urls() -> None:
    assert "urls" not in PROJECT  # until a public repository exists


def test_torch_is_an_extra() -> None:
    assert not any(d.startswith("torch") for d in PROJECT["dependencies"])
    assert PROJECT["optional-dependencies"]["torch"] == ["torch>=2.1"]
    assert "torch==" in (ROOT / "requirements-dev.txt").read_text()  # the dev environment pins it


def test_a_relative_link_is_caught() -> None:
    assert LINK.search("see [the rules](docs/rules.md)")["target"] == "docs/rules.md"  # type: ignore[index]


def test_scan_without_torch_says_so_in_one_line(tmp_path: Path) -> None:
    done = _python("import sys; sys.modules['torch'] = None\n"
                   "from rnndoctor import cli\n"
                   "sys.exit(cli.main(['scan', 'model.py:build', '--input', '2,3,4']))")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "needs torch, which is not installed" in done.stderr
    assert "pip install 'rnndoctor[torch]'" in done.stderr


@pytest.mark.parametrize("argv", [["explain", "RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]"],
                                  ["rules"], ["rule", "RNN204"], ["shapes", "nn.LSTM(50, 100)", "--batch", "3"],
                                  ["check", "nn.LSTM(50, 100)", "--input", "10,32,25"]])
def test_shape_and_text_commands_work_without_torch(argv: list[str]) -> None:
    done = _python("import sys; sys.modules['torch'] = None\n"
                   "from rnndoctor import cli\n"
                   f"code = cli.main({argv!r})\n"
                   "sys.exit(code if code in (0, 1) else 9)")
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
