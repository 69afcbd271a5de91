"""explain never raises, never imports torch, and reads pathological text."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from rnndoctor._explain import explain
from rnndoctor._explain.patterns import PATTERNS

FRAGMENTS = [p.prefix for p in PATTERNS if p.prefix] + [
    "RuntimeError: ", "Traceback (most recent call last):\n", '  File "a.py", line 3, in f\n',
    "----> 5 ", "Cell In[2], line 4\n", "[rank0]: ", "E   ", "\x1b[0;31m", "(4, 32, 100)", "[2, 32, 100]",
    "nn.LSTM(10, 20, bidirectional=True)", "\n", " ", ":", "Warning: ", "-" * 30,
]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_str(text: str) -> None:
    assert explain(text).exit_code in (0, 1, 3)


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes(data: bytes) -> None:
    assert explain(data).exit_code in (0, 1, 3)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=40))
def test_near_matches(parts: list[str]) -> None:
    e = explain("".join(parts))
    assert e.status in ("recognised", "partial", "unrecognised")
    str(e)


def test_long_lines_and_junk_are_read() -> None:
    junk = "Expected hidden size (" + "1, " * 300_000 + "\xff\x00" * 1000
    assert explain(junk).status == "unrecognised"
    assert explain(junk + "\nRuntimeError: Expected hidden size (1, 3, 20), got [1, 4, 20]").first is not None


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


def test_explain_does_not_import_torch() -> None:
    code = ("import sys, rnndoctor\n"
            "e = rnndoctor.explain('Expected hidden[0] size (4, 32, 100), got [2, 32, 100]')\n"
            "assert e.first.code == 'RNN203', e\n"
            "str(e)\n"
            "sys.exit(3 if 'torch' in sys.modules else 0)\n")
    result = _run(code)
    assert result.returncode == 0, result.stderr


def test_the_torch_check_can_fail() -> None:
    """The check above would notice torch: here it is imported on purpose."""
    assert _run("import sys, torch, rnndoctor; sys.exit(3 if 'torch' in sys.modules else 0)").returncode == 3
