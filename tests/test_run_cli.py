"""`rnndoctor run`: the program runs as python would run it, with the diagnosis on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from rnndoctor.cli import main

ROOT = Path(__file__).resolve().parent.parent

SHOW = """
import json, sys
print(json.dumps({"argv": sys.argv, "name": __name__, "path0": sys.path[0],
                  "stdin": sys.stdin.read(), "torch": "torch" in sys.modules}))
sys.exit(3)
"""

ENCODER = """
import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(10, 20, num_layers=2, bidirectional=True)

    def forward(self, x):
        h_0 = c_0 = torch.zeros(2, x.shape[1], 20)
        return self.rnn(x, (h_0, c_0))


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()

    def forward(self, x):
        return self.encoder(x)


print("guarded:", nn.LSTM.forward.__code__.co_filename.endswith("guard.py"))
Seq2Seq()(torch.randn(7, 8, 10))
"""


def rnndoctor_run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rnndoctor", "run", *args], input=stdin,
                          capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False)


def write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def test_a_script_gets_its_argv_main_stdin_and_exit_code(tmp_path: Path) -> None:
    write(tmp_path, "show.py", SHOW)
    done = rnndoctor_run(tmp_path, "show.py", "a", "--format", "json", stdin="hello")
    assert done.returncode == 3, done.stderr
    seen = json.loads(done.stdout)
    assert seen == {"argv": ["show.py", "a", "--format", "json"], "name": "__main__",
                    "path0": str(tmp_path), "stdin": "hello", "torch": False}


def test_a_module_runs_as_with_python_m(tmp_path: Path) -> None:
    write(tmp_path, "pkg/__init__.py", "")
    write(tmp_path, "pkg/show.py", SHOW)
    done = rnndoctor_run(tmp_path, "-m", "pkg.show", "-v")
    assert done.returncode == 3, done.stderr
    seen = json.loads(done.stdout)
    assert seen["argv"] == [str(tmp_path / "pkg" / "show.py"), "-v"]
    assert (seen["name"], seen["path0"]) == ("__main__", str(tmp_path))


@pytest.mark.parametrize("source", ["def f():\n    raise ValueError('no')\n\nf()\n",
                                    "def f(:\n    pass\n"], ids=["raises", "does not compile"])
def test_an_uncaught_error_prints_the_traceback_as_python_does(tmp_path: Path,
                                                               source: str) -> None:
    write(tmp_path, "fail.py", source)
    done = rnndoctor_run(tmp_path, "fail.py")
    python = subprocess.run([sys.executable, "fail.py"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (python.returncode, python.stderr)


@pytest.mark.parametrize(("code", "status", "stderr"), [
    ("sys.exit()", 0, ""), ("sys.exit(4)", 4, ""), ("sys.exit('bye')", 1, "bye\n"),
    ("pass", 0, ""),
])
def test_exit_codes_are_the_programs(tmp_path: Path, code: str, status: int, stderr: str) -> None:
    write(tmp_path, "exit.py", f"import sys\n{code}\n")
    done = rnndoctor_run(tmp_path, "exit.py")
    assert (done.returncode, done.stderr) == (status, stderr)


def test_a_missing_script_is_a_usage_error(tmp_path: Path) -> None:
    done = rnndoctor_run(tmp_path, "nowhere.py")
    assert done.returncode == 2
    assert done.stderr == "rnndoctor run: can't open file 'nowhere.py': no such file\n"


def test_in_process_run_restores_argv_path_and_hooks(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    script = write(tmp_path, "exit.py", "import sys\nprint(sys.argv)\nsys.exit(5)\n")
    argv, path, hooks = sys.argv[:], sys.path[:], (sys.excepthook, threading.excepthook)
    assert main(["run", str(script), "x"]) == 5
    assert capsys.readouterr().out == f"{[str(script), 'x']}\n"
    assert (sys.argv, sys.path, (sys.excepthook, threading.excepthook)) == (argv, path, hooks)


# ---- with torch ----------------------------------------------------------------------------

def test_the_guard_stops_the_bad_call_and_writes_the_report(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    jsonschema = pytest.importorskip("jsonschema")
    write(tmp_path, "train.py", ENCODER)
    done = rnndoctor_run(tmp_path, "--report-json", "report.json", "train.py")
    assert done.returncode == 1
    assert done.stdout == "guarded: True\n"
    # torch's traceback, without rnndoctor's frames, and the diagnosis under it: what the
    # post-mortem alone prints
    assert done.stderr == rnndoctor_run(tmp_path, "--no-guard", "train.py").stderr
    assert "RuntimeError: Expected hidden[0] size (4, 8, 20), got [2, 8, 20]\n\nerror[RNN203]: " \
        "`h_0` and `c_0` have 2 layers" in done.stderr
    assert "  --> train.py:12, in encoder.rnn: LSTM(10, 20, num_layers=2, bidirectional=True)\n" \
        in done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, json.loads((ROOT / "docs" / "report.schema.json").read_text()))
    assert (report["kind"], report["valid"]) == ("report", False)
    assert report["findings"][0]["code"] == "RNN203"


def test_no_guard_leaves_the_post_mortem(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    write(tmp_path, "train.py", ENCODER)
    done = rnndoctor_run(tmp_path, "--no-guard", "train.py")
    assert done.returncode == 1
    assert done.stdout == "guarded: False\n"
    err = done.stderr
    assert "RnnArgumentError" not in err
    assert err.index("RuntimeError: Expected hidden[0] size (4, 8, 20), got [2, 8, 20]") \
        < err.index("\nerror[RNN203]")


def test_an_error_elsewhere_gets_an_empty_report(tmp_path: Path) -> None:
    write(tmp_path, "fail.py", "raise KeyError('x')\n")
    done = rnndoctor_run(tmp_path, "--report-json", "report.json", "fail.py")
    assert done.returncode == 1
    assert done.stderr.endswith("rnndoctor: the error is not in report.json: the error did not "
                                "come through a recurrent layer\n")
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["kind"], report["valid"], report["findings"]) == ("report", True, [])


MISUSE = """
import torch
from torch import nn

lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)
output, (h_n, c_n) = lstm(torch.randn(4, 10, 8))
features = h_n[-1]
print("ran")
"""


@pytest.mark.parametrize("fails", [False, True])
def test_semantics_records_the_warnings_at_exit(tmp_path: Path, fails: bool) -> None:
    pytest.importorskip("torch")
    jsonschema = pytest.importorskip("jsonschema")
    write(tmp_path, "train.py", MISUSE + ("raise SystemExit(4)\n" if fails else ""))
    done = rnndoctor_run(tmp_path, "--semantics", "--report-json", "report.json", "train.py")
    assert (done.returncode, done.stdout) == (4 if fails else 0, "ran\n")
    assert "train.py:6: RnnDoctorWarning: warning[RNN504]: `h_n[-1]` is the backward direction" \
        in done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, json.loads((ROOT / "docs" / "report.schema.json").read_text()))
    assert report["valid"] is True
    assert [(f["code"], f["location"]["call_site"]) for f in report["findings"]] == \
        [("RNN504", "train.py:6")]


def test_semantics_adds_the_warnings_to_a_diagnosed_failure(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    write(tmp_path, "train.py", MISUSE + "lstm(torch.randn(4, 10, 9))\n")
    done = rnndoctor_run(tmp_path, "--semantics", "--report-json", "report.json", "train.py")
    assert done.returncode == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["valid"] is False
    assert [f["code"] for f in report["findings"]] == ["RNN504", "RNN103"]


def test_a_clean_run_writes_an_empty_report(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    write(tmp_path, "train.py", "print('ran')\n")
    done = rnndoctor_run(tmp_path, "--report-json", "report.json", "train.py")
    assert (done.returncode, done.stdout, done.stderr) == (0, "ran\n", "")
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, json.loads((ROOT / "docs" / "report.schema.json").read_text()))
    assert (report["valid"], report["findings"]) == (True, [])


GUARD_WARNINGS = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

single = nn.LSTM(8, 16, dropout=0.5)
single(torch.randn(5, 3, 8))
flag = nn.GRU(8, True)
flag(torch.randn(5, 3, 8))
embed, gru = nn.Embedding(50, 8), nn.GRU(8, 16)
for (tokens,) in DataLoader(TensorDataset(torch.randint(0, 50, (64, 12))), batch_size=32):
    gru(embed(tokens))
print("ran")
"""


