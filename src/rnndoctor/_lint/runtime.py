"""How a live layer was constructed, read from its owner's source: RNN311 at run time.

A module does not record which arguments its constructor got by position;
the source of the class that builds it does. Nothing here imports torch.
"""

from __future__ import annotations

import ast
import functools
import inspect

from .interp import read_module

__all__ = ["positional_arguments"]


def positional_arguments(owner: type, attribute: str) -> int:
    """How many arguments `self.<attribute> = nn.X(...)` in `owner`'s source passes by position.

    0 when it is not known: no source, several constructions, or a `*args`.
    """
    return _constructions(owner).get(attribute, 0)


@functools.lru_cache(maxsize=256)
def _constructions(owner: type) -> dict[str, int]:
    """Attribute -> positional arguments, for every layer `owner`'s class body builds once."""
    try:
        module = inspect.getmodule(owner)
        text = inspect.getsource(module) if module is not None else ""
        tree = ast.parse(text)
    except (OSError, TypeError, SyntaxError, ValueError):
        return {}
    body = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == owner.__name__), None)
    if body is None or body.end_lineno is None:
        return {}
    counts: dict[str, set[int]] = {}
    for layer in read_module(tree).layers:
        if layer.name.startswith("self.") and body.lineno <= layer.node.lineno <= body.end_lineno:
            counts.setdefault(layer.name[5:], set()).add(len(layer.node.args))
    return {name: n.pop() for name, n in counts.items() if len(n) == 1}
