"""`rnndoctor lint PATH...`: the plug-in that `rnndoctor.cli` loads for the subcommand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..render.output import use_color
from .files import Config, codes, discover, load_config, run
from .output import FORMATS, render

__all__ = ["DESCRIPTION", "FORMATS", "FORMAT_HELP", "HELP", "add_arguments", "main"]

HELP = "find recurrent-layer bugs in source files and notebooks, without running them"
FORMAT_HELP = ("text (the default), json, sarif (SARIF 2.1.0, for code scanning) or github "
               "(workflow annotations)")

DESCRIPTION = """\
Read Python files and Jupyter notebooks with `ast` and report what the rules
find in them: constructor arguments, calls whose shapes the source fixes, and
what the code does with a layer's results (RNN501-RNN507). Nothing is imported
or run; what the linter cannot resolve, it skips.

Exit codes: 0 no findings, 1 findings, 2 usage error. A file that does not
parse is reported and skipped; it does not change the exit code.

Configuration: a [tool.rnndoctor] table in the nearest pyproject.toml, with
`select`, `ignore` (codes or prefixes) and `exclude` (glob patterns); the
command line's --select and --ignore replace them. `# noqa: RNN501` on a line
silences that code there; a bare `# noqa` silences every code.

examples:
  rnndoctor lint model.py
  rnndoctor lint src/ notebooks/ --ignore RNN3
  rnndoctor lint . --select RNN5 --format sarif > rnndoctor.sarif
  rnndoctor lint . --format github
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files (.py, .ipynb) and folders to lint")
    p.add_argument("--select", action="append", metavar="CODES",
                   help="only these codes or prefixes, comma-separated (RNN5, RNN301)")
    p.add_argument("--ignore", action="append", metavar="CODES", help="leave out these codes or prefixes")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="processes to use on a large tree (default: one per core)")
    p.add_argument("--no-config", action="store_true", help="do not read pyproject.toml")


def main(args: argparse.Namespace) -> int:
    config = Config() if args.no_config else load_config(Path.cwd())
    if args.select:
        config = Config(codes(args.select, "--select"), config.ignore, config.exclude)
    if args.ignore:
        config = Config(config.select, codes(args.ignore, "--ignore"), config.exclude)
    if args.jobs is not None and args.jobs < 1:
        from ..errors import UsageError

        raise UsageError("--jobs takes a number of processes, 1 or more")
    results = run(discover(args.paths, config.exclude), config, args.jobs)
    output = render(results, args.format)
    if args.format == "text" and use_color(args.color, sys.stdout):
        from ..render.colour import colour

        sys.stdout.write(colour(output))
    else:
        sys.stdout.write(output)
    return 1 if any(r.diagnostics for r in results) else 0
