"""The corpus: programs reduced from public bug reports, each run under `rnndoctor run`.

Each program in tests/corpus names its source in its header, says which
argument is wrong at the call (`first argument: h_0`), and marks the line
that made the wrong number with `# root cause`. The report must name that
argument first, and its first fix must edit that line.
"""

from __future__ import annotations

import ast
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


_MAKERS = {"zeros", "ones", "randn", "rand", "empty", "new_zeros", "new_ones", "new_empty"}


def _code(snippet: str) -> list[str]:
    """The snippet's simple statements, one a line, without comments and the headers of blocks."""
    lines = (line.split("  # ")[0].strip() for line in snippet.splitlines())
    return [line for line in lines if line and not line.startswith("#") and not line.endswith(":")]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_the_first_fix_writes_no_size_as_a_literal(program: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the first fix edits the line that made a state's batch or layer count, it writes the
    expression a user would write (`x.size(0)`, `self.num_layers * 2`, a parameter), never the
    number torch expected: that number is right for this batch only."""
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "report.json"
    main(["run", "--report-json", str(out), program.name])
    first = _first(out)
    fix = first["fixes"][0]  # type: ignore[index]
    wrong = [(d["tensor"], d["index"]) for d in first["dims"]  # type: ignore[attr-defined]
             if d["wrong"] and d["symbol"] in ("N", "D*num_layers") and d["tensor"] in ("h_0", "c_0", "hx")]
    rank = {t: sum(d["tensor"] == t for d in first["dims"]) for t, _ in wrong}  # type: ignore[attr-defined]
    for line in _code(fix["snippet"]):
        try:
            tree = ast.parse(line)
        except SyntaxError:  # one line of a constructor written over several (`bidirectional=True)`)
            continue
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            sizes = call.args[0].elts if len(call.args) == 1 and isinstance(call.args[0], ast.Tuple) else call.args
            if name in _MAKERS:
                assert not [i for t, i in wrong if len(sizes) == rank[t] and isinstance(sizes[i], ast.Constant)], line
            elif name.startswith("init_hidden") and wrong:
                assert not any(isinstance(a, ast.Constant) for a in call.args), line


def _applied(source: list[str], site: int, snippet: str) -> list[str]:
    """`source` with `snippet` put in at line `site`, as its comments say: a method's header and
    lines, a line elsewhere (`# and at FILE:LINE, where it is called:`), a line moved into the loop
    that follows (`# inside the loop, for each batch`), lines added at the start of a method
    (`# at the start of `forward``); otherwise the lines from `site` on."""
    lines = list(source)
    parts = re.split(r"^# and at \S+:(\d+), where .*:$", snippet, flags=re.MULTILINE)
    edits = [(site, parts[0])] + [(int(parts[i]), parts[i + 1]) for i in range(1, len(parts), 2)]
    for at, text in sorted(edits, reverse=True):  # from the bottom up: an added line moves those below
        block = [line for line in text.splitlines() if line.strip()]
        indent = re.match(r"\s*", lines[at - 1]).group()  # type: ignore[union-attr]
        start = re.match(r"# at the start of `(\w+)`", block[0])
        if start:  # the line at `site` stays: the field is built there first
            header = next(i for i, line in enumerate(lines) if line.strip().startswith(f"def {start.group(1)}("))
            body = re.match(r"\s*", lines[header + 1]).group()  # type: ignore[union-attr]
            lines[header + 1:header + 1] = [body + line for line in block[1:]]
        elif block[0].startswith("def "):
            header = next(i for i, line in enumerate(lines) if line.strip().startswith(block[0].split("(")[0] + "("))
            lines[header] = re.match(r"\s*", lines[header]).group() + block[0]  # type: ignore[union-attr]
            for line in block[1:]:
                target = line.strip().split(" = ")[0] if " = " in line else "return"
                i = next(i for i in range(header + 1, len(lines)) if lines[i].strip().startswith(target))
                lines[i] = re.match(r"\s*", lines[i]).group() + line.strip()  # type: ignore[union-attr]
        elif block[0].endswith("# inside the loop, for each batch"):
            del lines[at - 1]
            loop = next(i for i in range(at - 1, len(lines)) if lines[i].lstrip().startswith(("for ", "while ")))
            body = re.match(r"\s*", lines[loop + 1]).group()  # type: ignore[union-attr]
            lines.insert(loop + 1, body + block[0].split("  # ")[0])
        else:
            for k, line in enumerate(block):
                code = line.split("  # ")[0].strip()
                target = code.split(" = ")[0]
                if k == 0 or lines[at - 1 + k].strip().startswith(target + " = "):
                    lines[at - 1 + k] = indent + code
                else:
                    lines.insert(at - 1 + k, indent + code)
    return lines


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_each_upstream_fix_runs_under_torch(program: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Each fix that edits a line of the program, put in where it says, makes it run under real
    torch: the check on the call it produces, by the oracle. The first fix is always one."""
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "report.json"
    main(["run", "--report-json", str(out), program.name])
    fixes = _first(out)["fixes"]
    source = program.read_text().splitlines()
    tried = 0
    for fix in fixes:  # type: ignore[attr-defined]
        site = int(fix["site"].rpartition(":")[2]) if fix.get("site") else None
        if site is None or (fix["snippet"].startswith("nn.") and not source[site - 1].lstrip().startswith("nn.")):
            continue  # a fix at the call; or one of the layer's, shown at the line that built it
        edited = tmp_path / program.name
        edited.write_text("\n".join(_applied(source, site, fix["snippet"])) + "\n")
        runpy.run_path(str(edited), run_name="__main__")
        tried += 1
    if not tried:
        pytest.skip("a constructor fix at the call, shown at the line that built the layer")


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


# The hand-offs (`*_handoff.py`): torch's message does not show that the state came from an encoder,
# so explain cannot rank them as the others do; the post-mortem without a guard reads the same frames.
@pytest.mark.parametrize("program", [p for p in PROGRAMS if p.stem.endswith("_handoff")], ids=lambda p: p.stem)
def test_the_post_mortem_ranks_a_handoff_as_run_does(program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    argument, line = _expected(program)
    with pytest.raises((RuntimeError, ValueError)) as raised:  # a cell's rank check raises ValueError
        runpy.run_path(program.name, run_name="__main__")
    report = diagnose_exception(raised.value)
    assert report is not None and report.first is not None
    assert report.first.arguments[0] == argument
    assert report.first.fixes[0].site == f"{program.name}:{line}"


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


@pytest.mark.parametrize("program", [p for p in PROGRAMS if p.stem not in FEWER_FACTS
                                     and not p.stem.endswith("_handoff")],  # ranked by the post-mortem above
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
    assert fix["site"] == "states.py:6" and fix["snippet"].count("x.size(1)") == 2  # type: ignore[index]
    assert any("(one witness)" in note for note in first["notes"])  # type: ignore[attr-defined]
    edited = "\n".join([*program[:5], fix["snippet"]]) + "\n"  # type: ignore[index]
    (tmp_path / "fixed.py").write_text(edited)
    runpy.run_path("fixed.py", run_name="__main__")  # real torch: no error
