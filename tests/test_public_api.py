"""The public API lives in one sorted `__all__`, and every public name is documented."""

from __future__ import annotations

import rnndoctor


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in vars(rnndoctor) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(rnndoctor, name)).__name__ == "module"}
    assert rnndoctor.__all__ == sorted(rnndoctor.__all__)
    assert set(rnndoctor.__all__) == public - modules


def test_public_names_are_documented_and_report_the_public_module() -> None:
    for name in rnndoctor.__all__:
        obj = getattr(rnndoctor, name)
        assert (obj.__doc__ or "").strip(), f"rnndoctor.{name} has no docstring"
        if isinstance(obj, type):
            assert obj.__module__ == "rnndoctor", name
