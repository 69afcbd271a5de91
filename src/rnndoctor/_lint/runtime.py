"""How a live layer was constructed, read from its source: RNN311 at run time.

A module does not record which arguments its constructor got by position;
the source that builds it does. That source is found from the layer's owner,
the module that holds it as an attribute (`self.rnn = nn.LSTM(...)` in the
owner's class or a base class of it), or from a module-level name bound to it
(`lstm = nn.LSTM(...)` in a script or a notebook). The owner is the model
given to the guard, a module whose call is on the stack (the owner's
`forward` calling `self.rnn(x)`), or one bound to a module-level name of a
file on the stack (`rnndoctor.check(model.rnn, x)` in a script). A layer
built and checked inside a function is not found: the frames' locals are not
read, as that would keep the function's tensors alive. Each layer is looked up
once, each class's and file's source read once. Nothing here imports torch.
"""

from __future__ import annotations

import ast
import functools
import inspect
import linecache
import sys
import weakref
from types import FrameType
from typing import Any

from .interp import read_module

__all__ = ["owned", "positional_arguments", "positional_of"]

_CALL_FRAMES = frozenset({"_wrapped_call_impl", "_call_impl", "inner"})
_KNOWN: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def positional_of(layer: Any) -> int:
    """How many arguments the construction of this live layer passed by position; 0 when not known.

    Read once per layer, from the stack of its first call or check.
    """
    found = _KNOWN.get(layer)
    if found is None:
        found = _KNOWN[layer] = _find(layer, _stack())
    return found


def owned(model: Any, path: str, layer: Any) -> None:
    """`layer` is `model`'s submodule at `path` (`encoder.rnn`): its owner is known, if it is not read yet."""
    if layer not in _KNOWN:
        head, _, attribute = path.rpartition(".")
        try:
            owner = model.get_submodule(head) if head else model
            _KNOWN[layer] = positional_arguments(type(owner), attribute)
        except Exception:  # ours, or a model that hides its submodules: the layer is checked without it
            _KNOWN[layer] = 0


def _stack() -> list[FrameType]:
    """The frames of this thread, innermost first, past this module's."""
    frames = []
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


def _find(layer: Any, frames: list[FrameType]) -> int:
    for frame in frames:  # the innermost call of an nn.Module that holds the layer is its owner's
        if frame.f_code.co_name in _CALL_FRAMES and frame.f_code.co_filename.endswith("module.py"):
            owner = frame.f_locals.get("self")
            attribute = _attribute(owner, layer)
            if attribute is not None:
                return positional_arguments(type(owner), attribute)
    seen: set[int] = set()
    for frame in frames:
        names = frame.f_globals
        if id(names) in seen or str(names.get("__name__")).split(".")[0] in ("torch", "rnndoctor"):
            continue
        seen.add(id(names))
        for name, value in list(names.items()):
            if value is layer:
                return _module_level(frame.f_code.co_filename).get(name, 0)
            path = _path_in(value, layer)
            if path is not None:
                head, _, attribute = path.rpartition(".")
                owner = value.get_submodule(head) if head else value
                return positional_arguments(type(owner), attribute)
    return 0


def _attribute(owner: Any, layer: Any) -> str | None:
    if owner is layer or not _is_module(owner):
        return None
    return next((k for k, v in owner._modules.items() if v is layer), None)


def _path_in(model: Any, layer: Any) -> str | None:
    if model is layer or not _is_module(model):
        return None
    return next((path for path, m in model.named_modules() if m is layer), None)


def _is_module(value: object) -> bool:
    nn = sys.modules.get("torch.nn")
    return nn is not None and issubclass(type(value), nn.Module)  # not isinstance: it reads `__class__`


def positional_arguments(owner: type, attribute: str) -> int:
    """How many arguments `self.<attribute> = nn.X(...)` in `owner`'s source passes by position.

    The first class in `owner`'s MRO whose source builds the attribute says;
    0 when it is not known: no source, several constructions, or a `*args`.
    """
    for cls in owner.__mro__:
        if cls.__module__.split(".")[0] in ("torch", "builtins"):
            break
        found = _constructions(cls)
        if attribute in found:
            return found[attribute]
    return 0


@functools.lru_cache(maxsize=256)
def _constructions(owner: type) -> dict[str, int]:
    """Attribute -> positional arguments, for every layer `owner`'s class body builds (0: several ways)."""
    try:
        module = inspect.getmodule(owner)
        text = inspect.getsource(module) if module is not None else ""
        tree = ast.parse(text)
    except (OSError, TypeError, SyntaxError, ValueError):
        return {}
    body = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == owner.__name__), None)
    if body is None or body.end_lineno is None:
        return {}
    spans = [(body.lineno, body.end_lineno)]
    return {name[5:]: n for name, n in _counts(tree, spans).items() if name.startswith("self.")}


@functools.lru_cache(maxsize=64)
def _module_level(filename: str) -> dict[str, int]:
    """Name -> positional arguments, for the layers a file builds outside any function or class."""
    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return {}
    spans = [(s.lineno, s.end_lineno or s.lineno) for s in tree.body
             if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return {name: n for name, n in _counts(tree, spans).items() if "." not in name}


def _counts(tree: ast.Module, spans: list[tuple[int, int]]) -> dict[str, int]:
    counts: dict[str, set[int]] = {}
    for layer in read_module(tree).layers:
        if any(start <= layer.node.lineno <= end for start, end in spans):
            counts.setdefault(layer.name, set()).add(len(layer.node.args))
    return {name: n.pop() if len(n) == 1 else 0 for name, n in counts.items()}
