"""The rule registry: every rule, in code order.

Each rule lives in its own module `rnnNNN_<name>.py`, whose docstring is the
rule's documentation and whose `RULE` is the rule. Codes are never reused;
retired codes are listed in `RETIRED` with the reason.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import replace

from ._base import Rule

__all__ = ["REGISTRY", "RETIRED", "all_rules", "get"]

RETIRED: dict[str, str] = {}


def _load() -> tuple[Rule, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("rnn"))
    rules = []
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        rule: Rule = module.RULE
        rules.append(replace(rule, doc=module.__doc__ or ""))
    return tuple(rules)


REGISTRY: tuple[Rule, ...] = _load()
_BY_CODE = {rule.code: rule for rule in REGISTRY}


def all_rules() -> tuple[Rule, ...]:
    return REGISTRY


def get(code: str) -> Rule:
    """The rule with this code (case-insensitive), or KeyError."""
    return _BY_CODE[code.upper()]
