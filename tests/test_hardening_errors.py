"""Failures a user can meet are one line naming the file or setting and what to do (issue 10, 7).

A corrupt or locked naql.db, a full disk (a real one: a small tmpfs in a private mount namespace,
where the system allows it; and injected, everywhere), zero or negative numbers in naql.toml, and
any other error: never a traceback or an SQL dump without -v.
"""

from __future__ import annotations

import errno
import math
import os
import shutil
import sqlite3
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from click.testing import CliRunner
from conftest import run_naql

from naql import cli as naql_cli
from naql.config import SETTINGS, ZERO_ALLOWED, parse_config
from naql.errors import ConfigError
from naql.store import db

CORRUPT = (
    "is not a naql database or is corrupt: restore it from a backup, "
    "or move it away and run `naql status` to start an empty one"
)
NUMBERS = [s for s in SETTINGS if type(s.default) in (int, float)]
POSITIVE = [s for s in NUMBERS if s.name not in ZERO_ALLOWED]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    assert invoke("init", str(tmp_path / "site")).exit_code == 0
    return tmp_path / "site"


def one_error(proc: subprocess.CompletedProcess[str] | Any) -> str:
    """The command failed with exactly one line on stderr, an error; returns it."""
    code = proc.returncode if isinstance(proc, subprocess.CompletedProcess) else proc.exit_code
    assert code == 1, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


def invoke(*args: str) -> Any:
    """The real command line in this process (so a test can inject a failure)."""
    return CliRunner().invoke(naql_cli.cli, list(args), catch_exceptions=False)


# -- a corrupt database -------------------------------------------------------------------------


