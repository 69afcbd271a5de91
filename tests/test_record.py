"""`@record` behaves as `@dataclass(frozen=True, slots=True)` does, class for class."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnndoctor._record import FrozenInstanceError, field, fields, record, replace


@record
class Rec:
    """A record with every kind of field."""

    a: int
    b: str = "b"
    c: tuple[int, ...] = field(default_factory=tuple)
    d: int = field(default=0, compare=False)
    K: ClassVar[int] = 7

    def total(self) -> int:
        return self.a + self.d

    @property
    def twice(self) -> int:
        return 2 * self.a


@dataclasses.dataclass(frozen=True, slots=True)
class Dat:
    """The same class as a dataclass."""

    a: int
    b: str = "b"
    c: tuple[int, ...] = dataclasses.field(default_factory=tuple)
    d: int = dataclasses.field(default=0, compare=False)
    K: ClassVar[int] = 7

    def total(self) -> int:
        return self.a + self.d

    @property
    def twice(self) -> int:
        return 2 * self.a


VALUES = st.tuples(st.integers(-3, 3), st.sampled_from(["", "b", "x'y"]), st.tuples(st.integers(0, 2)),
                   st.integers(-2, 2))


def both(values: tuple[Any, ...]) -> tuple[Rec, Dat]:
    return Rec(*values), Dat(*values)


@given(VALUES, VALUES)
def test_equality_hash_and_repr_are_the_dataclass_ones(one: tuple[Any, ...], other: tuple[Any, ...]) -> None:
    (r1, d1), (r2, d2) = both(one), both(other)
    assert (r1 == r2) == (d1 == d2)
    assert (hash(r1) == hash(r2)) == (hash(d1) == hash(d2))
    assert repr(r1) == repr(d1).replace("Dat(", "Rec(", 1)
    assert (r1.total(), r1.twice, r1.K) == (d1.total(), d1.twice, d1.K)


@given(VALUES)
def test_defaults_replace_and_pickle(values: tuple[Any, ...]) -> None:
    r, d = both(values)
    assert repr(Rec(values[0])) == repr(Dat(values[0])).replace("Dat(", "Rec(", 1)
    assert repr(replace(r, b="z")) == repr(dataclasses.replace(d, b="z")).replace("Dat(", "Rec(", 1)
    copy = pickle.loads(pickle.dumps(r))
    assert copy == r and copy.d == r.d


def test_the_class_is_slotted_and_frozen_like_a_dataclass() -> None:
    r, d = Rec(1), Dat(1)
    assert Rec.__slots__ == Dat.__slots__ and Rec.__match_args__ == Dat.__match_args__
    assert not hasattr(r, "__dict__")
    with pytest.raises(FrozenInstanceError):
        r.a = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.a = 2  # type: ignore[misc]
    assert issubclass(FrozenInstanceError, AttributeError)
    with pytest.raises(FrozenInstanceError):
        del r.a
    assert Rec.__doc__ == "A record with every kind of field."
    assert fields(Rec) == tuple(f.name for f in dataclasses.fields(Dat))


def test_a_default_factory_runs_per_instance() -> None:
    @record
    class Bag:
        items: list[int] = field(default_factory=list)

    assert Bag().items is not Bag().items


def test_signature_errors_are_the_dataclass_ones() -> None:
    with pytest.raises(TypeError):
        Rec()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Rec(1, "b", (), 0, 5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="no field"):
        replace(Rec(1), e=3)
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Bad:
            a: int = 0
            b: int  # type: ignore[misc]


def test_a_record_derives_from_a_record() -> None:
    @record
    class Base:
        a: int
        b: int = 1

    @record
    class Derived(Base):
        c: int = 2

        def __bool__(self) -> bool:
            return self.c > 0

    d = Derived(0, c=3)
    assert (d.a, d.b, d.c) == (0, 1, 3) and fields(Derived) == ("a", "b", "c")
    assert repr(d).endswith(".<locals>.Derived(a=0, b=1, c=3)")  # the qualified name, as a dataclass shows it
    assert d != Base(0) and d == Derived(0, 1, 3) and bool(d) and not Derived(0, c=0)
    assert replace(d, a=5) == Derived(5, 1, 3)


def test_methods_the_class_defines_are_kept_and_post_init_runs() -> None:
    seen = []

    @record
    class Own:
        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

        def __post_init__(self) -> None:
            seen.append(self.a)

    one = Own(1)
    assert seen == [1]
    assert repr(one) == "own" and one == Own(2) and hash(one) == hash((1,))


def test_replace_also_takes_a_dataclass() -> None:
    assert replace(Dat(1), b="z") == Dat(1, "z")
