"""The relay end to end, as a user runs it: real feed and pages over HTTP, real model, real CLI."""

from __future__ import annotations

import gzip
import html
import json
import re
import sqlite3
from pathlib import Path

import feedparser
from conftest import SHARED, LocalServer, local_test_settings, run_naql

PAGES = ["432362af0be4", "4a44ab3e4c41", "35b158918c67"]


def page_ids(prefixes: list[str]) -> list[str]:
    names = [p.name.split(".")[0] for p in (SHARED / "extraction-dev" / "html").glob("*.html.gz")]
    return [next(n for n in names if n.startswith(prefix)) for prefix in prefixes]


def rss(items: list[tuple[str, str]], title: str = "Test wire") -> str:
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link>"
        f"<pubDate>Mon, 18 Nov 2019 10:00:00 GMT</pubDate></item>"
        for u, t in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://example.com/</link><description>d</description>{entries}</channel></rss>"
    )


def serve_articles(server: LocalServer, ids: list[str]) -> list[str]:
    urls = []
    for i, pid in enumerate(ids):
        raw = gzip.decompress((SHARED / "extraction-dev" / "html" / f"{pid}.html.gz").read_bytes())
        urls.append(server.add(f"/news/{pid[:12]}.html", raw, gzip_body=(i % 2 == 0)))
    return urls


def new_site(tmp_path: Path, server: LocalServer, release: Path) -> Path:
    run_naql("init", "site", cwd=tmp_path)
    site = tmp_path / "site"
    local_test_settings(site)
    server.add("/models/opus-tiny.zip", release.read_bytes(), content_type="application/zip")
    out = run_naql("models", "install", f"{server.url}/models/opus-tiny.zip", cwd=site)
    assert "installed opus-tiny" in out.stdout
    return site


def page_paragraphs(page: str) -> list[str]:
    body = re.search(r'<div class="body">(.*?)</div>', page, re.DOTALL)
    assert body, "article page has no body"
    return [html.unescape(p).strip() for p in re.findall(r"<p>(.*?)</p>", body.group(1), re.DOTALL)]


def is_arabic(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return (
        bool(letters)
        and sum("\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in letters)
        / len(letters)
        > 0.9
    )


def test_feed_to_published_arabic_site(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    ids = page_ids(PAGES)
    urls = serve_articles(server, ids)
    feed = server.add(
        "/feed.xml",
        rss([(u, f"Story {i}") for i, u in enumerate(urls)]),
        content_type="application/rss+xml",
        headers={"ETag": '"v1"'},
    )
    # A second feed lists the first story again (with a tracking parameter): stored once.
    feed2 = server.add(
        "/other.xml",
        rss([(urls[0] + "?utm_source=rss", "Same story")], "Other wire"),
        content_type="application/rss+xml",
    )
    site = new_site(tmp_path, server, tiny_release)

    assert "added feed" in run_naql("sources", "add", feed, cwd=site).stdout
    assert "added feed" in run_naql("sources", "add", feed2, cwd=site).stdout
    out = run_naql("run", cwd=site)
    assert "3 published" in out.stdout, out.stdout

    status = json.loads(run_naql("status", "--format", "json", cwd=site).stdout)
    assert status["articles"]["published"] == 3
    assert status["articles"]["pending"] == 0 and status["articles"]["failed"] == 0

    db = sqlite3.connect(site / "naql.db")
    articles = db.execute("SELECT id, url, slug, paragraphs FROM articles ORDER BY id").fetchall()
    assert [a[1] for a in articles] == urls  # one article per story, in feed order
    pages = sorted((site / "site" / "articles").glob("*.html"))
    assert len(pages) == 3
    for article_id, url, slug, paragraphs_json in articles:
        page = (site / "site" / "articles" / f"{slug}.html").read_text(encoding="utf-8")
        assert '<html lang="ar" dir="rtl">' in page
        assert f'href="{html.escape(url)}"' in page  # the source link
        assert "المصدر" in page and "تُرجم هذا المقال آلياً" in page and "لم يراجعه أي محرر" in page
        assert "opus-tiny" in page and "CTranslate2" in page  # disclosure names engine and model
        # Body: one Arabic paragraph per source paragraph, in source order.
        source_paragraphs = json.loads(paragraphs_json)
        shown = page_paragraphs(page)
        assert len(shown) == len(source_paragraphs) > 0
        rows = db.execute(
            "SELECT paragraph, translation FROM segments WHERE article_id = ? AND paragraph >= 0 "
            "ORDER BY paragraph, sentence",
            (article_id,),
        ).fetchall()
        expected: dict[int, list[str]] = {}
        for p, t in rows:
            expected.setdefault(p, []).append(t)
        assert shown == [" ".join(expected[p]) for p in sorted(expected)]
        assert all(is_arabic(p) for p in shown)

    # The site's feed lists the three articles.
    parsed = feedparser.parse((site / "site" / "feed.xml").read_bytes())
    assert parsed.bozo == 0
    assert sorted(e.link.rsplit("/", 1)[-1] for e in parsed.entries) == sorted(
        f"{a[2]}.html" for a in articles
    )
    home = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert all(f"articles/{a[2]}.html" in home for a in articles)

    # A second pass: the feed answers 304 to the conditional GET, and nothing changes.
    db.execute("UPDATE sources SET next_check_at = '2000-01-01 00:00:00'")
    db.commit()
    out = run_naql("run", cwd=site)
    assert "0 new articles" in out.stdout and "0 published" in out.stdout
    last_feed_request = [h for p, h in server.requests if p == "/feed.xml"][-1]
    assert last_feed_request.get("if-none-match") == '"v1"'
    assert server.hits(f"/news/{ids[0][:12]}.html") == 1  # each page fetched once
