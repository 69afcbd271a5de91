"""The `rnndoctor` command line.

Exit codes: 0 valid (warnings alone included), 1 errors found, 2 usage error.

Subcommands from other modules (the plug-in contract)
-----------------------------------------------------
`PLUGINS` maps a subcommand to a module that is imported only when that
subcommand, or the full `rnndoctor --help`, is asked for. The module defines

    HELP: str              one line, shown by `rnndoctor --help`
    DESCRIPTION: str       the subcommand's `--help` text, with examples
    def add_arguments(parser: argparse.ArgumentParser) -> None: ...
    def main(args: argparse.Namespace) -> int: ...    # the exit code: 0, 1 or 2

and does not import torch at module level. This module adds `--format
{text,json,html}` (or the module's own `FORMATS`, described by `FORMAT_HELP`)
and `--color {auto,always,never}` to every subcommand; write the result with
`rnndoctor.render.output.write_report(report, fmt=args.format,
color=args.color)` (or `write_document` for other data, with `html=` giving
its HTML fragment; without it the page holds the text). A bad argument is
`raise rnndoctor.errors.UsageError("one line that says what is accepted")`:
it is printed as one line on stderr, with exit code 2. While a module does not
exist, its subcommand is simply absent.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

from ._record import record
from .errors import UsageError
from .render.output import COLORS, FORMATS

if TYPE_CHECKING:
    from .rules._base import Rule
    from .shapes import ExpectedShapes
    from .specs import Hx, RnnSpec, TensorInfo

__all__ = ["PLUGINS", "main"]

PLUGINS = {"explain": "rnndoctor._explain._cli", "run": "rnndoctor._runtime.run",
           "scan": "rnndoctor._scan.cli", "lint": "rnndoctor._lint.cli"}
ORDER = ("check", "shapes", "explain", "run", "scan", "lint", "rules", "rule", "demo")

LAYER_HELP = (
    "the layer, e.g. 'nn.LSTM(50, 100, num_layers=2)': nn.X, torch.nn.X or X with X one of "
    "RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, and literal arguments only (numbers, True, "
    "False, None, strings such as device='cuda', and dtype=torch.float64); it is parsed, "
    "never run"
)
SHAPE_HELP = "written 32,10,50, 32x10x50 or '(32, 10, 50)'"
FORMAT_HELP = ("text (the default), json (docs/json-schema.md), or html (one self-contained page, "
               "with a diagram of the call)")


@record
class Command:
    """A subcommand: what a plug-in module defines, or one of the built-in commands below."""

    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    main: Callable[[argparse.Namespace], int]
    formats: tuple[str, ...] = FORMATS
    format_help: str = FORMAT_HELP

    @classmethod
    def from_module(cls, module: ModuleType) -> Command:
        """A plug-in; one that writes other formats names them in `FORMATS` and `FORMAT_HELP`."""
        return cls(module.HELP, module.DESCRIPTION, module.add_arguments, module.main,
                   getattr(module, "FORMATS", FORMATS), getattr(module, "FORMAT_HELP", FORMAT_HELP))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser(_commands(args_list)).parse_args(args_list)
        return int(args.handler(args))
    except SystemExit as e:  # --help, --version and argument errors
        return e.code if isinstance(e.code, int) else 0
    except UsageError as e:
        name = _command_name(args_list)
        print(f"rnndoctor{' ' + name if name else ''}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rnndoctor rules | head -1`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        if argv is None:  # the process's own command line: die by SIGINT, as python does
            _die_by_sigint()
        return 130  # a shell's status for SIGINT


def _die_by_sigint() -> None:
    """End the process by SIGINT, so that a shell loop sees it as python's (and stops)."""
    import signal

    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


def build_parser(commands: dict[str, Command]) -> argparse.ArgumentParser:
    parser = _Parser(prog="rnndoctor", description=DESCRIPTION)
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(metavar="COMMAND", required=True)
    for name, command in commands.items():
        common = _Parser(add_help=False)
        common.add_argument("--format", choices=command.formats, default="text", help=command.format_help)
        common.add_argument("--color", choices=COLORS, default="auto",
                            help="auto (the default) colours a terminal's output, never if NO_COLOR "
                                 "is set, always if FORCE_COLOR is; or always, or never")
        p = sub.add_parser(name, help=command.help, description=command.description,
                           parents=[common])
        command.add_arguments(p)
        p.set_defaults(handler=command.main)
    return parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, sized as argparse sizes it, without importing shutil.

    argparse makes a formatter for every `add_argument`, and its own imports
    shutil for the terminal's width, which brings bz2 and lzma: a tenth of
    Python's start-up, on every command.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_columns() - 2 if width is None else width)


