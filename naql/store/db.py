"""Opening the store: engine, sessions, and automatic schema upgrades through Alembic.

A driver error that leaves the store carries the database it came from (`naql_database`), so the
command line can say which file is corrupt, locked or out of space (`explain_database_error`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_S = 30  # how long a write waits for another process's transaction to end


def _alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is current)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(str(engine.url))
    head = ScriptDirectory.from_config(cfg).get_current_head()

    def current() -> str | None:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    if current() == head:
        return
    # Two processes opening a new or older database at once (two `naql run`, a run and the
    # editor) would both upgrade it: one at a time, and the second finds it done.
    with _migration_lock(engine):
        was = current()
        if was == head:
            return
        log.info("upgrading database schema %s -> %s", was, head)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """A file lock beside an SQLite database (naql.db-migrate.lock)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    from naql import locks

    with locks.site_lock(Path(f"{database}-migrate.lock")):
        yield


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cur.close()


def open_engine(url: str, *, migrate: bool = True) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        upgrade(engine)
    return engine


class Store:
    """The site's database: a session factory over one engine."""

    def __init__(self, url: str):
        self.where = database_name(url)
        with self._naming_errors():
            self.engine = open_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def _naming_errors(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            exc.naql_database = self.where  # type: ignore[attr-defined]
            raise

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self._naming_errors(), self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def database_name(url: str) -> str:
    """The database as a user knows it: the SQLite file's path, else the URL without password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def explain_database_error(exc: BaseException) -> str | None:
    """One line for a database failure the user can act on (corrupt, locked, full), else None."""
    from naql.failures import DiskFull, low_on_space

    if not isinstance(exc, DBAPIError):
        return None
    where = getattr(exc, "naql_database", None) or "the database"
    code = str(getattr(exc.orig, "sqlite_errorname", ""))
    text = str(exc.orig).lower()
    if code.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or (
        "file is not a database" in text or "malformed" in text
    ):
        return (
            f"{where} is not a naql database or is corrupt: restore it from a backup, "
            "or move it away and run `naql status` to start an empty one"
        )
    if code.startswith("SQLITE_FULL") or "database or disk is full" in text:
        return str(DiskFull(where))
    if code.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        if where != "the database" and low_on_space(where):
            return str(DiskFull(where))
        return f"disk I/O error on {where}: check the disk and its free space, and run again"
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return (
            f"{where} stayed locked by another process for more than {BUSY_TIMEOUT_S} s: "
            "run again when it has finished"
        )
    if code.startswith("SQLITE_READONLY") or "readonly database" in text:
        return f"cannot write {where}: it or its folder is read-only (check the permissions)"
    if code.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return f"cannot open {where}: check that its folder exists and is writable"
    return None
