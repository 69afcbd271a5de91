"""The corpus: programs reduced from public bug reports, each run under `rnndoctor run`.

Each program in tests/corpus names its source in its header, says which
argument is wrong at the call (`first argument: h_0`), and marks the line
that made the wrong number with `# root cause`. The report must name that
argument first, and its first fix must edit that line.
"""

from __future__ import annotations

import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import rnndoctor  # noqa: E402
from rnndoctor._runtime.postmortem import diagnose_exception  # noqa: E402
from rnndoctor.cli import main  # noqa: E402

CORPUS = Path(__file__).parent.parent / "corpus"
PROGRAMS = sorted(CORPUS.glob("p[0-9]*.py"))


def _expected(program: Path) -> tuple[str, int]:
    text = program.read_text()
    match = re.search(r"^first argument: (\w+)$", text, re.MULTILINE)
    assert match, f"{program.name} does not say its first argument"
    lines = [i for i, line in enumerate(text.splitlines(), 1) if line.rstrip().endswith("# root cause")]
    assert len(lines) == 1, f"{program.name} marks {len(lines)} root-cause lines"
    return match.group(1), lines[0]


def _first(report_json: Path) -> dict[str, object]:
    doc = json.loads(report_json.read_text())
    return next(f for f in doc["findings"] if f["first"])


def test_the_corpus_is_there() -> None:
    assert len(PROGRAMS) >= 10
    for program in PROGRAMS:
        assert re.search(r"https://\S+", program.read_text().split('"""')[1]), program.name


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_torch_fails_on_each_program(program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    with pytest.raises((RuntimeError, TypeError, ValueError)):  # as torch raises
        runpy.run_path(program.name, run_name="__main__")


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_run_names_the_root_cause(program: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    argument, line = _expected(program)
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "report.json"
    assert main(["run", "--report-json", str(out), program.name]) == 1
    first = _first(out)
    assert first["arguments"][0] == argument  # type: ignore[index]
    assert first["fixes"][0].get("site") == f"{program.name}:{line}"  # type: ignore[index, union-attr]


def test_outside_pytest_the_note_shows_the_ranked_diagnosis_once(
        tmp_path: Path) -> None:
    """torch's exception kept by the guard carries the diagnosis as a note, ranked by where the
    values were made once the error is uncaught; the post-mortem adds nothing under it, and
    `--report-json` carries the same ranked report."""
    program = CORPUS / "p01_init_hidden_last_batch.py"
    argument, line = _expected(program)
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "rnndoctor", "run", "--report-json", str(out), program.name],
                          capture_output=True, text=True, cwd=CORPUS, timeout=120, check=False)
    assert done.returncode == 1
    err = done.stderr
    assert err.count("error[RNN204]") == 1 and "where the values of this RNN204 were made" not in err
    assert (err.index("RuntimeError: Expected hidden[0] size") < err.index("error[RNN204]")
            < err.index(f"  --> {program.name}:{line}\n")), err
    first = _first(out)
    assert first["arguments"][0] == argument  # type: ignore[index]
    assert first["fixes"][0].get("site") == f"{program.name}:{line}"  # type: ignore[index, union-attr]


# The batch mismatches (`*_batch.py`), where torch's message carries the evidence the others use.
# Not p19: there the guard sees that the input's other axis has the states' batch; the message
# alone does not show it, and explain ranks the states first.
@pytest.mark.parametrize("program", [p for p in PROGRAMS if p.stem.endswith("_batch")],
                         ids=lambda p: p.stem)
def test_explain_post_mortem_and_guard_name_the_same_first_argument(
        program: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(CORPUS)
    with pytest.raises(RuntimeError) as raised:
        runpy.run_path(program.name, run_name="__main__")
    explained = rnndoctor.explain(f"RuntimeError: {raised.value}").first
    post_mortem = diagnose_exception(raised.value)
    guarded = tmp_path / "guard.json"
    main(["run", "--report-json", str(guarded), program.name])
    assert explained is not None and post_mortem is not None and post_mortem.first is not None
    names = {explained.arguments[0], post_mortem.first.arguments[0],
             _first(guarded)["arguments"][0]}  # type: ignore[index]
    assert names == {_expected(program)[0]}


def test_the_readme_shows_where_the_wrong_number_was_made(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent.parent / "README.md").read_text()
    section = readme[readme.index("### Where the wrong number was made"):]
    program = section.split("```python\n# train.py\n")[1].split("```")[0]
    shown = section.split("ranked by where the values were made; it ends with:\n\n```\n")[1].split("```")[0]
    (tmp_path / "train.py").write_text(program)
    done = subprocess.run([sys.executable, "-m", "rnndoctor", "run", "train.py"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.endswith("\n" + shown), done.stderr[-2000:]


def test_states_built_in_the_call_are_edited_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`lstm(x, (torch.zeros(1, 3, 20), torch.zeros(1, 3, 20)))`: one line, one witness, and one
    edit of that line that sizes both states; run, the edited line makes the call pass."""
    program = ["import torch", "from torch import nn", "", "lstm = nn.LSTM(10, 20)",
               "x = torch.randn(7, 5, 10)",
               "output, (h_n, c_n) = lstm(x, (torch.zeros(1, 3, 20), torch.zeros(1, 3, 20)))"]
    (tmp_path / "states.py").write_text("\n".join(program) + "\n")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "report.json"
    assert main(["run", "--report-json", str(out), "states.py"]) == 1
    first = _first(out)
    fix = first["fixes"][0]  # type: ignore[index]
    assert fix["site"] == "states.py:6"  # type: ignore[index]
    assert any("(one witness)" in note for note in first["notes"])  # type: ignore[attr-defined]
    edited = "\n".join([*program[:5], fix["snippet"]]) + "\n"  # type: ignore[index]
    (tmp_path / "fixed.py").write_text(edited)
    runpy.run_path("fixed.py", run_name="__main__")  # real torch: no error
