"""`import rnndoctor` and the shape-only commands leave torch (and rich) unimported.

Each probe runs in a fresh interpreter and reports which of the watched modules
ended up in `sys.modules`; the meta-tests show the probe can see them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

WATCHED = ("torch", "rich", "numpy")
PROBE = """
import contextlib, io, sys
{code}
found = sorted(m for m in {watched!r} if m in sys.modules)
import json
print(json.dumps(found))
"""
CLI = """
from rnndoctor.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main({argv!r})
"""
LSTM = "nn.LSTM(50, 100, num_layers=2, bidirectional=True, batch_first=True)"
NO_TORCH_COMMANDS = [
    ["rules"],
    ["rules", "--format", "json"],
    ["rule", "RNN204"],
    ["shapes", LSTM, "--batch", "32", "--seq-len", "10"],
    ["check", LSTM, "--input", "32,10,50"],
    ["check", "nn.LSTM(50, 100)", "--input", "10,16,50", "--h0", "1,32,100", "--c0", "1,32,100"],
    ["check", "nn.LSTM(10, 20)", "--input", "5,3,10", "--lengths", "5,3,2", "--format", "json"],
    ["check", "nn.LSTM(10, 20, dropout=0.5)"],
    ["check", "nn.Linear(1, 2)"],
    ["demo", "--no-torch"],
    ["--help"],
    ["check", "--help"],
    ["check", LSTM, "--input", "32,10,50", "--color", "always"],
    ["explain", "RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]", "--color", "always"],
    ["rules", "--color", "always"],
]


# The commands benchmarks/cli.py times, and the modules that cost them most to import: dataclasses
# brings inspect, and ast (for the layer expression) is needed by `check` and `shapes` alone.
EXPLAIN = ["explain", "RuntimeError: Expected hidden[0] size (4, 32, 100), got [2, 32, 100]"]
START_UP = {
    "rules": ["rules"],
    "rules coloured": ["rules", "--color", "always"],
    "rule": ["rule", "RNN204"],
    "explain": EXPLAIN,
    "explain unknown text": ["explain", "not a message torch writes"],
    "explain coloured": [*EXPLAIN, "--color", "always"],
    "check": ["check", "nn.LSTM(50, 100)", "--input", "10,32,25"],
    "check coloured": ["check", "nn.LSTM(50, 100)", "--input", "10,32,25", "--color", "always"],
    "shapes": ["shapes", LSTM, "--batch", "32", "--seq-len", "10"],
}
SLOW_TO_IMPORT = ("dataclasses", "inspect", "ast", "json", "shutil")


def loaded_after(code: str, watched: tuple[str, ...] = WATCHED) -> list[str]:
    """The watched modules that `code` leaves imported, in a fresh interpreter."""
    child = subprocess.run([sys.executable, "-c", PROBE.format(code=code, watched=watched)],
                           capture_output=True, text=True, check=True)
    result: list[str] = json.loads(child.stdout.splitlines()[-1])
    return result


def test_import_rnndoctor_leaves_torch_out() -> None:
    assert loaded_after("import rnndoctor") == []


def rnndoctor_modules_after(code: str) -> list[str]:
    """rnndoctor's own modules that `code` leaves imported, in a fresh interpreter."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('rnndoctor'))))"
    child = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    result: list[str] = json.loads(child.stdout.splitlines()[-1])
    return result


def test_import_rnndoctor_imports_no_front_end() -> None:
    assert rnndoctor_modules_after("import rnndoctor") == ["rnndoctor"]


def test_explain_loads_neither_the_runtime_nor_the_scan() -> None:
    loaded = rnndoctor_modules_after("import rnndoctor; rnndoctor.explain('unrecognised text')")
    assert "rnndoctor._explain" in loaded
    assert [m for m in loaded if m.startswith(("rnndoctor._runtime", "rnndoctor._scan"))] == []


@pytest.mark.parametrize("argv", NO_TORCH_COMMANDS, ids=" ".join)
def test_shape_commands_import_neither_torch_nor_rich(argv: list[str]) -> None:
    assert loaded_after(CLI.format(argv=argv)) == []


@pytest.mark.parametrize("name", START_UP)
def test_start_up_commands_import_nothing_slow(name: str) -> None:
    argv = START_UP[name]
    needs_ast = argv[0] in ("check", "shapes")
    assert loaded_after(CLI.format(argv=argv), SLOW_TO_IMPORT) == (["ast"] if needs_ast else [])


def test_meta_the_probe_sees_what_is_slow_to_import() -> None:
    argv = ["demo", "--no-torch"]  # its examples are dataclasses
    assert loaded_after(CLI.format(argv=argv), SLOW_TO_IMPORT) == ["ast", "dataclasses", "inspect"]


def test_meta_the_probe_sees_torch() -> None:
    pytest.importorskip("torch")
    assert "torch" in loaded_after("import rnndoctor, torch")


def test_meta_the_probe_sees_rich() -> None:
    assert loaded_after("from rnndoctor.render.colour import styled; styled('`x`')") == ["rich"]
