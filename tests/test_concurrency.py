"""Everything at once on one site, for a fixed time: `naql run --watch` publishing a feed that
keeps growing, `naql serve` answering readers, several editors working the review queue, and
`naql status` reading the store. At the end: no 5xx, nothing lost, every saved edit stored, every
approval published, the search index matching the published pages, no "database is locked".

Real pieces only: the CLI in subprocesses, a real feed and pages over HTTP on 127.0.0.1, the tiny
real translation model, httpx clients speaking to the real server.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from conftest import LocalServer, local_test_settings, run_naql
from test_hardening_locks import indexed_urls
from test_relay_e2e import rss

pytestmark = pytest.mark.slow

EDITORS = 3
READERS = 2
PASSWORD = "correct horse battery staple"
INITIAL_STORIES = 6
DURATION = 25.0  # seconds the editors and readers work
FEED_GROWS_FOR = 18.0  # seconds during which new stories are added to the feed
MAX_REQUESTS = 2000  # per client: the loops are bounded in count as well as time
FINAL_STATES = {"published", "held", "rejected", "ready"}

_WORD_LIST = (
    "government minister council river harbour election voters police court judge market prices "
    "bank inflation wheat farmers drought rain storm flood bridge railway airport pilots strike "
    "union workers factory steel exports border talks treaty summit leaders hospital doctors "
    "vaccine school teachers students museum painting festival orchestra stadium team coach "
    "league season record mountain village road tunnel energy solar wind pipeline gas oil "
    "company shares profit loss budget tax parliament senator mayor city council housing rents "
    "scientists study ocean ice glacier satellite rocket launch telescope planet fishermen boats"
)
WORDS = _WORD_LIST.split()


def story(n: int) -> tuple[str, str]:
    """A distinct English news story (title, page HTML); numbers make the checks hold it."""
    rng = random.Random(n)
    title = f"Story {n}: the {rng.choice(WORDS)} and the {rng.choice(WORDS)} of {1900 + n}"
    paragraphs = []
    for p in range(4):
        sentences = []
        for s in range(2):
            words = rng.sample(WORDS, 9)
            sentences.append(
                f"The {words[0]} said on Monday that {rng.randint(10, 9999)} {words[1]} and "
                f"{words[2]} near the {words[3]} would meet the {words[4]} before the "
                f"{words[5]} of the {words[6]}, {words[7]} and {words[8]} (story {n}.{p}.{s})."
            )
        paragraphs.append(" ".join(sentences))
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = (
        f"<!doctype html><html lang='en'><head><title>{html.escape(title)}</title></head><body>"
        f"<article><h1>{html.escape(title)}</h1><p class='byline'>By Staff</p>{body}</article>"
        "</body></html>"
    )
    return title, page


def start(args: list[str], cwd: Path, logs: Path, name: str) -> subprocess.Popen[bytes]:
    """`naql ARGS` in the background, stdout and stderr to files (no pipe can fill up)."""
    return subprocess.Popen(
        [sys.executable, "-m", "naql", *args],
        cwd=cwd,
        stdout=open(logs / f"{name}.out", "wb"),  # noqa: SIM115 - closed with the process
        stderr=open(logs / f"{name}.err", "wb"),  # noqa: SIM115
        env={**{k: v for k, v in os.environ.items() if k != "NAQL_SITE"}, "PYTHONUNBUFFERED": "1"},
    )


def stop(proc: subprocess.Popen[bytes], timeout: float = 60) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"{proc.args} did not stop within {timeout} s of SIGINT") from None


def db_rows(site: Path, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    con = sqlite3.connect(site / "naql.db", timeout=30)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no csrf token in the page"
    return m.group(1)


class Log:
    """What the clients saw, shared between threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.server_errors: list[str] = []
        self.transport_errors: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.edits: dict[int, tuple[int, str]] = {}  # segment id -> (article id, last text saved)
        self.approved: set[int] = set()
        self.rejected: set[int] = set()
        self.actions: Counter[str] = Counter()

    def saw(self, who: str, resp: httpx.Response) -> httpx.Response:
        with self.lock:
            self.statuses[resp.status_code] += 1
            if resp.status_code >= 500:
                self.server_errors.append(
                    f"{who}: {resp.request.method} {resp.request.url.path} -> "
                    f"{resp.status_code} {resp.text[:300]!r}"
                )
        return resp


