"""One writer of the published site at a time, and one `naql run` per site (issue 10, defects 4, 5).

Real processes throughout: publishers racing on one site, two `naql run` started together, a lock
holder killed with SIGKILL.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import SHARED, TESTS, LocalServer, run_naql
from test_relay_e2e import new_site, rss, serve_articles
from test_site_fixtures import make_context

from naql import locks

PUBLISHERS = 2
PUBLISHES_EACH = 6

# A publisher: adds one published article at a time and publishes it with its own SiteWriter, as
# `naql publish`, the editor's approvals and `naql run --watch` each do from their own process.
# The publishers start each round together (a barrier of files), so every round is a race.
PUBLISHER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timedelta
    from pathlib import Path

    sys.path.insert(0, sys.argv[1])
    from test_site_fixtures import STORIES, Story, add_story, make_context

    from naql.publish import SiteWriter
    from naql.store import State

    root, name, n, everyone = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    ctx = make_context(root)
    for i in range(n):
        story = Story(**{
            **STORIES[0].__dict__,
            "url": f"https://www.example.com/{name}/{i}",
            "published_at": datetime(2024, 5, 17) + timedelta(minutes=i),
        })
        article_id = add_story(ctx, story, state=State.PUBLISHED.value)
        (root / f"round-{i}-{name}").touch()
        while len(list(root.glob(f"round-{i}-*"))) < everyone:
            time.sleep(0.01)
        with ctx.store.session() as s:
            SiteWriter(ctx.config).publish(s, [article_id])
    ctx.store.close()
    """
)

# Holds a lock until killed.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from naql import locks

    with locks.site_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(600)
    """
)


def indexed_urls(bundle: Path) -> set[str]:
    """The page URLs a Pagefind bundle lists (each fragment is a gzipped, tagged JSON record)."""
    urls = set()
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        data = data[data.index(b"{") :]
        urls.add(json.loads(data)["url"])
    return urls


def test_concurrent_publishers_leave_the_index_whole_and_never_missing(tmp_path: Path) -> None:
    pytest.importorskip("pagefind")
    site = tmp_path / "site"  # the output folder (publish.output_dir)
    entry = site / "pagefind" / "pagefind-entry.json"
    missing: list[float] = []
    done = threading.Event()

    def watch_index() -> None:
        """A reader's view: once the index exists, it must never be missing."""
        seen = False
        while not done.is_set():
            if entry.exists():
                seen = True
            elif seen:
                missing.append(time.monotonic())
            time.sleep(0.0005)

    make_context(tmp_path).store.close()  # the database exists: only publishing races here
    reader = threading.Thread(target=watch_index, daemon=True)
    reader.start()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                PUBLISHER,
                str(TESTS),
                str(tmp_path),
                f"p{k}",
                str(PUBLISHES_EACH),
                str(PUBLISHERS),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(PUBLISHERS)
    ]
    try:
        outputs = [p.communicate(timeout=300) for p in procs]
    finally:
        done.set()
        reader.join()
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err

    pages = {p.name for p in (site / "articles").glob("*.html")}
    assert len(pages) == PUBLISHERS * PUBLISHES_EACH
    assert entry.exists(), "no search index at the end"
    assert json.loads(entry.read_text())["languages"]["ar"]["page_count"] == len(pages)
    assert {u.rsplit("/", 1)[-1] for u in indexed_urls(site / "pagefind")} == pages
    assert not (site / ".pagefind-new").exists() and not (site / ".pagefind-old").exists()
    for _out, err in outputs:
        assert "search index not rebuilt" not in err, err
    assert not missing, f"the index was missing {len(missing)} times while publishers swapped it"


def test_processes_opening_a_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    """Each opens (and so creates and upgrades) the same new database; one upgrades it."""
    code = "import sys; from naql.store import Store; Store(sys.argv[1]).close()"
    url = f"sqlite:///{tmp_path / 'naql.db'}"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / locks.PUBLISH_LOCK
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(locks.Busy) as busy, locks.site_lock(lock, wait=False):
            pass
        assert busy.value.pid == holder.pid == locks.holder(lock)
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with locks.site_lock(lock, wait=False):  # the kernel released it with the process
            assert locks.holder(lock) == os.getpid()
        assert locks.holder(lock) is None  # released: no pid left behind
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout:
            holder.stdout.close()


