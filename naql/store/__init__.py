"""The store: SQLite by default (any SQLAlchemy URL via NAQL_DATABASE_URL), schema by Alembic."""

from naql.store.db import Store, open_engine, upgrade
from naql.store.models import Article, Base, Segment, Source, State

__all__ = ["Article", "Base", "Segment", "Source", "State", "Store", "open_engine", "upgrade"]
