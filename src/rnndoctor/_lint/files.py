"""Which files to lint, with which rules, on how many cores."""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._record import replace
from ..errors import UsageError
from ..rules import REGISTRY
from . import FileResult, lint_file, might_have_layers

__all__ = ["Config", "discover", "load_config", "run"]

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", "node_modules",
                          "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                          ".ipynb_checkpoints", "__pypackages__"})
KEYS = ("select", "ignore", "exclude")
_PREFIX = re.compile(r"RNN[0-9]{0,3}")
PARALLEL_FROM = 32  # files that name a layer; below this, starting workers costs more than it saves


@dataclass(frozen=True)
class Config:
    """`[tool.rnndoctor]` in pyproject.toml, with the command line's options on top."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        chosen = not self.select or any(code.startswith(p) for p in self.select)
        return chosen and not any(code.startswith(p) for p in self.ignore)


def codes(values: Iterable[str], where: str) -> tuple[str, ...]:
    """Codes or prefixes (`RNN501`, `RNN5`, `RNN`), each matching at least one rule."""
    found = []
    for value in values:
        for part in str(value).split(","):
            prefix = part.strip().upper()
            if not prefix:
                continue
            if not _PREFIX.fullmatch(prefix) or not any(r.code.startswith(prefix) for r in REGISTRY):
                raise UsageError(f"{where}: {part.strip()[:20]!r} is not a rule code or a prefix of one "
                                 "(RNN501, RNN5, RNN); `rnndoctor rules` lists the codes")
            found.append(prefix)
    return tuple(found)


def load_config(start: Path) -> Config:
    """The nearest pyproject.toml's `[tool.rnndoctor]`, looking up from `start`; empty when none."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return _read(candidate)
    return Config()


def _read(path: Path) -> Config:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as f:
            table = tomllib.load(f).get("tool", {}).get("rnndoctor", {})
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"{path}: cannot read [tool.rnndoctor]: {e}") from None
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(f"{path}: [tool.rnndoctor] has no key {unknown[0]!r}; the keys are "
                         f"{', '.join(KEYS)}")
    where = f"{path}: [tool.rnndoctor]"
    return Config(select=codes(_strings(table, "select", where), f"{where} select"),
                  ignore=codes(_strings(table, "ignore", where), f"{where} ignore"),
                  exclude=tuple(_strings(table, "exclude", where)))


def _strings(table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where} {key} must be a list of strings, such as [\"RNN5\"]")
    return value


def discover(paths: Sequence[str], exclude: tuple[str, ...] = ()) -> list[str]:
    """Files named, and the .py and .ipynb files under the folders named, in a stable order."""
    found: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found += sorted(_walk(p, exclude))
        elif os.path.exists(p):
            found.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder")
    return list(dict.fromkeys(found))


def _walk(top: str, exclude: tuple[str, ...]) -> Iterator[str]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")
                   and not _excluded(os.path.join(folder, d), exclude)]
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith((".py", ".pyi", ".ipynb")) and not _excluded(path, exclude):
                yield path


def _excluded(path: str, patterns: tuple[str, ...]) -> bool:
    normal = path.replace(os.sep, "/").removeprefix("./")
    return any(fnmatch.fnmatch(normal, p) or fnmatch.fnmatch(os.path.basename(normal), p) for p in patterns)


def run(files: Sequence[str], config: Config, jobs: int | None = None) -> list[FileResult]:
    """Lint every file; the files that name a layer go to `jobs` processes when there are many.

    A file that names no recurrent layer and no packing is settled here, by a text search: most
    of a large tree. Processes are worth starting only for many files that need reading.
    """
    worth = [f for f in files if _names_a_layer(f)]
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(worth) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            linted = dict(zip(worth, pool.map(lint_file, worth, chunksize=max(1, len(worth) // (workers * 4)))))
    else:
        linted = {f: lint_file(f) for f in worth}
    results = [linted.get(f) or FileResult(f) for f in files]
    return [replace(r, diagnostics=tuple(d for d in r.diagnostics if config.wants(d.finding.code)))
            for r in results]


def _names_a_layer(path: str) -> bool:
    """Whether the file may give a finding; a file that cannot be read is left to `lint_file` to report."""
    try:
        with open(path, encoding="utf-8") as f:
            return might_have_layers(f.read())
    except (OSError, UnicodeDecodeError):
        return True
