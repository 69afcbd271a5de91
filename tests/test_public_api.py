"""The public API lives in one sorted `__all__`, and every public name is documented."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import rnndoctor


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in dir(rnndoctor) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(rnndoctor, name)).__name__ == "module"}
    assert rnndoctor.__all__ == sorted(rnndoctor.__all__)
    assert set(rnndoctor.__all__) == public - modules


def test_public_names_are_documented_and_report_the_public_module() -> None:
    for name in rnndoctor.__all__:
        obj = getattr(rnndoctor, name)
        assert (obj.__doc__ or "").strip(), f"rnndoctor.{name} has no docstring"
        if isinstance(obj, type):
            assert obj.__module__ == "rnndoctor", name


@pytest.mark.parametrize("name", rnndoctor.__all__)
def test_each_name_resolves_in_a_fresh_interpreter(name: str) -> None:
    code = f"import rnndoctor; print(type(rnndoctor.{name}).__name__)"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert child.returncode == 0, child.stderr


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        rnndoctor.nothing_here  # noqa: B018
    assert not hasattr(rnndoctor, "nothing_here")


def test_the_type_checkers_see_every_public_name() -> None:
    """The `if TYPE_CHECKING:` block imports each name in `__all__` from where it lives."""
    source = importlib.util.find_spec("rnndoctor").origin  # type: ignore[union-attr]
    text = open(source, encoding="utf-8").read()
    for name in rnndoctor.__all__:
        assert f" import {name} as {name}\n" in text, name


def test_no_submodule_shares_a_public_name() -> None:
    """Importing a submodule binds its name on the package, which would hide a public function."""
    package = Path(rnndoctor.__file__).parent
    submodules = {p.stem for p in package.glob("*.py")} | {p.name for p in package.iterdir() if p.is_dir()}
    assert submodules & set(rnndoctor.__all__) == set()


def test_a_public_function_survives_the_import_of_every_submodule() -> None:
    code = ("import pkgutil, importlib, rnndoctor\n"
            "for m in pkgutil.walk_packages(rnndoctor.__path__, 'rnndoctor.'):\n"
            "    if not m.name.endswith(('__main__', 'pytest_plugin')): importlib.import_module(m.name)\n"
            "print(sorted(n for n in rnndoctor.__all__ if type(getattr(rnndoctor, n)).__name__ == 'module'))")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert child.stdout.strip() == "[]"
