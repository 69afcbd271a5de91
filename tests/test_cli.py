"""The command line: `cli.main(argv)` gives the exit code; stdout and stderr are captured."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
import types
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import rnndoctor._api
from rnndoctor import cli
from rnndoctor._parse import parse_layer, parse_shape
from rnndoctor.errors import UsageError
from rnndoctor.findings import Finding, Severity
from rnndoctor.render.views import render_rule, render_rules
from rnndoctor.report import Report
from rnndoctor.rules import REGISTRY

from .golden import check_golden

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ARTICLE = [
    ["check", "nn.LSTM(input_size=50, hidden_size=100, num_layers=1, batch_first=False)",
     "--input", "10,32,25"],
    ["check", "nn.LSTM(50, 100)", "--input", "10,16,50", "--h0", "1,32,100", "--c0", "1,32,100"],
    ["check", "nn.LSTM(50, 100, num_layers=2, bidirectional=True, batch_first=True)",
     "--input", "32,10,50"],
    ["shapes", "nn.LSTM(50, 100, num_layers=2, bidirectional=True, batch_first=True)",
     "--batch", "32", "--seq-len", "10"],
]
MORE = [
    ["check", "torch.nn.GRU(10, 20, batch_first=True)", "--input", "(3, 5, 10)", "--hx", "1x3x20"],
    ["check", "GRU(10, 20)", "--input", "32,10,10", "--hx", "1,32,20"],
    ["check", "nn.LSTM(10, 20, num_layers=2, bidirectional=True)", "--input", "5,8,10",
     "--h0", "2,8,20", "--c0", "2,8,20"],
    ["check", "nn.LSTMCell(10, 20)", "--input", "10", "--unbatched"],
    ["check", "nn.LSTM(50, 100, dtype=torch.float64)", "--input", "10,32,50"],
    ["shapes", "nn.GRU(10, 20)", "--unbatched", "--seq-len", "5"],
    ["shapes", "nn.LSTMCell(10, 20)"],
]


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def transcript(commands: list[list[str]]) -> str:
    parts = []
    for argv in commands:
        code, out, err = run(argv)
        parts.append(f"$ rnndoctor {shlex.join(argv)}\n{out}{err}[exit {code}]\n")
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


# ---- what the README shows ----------------------------------------------------------------

def test_article_examples(update_goldens: bool) -> None:
    check_golden("cli/article.txt", transcript(ARTICLE), update_goldens)


def test_more_checks(update_goldens: bool) -> None:
    check_golden("cli/more.txt", transcript(MORE), update_goldens)


def test_demo_without_torch(update_goldens: bool) -> None:
    check_golden("cli/demo-no-torch.txt", transcript([["demo", "--no-torch"]]), update_goldens)


def test_demo_with_torch(update_goldens: bool) -> None:
    pytest.importorskip("torch")
    text = transcript([["demo"]])
    check_golden("cli/demo.txt", text, update_goldens)
    assert "raises RuntimeError: input.size(-1) must be equal to input_size" in text
    assert "runs it: output (32, 10, 200), h_n (4, 32, 100), c_n (4, 32, 100)" in text


def test_article_verdicts() -> None:
    codes = [run(argv)[0] for argv in ARTICLE]
    assert codes == [1, 1, 0, 0]
    _, out, _ = run(ARTICLE[1])
    assert "help: build the states for batch 16\n" in out and "help: or give `input` batch 32\n" in out


# ---- exit codes and catalogue --------------------------------------------------------------

def test_warnings_alone_exit_0(monkeypatch: pytest.MonkeyPatch) -> None:
    warning = Finding("RNN105", "input-looks-transposed", Severity.WARNING, "a warning", ())
    monkeypatch.setattr(rnndoctor._api, "check", lambda *args, **kwargs: Report((warning,)))
    code, out, _ = run(["check", "nn.LSTM(10, 20)", "--input", "5,3,10"])
    assert (code, out.splitlines()[0]) == (0, "warning[RNN105]: a warning")


def test_rules_and_rule_print_the_catalogue() -> None:
    assert run(["rules"]) == (0, render_rules(REGISTRY), "")
    rule = REGISTRY[0]
    expected = (0, render_rule(rule), "")
    assert run(["rule", rule.code.lower()]) == expected
    assert run(["rule", rule.name]) == expected


def test_the_catalogue_says_where_semantic_rules_are_checked() -> None:
    _, out, _ = run(["rules"])
    semantic = [r.code for r in REGISTRY if r.stage in ("use", "program")]
    assert semantic and out.splitlines()[-1] == ("checked only under `guard(semantics=True)`: "
                                                  + ", ".join(semantic))
    _, out, _ = run(["rule", "RNN502"])
    assert out.splitlines()[0] == ("RNN502 bidirectional-last-step (warning, checked by "
                                   "`guard(semantics=True)` as the layer's results are used)")
    _, out, _ = run(["rule", "RNN502", "--format", "json"])
    assert json.loads(out)["stage"] == "use"


def test_constructor_only_check() -> None:
    code, out, _ = run(["check", "nn.LSTM(10, 20)"])
    assert (code, out) == (0, "ok: no problems found\n")


# ---- formats and colour -------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    *ARTICLE, *MORE, ["check", "nn.LSTM(10, 20)", "--input", "5,3,10", "--lengths", "5,3,2"],
    ["rules"], ["rule", "RNN204"], ["rule", "RNN502"], ["rule", "RNN507"], ["demo", "--no-torch"],
])
def test_json_matches_the_schema(argv: list[str]) -> None:
    code, out, _ = run([*argv, "--format", "json"])
    doc = json.loads(out)
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    assert not [e.message for e in Draft202012Validator(schema).iter_errors(doc)]
    assert doc["schema"] == 1
    assert code == run(argv)[0]


def test_json_call_describes_the_arguments() -> None:
    _, out, _ = run(["check", "nn.LSTM(10, 20)", "--input", "5,3,10", "--h0", "1,3,20",
                     "--dtype", "float64", "--format", "json"])
    call = json.loads(out)["call"]
    assert call["input"] == {"type": "tensor", "shape": [5, 3, 10], "dtype": "float64",
                             "device": "cpu"}
    assert call["hx"]["type"] == "tuple" and call["hx"]["items"][1] is None


def test_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ARTICLE[1]
    _, plain, _ = run(argv)
    _, always, _ = run([*argv, "--color", "always"])
    assert "\x1b[" not in plain and ANSI.sub("", always) == plain != always
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert run(argv)[1] == always
    assert run([*argv, "--color", "never"])[1] == plain
    monkeypatch.setenv("NO_COLOR", "1")
    assert run(argv)[1] == plain
    assert run([*argv, "--color", "always"])[1] == always


# ---- bad input ----------------------------------------------------------------------------

BAD = [
    ["check", "nn.Linear(3, 4)", "--input", "1,2,3"],
    ["check", "nn.LSTM(50, 100", "--input", "1,2,3"],
    ["check", "nn.LSTM(50, 100)", "--input", "32,-1,50"],
    ["check", "nn.LSTM(50, 100)", "--input", "32,ten,50"],
    ["check", "nn.LSTM(50, 100)", "--input", ""],
    ["check", "nn.LSTM(50, 100)", "--input", "1,2,3", "--dtype", "float128"],
    ["check", "nn.LSTM(50, 100)", "--input", "1,2,3", "--hx", "1,2,100", "--h0", "1,2,100"],
    ["check", "nn.GRU(50, 100)", "--input", "1,2,50", "--c0", "1,2,100"],
    ["check", "nn.LSTM(50, 100)", "--h0", "1,2,100"],
    ["check", "nn.LSTM(50, 100)", "--input", "1,2,50", "--unbatched"],
    ["check", "nn.LSTM(50, 100, foo=1)"],
    ["check", "nn.LSTM(50, 100, dtype='float64')"],
    ["check", "nn.LSTM(50, 100)", "--input", "1,2,3", "--lengths", "3,x"],
    ["check", "nn.LSTM(50, 100)", "--batch-size", "32"],
    ["check", "nn.LSTM(50, 100)", "--input", "32,7,50", "--batch-size", "0"],
    ["check", "nn.LSTM(50, 100)", "--input", "32,7,50", "--batch-size", "32,7"],
    ["shapes", "nn.LSTM(50, 100)", "--batch", "32,10"],
    ["shapes", "nn.LSTM(50, 100)", "--batch", "-3"],
    ["shapes", "nn.LSTM(50, 100)", "--batch", "3", "--unbatched"],
    ["rule", "RNN999"],
    ["frobnicate"],
    [],
    ["check"],
    ["check", "nn.LSTM(1, 2)", "--bogus"],
    ["check", "(" * 1999],
    ["check", "nn.LSTM(" + "-" * 1980 + "1, 2)"],
    ["check", "nn.LSTM(1, " + "[" * 990 + "]" * 990 + ")"],
    ["check", "nn.LSTM(1, 2)\x00"],
    ["check", "nn.LSTM(10, 20, num_layers=2, num_layers=3)", "--input", "5,3,10"],
    ["check", "nn.LSTM(10, 20, device='nonsense')", "--input", "5,3,10"],
    ["check", "nn.LSTM(10, 20, device='cuda:x')", "--input", "5,3,10"],
]


@pytest.mark.parametrize("argv", BAD, ids=lambda argv: " ".join(argv)[:60])
def test_usage_errors_are_one_line(argv: list[str]) -> None:
    code, out, err = run(argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("rnndoctor"), err
    assert "Traceback" not in err


def test_batch_size_is_evidence_of_the_batch_axis() -> None:
    code, out, _ = run(["check", "nn.GRU(10, 20)", "--input", "32,7,10", "--batch-size", "32"])
    assert (code, out.splitlines()[0]) == (
        0, "warning[RNN106]: `input`'s batch of 32 is on dim 0, but the GRU reads dim 1 as the batch")
    assert run(["check", "nn.GRU(10, 20)", "--input", "7,32,10", "--batch-size", "32"])[:2] == \
        (0, "ok: no problems found\n")


def test_usage_error_for_an_expression_shows_what_is_accepted() -> None:
    _, _, err = run(["check", "nn.Linear(3, 4)"])
    assert err.startswith("rnndoctor check: error: `nn.Linear` is not one of the layer classes")
    assert "nn.LSTM(50, 100, num_layers=2)" in err and "RNNCell" in err


ADVERSARIAL = [
    "__import__('os').system('touch {sentinel}')",
    "nn.LSTM(__import__('os').system('touch {sentinel}'), 100)",
    "nn.LSTM(50, hidden_size=__import__('os').system('touch {sentinel}'))",
    "nn.LSTM(50, 100, dtype=__import__('os').system('touch {sentinel}'))",
    "(lambda: __import__('os').system('touch {sentinel}'))()",
    "nn.LSTM(50, (lambda: 100)())",
    "nn.LSTM(50, f'{{open(\"{sentinel}\", \"w\")}}')",
    "nn.LSTM.__init__.__globals__['os'].system('touch {sentinel}')",
    "nn.LSTM(50, 100).__class__",
    "nn.LSTM(*[open('{sentinel}', 'w')])",
    "nn.LSTM(**{{'input_size': open('{sentinel}', 'w')}})",
    "nn.LSTM(50, [x for x in open('{sentinel}', 'w')])",
    "nn.LSTM(50, (y := open('{sentinel}', 'w')))",
    "exec('open(\"{sentinel}\", \"w\")')",
    "eval(\"__import__('os')\").system('touch {sentinel}')",
    "torch.nn.LSTM(50, 100); open('{sentinel}', 'w')",
    "nn.LSTM(50, 100, device=open('{sentinel}', 'w'))",
]


@pytest.mark.parametrize("template", ADVERSARIAL)
def test_adversarial_expressions_run_nothing(template: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sentinel = tmp_path / "ran"
    ran: list[str] = []
    monkeypatch.setattr(os, "system", lambda cmd: ran.append(cmd) or 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: ran.append("Popen"))
    code, out, err = run(["check", template.format(sentinel=sentinel), "--input", "1,2,50"])
    assert (code, out, ran) == (2, "", [])
    assert not sentinel.exists()
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("garbage", [
    "x" * 10_000_000,
    "(" * 10_000_000,
    bytes(range(256)).decode("latin-1") * 40_000,
    "nn.LSTM(" + "1, " * 3_000_000 + ")",
])
def test_ten_megabytes_of_garbage(garbage: str) -> None:
    for argv in (["check", garbage], ["check", "nn.LSTM(1, 2)", "--input", garbage],
                 ["shapes", garbage]):
        code, out, err = run(argv)
        assert (code, out) == (2, "")
        assert err.count("\n") == 1 and len(err) < 500


# ---- parsing ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "shape"), [
    ("32,10,50", (32, 10, 50)), ("32x10x50", (32, 10, 50)), ("(32, 10, 50)", (32, 10, 50)),
    (" 32 , 10 ", (32, 10)), ("(20,)", (20,)), ("20", (20,)), ("()", ()), ("0,3,10", (0, 3, 10)),
])
def test_shape_forms(text: str, shape: tuple[int, ...]) -> None:
    assert parse_shape(text, "--input") == shape


@pytest.mark.parametrize(("text", "expected"), [
    ("nn.LSTM(50, 100)", "LSTM(50, 100)"),
    ("torch.nn.GRU(50, 100, batch_first=True)", "GRU(50, 100, batch_first=True)"),
    ("RNNCell(5, 6, nonlinearity='relu')", "RNNCell(5, 6, nonlinearity='relu')"),
    ("nn.LSTM(50, 100, dtype=torch.double, device='cuda')",
     "LSTM(50, 100, dtype=torch.float64, device='cuda')"),
    ("nn.LSTM(50, 100, dropout=-0.5)", "LSTM(50, 100, dropout=-0.5)"),
])
def test_layer_forms(text: str, expected: str) -> None:
    assert repr(parse_layer(text)) == expected


def test_constructor_values_reach_the_rules() -> None:
    """The parser keeps what torch would judge; only syntax is a usage error."""
    assert parse_layer("nn.LSTM(50, True)").hidden_size is True
    assert parse_layer("nn.LSTM(50, 20.0)").hidden_size == 20.0
    assert parse_layer("nn.LSTM(-5, 100, num_layers=0)").input_size == -5
    for expression in ("nn.LSTM(50, True)", "nn.LSTM(50, 20.0)", "nn.LSTM(-5, 100)"):
        assert run(["check", expression, "--input", "1,2,50"])[0] != 2
    with pytest.raises(UsageError):
        parse_layer("nn.LSTM(50, x)")


# ---- entry points, help, plug-ins ----------------------------------------------------------

def test_python_m_matches_main() -> None:
    argv = ARTICLE[0]
    child = subprocess.run([sys.executable, "-m", "rnndoctor", *argv], capture_output=True,
                           text=True, env={**os.environ, "NO_COLOR": "1"}, check=False)
    code, out, _ = run(argv)
    assert (child.returncode, child.stdout) == (code, out)
    version = subprocess.run([sys.executable, "-m", "rnndoctor", "--version"],
                             capture_output=True, text=True, check=True)
    assert version.stdout == run(["--version"])[1]
    assert re.fullmatch(r"rnndoctor \d+\.\d+\.\d+\S*\n", version.stdout)


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser(cli._commands([]))
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", list(_subcommands()))
def test_every_subcommand_has_help_with_examples(name: str) -> None:
    code, out, _ = run([name, "--help"])
    assert code == 0 and "examples:" in out and "--format" in out and "--color" in out
    assert re.search(rf"^    {name}\b", run(["--help"])[1], re.MULTILINE)


def _plugin(calls: list[argparse.Namespace]) -> types.ModuleType:
    module = types.ModuleType("rnndoctor._scan.cli")
    module.HELP = "scan a model"  # type: ignore[attr-defined]
    module.DESCRIPTION = "Scan a model.\n\nexamples:\n  rnndoctor scan model.py"  # type: ignore[attr-defined]
    module.add_arguments = lambda p: p.add_argument("target")  # type: ignore[attr-defined]
    module.main = lambda args: calls.append(args) or 1  # type: ignore[attr-defined]
    return module


def test_plugin_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[argparse.Namespace] = []
    monkeypatch.setitem(sys.modules, "rnndoctor._scan.cli", _plugin(calls))
    assert "scan a model" in run(["--help"])[1]
    assert "rnndoctor scan model.py" in run(["scan", "--help"])[1]
    assert run(["scan", "model.py", "--format", "json", "--color", "never"])[0] == 1
    assert (calls[0].target, calls[0].format, calls[0].color) == ("model.py", "json", "never")


def test_missing_plugin_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "PLUGINS", {"nope": "rnndoctor._nope_cli"})
    monkeypatch.setattr(cli, "ORDER", (*cli.ORDER, "nope"))
    assert "nope" not in run(["--help"])[1]
    assert run(["nope"])[0] == 2


def test_plugin_with_a_missing_dependency_is_an_error(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    (tmp_path / "broken_plugin_cli.py").write_text("import no_such_dependency_here\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "PLUGINS", {"broken": "broken_plugin_cli"})
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_here"):
        cli.main(["broken"])


@pytest.mark.parametrize("columns", [None, "50", "200", "0", "-3", "wide"])
def test_help_is_as_wide_as_argparse_would_make_it(columns: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert cli._terminal_columns() == shutil.get_terminal_size().columns


def test_a_command_that_is_not_one_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["nonsense"]) == 2
    err = capsys.readouterr().err
    assert all(name in err for name in ("check", "explain", "scan", "lint", "rules", "demo"))
