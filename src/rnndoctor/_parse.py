"""Text the command line accepts: layer expressions, shapes and dtypes.

A layer expression is parsed with `ast` against an allow-list and is never
evaluated: `nn.LSTM(50, 100, num_layers=2)`, `torch.nn.GRU(...)` or
`RNNCell(...)`, with literal arguments only, plus `dtype=torch.<dtype>`.
Only syntax and allow-list problems are `UsageError`s; a literal the layer
itself rejects (`hidden_size=True`) reaches the constructor rules.
"""

from __future__ import annotations

import ast
import re

from .errors import UsageError
from .specs import KINDS, RnnSpec, SpecError, spec

__all__ = ["parse_dtype", "parse_layer", "parse_shape", "parse_sizes"]

MAX_EXPRESSION = 2_000
MAX_SHAPE = 200

# torch's dtype names and aliases, by the name torch prints (`torch.float64`).
DTYPES: dict[str, str] = {
    "float16": "float16", "half": "float16", "bfloat16": "bfloat16",
    "float32": "float32", "float": "float32", "float64": "float64", "double": "float64",
    "complex64": "complex64", "cfloat": "complex64", "complex128": "complex128",
    "cdouble": "complex128", "int8": "int8", "uint8": "uint8", "int16": "int16",
    "short": "int16", "int32": "int32", "int": "int32", "int64": "int64", "long": "int64",
    "bool": "bool",
}

ACCEPTED = (
    "write a layer as nn.LSTM(50, 100, num_layers=2), torch.nn.LSTM(...) or LSTM(...), "
    f"with one of {', '.join(KINDS)} and literal arguments only "
    "(numbers, True, False, None, strings, dtype=torch.float64)"
)
_SIZE_SEPARATORS = re.compile(r"\s*[,xX×]\s*")


def parse_layer(text: str) -> RnnSpec:
    """The layer that `text` describes, without evaluating it.

    >>> parse_layer("nn.LSTM(50, 100, bidirectional=True)")
    LSTM(50, 100, bidirectional=True)

    Raises:
        UsageError: for anything but a call of one of the six classes with literal arguments.
    """
    call = _parse_call(text)
    kind = _class_name(call.func)
    names = [k.arg for k in call.keywords if k.arg is not None]
    repeated = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if repeated is not None:
        raise UsageError(f"keyword argument repeated: {repeated}")
    args = [_literal(a, None) for a in call.args]
    kwargs = {_keyword(k): _literal(k.value, k.arg) for k in call.keywords}
    try:
        return spec(kind, *args, **kwargs)
    except SpecError as e:
        raise UsageError(str(e)) from None


def _parse_call(text: str) -> ast.Call:
    if len(text) > MAX_EXPRESSION:
        raise UsageError(f"the layer expression is {len(text)} characters long; "
                         f"at most {MAX_EXPRESSION} are read. {ACCEPTED}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise UsageError(f"cannot parse {_quote(text)} as a layer expression; {ACCEPTED}") from None
    if not isinstance(tree.body, ast.Call):
        raise UsageError(f"{_quote(text)} is not a layer constructor call; {ACCEPTED}")
    return tree.body


def _class_name(func: ast.expr) -> str:
    """`LSTM`, `nn.LSTM` or `torch.nn.LSTM`, as a class name."""
    dotted = _dotted(func)
    name = dotted.rsplit(".", 1)[-1] if dotted else ""
    prefix = dotted.removesuffix(name).rstrip(".") if dotted else ""
    if name in KINDS and prefix in ("", "nn", "torch.nn"):
        return name
    shown = _clip(dotted) if dotted else _shown(func)
    raise UsageError(f"`{shown}` is not one of the layer classes; {ACCEPTED}")


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _keyword(k: ast.keyword) -> str:
    if k.arg is None:
        raise UsageError(f"`**{_shown(k.value)}` is not accepted; {ACCEPTED}")
    return k.arg


def _literal(node: ast.expr, keyword: str | None) -> object:
    """A literal argument; `torch.<dtype>` only as `dtype=`."""
    if keyword == "dtype" and not _is_none(node):
        return _dtype_literal(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float, str, type(None))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = node.operand.value if isinstance(node.operand, ast.Constant) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
    shown = "*" + _shown(node.value) if isinstance(node, ast.Starred) else _shown(node)
    raise UsageError(f"`{shown}` is not a literal argument; {ACCEPTED}")


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _dtype_literal(node: ast.expr) -> str:
    dotted = _dotted(node) or ""
    name = dotted.removeprefix("torch.")
    if dotted.startswith("torch.") and name in DTYPES:
        return DTYPES[name]
    raise UsageError(f"`dtype={_shown(node)}` is not accepted; write dtype=torch.X "
                     f"with X one of {', '.join(DTYPES)}")


def parse_dtype(text: str) -> str:
    """A dtype name as torch prints it, from `float64`, `torch.double` and the like."""
    name = text.strip().removeprefix("torch.")
    if name not in DTYPES:
        raise UsageError(f"unknown dtype {_quote(text)}; expected one of {', '.join(DTYPES)}")
    return DTYPES[name]


def parse_shape(text: str, what: str) -> tuple[int, ...]:
    """A tensor shape written `32,10,50`, `32x10x50` or `(32, 10, 50)`; `()` is 0-d.

    Raises:
        UsageError: naming `what` (`--input`, ...) for anything else, and for a negative size.
    """
    sizes = parse_sizes(text, what)
    negative = [n for n in sizes if n < 0]
    if negative:
        raise UsageError(f"{what} {_quote(text)} has a negative size ({negative[0]}); "
                         "sizes are 0 or more")
    return sizes


def parse_sizes(text: str, what: str) -> tuple[int, ...]:
    """Integers written like a shape, negative ones allowed (`--lengths`)."""
    if len(text) > MAX_SHAPE:
        raise UsageError(f"{what} is {len(text)} characters long; at most {MAX_SHAPE} are read")
    inner = text.strip()
    if not inner:
        raise UsageError(f"{what} is empty; write 32,10,50, 32x10x50, (32, 10, 50), or () for 0-d")
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1].strip()
    if not inner:
        return ()
    parts = _SIZE_SEPARATORS.split(inner.removesuffix(",").rstrip())
    bad = next((p for p in parts if not re.fullmatch(r"[-+]?[0-9]{1,18}", p)), None)
    if bad is not None:
        raise UsageError(f"{what} {_quote(text)} is not a shape: {_quote(bad)} is not a size; "
                         "write 32,10,50, 32x10x50 or (32, 10, 50)")
    return tuple(int(p) for p in parts)


def _shown(node: ast.AST) -> str:
    """The node as source text, clipped; deep nesting is named rather than shown."""
    try:
        return _clip(ast.unparse(node))
    except RecursionError:
        return "(an expression nested too deeply to show)"


def _quote(text: str) -> str:
    return repr(_clip(text))


def _clip(text: str, limit: int = 60) -> str:
    """At most `limit` characters of untrusted text, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
