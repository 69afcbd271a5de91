"""Golden files for rendered output: compare, or rewrite with `pytest --update-goldens`."""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDENS = Path(__file__).parent / "goldens"


def check_golden(name: str, text: str, update: bool) -> None:
    """Assert `text` equals tests/goldens/<name>; write it first when updating or new."""
    path = GOLDENS / name
    if update or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if not update:
            pytest.fail(f"wrote new golden {name}; review it and run again")
    assert text == path.read_text(), f"{name} differs; review and run with --update-goldens"