def _terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    """Argument errors as one line, without the usage block; help sized without shutil."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class _Version(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from . import __version__

        print(f"rnndoctor {__version__}")
        parser.exit(0)


def _commands(argv: list[str]) -> dict[str, Command]:
    """The command this command line names, or every command (for `--help` and errors).

    Only the named command's parser is built: argparse's parsers and their
    messages cost a tenth of Python's start-up when all nine are built.
    """
    name = _command_name(argv)
    if name in BUILTIN:
        return {name: BUILTIN[name]}
    wanted = [name] if name in PLUGINS else list(PLUGINS)
    found = dict(BUILTIN)
    for plugin in wanted:
        module = _import_plugin(PLUGINS[plugin])
        if module is not None:
            found[plugin] = Command.from_module(module)
    if name in found:
        return {name: found[name]}
    return {name: found[name] for name in ORDER if name in found}


def _command_name(argv: list[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def _import_plugin(path: str) -> ModuleType | None:
    """The module, or None when it (or its package) does not exist yet."""
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError as e:
        if e.name is not None and (path == e.name or path.startswith(e.name + ".")):
            return None
        raise


# ---- check -------------------------------------------------------------------------------

def _add_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("layer", help=LAYER_HELP)
    p.add_argument("--input", metavar="SHAPE", help=f"shape of `input`, {SHAPE_HELP}; "
                   "without it, only the constructor arguments are checked")
    p.add_argument("--h0", metavar="SHAPE", help="shape of `h_0`")
    p.add_argument("--c0", metavar="SHAPE", help="shape of `c_0` (LSTM and LSTMCell)")
    p.add_argument("--hx", metavar="SHAPE", help="shape of a single tensor passed as `hx`")
    p.add_argument("--dtype", help="dtype of `input` and the states (default: the layer's)")
    p.add_argument("--lengths", metavar="N,N,...", help="lengths given to "
                   "pack_padded_sequence(input, lengths); `input` is then the padded tensor")
    p.add_argument("--unbatched", action="store_true",
                   help="state that `input` is unbatched; its rank is checked against that")
    p.add_argument("--batch-size", metavar="N", help="the batch size the data comes in (a "
                   "DataLoader's batch_size): evidence of which axis of `input` is the batch")
    p.add_argument("--open", action="store_true", help="also write the report as an HTML page "
                   "to a temporary file and open it in the web browser")


def _run_check(args: argparse.Namespace) -> int:
    from ._api import check
    from ._parse import parse_dtype, parse_layer, parse_sizes
    from .engine import diagnose
    from .render.output import html_page, open_page, write_report

    layer = parse_layer(args.layer)
    if args.input is None:
        extra = [f"--{k.replace('_', '-')}" for k in ("h0", "c0", "hx", "dtype", "lengths", "batch_size")
                 if getattr(args, k) is not None] + (["--unbatched"] if args.unbatched else [])
        if extra:
            raise UsageError(f"{', '.join(extra)} {'needs' if len(extra) == 1 else 'need'} --input")
        report = diagnose(layer, None)
    else:
        dtype = parse_dtype(args.dtype) if args.dtype is not None else layer.dtype
        x = _tensor(layer, args.input, "--input", dtype)
        _check_unbatched(layer, x, args.unbatched)
        lengths = parse_sizes(args.lengths, "--lengths") if args.lengths is not None else None
        batch_size = _size(args.batch_size, "--batch-size")
        if batch_size == 0:
            raise UsageError("--batch-size must be 1 or more")
        report = check(layer, x, _hx(layer, args, dtype), lengths=lengths, batch_size=batch_size)
    write_report(report, fmt=args.format, color=args.color)
    if args.open:
        path = open_page(html_page(str(report), "report", report._repr_html_))
        print(f"rnndoctor: opened {path}", file=sys.stderr)
    return 0 if report else 1


def _tensor(layer: RnnSpec, text: str, what: str, dtype: str) -> TensorInfo:
    from ._parse import parse_shape
    from .specs import TensorInfo

    return TensorInfo(parse_shape(text, what), dtype, layer.device)


def _check_unbatched(layer: RnnSpec, x: TensorInfo, unbatched: bool) -> None:
    rank = 1 if layer.is_cell else 2
    if unbatched and x.ndim != rank:
        raise UsageError(f"--unbatched: an unbatched {layer.kind} `input` has {rank} dims, "
                         f"but --input has {x.ndim}")


def _hx(layer: RnnSpec, args: argparse.Namespace, dtype: str) -> Hx:
    from .specs import Seq

    if args.hx is not None:
        if args.h0 is not None or args.c0 is not None:
            raise UsageError("give --hx, or --h0 and --c0, not both")
        return _tensor(layer, args.hx, "--hx", dtype)
    if args.c0 is not None and layer.base != "LSTM":
        raise UsageError(f"--c0 is the cell state of an LSTM or LSTMCell; a {layer.kind} has none")
    h0, c0 = ((_tensor(layer, text, f"--{name}", dtype) if text is not None else None)
              for name, text in (("h0", args.h0), ("c0", args.c0)))
    if layer.base == "LSTM" and (h0, c0) != (None, None):
        return Seq("tuple", (h0, c0))
    return h0


# ---- shapes ------------------------------------------------------------------------------

def _add_shapes(p: argparse.ArgumentParser) -> None:
    p.add_argument("layer", help=LAYER_HELP)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--batch", metavar="N", help="the batch size (default: left open)")
    group.add_argument("--unbatched", action="store_true", help="shapes for an unbatched call")
    p.add_argument("--seq-len", metavar="L", help="the sequence length (default: left open)")


def _run_shapes(args: argparse.Namespace) -> int:
    from ._api import expected_shapes
    from ._parse import parse_layer
    from .engine import diagnose
    from .render import json
    from .render.output import write_document, write_report
    from .render.views import render_shapes

    layer = parse_layer(args.layer)
    construction = diagnose(layer, None)
    if not construction:
        write_report(construction, fmt=args.format, color=args.color)
        return 1
    shapes = expected_shapes(layer, _size(args.batch, "--batch"), _size(args.seq_len, "--seq-len"),
                             unbatched=args.unbatched)
    write_document(render_shapes(shapes), "shapes", json.shapes_body(shapes),
                   fmt=args.format, color=args.color, html=lambda: _shapes_html(shapes))
    return 0


def _shapes_html(shapes: ExpectedShapes) -> str:
    from .render.html import shapes_html  # its diagrams are dataclasses: only for --format html

    return shapes_html(shapes)


def _size(text: str | None, what: str) -> int | None:
    from ._parse import parse_shape

    if text is None:
        return None
    sizes = parse_shape(text, what)
    if len(sizes) != 1:
        raise UsageError(f"{what} takes one size, got {text!r}")
    return sizes[0]


# ---- rules, rule, demo -------------------------------------------------------------------

def _run_rules(args: argparse.Namespace) -> int:
    from .render import json
    from .render.output import write_document
    from .render.views import render_rules
    from .rules import REGISTRY

    write_document(render_rules(REGISTRY), "rules", json.rules_body(REGISTRY),
                   fmt=args.format, color=args.color)
    return 0


def _add_rule(p: argparse.ArgumentParser) -> None:
    p.add_argument("code", help="a rule code such as RNN204, or a rule name")


def _run_rule(args: argparse.Namespace) -> int:
    from .render import json
    from .render.output import write_document
    from .render.views import render_rule

    rule = _find_rule(args.code)
    write_document(render_rule(rule), "rule", json.rule_body(rule), fmt=args.format,
                   color=args.color)
    return 0


def _find_rule(key: str) -> Rule:
    from .rules import RETIRED, get, named

    wanted = key.strip()
    try:
        return get(wanted)
    except KeyError:
        found = named(wanted)
    if found is not None:
        return found
    if wanted.upper() in RETIRED:
        raise UsageError(f"{wanted.upper()} was retired: {RETIRED[wanted.upper()]}")
    raise UsageError(f"no rule {wanted[:40]!r}; `rnndoctor rules` lists every code and name")


def _add_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-torch", action="store_true",
                   help="do not run the examples with torch, even when it is installed")


def _run_demo(args: argparse.Namespace) -> int:
    from ._demo import ARTICLE, run_examples
    from .render import json
    from .render.output import write_document
    from .render.views import render_demo

    outcomes = run_examples(use_torch=not args.no_torch)
    write_document(render_demo(outcomes, ARTICLE), "demo", json.demo_body(outcomes, ARTICLE),
                   fmt=args.format, color=args.color)
    return 0


def _no_arguments(p: argparse.ArgumentParser) -> None:
    """The command takes only the common options."""


DESCRIPTION = """\
Diagnose PyTorch recurrent-layer calls (nn.RNN, nn.LSTM, nn.GRU and their cells)
from shapes alone: which argument is wrong, expected against actual for every
dimension, and checked fixes. Exit codes: 0 valid, 1 errors found, 2 usage error.

