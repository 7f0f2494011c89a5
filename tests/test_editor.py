"""The review queue over real HTTP (uvicorn in a thread): login, CSRF, edit, approve, memory."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from test_pipeline import ScriptedEngine, add_fetched, arabic, page

from naql.config import parse_config
from naql.pipeline.stages import (
    Context,
    check_articles,
    extract_articles,
    publish_articles,
    translate_articles,
)
from naql.store import Article, State, Store
from naql.store.models import GlossaryEntry, MemoryEntry
from naql.web.app import create_app
from naql.web.editor import add_user

PASSWORD = "correct horse battery staple"


class Server:
    def __init__(self, app: object):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Context, list[ScriptedEngine]]]:
    (tmp_path / "models" / "en").mkdir(parents=True)
    (tmp_path / "models" / "en" / "naql-model.json").write_text(
        '{"name": "en", "layout": "ctranslate2", "source_language": "en", "target_language": "ar"}'
    )
    config = parse_config(tmp_path, {"check": {"policy": "publish"}})
    ctx = Context(config=config, store=Store(config.db_url), progress=False)
    add_user(ctx.store, "alice", PASSWORD)
    add_fetched(ctx, "https://a.example/held", page("River levels", "COPY", n=2))
    engines: list[ScriptedEngine] = []

    def factory(language: str) -> ScriptedEngine:
        engines.append(ScriptedEngine(arabic))
        return engines[-1]

    extract_articles(ctx)
    translate_articles(ctx, engine_factory=factory)
    check_articles(ctx)
    publish_articles(ctx)
    yield ctx, engines
    ctx.store.close()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "form without CSRF token"
    return m.group(1)


def login(client: httpx.Client) -> str:
    token = csrf_of(client.get("/editor/login").text)
    resp = client.post(
        "/editor/login", data={"username": "alice", "password": PASSWORD, "csrf": token}
    )
    assert resp.status_code == 303
    return csrf_of(client.get("/editor/").text)


def test_review_flow(site: tuple[Context, list[ScriptedEngine]]) -> None:
    ctx, engines = site
    server = Server(create_app(ctx.config, store=ctx.store))
    try:
        with httpx.Client(base_url=server.url) as client:
            # Not logged in: sent to the login page. No CSRF token: refused. Wrong password: 401.
            assert client.get("/editor/").headers["location"].endswith("/editor/login")
            assert (
                client.post(
                    "/editor/login", data={"username": "alice", "password": PASSWORD}
                ).status_code
                == 403
            )
            token = csrf_of(client.get("/editor/login").text)
            bad = client.post(
                "/editor/login", data={"username": "alice", "password": "nope", "csrf": token}
            )
            assert bad.status_code == 401 and "غير صحيحة" in bad.text
            token = login(client)
            assert (
                "naql_editor" in client.cookies
                and "Content-Security-Policy" in client.get("/editor/").headers
            )

            queue = client.get("/editor/").text
            assert (
                'dir="rtl"' in queue
                and "River levels" in queue
                and "translation identical to the source" in queue
            )
            with ctx.store.session() as s:
                article = s.scalar(select(Article))
                assert article.state == State.HELD.value
                segments = [(seg.id, seg.source) for seg in article.segments]
            view = client.get(f"/editor/articles/{article.id}").text
            assert all(
                re.sub("[\"'&<>]", "", src)[:30] in view.replace("&#39;", "")
                for _, src in segments[:1]
            )

            # Edits without a token are refused; with one, saved and re-checked, and a term is added.
            seg_id = segments[1][0]
            assert (
                client.post(
                    f"/editor/articles/{article.id}/segments/{seg_id}", data={"translation": "x"}
                ).status_code
                == 403
            )
            for sid, _ in segments:
                resp = client.post(
                    f"/editor/articles/{article.id}/segments/{sid}",
                    data={
                        "csrf": token,
                        "translation": "نص راجعه محرر بعناية",
                        "term": "River levels" if sid == seg_id else "",
                        "arabic": "منسوب النهر",
                        "kind": "other",
                    },
                )
                assert resp.status_code == 303
            with ctx.store.session() as s:
                article = s.get(Article, article.id)
                assert all(seg.origin == "editor" for seg in article.segments)
                assert article.verdict == "publish"  # re-checked after the edits
                assert (
                    s.scalar(
                        select(GlossaryEntry).where(GlossaryEntry.term == "River levels")
                    ).arabic
                    == "منسوب النهر"
                )

            assert (
                client.post(
                    f"/editor/articles/{article.id}/approve", data={"csrf": token}
                ).status_code
                == 303
            )
            with ctx.store.session() as s:
                article = s.get(Article, article.id)
                assert article.state == State.PUBLISHED.value and article.reviewed_by == "alice"
                assert s.query(MemoryEntry).count() == len({src for _, src in segments})
            published = client.get(f"/articles/{article.slug}.html")
            assert published.status_code == 200 and "نص راجعه محرر بعناية" in published.text

            # A different story that shares the title and one approved sentence reuses those
            # translations; its other sentences go to the engine.
            first_sentence = segments[1][1]
            other = (
                "<html><head><title>River levels</title></head><body><article><h1>River levels</h1>"
                f"<p>{first_sentence} Engineers closed two locks on the canal after heavy rain upstream.</p>"
                "<p>Barge operators said deliveries of grain to the port would be delayed by a week.</p>"
                "<p>The water authority expects levels to fall again once the storm moves east on Friday.</p>"
                "</article></body></html>"
            )
            add_fetched(ctx, "https://b.example/other", other.encode())
            extract_articles(ctx)
            engine = ScriptedEngine(arabic)
            translate_articles(ctx, engine_factory=lambda language: engine)
            with ctx.store.session() as s:
                again = s.scalar(select(Article).where(Article.url == "https://b.example/other"))
                assert again.state == State.TRANSLATED.value
                origins = {seg.source: seg.origin for seg in again.segments}
                assert origins["River levels"] == "memory" and origins[first_sentence] == "memory"
                assert list(origins.values()).count("engine") == len(origins) - 2
            assert first_sentence not in [src for batch in engine.calls_sources for src in batch]

            client.post("/editor/logout", data={"csrf": token})
            assert client.get("/editor/").status_code == 303
    finally:
        server.stop()


def test_sessions_expire(site: tuple[Context, list[ScriptedEngine]]) -> None:
    ctx, _ = site
    server = Server(create_app(ctx.config, store=ctx.store, session_seconds=1))
    try:
        with httpx.Client(base_url=server.url) as client:
            login(client)
            assert client.get("/editor/").status_code == 200
            time.sleep(2.1)
            assert client.get("/editor/").status_code == 303
    finally:
        server.stop()
