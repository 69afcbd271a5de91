"""pytest plug-in: `pytest --rnndoctor` guards every recurrent call of the test session.

`pytest --rnndoctor-semantics` adds semantic mode: its warnings appear in
pytest's warnings summary, under the line that caused them.

Registered under the `pytest11` entry point, so pytest loads it in every
session of the environment. Without `--rnndoctor` it adds the option, and
where a test fails on torch's exception raised under a guard (`with
rnndoctor.guard()` in the test), the diagnosis as a section of the report:
under pytest the guard attaches no note to torch's exception, since pytest 8
matches `pytest.raises(match=...)` against notes too. It also unlinks
rnndoctor's frames from a failing test's traceback. Nothing here imports
torch: the guard starts when torch is imported.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest

__all__ = ["pytest_addoption", "pytest_configure", "pytest_runtest_makereport"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rnndoctor")
    group.addoption("--rnndoctor", action="store_true", default=False,
                    help="check every recurrent-layer call before torch runs it (rnndoctor's "
                         "guard), and add the diagnosis to the report of a failing test")
    group.addoption("--rnndoctor-semantics", action="store_true", default=False,
                    help="--rnndoctor, and warn where a test uses a recurrent layer's results "
                         "in a way that computes the wrong thing (RNN5xx)")


def pytest_configure(config: pytest.Config) -> None:
    semantics = bool(config.getoption("rnndoctor_semantics"))
    if config.getoption("rnndoctor") or semantics:
        config.pluginmanager.register(_GuardedSession(semantics), "rnndoctor-session")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A test failing on torch's exception, raised under a guard: the diagnosis as a section."""
    if call.excinfo is None:
        yield
        return
    from .delivery import hide_frames, section_text

    hide_frames(call.excinfo.value)  # before pytest renders the traceback
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.failed:
        _add_section(report, section_text(call.excinfo.value))


def _add_section(report: pytest.TestReport, text: str) -> None:
    add_section = getattr(report.longrepr, "addsection", None)
    if text and add_section is not None:
        add_section("rnndoctor diagnosis", text)  # shown with the traceback
    elif text:
        report.sections.append(("rnndoctor diagnosis", text))


class _GuardedSession:
    """The hooks that run only under `--rnndoctor`."""

    def __init__(self, semantics: bool) -> None:
        self._stack = ExitStack()
        self._semantics = semantics

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from .run import guard_once_torch_loads

        self._stack.enter_context(guard_once_torch_loads(self._semantics))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._stack.close()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        """A use that waits on a partner is settled within its test, and warned about there."""
        yield
        if self._semantics:
            from . import semantics as _semantics

            if _semantics.here():
                _semantics.flush()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        if call.excinfo is None or not report.failed:
            return
        from .postmortem import diagnosis_text

        _add_section(report, diagnosis_text(call.excinfo.value).strip("\n"))
