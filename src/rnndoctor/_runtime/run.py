"""`rnndoctor run`: run a program as python would, with the diagnosis on.

A plug-in of `rnndoctor.cli` (see its docstring for the contract). Nothing here
imports torch: the guard switches on when the program's own `import torch`
completes, so the program still decides when torch loads (and with which
environment variables).
"""

from __future__ import annotations

import argparse
import importlib.abc
import importlib.machinery
import importlib.util
import io
import os
import runpy
import sys
import types
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..findings import Finding
    from ..report import Report

__all__ = ["DESCRIPTION", "HELP", "add_arguments", "main"]

HELP = "run a Python program with the guard and the post-mortem diagnosis on"

DESCRIPTION = """\
Run a program as python would (same sys.argv, __main__, stdin and exit code),
with every recurrent call checked before torch runs it (the guard) and any
uncaught error diagnosed under its traceback (the post-mortem). On failure the
diagnosis is printed and the exit code is the program's own.

Options go before the program; everything after it is the program's. The
program's stdout is its own: rnndoctor writes only to stderr, where --format
json puts the diagnosis as a JSON document and --color colours its text.

examples:
  rnndoctor run train.py --epochs 3
  rnndoctor run -m mypackage.train --epochs 3
  rnndoctor run --report-json failure.json train.py
  rnndoctor run --semantics train.py         # also warn on uses that compute the wrong thing
  rnndoctor run --semantics --report-json report.json train.py
  rnndoctor run --no-guard train.py          # post-mortem only: no per-call check
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-m", dest="as_module", action="store_true",
                        help="run a module as a script, as `python -m` does")
    parser.add_argument("--report-json", metavar="FILE",
                        help="at exit, failure or not, write to FILE every finding the run "
                             "printed (the guard's and semantic mode's warnings, and the "
                             "diagnosed failure), in the JSON schema of `--format json`; "
                             "`\"findings\": []` when there were none")
    parser.add_argument("--semantics", action="store_true",
                        help="also follow what recurrent layers return, and warn where the "
                             "program uses it in a way that computes the wrong thing (RNN5xx; "
                             "in the thread that imports torch)")
    parser.add_argument("--no-guard", action="store_true",
                        help="diagnose uncaught errors only; run recurrent calls unchecked")
    parser.add_argument("program", metavar="PROGRAM",
                        help="a script path, or with -m a module name")
    parser.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS",
                        help="the program's own arguments")


def main(args: argparse.Namespace) -> int:
    """Run the program; the exit code is the program's own."""
    from . import postmortem as _postmortem

    if args.semantics and args.no_guard:
        print("rnndoctor run: --semantics needs the guard; drop --no-guard", file=sys.stderr)
        return 2
    argv = [args.program, *args.args]
    outcome = _Outcome(args.report_json, args.semantics)
    _postmortem.install()
    _postmortem.set_output(args.format, args.color)
    try:
        with guard_once_torch_loads(args.semantics) if not args.no_guard else nullcontext():
            code = _run(argv, args.as_module, outcome)
    finally:
        _postmortem.uninstall()
    outcome.write()
    return code


class _Outcome:
    """What goes into `--report-json`: the warnings printed, and the diagnosed failure."""

    def __init__(self, path: str | None, semantics: bool) -> None:
        self.path, self.semantics = path, semantics
        self.failure: BaseException | None = None

    def write(self) -> None:
        if self.path is None:
            return
        from ..report import Report

        diagnosed = _diagnosed(self.failure, self.path) if self.failure is not None else None
        findings = _printed_warnings(self.semantics)
        if diagnosed is not None:
            findings += diagnosed.findings
        report = Report(_once(findings), getattr(diagnosed, "spec", None), getattr(diagnosed, "call", None))
        _write_json(report, self.path)


def _printed_warnings(semantics: bool) -> tuple[Finding, ...]:
    """The guard's warnings, then semantic mode's; none if the program never imported torch."""
    if "torch" not in sys.modules:
        return ()
    from .guard import warned

    found = warned()
    if semantics:
        from .semantics import collected

        found += collected()
    return found


