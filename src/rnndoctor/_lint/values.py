"""What the linter knows about an expression: a Python constant, a named unknown, or a layer's tensors.

Nothing here is ever executed: values come from literals, resolved names and
simple arithmetic on them. Everything else is `UNKNOWN`, and a check that
needs it is skipped.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Literal, TypeAlias, TypeGuard

Const = int | float | bool | str | None


class _Unknown:
    """A value the linter cannot read; it never takes part in a finding."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True, eq=False)
class Sym:
    """A value the source names but does not fix (a parameter): each is a distinct size.

    A parameter with a default has it here, with its function and position:
    the default holds where the file calls the function and no call passes
    that parameter.
    """

    name: str
    default: Const | _Unknown = None
    owner: str = ""  # the function, or the class for `__init__`
    position: int = -1  # among the parameters a caller passes (after `self`)


@dataclass
class Passed:
    """What the calls of one function or class in a file pass: how many by position, which by keyword."""

    positional: int = 0
    keywords: set[str] = field(default_factory=set)
    anything: bool = False  # a `*args` or `**kwargs` was passed

    def passes(self, s: Sym) -> bool:
        return self.anything or self.positional > s.position >= 0 or s.name in self.keywords


@dataclass(frozen=True)
class Mod:
    """A module or a name imported from one: `torch.nn`, `torch.nn.LSTM`."""

    path: str


@dataclass(frozen=True)
class Dim:
    """Axis `axis` of the tensor named by `owner` (`x.size(0)`, `x.shape[0]`)."""

    owner: Sym
    axis: int


@dataclass(frozen=True)
class Shape:
    """`x.shape` or `x.size()` of a tensor the source does not build."""

    owner: Sym


@dataclass(eq=False)
class Layer:
    """A recurrent layer built in the source: `nn.LSTM(10, 20, batch_first=True)`."""

    kind: str
    args: tuple[Value, ...]
    keywords: dict[str, Value]
    node: ast.Call
    name: str  # how the source refers to it: `self.rnn`, `lstm`


@dataclass(frozen=True)
class Tensor:
    """A tensor built in the source with sizes it can read: `torch.zeros(2, 3, 20)`, `torch.tensor([5, 3])`."""

    shape: tuple[Value, ...]
    values: tuple[Value, ...] | None = None  # a `torch.tensor([...])`'s entries, flattened
    dtype: str | None = None  # `torch.tensor`'s, as torch infers it or as given


@dataclass(frozen=True, eq=False)
class Packed:
    """`pack_padded_sequence(input, lengths, ...)`."""

    input: Value
    lengths: Value
    batch_first: Value
    enforce_sorted: Value


@dataclass(eq=False)
class LayerCall:
    """One call of a layer, `layer(input, hx)`, and where it is."""

    layer: Layer
    input: Value
    hx: Value
    node: ast.Call
    guarded: bool = False  # under an `if` or `while` that tests one of its arguments


@dataclass(frozen=True)
class Result:
    """What a layer call returned: `(output, h_n)` or `(output, (h_n, c_n))`."""

    call: LayerCall


@dataclass(frozen=True)
class States:
    """The `(h_n, c_n)` an LSTM returned."""

    call: LayerCall


@dataclass(frozen=True)
class Out:
    """One tensor a layer returned: `output`, `h_n` or `c_n`.

    `padded` is set for `output` after `pad_packed_sequence(..., batch_first=...)`,
    with the lengths it was packed with; `packed` for the PackedSequence itself.
    `through` names the per-position layer `output` went through last (`fc(output)`),
    and `features` is then its last axis: None where the layers kept `output`'s.
    """

    call: LayerCall
    name: Literal["output", "h_n", "c_n"]
    packed: bool = False
    padded: tuple[Value, Value] | None = None  # (batch_first, lengths)
    through: str | None = None
    features: Value = None


@dataclass(frozen=True, eq=False)
class PerPosition:
    """A layer built in the source that works on the last axis alone: `nn.Linear(20, 5)`, `nn.ReLU()`.

    `name` is the layer as the run time names it ("Linear"), or None for a
    dropout, which keeps what it is given; `features` is a Linear's `out_features`.
    """

    name: str | None
    features: Value = None


@dataclass(frozen=True)
class Tup:
    """A tuple or list of values."""

    items: tuple[Value, ...]
    kind: Literal["tuple", "list"] = "tuple"


@dataclass(eq=False)
class Order:
    """A sort order made for packing (`_, order = lengths.sort(descending=True)`), and its fate."""

    node: ast.AST
    applied: int = 0
    inverted: bool = False
    escaped: bool = False


@dataclass(frozen=True)
class Slice:
    """`start:stop:step` with each part read, or None."""

    start: Value = None
    stop: Value = None
    step: Value = None


Value: TypeAlias = (Const | _Unknown | Mod | Sym | Dim | Shape | Layer | Tensor | Packed | LayerCall | Result
                    | States | Out | PerPosition | Tup | Order | Slice | EllipsisType)


def is_const(v: object) -> TypeGuard[Const]:
    return v is None or isinstance(v, (int, float, bool, str))


def is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_MAX = 1 << 62


def binop(op: ast.operator, a: Value, b: Value) -> Value:
    """`a op b` for two numbers (or strings for `+`); UNKNOWN for anything else or anything odd."""
    if isinstance(a, str) and isinstance(b, str) and isinstance(op, ast.Add):
        return a + b if len(a) + len(b) < 10_000 else UNKNOWN
    if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return UNKNOWN
    try:
        value = _arith(op, a, b)
    except (ArithmeticError, ValueError):
        return UNKNOWN
    if value is UNKNOWN or not isinstance(value, (int, float)):
        return UNKNOWN
    if isinstance(value, float) and not math.isfinite(value):
        return UNKNOWN
    return value if abs(value) < _MAX else UNKNOWN


def _arith(op: ast.operator, a: float, b: float) -> Value:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    if isinstance(op, ast.FloorDiv):
        return a // b
    if isinstance(op, ast.Mod):
        return a % b
    if isinstance(op, ast.Pow) and abs(b) <= 64 and abs(a) < 1 << 16:
        power: float = a**b
        return power
    return UNKNOWN


def unary(op: ast.unaryop, a: Value) -> Value:
    if isinstance(op, ast.Not) and is_const(a):
        return not a
    if not isinstance(a, (int, float)):
        return UNKNOWN
    if isinstance(op, ast.USub):
        return -a
    if isinstance(op, ast.UAdd):
        return +a
    return UNKNOWN


@dataclass
class Uses:
    """Everything one function did with its layers' results, in source order."""

    subscripts: list[tuple[Out, Value, ast.expr]] = field(default_factory=list)  # (tensor, key, node)
    views: list[tuple[Out, tuple[Value, ...], str, ast.expr]] = field(default_factory=list)
    unpacks: list[tuple[Out, int, ast.expr]] = field(default_factory=list)  # (state, names, target)
    # pad_packed_sequence: (the packed output, its batch_first, the call)
    unpads: list[tuple[Out, Value, ast.expr]] = field(default_factory=list)
    calls: list[LayerCall] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    packs: int = 0
    further: set[int] = field(default_factory=set)  # ids of use nodes whose result is sliced again