def editor_loop(k: int, base: str, log: Log, until: float, failures: list[BaseException]) -> None:
    """Editor k: works the queue; edits, approves and rejects only articles with id % EDITORS == k
    (so the last text each saved for a segment is the one that must be stored), reads them all."""
    who = f"editor{k}"
    rng = random.Random(k)
    try:
        with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
            token = csrf_of(log.saw(who, client.get("/editor/login")).text)
            resp = log.saw(
                who,
                client.post(
                    "/editor/login",
                    data={"username": who, "password": PASSWORD, "csrf": token},
                ),
            )
            assert resp.status_code == 303, f"{who} could not log in: {resp.status_code}"
            token = csrf_of(log.saw(who, client.get("/editor/")).text)
            n = 0
            while time.monotonic() < until and n < MAX_REQUESTS:
                n += 1
                queue = log.saw(who, client.get("/editor/"))
                assert queue.status_code == 200, f"{who}: queue answered {queue.status_code}"
                ids = sorted({int(i) for i in re.findall(r"/editor/articles/(\d+)", queue.text)})
                if not ids:
                    time.sleep(0.3)
                    continue
                article_id = rng.choice(ids)
                view = log.saw(who, client.get(f"/editor/articles/{article_id}"))
                if view.status_code != 200:
                    continue
                if article_id % EDITORS != k:
                    log.actions["read only"] += 1
                    continue
                segments = [
                    int(s)
                    for s in re.findall(rf"/editor/articles/{article_id}/segments/(\d+)", view.text)
                ]
                if not segments:
                    continue
                segment = rng.choice(segments)
                text = f"نص المحرر {k} رقم {n} للمقطع {segment}"
                resp = log.saw(
                    who,
                    client.post(
                        f"/editor/articles/{article_id}/segments/{segment}",
                        data={"csrf": token, "translation": text},
                    ),
                )
                if resp.status_code == 303:
                    with log.lock:
                        log.edits[segment] = (article_id, text)
                        log.actions["edit"] += 1
                log.saw(
                    who,
                    client.post(f"/editor/articles/{article_id}/recheck", data={"csrf": token}),
                )
                log.saw(who, client.get(f"/editor/articles/{article_id}"))
                choice = rng.random()
                if choice < 0.35:
                    resp = log.saw(
                        who,
                        client.post(f"/editor/articles/{article_id}/approve", data={"csrf": token}),
                    )
                    if resp.status_code == 303:
                        with log.lock:
                            log.approved.add(article_id)
                            log.actions["approve"] += 1
                elif choice < 0.5:
                    resp = log.saw(
                        who,
                        client.post(
                            f"/editor/articles/{article_id}/reject",
                            data={"csrf": token, "reason": f"by {who}"},
                        ),
                    )
                    if resp.status_code == 303:
                        with log.lock:
                            log.rejected.add(article_id)
                            log.actions["reject"] += 1
    except httpx.HTTPError as exc:
        with log.lock:
            log.transport_errors.append(f"{who}: {exc!r}")
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        failures.append(exc)


def reader_loop(k: int, base: str, log: Log, until: float, failures: list[BaseException]) -> None:
    """A reader: the home page, the feed, the article pages the feed lists, the search index."""
    who = f"reader{k}"
    rng = random.Random(100 + k)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            n = 0
            while time.monotonic() < until and n < MAX_REQUESTS:
                n += 1
                log.saw(who, client.get("/"))
                feed = log.saw(who, client.get("/feed.xml"))
                links = re.findall(r"articles/[^\"<>\s]+?\.html", feed.text)
                for link in rng.sample(links, min(3, len(links))):
                    log.saw(who, client.get("/" + link))
                log.saw(who, client.get("/pagefind/pagefind-entry.json"))
                log.saw(who, client.get("/no/such/page.html"))
                time.sleep(0.05)
    except httpx.HTTPError as exc:
        with log.lock:
            log.transport_errors.append(f"{who}: {exc!r}")
    except BaseException as exc:  # noqa: BLE001
        failures.append(exc)


