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