@pytest.mark.parametrize("fails", [False, True])
def test_the_report_holds_the_guards_warnings(tmp_path: Path, fails: bool) -> None:
    pytest.importorskip("torch")
    jsonschema = pytest.importorskip("jsonschema")
    write(tmp_path, "train.py", GUARD_WARNINGS + ("single(torch.randn(5, 3, 9))\n" if fails else ""))
    done = rnndoctor_run(tmp_path, "--semantics", "--report-json", "report.json", "train.py")
    assert (done.returncode, done.stdout) == (int(fails), "ran\n")
    printed = [code for code in ("RNN301", "RNN304", "RNN106") if f"warning[{code}]" in done.stderr]
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, json.loads((ROOT / "docs" / "report.schema.json").read_text()))
    codes = [f["code"] for f in report["findings"]]
    assert printed == ["RNN301", "RNN304", "RNN106"]
    assert codes == printed + (["RNN103"] if fails else [])
    assert report["valid"] is not fails


TIME_MAJOR = """
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 8)
        self.rnn = nn.GRU(8, 16)
        self.head = nn.Linear(16, 3)

    def forward(self, tokens):
        _, h_n = self.rnn(self.embed(tokens))
        return self.head(h_n[-1])


model = Classifier()
data = TensorDataset(torch.randint(0, 50, (64, 12)), torch.randint(0, 3, (64,)))
for tokens, labels in DataLoader(data, batch_size=32):
    F.cross_entropy(model(tokens), labels)
"""


@pytest.mark.parametrize("semantics", [False, True])
def test_a_time_major_mix_up_seen_only_in_the_loss_suggests_semantics(tmp_path: Path, semantics: bool) -> None:
    pytest.importorskip("torch")
    write(tmp_path, "train.py", TIME_MAJOR)
    done = rnndoctor_run(tmp_path, *(["--semantics"] if semantics else []), "train.py")
    assert done.returncode == 1
    assert "ValueError: Expected input batch_size (12) to match target batch_size (32)." in done.stderr
    hint = ("rnndoctor: the loss got 12 rows for 32 labels; `rnn` is time-major (batch_first=False), and a "
            "batch-first batch into it gives one row per time step; `rnndoctor run --semantics` compares "
            "each call with the DataLoader's batch size\n")
    assert done.stderr.endswith(hint) is not semantics
    assert ("warning[RNN106]" in done.stderr) is semantics  # semantic mode shows the mix-up itself


def test_format_json_writes_the_diagnosis_to_stderr(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    write(tmp_path, "train.py", ENCODER)
    done = rnndoctor_run(tmp_path, "--no-guard", "--format", "json", "train.py")
    assert (done.returncode, done.stdout) == (1, "guarded: False\n")
    traceback, brace, rest = done.stderr.partition("\n{\n")
    assert traceback.endswith("RuntimeError: Expected hidden[0] size (4, 8, 20), got [2, 8, 20]")
    report = json.loads(brace + rest)
    assert (report["kind"], report["findings"][0]["code"]) == ("report", "RNN203")
    assert "error[RNN203]" not in done.stderr


@pytest.mark.parametrize("color", ["always", "never"])
def test_color_applies_to_rnndoctors_output_only(tmp_path: Path, color: str) -> None:
    pytest.importorskip("torch")
    write(tmp_path, "train.py", ENCODER)
    done = rnndoctor_run(tmp_path, "--no-guard", "--color", color, "train.py")
    assert (done.returncode, done.stdout) == (1, "guarded: False\n")
    traceback, _, diagnosis = done.stderr.partition("RuntimeError: Expected hidden[0] size")
    assert "\x1b[" not in traceback
    assert ("\x1b[" in diagnosis) is (color == "always")
    assert "error[RNN203]: `h_0` and `c_0` have 2 layers" in re.sub(r"\x1b\[[0-9;]*m", "", diagnosis)


def test_semantics_needs_the_guard(tmp_path: Path) -> None:
    write(tmp_path, "train.py", "print('never')\n")
    done = rnndoctor_run(tmp_path, "--semantics", "--no-guard", "train.py")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "rnndoctor run: --semantics needs the guard; drop --no-guard\n"


def test_the_readme_shows_semantic_mode_as_it_runs(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Bugs that never raise"):readme.index("## Developing")]
    program = section.split("```python\n")[1].split("```")[0]
    shown = section.split("$ rnndoctor run --semantics train.py\n")[1].split("```")[0]
    write(tmp_path, "train.py", program)
    done = rnndoctor_run(tmp_path, "--semantics", "train.py")
    assert (done.returncode, done.stderr + done.stdout) == (0, shown)
    assert shown.count("RnnDoctorWarning: warning[") == 2