def test_watch_serve_editors_and_readers_at_once(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    pytest.importorskip("pagefind")
    began = time.monotonic()
    logs = tmp_path / "logs"
    logs.mkdir()
    run_naql("init", "site", cwd=tmp_path)
    site = tmp_path / "site"
    local_test_settings(site)
    text = (site / "naql.toml").read_text(encoding="utf-8")
    text = text.replace('policy = "publish"', 'policy = "hold"')  # editors get a queue
    text = text.replace("# check_interval = 900", "check_interval = 1")
    assert 'policy = "hold"' in text and "check_interval = 1" in text
    (site / "naql.toml").write_text(text, encoding="utf-8")
    server.add("/models/opus-tiny.zip", tiny_release.read_bytes(), content_type="application/zip")
    run_naql("models", "install", f"{server.url}/models/opus-tiny.zip", cwd=site)
    for k in range(EDITORS):
        subprocess.run(
            [sys.executable, "-m", "naql", "users", "add", f"editor{k}", "--password-stdin"],
            cwd=site,
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
        )

    listed: list[tuple[str, str]] = []  # (url, title) of every story the feed listed

    def add_story(n: int) -> None:
        title, page = story(n)
        listed.append((server.add(f"/news/story-{n}.html", page), title))
        server.add("/feed.xml", rss(list(reversed(listed))), content_type="application/rss+xml")

    for n in range(INITIAL_STORIES):
        add_story(n)
    run_naql("sources", "add", f"{server.url}/feed.xml", cwd=site)

    watch = start(["run", "--watch", "--no-progress"], site, logs, "watch")
    serve = None
    try:
        deadline = time.monotonic() + 60
        while not (site / "site" / "index.html").exists():
            assert watch.poll() is None, (logs / "watch.err").read_text()
            assert time.monotonic() < deadline, "the watcher published nothing in 60 s"
            time.sleep(0.2)
        serve = start(["serve", "--port", "0"], site, logs, "serve")
        deadline = time.monotonic() + 30
        while "serving" not in (banner := (logs / "serve.out").read_text()):
            assert serve.poll() is None, (logs / "serve.err").read_text()
            assert time.monotonic() < deadline, "no banner from naql serve"
            time.sleep(0.1)
        base = banner.split(" on ", 1)[1].split()[0].rstrip("/")

        log = Log()
        failures: list[BaseException] = []
        t0 = time.monotonic()
        until = t0 + DURATION
        threads = [
            threading.Thread(target=editor_loop, args=(k, base, log, until, failures))
            for k in range(EDITORS)
        ] + [
            threading.Thread(target=reader_loop, args=(k, base, log, until, failures))
            for k in range(READERS)
        ]
        status_runs: list[subprocess.CompletedProcess[str]] = []

        def status_loop() -> None:
            """`naql status` reads the store now and then (at most 4 times)."""
            while time.monotonic() < until and len(status_runs) < 4:
                status_runs.append(run_naql("status", "--format", "json", cwd=site, check=False))
                time.sleep(4)

        threads.append(threading.Thread(target=status_loop))
        for t in threads:
            t.start()
        # The feed grows while everyone works.
        n = INITIAL_STORIES
        while time.monotonic() < t0 + FEED_GROWS_FOR:
            add_story(n)
            n += 1
            time.sleep(1.5)
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a client loop did not finish"

        # Let the watcher finish the last stories the feed listed before stopping it.
        urls = {u for u, _ in listed}
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            states = dict(db_rows(site, "SELECT url, state FROM articles"))
            if urls <= states.keys() and all(states[u] in FINAL_STATES for u in urls):
                break
            time.sleep(0.5)
    finally:
        rc_serve = stop(serve) if serve is not None else None
        rc_watch = stop(watch)
    elapsed = time.monotonic() - began
    watch_err = (logs / "watch.err").read_text()
    serve_err = (logs / "serve.err").read_text()

    # Both stopped cleanly, and nothing crashed or waited on a locked database.
    assert rc_watch == 0, watch_err
    assert rc_serve == 0, serve_err
    assert "stopped" in watch_err and "stopped" in (logs / "serve.out").read_text()
    for name, err in [("watch", watch_err), ("serve", serve_err)] + [
        (f"status{i}", p.stderr) for i, p in enumerate(status_runs)
    ]:
        assert "database is locked" not in err, f"{name}:\n{err}"
        assert "Traceback" not in err, f"{name}:\n{err}"
    assert all(p.returncode == 0 for p in status_runs), [p.stderr for p in status_runs]
    assert all(json.loads(p.stdout)["articles"] for p in status_runs)

    # No 5xx, no failed client, no dropped connection; the editors really worked.
    assert not failures, failures
    assert not log.server_errors, log.server_errors[:10]
    assert not log.transport_errors, log.transport_errors[:10]
    assert log.actions["edit"] >= EDITORS and log.actions["approve"] >= 1, log.actions

    # Nothing lost: every story the feed listed is one article, in a final or queued state.
    rows = db_rows(site, "SELECT id, url, state, slug FROM articles")
    by_url = {url: (aid, state, slug) for aid, url, state, slug in rows}
    assert len(rows) == len(by_url) == len(listed) >= INITIAL_STORIES + 8, (len(rows), len(listed))
    missing = [u for u, _ in listed if u not in by_url]
    assert not missing, missing
    stuck = {u: s for u, (_, s, _) in by_url.items() if s not in FINAL_STATES}
    assert not stuck, stuck
    by_id = {aid: (state, slug) for aid, _url, state, slug in rows}

    # Every approval is published and has its page; every rejection stayed rejected.
    articles_dir = site / "site" / "articles"
    for aid in log.approved:
        state, slug = by_id[aid]
        assert state == "published", (aid, state)
        assert (articles_dir / f"{slug}.html").is_file(), slug
    for aid in log.rejected - log.approved:
        assert by_id[aid][0] == "rejected", (aid, by_id[aid])

    # Every edit an editor saved is in the store (the last one saved for each segment).
    stored = dict(db_rows(site, "SELECT id, translation FROM segments"))
    lost = {
        sid: (text, stored.get(sid))
        for sid, (_a, text) in log.edits.items()
        if stored.get(sid) != text
    }
    assert not lost, lost

    # The published pages and the search index agree.
    published = {slug for state, slug in by_id.values() if state == "published"}
    pages = {p.stem for p in articles_dir.glob("*.html")}
    assert pages == published, pages ^ published
    bundle = site / "site" / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["languages"]["ar"]["page_count"] == len(published)
    assert len(list((bundle / "fragment").glob("*.pf_fragment"))) == len(published)
    assert {u.rsplit("/", 1)[-1].removesuffix(".html") for u in indexed_urls(bundle)} == published
    assert not (site / "site" / ".pagefind-new").exists()
    assert not (site / "site" / ".pagefind-old").exists()

    print(
        f"\n{len(listed)} stories, {len(published)} published, {log.actions}, "
        f"statuses {dict(log.statuses)}, {elapsed:.0f} s"
    )
