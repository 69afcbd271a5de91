"""`rnndoctor explain`: the subcommand, as a plug-in of `rnndoctor.cli`."""

from __future__ import annotations

import argparse
import sys

from ..errors import UsageError

__all__ = ["DESCRIPTION", "HELP", "add_arguments", "main"]

HELP = "explain a PyTorch recurrent-layer error message or traceback, from its text"

DESCRIPTION = """\
Explain the last recurrent-layer error in a message, a traceback or a log, from
any torch version from 1.8 to 2.13. The text is read, never run; torch is not
imported. ANSI colour, log prefixes (logging's formats, Hydra's, [rank0]:,
tqdm bars, pytest's `E   `) and line breaks added by a terminal are undone first.

Where a traceback names source files, explain reads them (never runs them) to
find the line that made the wrong value, as the post-mortem does, and a fix
may edit that line. Only files under the current directory are read: a
traceback may come from anywhere, and a path in it could name any file you can
read, whose lines explain would then print. --read-sources reads any path. A
file that no longer matches the lines the traceback shows is not used.

examples:
  rnndoctor explain "Expected hidden[0] size (4, 32, 100), got [2, 32, 100]"
  python train.py 2>&1 | rnndoctor explain -
  rnndoctor explain --file traceback.txt --format json
  rnndoctor explain --read-sources --file ci-log.txt

exit codes:
  0  recognised, and nothing is wrong (a warning or a note)
  1  recognised error, explained (also a partial match)
  2  usage error
  3  not a recurrent-layer error rnndoctor knows
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", metavar="TEXT",
                        help="the message or traceback; `-` reads standard input")
    parser.add_argument("--file", metavar="F", help="read the text from file F")
    parser.add_argument("--read-sources", action="store_true",
                        help="read the source files the traceback names wherever they are, "
                             "not only under the current directory")


def main(args: argparse.Namespace) -> int:
    from ..render.output import write_document
    from . import explain
    from ._render import explanation_body, explanation_html, explanation_text

    e = explain(_read(args.text, args.file), read_sources=args.read_sources)
    write_document(explanation_text(e), "report", explanation_body(e), fmt=args.format, color=args.color,
                   html=lambda: explanation_html(e))
    return e.exit_code


def _read(text: str | None, path: str | None) -> str | bytes:
    if path is not None and text is None:
        return _read_file(path)
    if text is not None and path is None:
        return _read_stdin() if text == "-" else text
    raise UsageError("give the text, `-` for standard input, or --file F (one of them)")


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise UsageError(f"--file: cannot read {path!r}: {e.strerror}") from None


def _read_stdin() -> str | bytes:
    return sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
