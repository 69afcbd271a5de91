"""`rnndoctor lint` as ruff and flake8 users expect it: exit codes, rule selection, `# noqa`,
pyproject.toml, the four formats, unparsable files, notebooks, several processes, and no torch."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rnndoctor import cli

from ..golden import check_golden

MODEL = '''\
import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(32, 64, 2, True)
        self.head = nn.Linear(64, 5)

    def forward(self, x):
        output, (h_n, c_n) = self.rnn(x)
        return self.head(output[:, -1])


encoder = nn.GRU(32, 64, dropout=0.2)
'''
USES = '''\
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(32, 64, num_layers=2, batch_first=True)
        self.head = nn.Linear(64, 5)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        output, (h, c) = self.rnn(packed)
        output, _ = pad_packed_sequence(output)
        return self.head(output), h


encoder = nn.LSTM(32, 64)
head = nn.Linear(64, 5)


def tag(x):
    output, _ = encoder(x)
    return head(output).view(x.size(1), x.size(0), 5)
'''
NOTEBOOK = {"cells": [
    {"cell_type": "markdown", "source": ["# a notebook\n"]},
    {"cell_type": "code", "source": ["%matplotlib inline\n", "import torch.nn as nn\n"]},
    {"cell_type": "code", "source": "rnn = nn.RNN(10, 20, 1, 'sigmoid')\n"},
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def lint(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["lint", *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "clean.py").write_text("import torch.nn as nn\nrnn = nn.LSTM(10, 20, batch_first=True)\n")
    (tmp_path / "notes.ipynb").write_text(json.dumps(NOTEBOOK))
    (tmp_path / "broken.py").write_text("import torch.nn as nn\nnn.LSTM(10,\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_output_golden(tree: Path, update_goldens: bool) -> None:
    code, out, _ = lint(".", "--color", "never")
    assert code == 1
    check_golden("lint/tree.txt", out, update_goldens)


def test_the_uses_of_the_results_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        update_goldens: bool) -> None:
    """RNN509, RNN510 and RNN512, followed through one forward."""
    (tmp_path / "uses.py").write_text(USES)
    monkeypatch.chdir(tmp_path)
    code, out, _ = lint("uses.py", "--color", "never")
    assert code == 1
    check_golden("lint/uses.txt", out, update_goldens)


def test_exit_codes(tree: Path) -> None:
    assert lint("clean.py")[0] == 0
    assert lint("model.py")[0] == 1
    assert lint("broken.py")[0] == 0  # reported, not fatal
    code, _, err = lint("missing.py")
    assert code == 2 and err == "rnndoctor lint: error: missing.py: no such file or folder\n"
    code, _, err = lint("model.py", "--select", "E501")
    assert code == 2 and "not a rule code or a prefix of one" in err


def test_select_and_ignore_take_codes_and_prefixes(tree: Path) -> None:
    def found(*args: str) -> list[str]:
        _, out, _ = lint("model.py", "--format", "json", *args)
        return [d["finding"]["code"] for d in json.loads(out)["diagnostics"]]

    assert found() == ["RNN311", "RNN501", "RNN301"]
    assert found("--select", "RNN5") == ["RNN501"]
    assert found("--select", "RNN3", "--ignore", "RNN311") == ["RNN301"]
    assert found("--ignore", "RNN3,RNN501") == []


def test_json_follows_the_schema(tree: Path) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report.schema.json").read_text())
    _, out, _ = lint(".", "--format", "json")
    doc = json.loads(out)
    assert not [e.message for e in Draft202012Validator(schema).iter_errors(doc)]
    assert doc["unreadable"] == [{"path": "./broken.py", "reason": "line 2: '(' was never closed"}]
    assert {d["cell"] for d in doc["diagnostics"]} == {None, 3}


def test_pyproject_table_and_the_command_line_over_it(tree: Path) -> None:
    (tree / "pyproject.toml").write_text('[tool.rnndoctor]\nignore = ["RNN311"]\nexclude = ["notes.ipynb"]\n')
    _, out, _ = lint(".", "--format", "json")
    doc = json.loads(out)
    assert [d["finding"]["code"] for d in doc["diagnostics"]] == ["RNN501", "RNN301"]
    assert doc["files_checked"] == 3
    _, out, _ = lint("model.py", "--format", "json", "--ignore", "RNN5")
    assert [d["finding"]["code"] for d in json.loads(out)["diagnostics"]] == ["RNN311", "RNN301"]
    (tree / "pyproject.toml").write_text('[tool.rnndoctor]\nselekt = ["RNN5"]\n')
    code, _, err = lint(".")
    assert code == 2 and "has no key 'selekt'; the keys are select, ignore, exclude" in err
    assert lint(".", "--no-config")[0] == 1


def test_noqa(tree: Path) -> None:
    source = MODEL.replace("output[:, -1])", "output[:, -1])  # noqa: RNN501")
    (tree / "model.py").write_text(source)
    _, out, _ = lint("model.py", "--format", "json")
    assert [d["finding"]["code"] for d in json.loads(out)["diagnostics"]] == ["RNN311", "RNN301"]


def test_sarif(tree: Path) -> None:
    _, out, _ = lint(".", "--format", "sarif")
    doc = json.loads(out)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    assert [r["ruleId"] for r in run["results"]] == ["RNN311", "RNN501", "RNN301", "RNN309"]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"


def test_github_annotations(tree: Path) -> None:
    _, out, _ = lint("model.py", "--format", "github")
    first = out.splitlines()[0]
    assert first == ("::error file=model.py,line=8,col=39,endLine=8,endColumn=43,"
                     "title=RNN311 positional-bool-flag::the positional `True` is `bias`, "
                     "the fourth argument of nn.LSTM")


def test_several_processes_give_what_one_gives(tree: Path) -> None:
    for i in range(70):
        (tree / f"copy{i}.py").write_text(MODEL)
    one = lint(".", "--format", "json", "--jobs", "1")
    two = lint(".", "--format", "json", "--jobs", "2")
    assert one == two and one[0] == 1


def test_lint_never_imports_torch(tree: Path) -> None:
    code = ("import sys; from rnndoctor import cli; rc = cli.main(['lint', '.']); "
            "sys.exit(10 + rc if 'torch' in sys.modules else rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=tree)
    assert done.returncode == 1, done.stderr
    meta = subprocess.run([sys.executable, "-c", "import torch; " + code], capture_output=True, cwd=tree)
    assert meta.returncode == 11  # the check can fail


def test_the_readme_shows_a_lint_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("### In the source, before it runs: `lint`"):]
    program = section.split("```python\n# tagger.py\n")[1].split("```")[0]
    shown = section.split("$ rnndoctor lint tagger.py\n")[1].split("```")[0]
    (tmp_path / "tagger.py").write_text(program)
    monkeypatch.chdir(tmp_path)
    assert lint("tagger.py", "--color", "never")[:2] == (1, shown)
    assert shown.count("\nwarning[") + shown.startswith("warning[") == 2


def test_a_file_nested_too_deeply_is_reported_not_fatal(tree: Path) -> None:
    (tree / "deep.py").write_text("import torch.nn as nn\nx = " + "1+" * 200_000 + "1\nnn.LSTM(10, 20, dropout=0.5)\n")
    code, out, _ = lint("deep.py", "model.py")
    assert code == 1
    assert "deep.py: not linted: nested too deeply to read\n" in out
    assert out.endswith("in 1 file (2 files checked); 1 file could not be read\n")
