"""The list of checks. Built-in checks are ordinary entries: each module of naql.qa.checks
exports CHECKS, and `register` adds a site's own."""

from __future__ import annotations

import importlib

from naql.qa.checks.base import Check

#: The built-in check modules, in the order their findings are reported.
DEFAULT_CHECK_MODULES = (
    "naql.qa.checks.hallucination",
    "naql.qa.checks.untranslated",
    "naql.qa.checks.numbers",
    "naql.qa.checks.quotes",
    "naql.qa.checks.names",
    "naql.qa.checks.leftovers",
    "naql.qa.checks.punctuation",
)

_extra: list[Check] = []


def register(check: Check) -> None:
    """Add a check to every later run (a check with the same name replaces the built-in one)."""
    _extra[:] = [c for c in _extra if c.name != check.name]
    _extra.append(check)


def unregister(name: str) -> None:
    _extra[:] = [c for c in _extra if c.name != name]


def all_checks() -> list[Check]:
    checks: list[Check] = []
    for module in DEFAULT_CHECK_MODULES:
        checks.extend(importlib.import_module(module).CHECKS)
    replaced = {c.name for c in _extra}
    return [c for c in checks if c.name not in replaced] + list(_extra)


def checks_for(*, with_source: bool) -> list[Check]:
    """The checks that can run; without a source, only those that read the Arabic alone."""
    return [c for c in all_checks() if with_source or not c.needs_source]
