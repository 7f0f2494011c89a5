"""The review queue over real HTTP (uvicorn in a thread): login, CSRF, edit, approve, memory;
the spans findings point at marked on both sides, the queue's order, shortcuts, the glossary."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import lxml.html
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
from naql.store.models import GlossaryEntry, MemoryEntry, Segment
from naql.web.app import create_app
from naql.web.editor import add_user
from naql.web.marks import highlight, marks_for
from naql.web.views import queue_key

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
    server = Server(create_app(ctx.config, store=ctx.store, session_seconds=3))
    try:
        with httpx.Client(base_url=server.url) as client:
            login(client)
            assert client.get("/editor/").status_code == 200
            time.sleep(4.1)  # past 3 s, whole seconds as the cookie signature counts them
            assert client.get("/editor/").status_code == 303
    finally:
        server.stop()


# -- why an article is held: marked spans, the queue's order, shortcuts ------------------------

PAYLOAD = '<script>alert("x")</script>'


def held(
    store: Store,
    title: str,
    *,
    verdict: str = "review",
    findings: Sequence[dict[str, object]] = (),
    source: str = "The council approved 42 new homes in Leeds.",
    translation: str = "وافق المجلس على 24 منزلا جديدا في ليدز.",
    created_at: datetime | None = None,
) -> tuple[int, int]:
    """A held article with a title and one sentence whose findings are `findings`: (id, segment id)."""
    with store.session() as s:
        article = Article(
            url=f"https://q.example/{title.replace(' ', '-')}",
            state=State.HELD.value,
            title=title,
            title_ar=f"عنوان {title}",
            verdict=verdict,
            engine="opus-mt-en-ar",
            model="opus-mt-en-ar-tc-big",
            created_at=created_at or datetime(2024, 5, 1),
        )
        s.add(article)
        s.flush()
        s.add(
            Segment(
                article_id=article.id,
                paragraph=-1,
                sentence=0,
                source=title,
                translation=f"عنوان {title}",
            )
        )
        seg = Segment(
            article_id=article.id,
            paragraph=0,
            sentence=0,
            source=source,
            translation=translation,
            findings=list(findings) or None,
        )
        s.add(seg)
        s.flush()
        return article.id, seg.id


def finding(
    severity: str = "error", kind: str | None = "meaning", **extra: object
) -> dict[str, object]:
    out: dict[str, object] = {
        "check": "numbers",
        "code": "number-changed",
        "severity": severity,
        "message": "number 42 changed",
        "message_ar": "تغيّر الرقم 42",
        **extra,
    }
    if kind is not None:
        out["kind"] = kind
    return out


@pytest.fixture
def editor(tmp_path: Path) -> Iterator[tuple[Store, httpx.Client]]:
    """An empty site with one editor, served; the client is logged in."""
    config = parse_config(tmp_path, {})
    store = Store(config.db_url)
    add_user(store, "alice", PASSWORD)
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url) as client:
            token = csrf_of(client.get("/editor/login").text)
            client.post(
                "/editor/login", data={"username": "alice", "password": PASSWORD, "csrf": token}
            )
            yield store, client
    finally:
        server.stop()
        store.close()


def marks(html: str, xpath: str) -> list[tuple[str, str, str]]:
    """(text, class, title) of each <mark> under the elements `xpath` selects."""
    tree = lxml.html.fromstring(html)
    return [
        (m.text_content(), m.get("class", ""), m.get("title", ""))
        for el in tree.xpath(xpath)
        for m in el.iter("mark")
    ]


def test_spans_are_marked_on_both_sides(editor: tuple[Store, httpx.Client]) -> None:
    store, client = editor
    source = f"{PAYLOAD} The council approved 42 new homes & 3 schools."
    translation = f"{PAYLOAD} وافق المجلس على 24 منزلا و3 مدارس."
    n_src, n_tgt = source.index("42"), translation.index("24")
    article_id, seg_id = held(
        store,
        "Homes",
        source=source,
        translation=translation,
        findings=[
            finding(
                source_span=[n_src, n_src + 2],
                target_span=[n_tgt, n_tgt + 2],
                message_ar='الرقم تغيّر "><img src=x onerror=alert(1)>',
            ),
            # the payload itself pointed at: marked, and still only text
            finding(
                "warning",
                check="untranslated",
                source_span=[0, len(PAYLOAD)],
                target_span=[0, len(PAYLOAD)],
                message_ar="نص لم يُترجم",
            ),
            finding(
                "info",
                "form",
                check="punctuation",
                target_span=[len(translation) - 1, len(translation)],
            ),
            # no span (the name is only in the message): listed, nothing marked
            finding(
                "warning",
                check="names",
                message="name Leeds missing",
                message_ar="الاسم Leeds غائب",
            ),
        ],
    )
    html = client.get(f"/editor/articles/{article_id}").text
    row = f'//tr[@id="s{seg_id}"]'
    src = marks(html, row + '/td[@class="source"]')
    tgt = marks(html, row + '//p[@class="marked"]')
    assert [(t, c) for t, c, _ in src] == [
        (PAYLOAD, "mark-warning mark-meaning"),
        ("42", "mark-error mark-meaning"),
    ]
    assert [(t, c) for t, c, _ in tgt] == [
        (PAYLOAD, "mark-warning mark-meaning"),
        ("24", "mark-error mark-meaning"),
        (".", "mark-info mark-form"),
    ]
    assert src[1][2] == 'الرقم تغيّر "><img src=x onerror=alert(1)>'  # a title, not markup
    assert "Leeds" not in "".join(t for t, _, _ in src + tgt)
    # Inert: the payload is text in both cells, the textarea and the findings' excerpts.
    tree = lxml.html.fromstring(html)
    assert [urlsplit(s.get("src")).path for s in tree.iter("script")] == [
        "/editor/static/editor.js"
    ]
    assert not tree.xpath("//img")
    assert PAYLOAD not in html and "&lt;script&gt;alert(" in html
    assert tree.xpath(f"{row}//textarea")[0].text == translation  # the editable text, unmarked
    listed = tree.xpath(f'{row}//ul[@class="findings"]/li')
    assert len(listed) == 4 and listed[0].xpath(".//q")[0].text == "42"
    # The engine and model that translated it.
    assert "opus-mt-en-ar" in html and "opus-mt-en-ar-tc-big" in html


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([[0, 5], [3, 8]], ["abc", "de", "fgh"]),  # overlap: cut, never nested
        ([[-4, 2], [9, 99]], ["ab", "jkl"]),  # out of range: clipped
        ([[5, 2], ["a", 3], [True, 4], [1], None, [0.0, 3.0]], []),  # not a span: ignored
        ([[0, 12], [0, 12]], ["abcdefghijkl"]),  # the same span twice: one mark
    ],
)
def test_marking_survives_bad_spans(spans: list[object], expected: list[str]) -> None:
    text = "abcdefghijkl"
    found = [
        {"severity": "warning", "kind": "meaning", "message": str(i), "target_span": sp}
        for i, sp in enumerate(spans)
    ]
    html = str(highlight(text, marks_for(found, "target_span")))
    assert lxml.html.fragment_fromstring(html, create_parent="p").text_content() == text
    assert "<mark" not in re.sub(r"<mark[^>]*>[^<]*</mark>", "", html)  # no mark inside a mark
    assert re.findall(r"<mark[^>]*>([^<]*)</mark>", html) == expected


def test_queue_puts_the_weakest_first(editor: tuple[Store, httpx.Client]) -> None:
    store, client = editor
    old, new = datetime(2024, 1, 1), datetime(2024, 6, 1)
    meaning_err = finding("error")
    legacy_warn = finding("warning", kind=None)  # stored before kinds: meaning
    legacy_form = finding("warning", kind=None, code="space-before-punctuation")  # a form code
    form = finding("info", "form")
    ids = {
        name: held(store, name, verdict=verdict, findings=fs, created_at=when)[0]
        for name, verdict, fs, when in [
            ("review new", "review", [], new),
            ("review old", "review", [], old),
            ("review warned", "review", [legacy_warn, legacy_form], new),
            ("review erred", "review", [meaning_err, form, form], new),
            ("reject one", "reject", [meaning_err], new),
            ("reject two", "reject", [meaning_err, meaning_err], new),
            ("no verdict", "", [], old),
        ]
    }
    html = client.get("/editor/").text
    tree = lxml.html.fromstring(html)
    rows = tree.xpath('//table[@class="queue"]/tbody/tr')
    order = [int(r.xpath("td")[0].text) for r in rows]
    assert order == [
        ids[n]
        for n in [
            "reject two",
            "reject one",
            "review erred",
            "review warned",
            "review old",
            "review new",
            "no verdict",
        ]
    ]
    counts = {
        int(r.xpath("td")[0].text): [td.text for td in r.xpath('td[contains(@class, "count")]')]
        for r in rows
    }
    assert counts[ids["review erred"]] == ["1", "0", "2", "—"]
    assert counts[ids["review warned"]] == ["0", "1", "1", "—"]
    # "j" on the queue opens its first (weakest) article.
    assert rows[0].xpath(".//a")[0].get("data-shortcut") == "j n"

    # Each article links to its neighbours in that order; one not in the queue links to the first.
    def nav(article_id: int) -> tuple[str | None, str | None]:
        page = lxml.html.fromstring(client.get(f"/editor/articles/{article_id}").text)
        links = {a.get("rel"): a for a in page.xpath('//nav[@class="queue-nav"]/a')}
        assert all(
            a.get("data-shortcut") == {"prev": "k", "next": "j n"}[r] for r, a in links.items()
        )
        return tuple(  # type: ignore[return-value]
            links[r].get("href").rsplit("/", 1)[1] if r in links else None for r in ("prev", "next")
        )

    assert nav(order[0]) == (None, str(order[1]))
    assert nav(order[3]) == (str(order[2]), str(order[4]))
    assert nav(order[-1]) == (str(order[-2]), None)
    with store.session() as s:
        s.get(Article, order[2]).state = State.REJECTED.value
    assert nav(order[2]) == (None, str(order[0]))


def test_quality_score_orders_within_equal_counts() -> None:
    base = {
        "verdict": "review",
        "meaning_errors": 1,
        "meaning_warnings": 0,
        "created_at": datetime(2024, 1, 1),
    }
    items = [
        {**base, "id": 1, "qe_score": None},
        {**base, "id": 2, "qe_score": 0.8},
        {**base, "id": 3, "qe_score": 0.2},
        {**base, "id": 4, "qe_score": None, "created_at": datetime(2023, 1, 1)},
        {**base, "id": 5, "qe_score": 0.9, "meaning_errors": 2},
    ]
    assert [i["id"] for i in sorted(items, key=queue_key)] == [5, 3, 2, 4, 1]


def test_shortcuts_script_is_served_and_referenced(editor: tuple[Store, httpx.Client]) -> None:
    store, client = editor
    article_id, _ = held(store, "Homes")
    resp = client.get(f"/editor/articles/{article_id}")
    tree = lxml.html.fromstring(resp.text)
    src = [urlsplit(u).path for u in tree.xpath("//script/@src")]
    assert src == ["/editor/static/editor.js"] and not tree.xpath("//script[not(@src)]")
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    js = client.get(src[0])
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "data-shortcut" in js.text and "textarea" in js.text
    # Each shortcut has its element, and the help line names them.
    shortcut = {
        k: el.tag
        for el in tree.xpath("//*[@data-shortcut]")
        for k in el.get("data-shortcut").split()
    }
    assert shortcut == {"a": "form", "c": "form", "r": "input"}  # alone in the queue: no next
    assert [urlsplit(u).path for u in tree.xpath('//form[@data-shortcut="a"]/@action')] == [
        f"/editor/articles/{article_id}/approve"
    ]
    help_line = tree.xpath('//p[@class="shortcuts"]')[0].text_content()
    assert all(f"{k}" in help_line for k in "arjnkc")


def test_glossary_page(editor: tuple[Store, httpx.Client]) -> None:
    store, client = editor
    token = csrf_of(client.get("/editor/glossary").text)
    assert (
        client.post("/editor/glossary", data={"term": "Leeds", "arabic": "ليدز"}).status_code == 403
    )
    resp = client.post(
        "/editor/glossary", data={"term": "Leeds", "arabic": "ليدز", "kind": "place", "csrf": token}
    )
    assert resp.status_code == 303
    with store.session() as s:
        entry = s.scalar(select(GlossaryEntry).where(GlossaryEntry.term == "Leeds"))
        assert (entry.arabic, entry.kind, entry.origin) == ("ليدز", "place", "manual")
    assert "ليدز" in client.get("/editor/glossary", params={"q": "lee"}).text
    assert "ليدز" not in client.get("/editor/glossary", params={"q": "paris"}).text
    bad = client.post(
        "/editor/glossary", data={"term": "X", "arabic": "س", "kind": "?", "csrf": token}
    )
    assert bad.status_code == 400
    client.post("/editor/logout", data={"csrf": token})
    assert client.get("/editor/glossary").status_code == 303
