"""Hostile servers and names against the ingest side, through the real stage functions.

Defect 1 of issue 10 (a trickling server stalls the run): every fetch has a total deadline, and
sources and pages are fetched concurrently, one request per host at a time, so one slow host
delays only itself. Defect 3 (DNS rebinding): the address that is checked is the address that is
connected to, on every hop. Then a corpus of hostile answers (tests/fixtures/hostile/corpus.toml),
each with its expected outcome: one clear failure recorded against that item, the others succeed,
and no connection to any address but the test's own servers.
"""

from __future__ import annotations

import functools
import gzip
import random
import re
import ssl
import time
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import TESTS
from hostile_server import (
    RawServer,
    connect_guard,
    fake_dns,
    head,
    pretend_public,
    raw,
    redirect,
    reset,
    respond,
    stall,
    trickle,
)
from sqlalchemy import func, select

from naql.config import parse_config
from naql.errors import BlockedAddress, FetchError
from naql.ingest.fetcher import Fetcher, FetchSettings, settings_from_config
from naql.ingest.urls import canonical_url
from naql.pipeline.fetch import fetch_articles
from naql.pipeline.sources import add_source, check_sources
from naql.pipeline.stages import Context
from naql.store import Article, Source, State, Store
from naql.store.models import utcnow

HOSTILE = TESTS / "fixtures" / "hostile"
FAST = {"allow_private_network": True, "per_host_delay": 0.0, "respect_robots": False}


def rss(base: str, paths: list[str], title: str = "Wire") -> bytes:
    items = "".join(f"<item><title>Story {p}</title><link>{base}{p}</link></item>" for p in paths)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{base}/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def article_page(title: str) -> bytes:
    body = "".join(
        f"<p>Paragraph {i} of the report on {title} gives the details of the council vote.</p>"
        for i in range(5)
    )
    return f"<html><head><title>{title}</title></head><body><article>{body}</article></body></html>".encode()


def make_context(root: Path, deadline: float | None = None, **fetch: object) -> Context:
    config = parse_config(root, {"fetch": {**FAST, **fetch}})
    ctx = Context(config=config, store=Store(config.db_url), progress=False)
    if deadline is not None:
        ctx._fetcher = Fetcher(replace(settings_from_config(config), deadline=deadline))
    return ctx


@pytest.fixture
def servers() -> Iterator[list[RawServer]]:
    """Start servers with `servers.append(RawServer())`; all are closed at the end."""
    made: list[RawServer] = []
    yield made
    for server in made:
        server.close()


def new_server(
    servers: list[RawServer], host: str = "127.0.0.1", port: int = 0, **kwargs: object
) -> RawServer:
    server = RawServer(host, port, **kwargs)  # type: ignore[arg-type]
    servers.append(server)
    return server


def add_sources(ctx: Context, urls: list[tuple[str, str]]) -> None:
    with ctx.store.session() as s:
        for url, kind in urls:
            add_source(s, url, kind)


def source_errors(ctx: Context) -> dict[str, str | None]:
    with ctx.store.session() as s:
        return {src.url: src.last_error for src in s.scalars(select(Source))}


def article_states(ctx: Context) -> dict[str, tuple[str, str | None]]:
    with ctx.store.session() as s:
        return {a.url: (a.state, a.last_error) for a in s.scalars(select(Article))}


# -- defect 1: a total deadline per fetch -------------------------------------------------------


def test_a_trickling_body_is_cut_at_the_deadline(servers: list[RawServer]) -> None:
    server = new_server(servers)
    url = server.add("/slow", trickle(b"x" * 100_000, every=0.05, size=256))  # ~20 s in all
    settings = FetchSettings(allow_private_network=True, per_host_delay=0, timeout=5, deadline=1.5)
    started = time.monotonic()
    with Fetcher(settings) as f, pytest.raises(FetchError) as info:
        f.get(url)
    assert time.monotonic() - started < 3.5
    assert re.fullmatch(
        rf"{re.escape(url)} sent its body too slowly: \d+(\.\d+)? KB in 1\.5 s \(fetch\.deadline\)",
        str(info.value),
    ), str(info.value)


