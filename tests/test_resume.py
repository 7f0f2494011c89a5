"""Killing `naql run` at any moment (SIGKILL) and running it again loses and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import feedparser
from conftest import SHARED, LocalServer, run_naql
from test_relay_e2e import new_site, rss, serve_articles

N_PAGES = 24


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db, timeout=30)
    try:
        states = dict(con.execute("SELECT state, count(*) FROM articles GROUP BY state").fetchall())
        translated = con.execute(
            "SELECT count(*) FROM segments WHERE translation IS NOT NULL"
        ).fetchone()[0]
        untranslated = con.execute(
            "SELECT count(*) FROM segments WHERE translation IS NULL"
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()
    return {**states, "translated_segments": translated, "untranslated_segments": untranslated}


def run_and_kill(
    site: Path, when: Callable[[dict[str, int]], bool], timeout: float = 120
) -> dict[str, int]:
    """Start `naql run`, SIGKILL it as soon as `when(counts)` holds; returns the counts seen then."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "naql", "run", "--no-progress"],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            seen = counts(site / "naql.db")
            if seen and when(seen):
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return seen
            if proc.poll() is not None:
                out, err = proc.communicate()
                raise AssertionError(
                    f"naql run ended before it could be killed (rc {proc.returncode}):\n{out.decode()}\n{err.decode()}"
                )
            time.sleep(0.005)
        raise AssertionError("condition never reached")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def test_sigkill_anywhere_then_resume(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    names = sorted(
        p.name.split(".")[0] for p in (SHARED / "extraction-dev" / "html").glob("*.html.gz")
    )[:N_PAGES]
    urls = serve_articles(server, names)
    feed = server.add(
        "/feed.xml",
        rss([(u, f"Story {i}") for i, u in enumerate(urls)]),
        content_type="application/rss+xml",
    )
    site = new_site(tmp_path, server, tiny_release)
    toml = (site / "naql.toml").read_text(encoding="utf-8")
    # Small translation chunks and one fetch at a time make each stage take many commits.
    toml = toml.replace("# chunk_sentences = 4000", "chunk_sentences = 8").replace(
        "# concurrency = 4", "concurrency = 1"
    )
    (site / "naql.toml").write_text(toml, encoding="utf-8")
    run_naql("sources", "add", feed, cwd=site)

    # 1. Killed while fetching articles.
    seen = run_and_kill(site, lambda c: c.get("fetched", 0) > 0 and c.get("discovered", 0) > 0)
    assert seen.get("discovered", 0) > 0
    # 2. Killed in the middle of translation.
    seen = run_and_kill(
        site,
        lambda c: c.get("translated_segments", 0) > 0 and c.get("untranslated_segments", 0) > 0,
    )
    after_kill = counts(site / "naql.db")
    assert (
        after_kill["translated_segments"] >= seen["translated_segments"]
    )  # committed work survived the kill
    # 3. Run to the end.
    out = run_naql("run", "--no-progress", cwd=site)
    assert "failed" in out.stdout

    status = json.loads(run_naql("status", "--format", "json", cwd=site).stdout)["articles"]
    assert status["pending"] == 0
    assert status["published"] + status["held"] + status["failed"] + status["duplicate"] == N_PAGES
    con = sqlite3.connect(site / "naql.db")
    # Every English page is published; the others (ko, pt, it, id) are held for want of a model.
    english = con.execute("SELECT count(*) FROM articles WHERE language = 'en'").fetchone()[0]
    assert status["published"] == english >= N_PAGES - 6
    held = con.execute("SELECT language, held_reason FROM articles WHERE state = 'held'").fetchall()
    assert all(lang != "en" and "no installed model translates" in reason for lang, reason in held)
    assert con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (
        N_PAGES,
        N_PAGES,
    )
    dup_segments = con.execute(
        "SELECT count(*) FROM (SELECT article_id, paragraph, sentence FROM segments "
        "GROUP BY 1, 2, 3 HAVING count(*) > 1)"
    ).fetchone()[0]
    assert dup_segments == 0
    published = [r[0] for r in con.execute("SELECT slug FROM articles WHERE state = 'published'")]
    missing = con.execute(
        "SELECT count(*) FROM segments JOIN articles ON articles.id = segments.article_id "
        "WHERE articles.state = 'published' AND segments.translation IS NULL"
    ).fetchone()[0]
    assert missing == 0
    pages = sorted(p.stem for p in (site / "site" / "articles").glob("*.html"))
    assert pages == sorted(published)
    entries = feedparser.parse((site / "site" / "feed.xml").read_bytes()).entries
    assert len(entries) == len(published) == len({e.link for e in entries})
    # Each page was fetched at most twice (once more only if a kill interrupted it in flight).
    assert all(server.hits(f"/news/{n[:12]}.html") <= 2 for n in names)
    assert sum(server.hits(f"/news/{n[:12]}.html") for n in names) <= N_PAGES + 1  # concurrency = 1
