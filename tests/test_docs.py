"""The README documents every setting with its real default, and the CI runs the README's tests."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from naql.config import SETTINGS, _toml_value

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_setting_documented_with_default(setting) -> None:  # type: ignore[no-untyped-def]
    row = re.search(rf"^\| `{re.escape(setting.name)}` \| `([^`]*)` \|", README, re.MULTILINE)
    assert row, f"README has no row for {setting.name}"
    assert row.group(1) == _toml_value(setting.default)


def test_ci_runs_the_readme_test_command() -> None:
    command = re.search(r"(python -m pytest[^`\n]*)", README)
    assert command
    assert command.group(1).strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _engine_options() -> list[tuple[str, str, object]]:
    from naql.translate.engines import COMMON_OPTIONS, KINDS, engine_class

    rows = [("engine", name, spec[1]) for name, spec in COMMON_OPTIONS.items()]
    for kind in KINDS:
        for name, spec in getattr(engine_class(kind), "OPTIONS", {}).items():
            rows.append((kind, name, spec[1]))
    return rows


@pytest.mark.parametrize("table, name, default", _engine_options(), ids=lambda v: str(v))
def test_engine_setting_documented(table: str, name: str, default: object) -> None:
    """Every `[engines.NAME]` setting has a row in its kind's table, with its real default."""
    row = re.search(
        rf"^\| {re.escape(table)} setting \|[^\n]*\n(?:\|[^\n]*\n)*?\| `{re.escape(name)}` \| ([^|]*) \|",
        README,
        re.MULTILINE,
    )
    assert row, f"README has no row for {name} in the {table} settings table"
    documented = row.group(1).strip()
    if name not in ("kind", "url", "model") and documented != "(required)":
        assert documented == f"`{_toml_value(default)}`", (name, documented)
