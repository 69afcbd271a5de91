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
import traceback
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


# Where explain, given the whole traceback and the sources, has fewer facts than the post-mortem.
FEWER_FACTS = {
    "p07_time_series_no_feature_axis": "the message does not show that `input` is 2-D, so explain has no "
                                       "`unsqueeze(-1)` to move to the line that made it",
    "p19_batch_first_data_time_major_layer": "only the values show that the input's other axis has the "
                                             "states' batch",
    "p20_series_batches_no_feature_axis": "as p07",
    "p22_decoder_step_missing_time_axis": "the message shows the states' rank, not the input's",
    "p26_lengths_before_truncation_pack": "the padded input's length, which `lengths` must not pass, is a "
                                          "value the source does not show",
}


@pytest.mark.parametrize("program", [p for p in PROGRAMS if p.stem not in FEWER_FACTS],
                         ids=lambda p: p.stem)
def test_explain_given_the_traceback_ranks_as_the_post_mortem(
        program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """explain reads the traceback's source files under the current directory, with the post-mortem's
    logic but no values: the same first argument, and the same first fix at the root-cause line."""
    argument, line = _expected(program)
    monkeypatch.chdir(CORPUS)
    with pytest.raises((RuntimeError, TypeError, ValueError)) as raised:
        runpy.run_path(program.name, run_name="__main__")
    explained = rnndoctor.explain("".join(traceback.format_exception(raised.value))).first
    post_mortem = diagnose_exception(raised.value)
    assert explained is not None and post_mortem is not None and post_mortem.first is not None
    assert explained.arguments[0] == post_mortem.first.arguments[0] == argument
    assert explained.fixes[0].site == post_mortem.first.fixes[0].site == f"{program.name}:{line}"


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