@pytest.mark.parametrize("after_headers", [True, False], ids=["after-headers", "before-headers"])
def test_silence_is_cut_at_the_deadline_not_the_read_timeout(
    servers: list[RawServer], after_headers: bool
) -> None:
    server = new_server(servers)
    url = server.add("/quiet", stall(after_headers=after_headers))
    settings = FetchSettings(allow_private_network=True, per_host_delay=0, timeout=30, deadline=1.0)
    started = time.monotonic()
    with Fetcher(settings) as f, pytest.raises(FetchError, match=r"fetch\.deadline"):
        f.get(url)
    assert time.monotonic() - started < 3


def test_the_deadline_covers_all_redirect_hops(servers: list[RawServer]) -> None:
    server = new_server(servers)
    for i in range(4):  # each hop answers after 0.6 s: 2.4 s in all, past a 1.5 s deadline
        server.add(f"/hop{i}", respond(b"", 302, {"Location": f"/hop{i + 1}"}, delay=0.6))
    server.add("/hop4", respond(b"arrived"))
    settings = FetchSettings(allow_private_network=True, per_host_delay=0, timeout=5, deadline=1.5)
    with Fetcher(settings) as f, pytest.raises(FetchError, match=r"fetch\.deadline"):
        f.get(server.url + "/hop0")
    assert server.hits("/hop4") == 0


def test_a_trickling_feed_fails_alone_and_the_other_sources_go_on(
    tmp_path: Path, servers: list[RawServer]
) -> None:
    slow = new_server(servers)
    slow.add(
        "/feed",
        trickle(
            rss(slow.url, ["/a1"]) * 200, every=0.05, size=64, content_type="application/rss+xml"
        ),
    )
    good = [new_server(servers) for _ in range(3)]
    for g in good:
        g.add("/feed", respond(rss(g.url, ["/s1", "/s2"]), content_type="application/rss+xml"))
    ctx = make_context(tmp_path, deadline=1.5, timeout=10)
    add_sources(ctx, [(slow.url + "/feed", "feed")] + [(g.url + "/feed", "feed") for g in good])
    started = time.monotonic()
    result = check_sources(ctx)
    elapsed = time.monotonic() - started
    ctx.close()
    assert (result.done, result.failed, result.extra["new_articles"]) == (3, 1, 6)
    errors = source_errors(ctx)
    assert "sent its body too slowly" in (errors[slow.url + "/feed"] or "")
    assert all(errors[g.url + "/feed"] is None for g in good)
    assert elapsed < 4
    # The good feeds were asked at once, not after the slow one.
    assert all(g.requests[0].at - started < 1.0 for g in good)


# -- defect 1: one slow host delays only itself ---------------------------------------------------


def test_sources_are_checked_concurrently(tmp_path: Path, servers: list[RawServer]) -> None:
    feeds = [new_server(servers) for _ in range(4)]
    for srv in feeds:
        feed = rss(srv.url, ["/x"])
        srv.add("/feed", respond(feed, content_type="application/rss+xml", delay=1.5))
    ctx = make_context(tmp_path, concurrency=4)
    add_sources(ctx, [(srv.url + "/feed", "feed") for srv in feeds])
    assert ctx.fetcher  # made before the clock starts
    started = time.monotonic()
    result = check_sources(ctx)
    ctx.close()
    assert result.done == 4
    assert time.monotonic() - started < 4  # one after another: 6 s


def test_a_slow_host_does_not_hold_the_articles_of_other_hosts(
    tmp_path: Path, servers: list[RawServer]
) -> None:
    slow, quick = new_server(servers), new_server(servers)
    for i in range(3):
        slow.add(f"/s{i}", respond(article_page(f"slow {i}"), delay=1.0))
    for i in range(2):
        quick.add(f"/q{i}", respond(article_page(f"quick {i}")))
    ctx = make_context(tmp_path, concurrency=3)
    # The slow host's pages come first in the work list: a plain window of 3 would be all theirs.
    add_sources(ctx, [(f"{slow.url}/s{i}", "page") for i in range(3)])
    add_sources(ctx, [(f"{quick.url}/q{i}", "page") for i in range(2)])
    check_sources(ctx)
    assert ctx.fetcher  # made before the clock starts
    started = time.monotonic()
    result = fetch_articles(ctx)
    ctx.close()
    assert result.done == 5
    assert [r.at - started < 0.8 for r in quick.requests] == [True, True]
    # Politeness kept: the slow host never had two requests at once.
    starts = sorted(r.at for r in slow.requests)
    assert all(b - a >= 0.95 for a, b in zip(starts, starts[1:], strict=False))


# -- the stages keep their contract ---------------------------------------------------------------