def _once(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Each finding once: a warning the guard printed is also in the failing call's report."""
    seen: set[tuple[str, str, str | None]] = set()
    kept = []
    for f in findings:
        key = (f.code, f.title, f.location.module_path)
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return tuple(kept)


def _run(argv: list[str], as_module: bool, outcome: _Outcome) -> int:
    if not as_module and not os.path.exists(argv[0]):
        print(f"rnndoctor run: can't open file {argv[0]!r}: no such file", file=sys.stderr)
        return 2  # as python does
    try:
        with _as_main(argv, as_module):
            if as_module:
                runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
            elif os.path.isfile(argv[0]) and not zipfile.is_zipfile(argv[0]):
                _run_file(argv[0])
            else:  # a directory or zip file with a __main__.py
                runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as exit:
        return _exit_code(exit)
    except BaseException as error:
        error = error.with_traceback(_program_traceback(error))
        sys.excepthook(type(error), error, error.__traceback__)
        outcome.failure = error
        return 130 if isinstance(error, KeyboardInterrupt) else 1  # 130: a shell's SIGINT status
    return 0


def _run_file(path: str) -> None:
    """What `python path` does: `__main__` with an absolute `__file__`, argv[0] as given."""
    filename = os.path.abspath(path)
    with io.open_code(filename) as file:
        code = compile(file.read(), filename, "exec", dont_inherit=True)
    main = types.ModuleType("__main__")
    main.__file__ = filename
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", filename)
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
    finally:
        sys.modules["__main__"] = saved


def _program_traceback(error: BaseException) -> types.TracebackType | None:
    """The traceback from the program's first frame on, without runpy's and ours.

    A program that does not compile gets none, as with python; an error that
    did not come from the program keeps rnndoctor's frames, which are then
    worth seeing.
    """
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__") in (__name__, "runpy"):
        tb = tb.tb_next
    if tb is None and not isinstance(error, SyntaxError):
        return error.__traceback__
    return tb


@contextmanager
def _as_main(argv: list[str], as_module: bool) -> Iterator[None]:
    """sys.argv and sys.path[0] as python sets them, restored afterwards."""
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv[:] = argv
    first = os.getcwd() if as_module else os.path.dirname(os.path.realpath(argv[0]))
    sys.path[:1] = [first]
    try:
        yield
    finally:
        sys.argv[:], sys.path[:] = saved_argv, saved_path


def _exit_code(exit: SystemExit) -> int:
    """The process exit status python gives for `sys.exit(code)`."""
    code = exit.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _diagnosed(error: BaseException, path: str) -> Report | None:
    """The failure's report; None, with a line that says why, if there is none."""
    from .postmortem import diagnose_exception

    lead = f"the error is not in {path}"
    try:
        report = diagnose_exception(error)
    except Exception as failure:
        print(f"rnndoctor: {lead} ({type(failure).__name__}: {failure})", file=sys.stderr)
        return None
    if report is None:
        print(f"rnndoctor: {lead}: the error did not come through a recurrent layer",
              file=sys.stderr)
    return report


def _write_json(report: Report, path: str) -> None:
    from ..render.output import write_report

    try:
        with open(path, "w", encoding="utf-8") as file:
            write_report(report, fmt="json", file=file)
    except OSError as failure:
        print(f"rnndoctor: no report written to {path} ({failure.strerror or failure})",
              file=sys.stderr)


# ---- the guard, switched on once the program has imported torch ---------------------------

@contextmanager
def guard_once_torch_loads(semantics: bool = False) -> Iterator[None]:
    """The process-wide guard, from the moment torch is imported (now, if it already is).

    With `semantics`, semantic mode too, in the thread that imports torch.
    """
    modes: list[Any] = []

    def start() -> None:
        from .guard import start_everywhere

        start_everywhere()
        if semantics:
            from . import semantics as _semantics

            modes.append(_semantics.start())

    watcher = _after_import("torch", start)
    try:
        yield
    finally:
        watcher.cancel()
        if watcher.fired:
            from . import semantics as _semantics
            from .guard import stop_everywhere

            try:
                if modes:  # at exit a finding can only be shown: never raised, whatever the filters
                    with warnings.catch_warnings():
                        warnings.simplefilter("default", _semantics.warning_class())
                        _semantics.stop(modes.pop())
            finally:
                stop_everywhere()


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls `callback` right after the module `name` is first imported (at once if it was)."""

    def __init__(self, name: str, callback: Callable[[], None]) -> None:
        self.name, self.callback, self.fired = name, callback, False

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        self.cancel()
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenCall(spec.loader, self.fire)
        return spec

    def fire(self) -> None:
        self.fired = True
        try:
            self.callback()
        except Exception as failure:
            print(f"rnndoctor: the guard could not start ({type(failure).__name__}: {failure}); "
                  "the post-mortem diagnosis is still on", file=sys.stderr)

    def cancel(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)


def _after_import(name: str, callback: Callable[[], None]) -> _AfterImport:
    watcher = _AfterImport(name, callback)
    if name in sys.modules:
        watcher.fire()
    else:
        sys.meta_path.insert(0, watcher)
    return watcher


class _ThenCall(importlib.abc.Loader):
    """A loader that runs another, then a callback; the module keeps the real loader."""

    def __init__(self, loader: Any, callback: Callable[[], None]) -> None:
        self.loader, self.callback = loader, callback

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: types.ModuleType) -> None:
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        self.callback()
