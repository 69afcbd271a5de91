"""`rnndoctor scan`: build a model with the user's factory and scan it on meta tensors.

This is the only subcommand that imports user code. torch is imported only
once the subcommand runs (the user's code imports it anyway).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from .._parse import parse_dtype, parse_shape
from ..errors import UsageError

__all__ = ["DESCRIPTION", "HELP", "add_arguments", "main"]

HELP = "scan a whole model on meta tensors: imports your code and calls your factory"

DESCRIPTION = """\
Scan a whole model without running it: every recurrent layer, every problem, no memory.

MODEL is FILE.py:FACTORY or package.module:FACTORY. rnndoctor imports that file
or module and calls FACTORY() with no arguments to build the model. This is the
only rnndoctor command that imports and runs your code: scan only code you trust.

FACTORY() is called under `with torch.device("meta"):`, so the weights take no
memory (if it fails there, for instance on `.item()`, it is called again as
written, and a line says so). The model's forward then runs on meta tensors,
which have shapes but no data: nothing is computed and no memory is allocated,
and the recurrent layers are checked instead of run, so huge layers and long
sequences cost nothing. Each
--input is one positional argument of the forward; a shape stands for a float
tensor of the model's dtype, and SHAPE:DTYPE gives another dtype (token ids
for an nn.Embedding are 32,10:int64).

examples:
  rnndoctor scan models/seq2seq.py:build_model --input 32,10,50
  rnndoctor scan mypkg.models:make_tagger --input 32,10:int64
  rnndoctor scan models.py:build --input 32,10,50 --input 32,10 --format json

exit codes: 0 no errors, 1 errors found or the scan could not finish,
2 usage error (including a factory that cannot be imported or raises)
"""

ACCEPTED = "write MODEL as path/to/file.py:factory or package.module:factory"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL",
                        help="FILE.py:FACTORY or package.module:FACTORY; imported, then "
                             "FACTORY() is called with no arguments")
    parser.add_argument("--input", metavar="SHAPE[:DTYPE]", action="append", default=[],
                        help="one positional argument of the model's forward, written 32,10,50, "
                             "32x10x50 or '(32, 10, 50)', optionally with :int64 or another "
                             "dtype; repeat for each argument")


def main(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("torch") is None:
        raise UsageError("scan runs the model, so it needs torch, which is not installed; "
                         "install it, or rnndoctor with its extra: pip install 'rnndoctor[torch]'")
    inputs = [_example(text) for text in args.input]
    model, built_on = build(args.model)
    from ..render.scan_table import write_scan
    from . import trace

    try:
        report = trace.run(model, tuple(_tensor(shape, dtype) for shape, dtype in inputs), {},
                           built_on=built_on)
    except ValueError as e:  # no recurrent layers
        raise UsageError(str(e)) from None
    write_scan(report, fmt=args.format, color=args.color)
    return 0 if report and report.finished else 1


def _example(text: str) -> tuple[tuple[int, ...], str | None]:
    shape, sep, dtype = text.partition(":")
    return parse_shape(shape, "--input"), parse_dtype(dtype) if sep else None


def _tensor(shape: tuple[int, ...], dtype: str | None) -> Any:
    """A plain shape (the model's float dtype), or a meta tensor of the given dtype.

    `()` would reach the forward as an empty tuple, not as a shape: it becomes a 0-D tensor.
    """
    if dtype is None and shape:
        return shape
    import torch

    kind = getattr(torch, dtype) if dtype is not None else torch.get_default_dtype()
    return torch.empty(shape, dtype=kind, device="meta")


def build(target: str) -> tuple[Any, str | None]:
    """Import FILE.py or package.module and call its factory with no arguments.

    Returns the model and, when it was built on the meta device, the device the
    factory builds on otherwise (the default device), which the scan reports.
    """
    where, sep, name = target.rpartition(":")
    if not sep or not where or not name.isidentifier():
        raise UsageError(f"cannot read {target!r} as a model factory; {ACCEPTED}")
    module = _load_file(Path(where)) if _is_file(where) else _load_module(where)
    factory = getattr(module, name, None)
    if not callable(factory):
        found = "is not callable" if factory is not None else "is not defined"
        raise UsageError(f"`{name}` {found} in {where}; {ACCEPTED}")
    model, built_on = _on_meta(factory, name)
    nn = sys.modules.get("torch.nn")
    if nn is None or not isinstance(model, nn.Module):
        raise UsageError(f"{name}() returned {type(model).__name__}, not an nn.Module; the "
                         "factory builds the model, and each --input gives one of its inputs")
    return model, built_on


def _on_meta(factory: Any, name: str) -> tuple[Any, str | None]:
    """The factory's model, built on the meta device so that no weight takes memory.

    A factory that needs real values (`.item()`, for instance) fails there: it
    is then called again as it is written, and one line on stderr says so.
    The second value is the device the factory builds on when not on meta, or
    None when it was built as written.
    """
    import torch

    default = torch.empty(0).device.type  # where the factory builds when not told otherwise
    try:
        with torch.device("meta"):
            return factory(), default
    except Exception as e:
        on_meta = _describe(e)
    try:
        model = factory()
    except Exception as e:
        raise UsageError(f"{name}() raised {_describe(e)}") from None
    print(f"rnndoctor scan: {name}() failed on the meta device ({on_meta}); the model was "
          "built as written instead, which allocates its weights", file=sys.stderr)
    return model, None


def _is_file(where: str) -> bool:
    return where.endswith(".py") or os.sep in where or "/" in where


def _load_file(path: Path) -> ModuleType:
    """Import a .py file under a private name, its folder importable as `python FILE` makes it."""
    if not path.is_file():
        raise UsageError(f"{str(path)!r} is not a file; {ACCEPTED}")
    name = f"_rnndoctor_scan_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot import {str(path)!r} as Python; {ACCEPTED}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[name]
        raise UsageError(f"importing {path} raised {_describe(e)}") from None
    return module


def _load_module(dotted: str) -> ModuleType:
    """Import package.module, with the current folder importable, as `python -m` would."""
    sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(dotted)
    except Exception as e:
        raise UsageError(f"importing {dotted} raised {_describe(e)}") from None


def _describe(e: BaseException) -> str:
    """`ValueError: boom (at models.py:12)`: the exception and the line that raised it."""
    frames = _outside_torch(traceback.extract_tb(e.__traceback__))
    if isinstance(e, SyntaxError) and e.filename:
        where = f" (at {Path(e.filename).name}:{e.lineno})"
    else:
        where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    message = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {message}{where}" if message else f"{type(e).__name__}{where}"


def _outside_torch(frames: traceback.StackSummary) -> list[traceback.FrameSummary]:
    """The frames of the user's code: torch's own are left out, unless there are no others."""
    torch = sys.modules.get("torch")
    root = os.path.dirname(torch.__file__) + os.sep if torch is not None and torch.__file__ else None
    outside = [f for f in frames if root is None or not f.filename.startswith(root)]
    return outside or list(frames)