examples:
  rnndoctor demo
  rnndoctor check 'nn.LSTM(50, 100)' --input 10,32,25
  rnndoctor shapes 'nn.LSTM(50, 100, num_layers=2, bidirectional=True)' --batch 32
  rnndoctor rule RNN204
"""

BUILTIN: dict[str, Command] = {
    "check": Command(
        "check one call of a layer, given the shapes of its arguments",
        "Check a layer and one call of it, from shapes alone; torch is not imported.\n"
        "Exit codes: 0 valid (warnings alone included), 1 errors found, 2 usage error.\n\n"
        "examples:\n"
        "  rnndoctor check 'nn.LSTM(50, 100)' --input 10,32,25\n"
        "  rnndoctor check 'nn.LSTM(50, 100)' --input 10,16,50 --h0 1,32,100 --c0 1,32,100\n"
        "  rnndoctor check 'torch.nn.GRU(10, 20, batch_first=True)' --input '(3, 5, 10)' "
        "--hx 1x3x20\n"
        "  rnndoctor check 'nn.LSTM(10, 20)' --input 5,3,10 --lengths 5,3,2\n"
        "  rnndoctor check 'nn.LSTM(10, 20, dropout=0.5)'      # the constructor only\n"
        "  rnndoctor check 'nn.GRUCell(10, 20)' --input 10 --unbatched --format json\n"
        "  rnndoctor check 'nn.LSTM(50, 100)' --input 10,32,25 --format html > report.html\n"
        "  rnndoctor check 'nn.LSTM(50, 100)' --input 10,32,25 --open",
        _add_check, _run_check),
    "shapes": Command(
        "print the expected shape of every input and output of a layer",
        "Print the shape of input, h_0, c_0, output, h_n and c_n for a layer, and where\n"
        "each size comes from. Sizes not given (--batch, --seq-len) stay symbols.\n\n"
        "examples:\n"
        "  rnndoctor shapes 'nn.LSTM(50, 100, num_layers=2, bidirectional=True, "
        "batch_first=True)' --batch 32 --seq-len 10\n"
        "  rnndoctor shapes 'nn.GRU(10, 20)' --unbatched --seq-len 5\n"
        "  rnndoctor shapes 'nn.LSTMCell(10, 20)' --batch 8 --format json",
        _add_shapes, _run_shapes),
    "rules": Command(
        "list every rule: code, name, severity and summary",
        "List every rule with its code, name, severity and summary.\n\n"
        "examples:\n  rnndoctor rules\n  rnndoctor rules --format json",
        _no_arguments, _run_rules),
    "rule": Command(
        "print one rule's documentation, like `rustc --explain`",
        "Print the full documentation of one rule: what it catches, why it matters,\n"
        "an example, what to write instead, and its fixes.\n\n"
        "examples:\n  rnndoctor rule RNN204\n  rnndoctor rule hidden-batch-mismatch",
        _add_rule, _run_rule),
    "demo": Command(
        "diagnose the three examples of the article that started rnndoctor",
        "Diagnose the three examples of \"What invalid argument combination caused\n"
        "nn.LSTM() to fail?\", next to what torch itself says when it is installed.\n"
        "Exits 0: the errors it shows are the examples'.\n\n"
        "examples:\n  rnndoctor demo\n  rnndoctor demo --no-torch --format json",
        _add_demo, _run_demo),
}
