"""Records: the frozen, slotted data classes of the core, made without `dataclasses`.

`@record` makes what `@dataclass(frozen=True, slots=True)` makes: `__init__`
with the fields in order, `__repr__`, `__eq__` and `__hash__` over the fields
(`field(compare=False)` leaves one out of the last two), `__match_args__`,
`__slots__`, instances that refuse assignment, and pickling. `replace(obj,
**changes)` and `fields(cls)` stand for their `dataclasses` namesakes. Type
checkers see a frozen dataclass (PEP 681).

Why not `dataclasses`: importing it imports `inspect` (and with it `ast`, `dis`
and `tokenize`), and it compiles six methods for each class. On the commands
that need no tensors (`rnndoctor rules`, `explain`, `check` on shapes) that
was half of the start-up time. A record compiles its methods in one piece
and imports nothing.

A record may derive from another, whose fields come first. A method the
class defines itself is kept. Left out: `InitVar`, `kw_only`, ordering,
zero-argument `super()` in methods (the class is made anew, as with
`slots=True`), and a `__post_init__` that assigns other than through
`object.__setattr__`, as with a frozen dataclass.
"""

from __future__ import annotations

import itertools
import sys
import types
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["FrozenInstanceError", "field", "fields", "record", "replace"]

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10

    def dataclass_transform(**_: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda decorator: decorator

T = TypeVar("T")
R = TypeVar("R")
_NONE = object()  # "no default", where None is a default


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a record (as `dataclasses.FrozenInstanceError`)."""


class _Field:
    __slots__ = ("default", "default_factory", "compare")

    def __init__(self, default: object, default_factory: Callable[[], object] | None, compare: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.compare = compare

    @property
    def has_default(self) -> bool:
        return self.default is not _NONE or self.default_factory is not None


def field(*, default: Any = _NONE, default_factory: Callable[[], Any] | None = None,
          compare: bool = True) -> Any:
    """A field's default, or the factory that makes one per instance; `compare=False` leaves it
    out of `__eq__` and `__hash__`."""
    return _Field(default, default_factory, compare)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T]) -> type[T]:
    """The class as a frozen, slotted record of its annotated fields (after those of a base record)."""
    specs: dict[str, _Field] = {}
    for base in reversed(cls.__mro__[1:]):
        specs.update(base.__dict__.get("__record_specs__", {}))
    inherited = set(specs)
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, _NONE)
        specs[name] = value if isinstance(value, _Field) else _Field(value, None, True)
    names = list(specs)
    for before, name in itertools.pairwise(names):
        if not specs[name].has_default and specs[before].has_default:
            raise TypeError(f"non-default argument {name!r} follows default argument")
    namespace = {k: v for k, v in cls.__dict__.items() if k not in (*names, "__dict__", "__weakref__")}
    namespace["__slots__"] = tuple(name for name in names if name not in inherited)
    namespace["__match_args__"] = namespace["__record_fields__"] = tuple(names)
    namespace["__record_specs__"] = specs
    for method, make in _METHODS.items():
        if method not in cls.__dict__ or (method == "__hash__" and cls.__dict__[method] is None):
            namespace[method] = make
    metaclass: Any = type(cls)
    made: type[T] = metaclass(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    _compile(made, names, specs)
    return made


def _compile(cls: type, names: list[str], specs: dict[str, _Field]) -> None:
    """`__init__`, and the `__eq__` and `__hash__` the class does not define, in one source."""
    env: dict[str, object] = {"_record_set": object.__setattr__}
    params, body = [], []
    for name in names:
        spec = specs[name]
        slot = next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)
        if isinstance(slot, types.MemberDescriptorType):  # set through the slot: a third faster
            env[f"_record_s_{name}"] = slot.__set__
            setter = f"_record_s_{name}(self, "
        else:
            setter = f"_record_set(self, {name!r}, "
        if spec.default_factory is not None:
            env[f"_record_f_{name}"] = spec.default_factory
            params.append(f"{name}=_record_none")
            body.append(f"{setter}_record_f_{name}() if {name} is _record_none else {name})")
        else:
            if spec.default is not _NONE:
                env[f"_record_d_{name}"] = spec.default
                params.append(f"{name}=_record_d_{name}")
            else:
                params.append(name)
            body.append(f"{setter}{name})")
    env["_record_none"] = _NONE
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    compared = [n for n in names if specs[n].compare]
    mine = "(" + "".join(f"self.{n}, " for n in compared) + ")"
    theirs = mine.replace("self.", "other.")
    source = [f"def __init__(self, {', '.join(params)}) -> None:", *(f"    {line}" for line in body or ["pass"])]
    if cls.__dict__["__eq__"] is _METHODS["__eq__"]:
        source += ["def __eq__(self, other):", "    if other.__class__ is not self.__class__:",
                   "        return NotImplemented", f"    return {mine} == {theirs}"]
    if cls.__dict__["__hash__"] is _METHODS["__hash__"]:
        source += ["def __hash__(self):", f"    return hash({mine})"]
    exec(compile("\n".join(source), f"<record {cls.__qualname__}>", "exec"), env)  # noqa: S102 - our own source
    for method in ("__init__", "__eq__", "__hash__"):
        function = env.get(method)
        if function is not None:
            function.__qualname__ = f"{cls.__qualname__}.{method}"  # type: ignore[attr-defined]
            setattr(cls, method, function)


def _setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _repr(self: object) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields(type(self)))
    return f"{type(self).__qualname__}({shown})"


def _getstate(self: object) -> tuple[object, ...]:
    return tuple(getattr(self, name) for name in fields(type(self)))


def _setstate(self: object, state: tuple[object, ...]) -> None:
    for name, value in zip(fields(type(self)), state):
        object.__setattr__(self, name, value)


def _placeholder(self: object, *args: object) -> object:  # replaced by `_compile`
    raise NotImplementedError


_METHODS: dict[str, Callable[..., Any]] = {
    "__repr__": _repr, "__eq__": _placeholder, "__hash__": _placeholder,
    "__setattr__": _setattr, "__delattr__": _delattr, "__getstate__": _getstate, "__setstate__": _setstate,
}


def fields(cls: type) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    names: tuple[str, ...] = cls.__record_fields__  # type: ignore[attr-defined]
    return names


def replace(obj: R, /, **changes: Any) -> R:
    """A copy of `obj`, a record or a dataclass, with some fields changed."""
    cls = type(obj)
    names: tuple[str, ...] | None = getattr(cls, "__record_fields__", None)
    if names is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for name in names:
        if name not in changes:
            changes[name] = getattr(obj, name)
    if len(changes) != len(names):
        unknown = changes.keys() - set(names)
        raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
    return cls(**changes)