def test_feeds_are_polled_conditionally_and_only_sane_validators_are_kept(
    tmp_path: Path, servers: list[RawServer]
) -> None:
    server = new_server(servers)
    tidy, odd = f"{server.url}/tidy", f"{server.url}/odd"
    server.add("/tidy", respond(rss(server.url, ["/t1"]), headers={"ETag": '"v1"'}))
    server.add("/odd", respond(rss(server.url, ["/o1"]), headers={"ETag": '"caf\xe9"'}))
    ctx = make_context(tmp_path)
    add_sources(ctx, [(tidy, "feed"), (odd, "feed")])
    assert check_sources(ctx).extra["new_articles"] == 2
    server.add("/tidy", respond(b"", status=304))
    later = utcnow() + timedelta(days=1)
    again = check_sources(ctx, now=later)
    ctx.close()
    assert (again.done, again.failed, again.extra["new_articles"]) == (2, 0, 0)
    tidy_asks = [r.headers.get("if-none-match") for r in server.requests if r.path == "/tidy"]
    odd_asks = [r.headers.get("if-none-match") for r in server.requests if r.path == "/odd"]
    assert tidy_asks == [None, '"v1"'] and odd_asks == [None, None]


def test_a_failing_source_backs_off_at_least_its_retry_after(
    tmp_path: Path, servers: list[RawServer]
) -> None:
    server = new_server(servers)
    server.add("/busy", respond(b"later", status=429, headers={"Retry-After": "7200"}))
    ctx = make_context(tmp_path)
    add_sources(ctx, [(server.url + "/busy", "feed")])
    now = utcnow()
    result = check_sources(ctx, now=now)
    ctx.close()
    with ctx.store.session() as s:
        source = s.scalars(select(Source)).one()
        assert (result.failed, source.error_count) == (1, 1)
        assert source.last_error == f"HTTP 429 for {server.url}/busy"
        assert source.next_check_at >= now + timedelta(seconds=7200)


# -- defect 3: DNS rebinding ----------------------------------------------------------------------


def twin_servers(servers: list[RawServer]) -> tuple[RawServer, RawServer]:
    """A "public" server on 127.0.0.1 and a private one on 127.0.0.2, on the same port."""
    for _ in range(20):
        private = new_server(servers, "127.0.0.2")
        try:
            public = new_server(servers, "127.0.0.1", private.port)
        except OSError:
            continue
        return public, private
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


def rebinding(first: str, then: str):  # type: ignore[no-untyped-def]
    """A DNS answer that is `first` the first time it is asked, and `then` ever after."""
    answers = iter([first])
    return lambda: next(answers, then)


@pytest.mark.parametrize("via_redirect", [False, True], ids=["direct", "via-redirect"])
def test_dns_rebinding_cannot_reach_a_private_address(
    monkeypatch: pytest.MonkeyPatch, servers: list[RawServer], via_redirect: bool
) -> None:
    public, private = twin_servers(servers)
    pretend_public(monkeypatch, "127.0.0.1")
    for srv in (public, private):
        srv.add("/secret", respond(f"served by {srv.host}".encode()))
    public.add("/go", redirect(f"http://rebind.test:{public.port}/secret"))
    answers = {
        "news.test": lambda: "127.0.0.1",
        "rebind.test": rebinding("127.0.0.1", "127.0.0.2"),  # public when checked, then private
    }
    url = f"http://{'news.test' if via_redirect else 'rebind.test'}:{public.port}/" + (
        "go" if via_redirect else "secret"
    )
    settings = FetchSettings(per_host_delay=0, timeout=5, respect_robots=False)
    with (
        fake_dns(monkeypatch, answers),
        connect_guard(monkeypatch) as guard,
        Fetcher(settings) as f,
    ):
        guard.allow(public)
        guard.allow(private)  # so that a connection there would be seen, not stopped
        try:
            resp = f.get(url)
        except BlockedAddress:
            pass
        else:
            assert resp.content == b"served by 127.0.0.1"  # the address that was checked
    assert private.hits() == 0
    assert ("127.0.0.2", private.port) not in guard.attempts