def _remove_sidecars(database: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def test_a_database_that_is_not_one_is_named_with_what_to_do(site: Path) -> None:
    database = site / "naql.db"
    _remove_sidecars(database)
    database.write_bytes(b"this is no SQLite file at all\n" * 500)
    for args in (["status"], ["run", "--no-progress"]):
        proc = run_naql(*args, cwd=site, check=False)
        assert one_error(proc) == f"error: {database} {CORRUPT}"
    # What the message says to do works.
    database.rename(site / "naql.db.broken")
    assert "0" in run_naql("status", cwd=site).stdout


def test_a_damaged_database_is_named_with_what_to_do(site: Path) -> None:
    database = site / "naql.db"
    _remove_sidecars(database)  # checkpointed on close
    data = bytearray(database.read_bytes())
    data[8192:] = b"\xa5" * (len(data) - 8192)  # the tables' pages overwritten
    database.write_bytes(bytes(data))
    proc = run_naql("sources", "list", cwd=site, check=False)
    assert one_error(proc) == f"error: {database} {CORRUPT}"


# -- a locked database --------------------------------------------------------------------------


def test_a_database_locked_beyond_the_busy_timeout_is_named(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 1, raising=False)
    monkeypatch.chdir(site)
    monkeypatch.delenv("NAQL_SITE", raising=False)
    database = site / "naql.db"
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")  # another process writing, and not letting go
        result = invoke("sources", "add", "http://127.0.0.1:9/feed.xml", "--kind", "feed")
    finally:
        other.close()
    assert one_error(result) == (
        f"error: {database} stayed locked by another process for more than 1 s: "
        "run again when it has finished"
    )


# -- a full disk --------------------------------------------------------------------------------

FULL_DISK = textwrap.dedent(
    """
    set -u
    mount -t tmpfs -o size=4m tmpfs "$MNT" || exit 77
    cp -a "$SITE" "$MNT/s"
    dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
    truncate -s -40K "$MNT/filler"
    cd "$MNT/s"
    echo "== sources add"
    "$PYTHON" -m naql sources add http://127.0.0.1:9/feed.xml --kind feed 2>&1
    echo "rc=$?"
    echo "== publish"
    "$PYTHON" -m naql publish --rebuild 2>&1
    echo "rc=$?"
    """
)


def test_a_full_disk_is_named_with_what_to_do(site: Path, tmp_path: Path) -> None:
    """A real full file system: a 4 MB tmpfs, mounted in a mount namespace of its own."""
    import sys

    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    env = {
        **os.environ,
        "MNT": str(mnt),
        "SITE": str(site),
        "PYTHON": sys.executable,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("NAQL_SITE", None)
    proc = subprocess.run(
        [unshare, "--map-root-user", "--mount", "sh", "-c", FULL_DISK],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if proc.returncode == 77 or "== sources add" not in proc.stdout:
        pytest.skip(f"cannot mount a tmpfs in a private namespace here: {proc.stderr.strip()}")
    parts = dict(
        (part.split("\n", 1)[0], part.split("\n", 1)[1]) for part in proc.stdout.split("== ")[1:]
    )
    for name in ("sources add", "publish"):
        lines = parts[name].strip().splitlines()
        assert lines[-1] == "rc=1", parts[name]
        assert len(lines) == 2, parts[name]  # one line of error, then the exit status
    site_in_tmpfs = mnt / "s"
    assert parts["sources add"].splitlines()[0] == (
        f"error: disk full writing {site_in_tmpfs / 'naql.db'}: free space and run again"
    )
    line = parts["publish"].splitlines()[0]
    assert line.startswith(f"error: disk full writing {site_in_tmpfs}/"), line
    assert line.endswith(": free space and run again"), line


def test_a_full_disk_while_publishing_is_named(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same, injected (runs everywhere): the file system refuses the site's pages."""
    monkeypatch.chdir(site)
    monkeypatch.delenv("NAQL_SITE", raising=False)
    replace = os.replace
    output = str(site / "site")

    def full(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if str(dst).startswith(output):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    line = one_error(invoke("publish", "--rebuild"))
    assert line.startswith(f"error: disk full writing {output}/"), line
    assert line.endswith(": free space and run again"), line


def test_a_full_database_is_named(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for SQLite: the database may not grow (SQLITE_FULL, as on a full disk)."""
    monkeypatch.chdir(site)
    monkeypatch.delenv("NAQL_SITE", raising=False)
    pragmas = db._sqlite_pragmas

    def no_room(dbapi_conn: Any, record: Any) -> None:
        pragmas(dbapi_conn, record)
        cur = dbapi_conn.cursor()
        pages = cur.execute("PRAGMA page_count").fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages}")
        cur.close()

    monkeypatch.setattr(db, "_sqlite_pragmas", no_room)
    for n in range(50):  # until the next page is needed
        result = invoke(
            "sources", "add", f"http://127.0.0.1:9/{n:04d}/" + "x" * 900, "--kind", "feed"
        )
        if result.exit_code:
            break
    assert one_error(result) == (
        f"error: disk full writing {site / 'naql.db'}: free space and run again"
    )


# -- any other error ----------------------------------------------------------------------------


def test_an_unexpected_database_error_is_one_line_without_sql(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Any:
        raise sqlalchemy.exc.IntegrityError(
            "INSERT INTO articles (url) VALUES (?)",
            ("https://example.com/a",),
            sqlite3.IntegrityError("UNIQUE constraint failed: articles.url"),
        )

    monkeypatch.setattr(naql_cli, "_site", broken)
    assert one_error(invoke("status")) == (
        "error: unexpected IntegrityError: UNIQUE constraint failed: articles.url "
        "(run `naql -v ...` for details)"
    )


# -- numbers in naql.toml -----------------------------------------------------------------------


def test_every_default_is_valid(tmp_path: Path) -> None:
    data: dict[str, dict[str, Any]] = {}
    for s in SETTINGS:
        if not isinstance(s.default, dict):
            data.setdefault(s.section, {})[s.key] = s.default
    parse_config(tmp_path, data)


@pytest.mark.parametrize("setting", POSITIVE, ids=lambda s: s.name)
@pytest.mark.parametrize("value", [0, -1, 0.0, -0.0, -2.5])
def test_numbers_that_must_be_positive_reject_zero_and_below(
    tmp_path: Path, setting: Any, value: float
) -> None:
    if isinstance(setting.default, int) and isinstance(value, float):
        value = int(value)
    with pytest.raises(
        ConfigError, match=rf"^{setting.name} = .* is invalid: expected a value > 0"
    ):
        parse_config(tmp_path, {setting.section: {setting.key: value}})


@pytest.mark.parametrize("setting", [s for s in NUMBERS if s.name in ZERO_ALLOWED], ids=str)
def test_numbers_where_zero_means_something_take_zero_but_not_below(
    tmp_path: Path, setting: Any
) -> None:
    config = parse_config(tmp_path, {setting.section: {setting.key: 0}})
    assert config[setting.name] == 0
    with pytest.raises(
        ConfigError, match=rf"^{setting.name} = -1.* is invalid: expected a value >= 0"
    ):
        parse_config(tmp_path, {setting.section: {setting.key: -1}})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_decimals_must_be_finite(tmp_path: Path, value: float) -> None:
    with pytest.raises(ConfigError, match=r"^fetch\.timeout = .* is invalid: expected a finite"):
        parse_config(tmp_path, {"fetch": {"timeout": value}})


def test_a_share_is_at_most_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"check\.min_arabic_ratio = 1\.5 is invalid"):
        parse_config(tmp_path, {"check": {"min_arabic_ratio": 1.5}})


def test_environment_numbers_are_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NAQL_FETCH_CONCURRENCY", "0")
    with pytest.raises(
        ConfigError, match=r"^fetch\.concurrency = 0 is invalid: expected a value > 0"
    ):
        parse_config(tmp_path, {})


def test_a_zero_timeout_stops_the_command_at_once_naming_the_key(site: Path) -> None:
    toml = site / "naql.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("# timeout = 20.0", "timeout = 0"),
        encoding="utf-8",
    )
    for args in (["status"], ["run", "--no-progress"]):
        proc = run_naql(*args, cwd=site, check=False)
        assert one_error(proc) == (
            "error: fetch.timeout = 0.0 is invalid: expected a value > 0 (default 20.0)"
        )
