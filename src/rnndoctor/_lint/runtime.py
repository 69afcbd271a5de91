"""How a live layer was constructed, read from its source: RNN311 at run time.

A module does not record which arguments its constructor got by position;
the source that builds it does. That source is found from the layer's owner,
the module that holds it as an attribute (`self.rnn = nn.LSTM(...)` in the
owner's class or a base class of it), or from a module-level name bound to it
(`lstm = nn.LSTM(...)` in a script). The owner is looked for in the calls of
`nn.Module` on the stack, then among every live module (one pass over the
garbage collector's objects, for all layers at once); each layer is looked up
once, each class's source read once. Nothing here imports torch.
"""

from __future__ import annotations

import ast
import functools
import gc
import inspect
import linecache
import sys
import weakref
from collections.abc import Iterator
from types import FrameType
from typing import Any

from .interp import read_module

__all__ = ["positional_arguments", "positional_of"]

_CALL_FRAMES = frozenset({"_wrapped_call_impl", "_call_impl", "inner"})
_KNOWN: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_OWNERS: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()  # id(layer) -> owner


def positional_of(layer: Any) -> int:
    """How many arguments the construction of this live layer passed by position; 0 when not known.

    Read once per layer, from the stack of its first call or check and the live modules.
    """
    found = _KNOWN.get(layer)
    if found is None:
        found = _KNOWN[layer] = _find(layer, _stack())
    return found


def _stack() -> list[FrameType]:
    """The frames of this thread, innermost first."""
    frames = []
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


def _find(layer: Any, frames: list[FrameType]) -> int:
    owned = _owner(layer, frames)
    if owned is not None:
        return positional_arguments(type(owned[0]), owned[1])
    for frame in frames:
        if str(frame.f_globals.get("__name__")).split(".")[0] in ("torch", "rnndoctor"):
            continue
        name = next((k for k, v in list(frame.f_globals.items()) if v is layer), None)
        if name is not None:
            return _module_level(frame.f_code.co_filename).get(name, 0)
    return 0


def _owner(layer: Any, frames: list[FrameType]) -> tuple[Any, str] | None:
    """The module that holds `layer` as an attribute, and the attribute's name."""
    for frame in frames:  # the innermost call of an nn.Module is likely the owner's
        if frame.f_code.co_name in _CALL_FRAMES and frame.f_code.co_filename.endswith("module.py"):
            attribute = _attribute(frame.f_locals.get("self"), layer)
            if attribute is not None:
                return frame.f_locals["self"], attribute
    attribute = _attribute(_OWNERS.get(id(layer)), layer)
    if attribute is None:  # not seen yet, or another layer had its id
        _OWNERS.update(_every_owner())
        attribute = _attribute(_OWNERS.get(id(layer)), layer)
    return (_OWNERS[id(layer)], attribute) if attribute is not None else None


def _attribute(owner: Any, layer: Any) -> str | None:
    modules = getattr(owner, "_modules", None) if owner is not layer and _is_module(owner) else None
    return next((k for k, v in modules.items() if v is layer), None) if isinstance(modules, dict) else None


def _every_owner() -> Iterator[tuple[int, Any]]:
    """id(layer) -> owner, for every recurrent layer some live module holds."""
    nn = sys.modules.get("torch.nn")
    if nn is None:
        return
    recurrent = (nn.RNNBase, nn.RNNCellBase)
    for o in gc.get_objects():
        if issubclass(type(o), nn.Module):  # not isinstance: it would read `__class__` of anything
            for child in o._modules.values():
                if issubclass(type(child), recurrent):
                    yield id(child), o


def _is_module(value: object) -> bool:
    nn = sys.modules.get("torch.nn")
    return nn is not None and issubclass(type(value), nn.Module)


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