def test_with_private_network_allowed_the_pinned_name_still_works(
    monkeypatch: pytest.MonkeyPatch, servers: list[RawServer]
) -> None:
    public, private = twin_servers(servers)
    private.add("/page", respond(b"private page"))
    settings = FetchSettings(
        allow_private_network=True, per_host_delay=0, timeout=5, respect_robots=False
    )
    with fake_dns(monkeypatch, {"intranet.test": lambda: "127.0.0.2"}), Fetcher(settings) as f:
        resp = f.get(f"http://intranet.test:{private.port}/page")
    assert resp.content == b"private page"
    assert private.requests[0].headers["host"] == f"intranet.test:{private.port}"


LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "localhost",
    "[0:0:0:0:0:0:0:1]",
]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_loopback_spellings_are_refused_before_connecting(
    monkeypatch: pytest.MonkeyPatch, servers: list[RawServer], host: str
) -> None:
    server = new_server(servers)
    server.add("/", respond(b"private"))
    settings = FetchSettings(per_host_delay=0, timeout=5)
    with connect_guard(monkeypatch) as guard, Fetcher(settings) as f:
        guard.allow(server)
        with pytest.raises(FetchError):
            f.get(f"http://{host}:{server.port}/")
    assert server.hits() == 0 and guard.attempts == []


def test_tls_is_verified_for_the_name_not_the_pinned_address(
    monkeypatch: pytest.MonkeyPatch, servers: list[RawServer]
) -> None:
    """The connection goes to the checked IP; SNI and the certificate check use the host name."""
    tls = HOSTILE / "tls"
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(tls / "rebind.test.pem", tls / "rebind.test.key")
    server = new_server(servers, tls=server_ctx)
    server.add("/", respond(b"secure"))
    client_ctx = ssl.create_default_context(cafile=str(tls / "ca.pem"))
    settings = FetchSettings(
        allow_private_network=True, per_host_delay=0, timeout=5, respect_robots=False
    )
    names = {"rebind.test": lambda: "127.0.0.1", "other.test": lambda: "127.0.0.1"}
    with fake_dns(monkeypatch, names), Fetcher(settings, ssl_context=client_ctx) as f:
        assert f.get(f"https://rebind.test:{server.port}/").content == b"secure"
        with pytest.raises(FetchError, match="certificate"):
            f.get(f"https://other.test:{server.port}/")


# -- the hostile corpus ----------------------------------------------------------------------------

CORPUS = tomllib.loads((HOSTILE / "corpus.toml").read_text(encoding="utf-8"))["item"]


@functools.cache
def generated(name: str) -> bytes:
    if name == "a-10KB":
        return b"a" * 10_000
    if name == "one-line-3.5MB":
        return b"<html><body><article><p>" + b"word " * 700_000 + b"</p></article></body></html>"
    if name == "huge-title-feed":
        return (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>'
            + b"x" * 2_000_000
            + b"</title><item><title>"
            + b"y" * 2_000
            + b"</title><link>{good}/{name}/1</link></item></channel></rss>"
        )
    if name == "garbage":
        return random.Random(7).randbytes(4096)
    if name == "double-gzip":
        return gzip.compress((HOSTILE / "zeros-1GB.gz").read_bytes())
    raise KeyError(name)


BINARY = {"zeros-1GB.gz", "generated:double-gzip", "generated:garbage"}


def corpus_body(item: dict[str, object], fill: dict[str, str]) -> bytes:
    name = str(item["body"])
    if not name:
        return b""
    data = generated(name[10:]) if name.startswith("generated:") else (HOSTILE / name).read_bytes()
    if name in BINARY:
        return data
    for key, value in fill.items():
        data = data.replace(b"{" + key.encode() + b"}", value.encode())
    return data


