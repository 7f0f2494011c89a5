"""The schema: migrations build exactly the models, upgrade from every revision, and go back down."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from naql.store import Store
from naql.store.db import _alembic_config


def test_migrations_match_models_and_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'naql.db'}"
    Store(url).close()  # opening upgrades to head
    cfg = _alembic_config(url)
    command.check(cfg)  # raises if the models and the migrations disagree
    revisions = [r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()]
    assert revisions[-1] == "0001" and len(revisions) >= 4
    command.downgrade(cfg, "base")
    command.upgrade(cfg, "head")
    command.check(cfg)


def test_old_database_is_upgraded_on_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'naql.db'}"
    command.upgrade(_alembic_config(url), "0001")
    store = Store(url)  # an older site's database is upgraded, not refused
    with store.engine.connect() as conn:
        tables = {
            r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert {"articles", "segments", "glossary", "tags", "quotes", "users"} <= tables
    store.close()