def test_lock_is_reentrant_in_a_thread_and_exclusive_between_threads(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    order: list[str] = []
    with locks.site_lock(lock), locks.site_lock(lock):  # re-entrant: no self-deadlock
        other = threading.Thread(target=lambda: _hold_briefly(lock, order))
        other.start()
        time.sleep(0.3)
        order.append("first released")
    other.join(10)
    assert order == ["first released", "second held"]


def _hold_briefly(lock: Path, order: list[str]) -> None:
    with locks.site_lock(lock):
        order.append("second held")


def test_waiting_can_be_stopped(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    stop = threading.Event()
    heard: list[int | None] = []
    with locks.site_lock(lock):
        threading.Timer(0.2, stop.set).start()
        box: list[BaseException] = []

        def waiter() -> None:
            try:
                with locks.site_lock(lock, on_wait=heard.append, stop=stop, poll=0.02):
                    pass
            except locks.Busy as exc:
                box.append(exc)

        t = threading.Thread(target=waiter)
        t.start()
        t.join(10)
    assert heard == [os.getpid()] and len(box) == 1


# -- two `naql run` on one site -----------------------------------------------------------------


def _db_counts(db: Path) -> tuple[int, int]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
    finally:
        con.close()


def test_two_naql_runs_at_once_wait_for_each_other(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    names = sorted(
        p.name.split(".")[0] for p in (SHARED / "extraction-dev" / "html").glob("*.html.gz")
    )[:3]
    urls = serve_articles(server, names)
    feed = server.add(
        "/feed.xml",
        rss([(u, f"Story {i}") for i, u in enumerate(urls)]),
        content_type="application/rss+xml",
    )
    site = new_site(tmp_path, server, tiny_release)
    run_naql("sources", "add", feed, cwd=site)

    # The test holds the run lock while both runs start, so both must meet a run in progress.
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("NAQL_SITE", None)
    logs = [(tmp_path / f"run{k}.out", tmp_path / f"run{k}.err") for k in range(2)]
    procs = []
    with locks.site_lock(site / locks.RUN_LOCK):
        for out, err in logs:
            with out.open("w") as o, err.open("w") as e:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "naql", "run", "--no-progress"],
                        cwd=site,
                        stdout=o,
                        stderr=e,
                        env=env,
                    )
                )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until both wait (or, unfixed, both have ended)
            waiting = sum("waiting..." in err.read_text() for _, err in logs)
            if waiting == 2 or all(p.poll() is not None for p in procs):
                break
            time.sleep(0.05)
    try:
        for p in procs:
            p.wait(timeout=300)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (out, err) in zip(procs, logs, strict=True):
        stderr = err.read_text()
        assert "IntegrityError" not in stderr and "Traceback" not in stderr, stderr
        assert p.returncode == 0, stderr
        assert (
            stderr.splitlines()[0]
            == f"another naql run is working on this site (pid {os.getpid()}); waiting..."
        )
        assert "published" in out.read_text()
    total, distinct = _db_counts(site / "naql.db")
    assert total == distinct == len(names)


def test_run_no_wait_says_so_in_one_line(tmp_path: Path) -> None:
    run_naql("init", "site", cwd=tmp_path)
    site = tmp_path / "site"
    with locks.site_lock(site / locks.RUN_LOCK):
        for args in (["run", "--no-wait"], ["run", "--watch", "--no-wait"]):
            proc = run_naql(*args, "--no-progress", cwd=site, check=False, timeout=60)
            assert proc.returncode == 1, proc.stderr
            lines = proc.stderr.strip().splitlines()
            if "--watch" not in args:
                assert len(lines) == 1, proc.stderr
            errors = [line for line in lines if line.startswith("error:")]
            assert errors == [
                f"error: another naql run is working on this site (pid {os.getpid()}): "
                "run again when it has finished, or without --no-wait to wait for it"
            ], proc.stderr
            assert "Traceback" not in proc.stderr
    # Free again: the same command runs.
    proc = run_naql("run", "--no-wait", "--no-progress", cwd=site, timeout=120)
    assert "0 published" in proc.stdout