def corpus_behaviour(item: dict[str, object], body: bytes, fill: dict[str, str]):  # type: ignore[no-untyped-def]
    serve, kind = item["serve"], str(item.get("content_type", "text/html; charset=utf-8"))
    if item["kind"] == "feed" and "content_type" not in item:
        kind = "application/rss+xml"
    if serve in ("ok", "robots-trickle"):
        return respond(body, content_type=kind)
    if serve == "trickle":
        return trickle(body * 40, every=0.05, size=64, content_type=kind)
    if serve == "stall-after-headers":
        return stall(after_headers=True)
    if serve == "stall-before-headers":
        return stall(after_headers=False)
    if serve == "reset-midway":
        return reset(head(length=len(body), content_type=kind) + body[: len(body) // 2])
    if serve == "reset-at-once":
        return reset()
    if serve == "length-longer":
        return respond(body, content_type=kind, length=int(item.get("length", len(body) + 1000)))  # type: ignore[call-overload]
    if serve == "length-shorter":
        return respond(body, content_type=kind, length=body.index(b"<item><title>Second"))
    if serve == "raw":
        return raw(str(item["data"]).encode("latin-1"))
    if serve == "header-bomb":
        return raw(b"HTTP/1.1 200 OK\r\nX-Bomb: " + b"a" * 200_000 + b"\r\n\r\n")
    if serve in ("gzip", "bad-gzip"):  # a bomb, or a body that is not gzip at all
        coding = str(item.get("encoding", "gzip"))
        return respond(body, content_type=kind, headers={"Content-Encoding": coding})
    if serve == "redirect":
        return redirect(str(item["location"]).format(**fill))
    if serve == "status":
        headers = {"Retry-After": str(item["retry_after"])}
        return respond(b"busy", status=int(item["status"]), headers=headers)  # type: ignore[call-overload]
    raise KeyError(serve)


def test_hostile_corpus_fails_each_item_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, servers: list[RawServer]
) -> None:
    pretend_public(monkeypatch, "127.0.0.1")  # the test's servers stand in for the internet
    canary = new_server(servers, "127.0.0.2")  # a private address: nothing may reach it
    good = new_server(servers)
    page = (HOSTILE / "page.html").read_bytes()
    good.fallback = respond(page)
    ctx = make_context(
        tmp_path,
        deadline=1.5,
        allow_private_network=False,
        respect_robots=True,
        timeout=5,
        max_bytes=4_000_000,
        concurrency=16,
    )
    urls: dict[str, str] = {}
    with connect_guard(monkeypatch) as guard:
        guard.allow(good)
        for item in CORPUS:
            name = str(item["name"])
            fill = {"good": good.url, "name": name, "private": canary.url}
            fill["private_port"] = str(canary.port)
            if item["serve"] == "private":
                urls[name] = f"{canary.url}/{name}"
                continue
            server = new_server(servers)
            guard.allow(server)
            body = corpus_body(item, fill)
            server.fallback = corpus_behaviour(item, body, fill)
            if item["serve"] == "robots-trickle":
                server.add("/robots.txt", trickle(b"User-agent: *\nAllow: /\n" * 100, size=16))
            urls[name] = f"{server.url}/{name}"
        add_sources(ctx, [(urls[str(i["name"])], str(i["kind"])) for i in CORPUS])
        started = time.monotonic()
        sources = check_sources(ctx)
        fetched = fetch_articles(ctx)
        elapsed = time.monotonic() - started
        ctx.close()

    with ctx.store.session() as s:
        by_url = {src.url: src for src in s.scalars(select(Source))}
        found = {
            name: (
                by_url[urls[name]].last_error,
                s.scalar(
                    select(func.count(Article.id)).where(Article.source_id == by_url[urls[name]].id)
                ),
            )
            for name in urls
        }
        articles = {
            a.url: (a.state, a.last_error, a.feed_title) for a in s.scalars(select(Article))
        }

    problems = []
    for item in CORPUS:
        name, expect = str(item["name"]), str(item["expect"])
        if item["kind"] == "feed":
            error, new = found[name]
            if "new" in item and not error and new != item["new"]:
                problems.append(f"{name}: {new} new articles, expected {item['new']}")
        else:
            state, error, _ = articles[canonical_url(urls[name])]
            if not expect and state != State.FETCHED.value:
                problems.append(f"{name}: {state}")
        if not expect and error:
            problems.append(f"{name}: unexpected error {error!r}")
        elif expect and not (error and re.search(expect, error)):
            problems.append(f"{name}: error {error!r} does not match {expect!r}")
        if error and ("\n" in error or len(error) > 500):
            problems.append(f"{name}: not one short line: {error!r}")
    assert not problems, "\n".join(problems)

    # The run went on: every story on the good server was fetched; private ones refused.
    for url, (state, error, title) in articles.items():
        if url.startswith(good.url):
            assert state == State.FETCHED.value, (url, state, error)
        elif "127.0.0.2" in url or "[::1]" in url or "169.254" in url:
            assert state == State.FAILED.value and "non-public address" in (error or ""), url
        assert title is None or (len(title) <= 1000 and "root:" not in title), title
    assert sources.done + sources.failed == len(CORPUS)
    assert fetched.done >= 20
    # Nothing but the test's servers was connected to; the private canary heard nothing.
    assert guard.refused == [] and canary.hits() == 0
    assert elapsed < 30
