"""The rule registry: every rule, in code order.

Each rule lives in its own module `rnnNNN_<name>.py`, whose docstring is the
rule's documentation and whose `RULE` is the rule. Codes are never reused;
retired codes are listed in `RETIRED` with the reason.

A rule module is imported only when it is needed: `get(code)` and
`named(name)` import one, `of_stage(stage)` the modules of one stage, and
`REGISTRY` all of them. A code's family gives its stage without an import:
RNN3xx are constructor rules, RNN5xx use and program rules, and every other
family forward rules (`tests/test_catalogue.py` holds each rule to that).
"""

from __future__ import annotations

import functools
import importlib
import os
from typing import TYPE_CHECKING, Any

from .._record import replace
from ._base import Rule, Stage

__all__ = ["REGISTRY", "RETIRED", "all_rules", "family_stages", "get", "named", "of_stage"]

RETIRED: dict[str, str] = {}


def family_stages(code: str) -> tuple[Stage, ...]:
    """The stages a rule of this code's family may have: RNN3xx construct, RNN5xx use or program."""
    family = code[3]
    return ("construct",) if family == "3" else ("use", "program") if family == "5" else ("forward",)


@functools.cache
def _modules() -> tuple[str, ...]:
    """The rule modules' names, read from the package's folder (pkgutil would import inspect)."""
    return tuple(sorted(entry.name.removesuffix(".py") for folder in __path__ for entry in os.scandir(folder)
                        if entry.name.startswith("rnn") and entry.name.endswith(".py")))


@functools.cache
def _load(module_name: str) -> Rule:
    module = importlib.import_module(f"{__name__}.{module_name}")
    rule: Rule = module.RULE
    return replace(rule, doc=module.__doc__ or "")


def get(code: str) -> Rule:
    """The rule with this code (case-insensitive), or KeyError."""
    prefix = code.lower() + "_"
    found = [m for m in _modules() if m.startswith(prefix)]
    if len(found) != 1:
        raise KeyError(code)
    return _load(found[0])


def named(name: str) -> Rule | None:
    """The rule with this kebab-case name, or None."""
    suffix = name.replace("-", "_")
    found = [m for m in _modules() if m.partition("_")[2] == suffix]
    return _load(found[0]) if len(found) == 1 else None


@functools.cache
def of_stage(stage: Stage) -> tuple[Rule, ...]:
    """The rules of one stage, in code order; only their families' modules are imported."""
    loaded = (_load(m) for m in _modules() if stage in family_stages(m[:6].upper()))
    return tuple(rule for rule in loaded if rule.stage == stage)


def all_rules() -> tuple[Rule, ...]:
    return tuple(_load(m) for m in _modules())


if TYPE_CHECKING:
    REGISTRY: tuple[Rule, ...]
else:

    def __getattr__(name: str) -> Any:
        if name == "REGISTRY":
            return all_rules()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
