"""The site's feeds: RSS 2.0 and Atom (feedgen), JSON Feed 1.1 (json; feedgen has no JSON Feed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session

from naql.publish import listings
from naql.publish.views import ListItem, plain, safe_url
from naql.store import Article, Segment

FEEDS = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}


@dataclass(frozen=True)
class FeedEntry:
    item: ListItem
    summary: str
    updated_at: datetime | None
    source_url: str
    engine: str = ""
    model: str = ""

    @property
    def translator(self) -> str:
        """The engine and model that translated the article, as the disclosure names them."""
        if self.model and self.model != self.engine:
            return f"{self.engine} ({self.model})"
        return self.engine

    @property
    def text(self) -> str:
        """The summary with the machine-translation disclosure the article page carries."""
        if not self.engine:
            return self.summary
        return f"{self.summary}\n\n(ترجمة آلية: {self.translator})"


def latest_entries(session: Session, n: int) -> list[FeedEntry]:
    """The newest n articles with their first translated paragraph, in two queries."""
    newest = listings.latest(session, listings.home(), n)
    ids = [i.id for i in newest]
    first: dict[int, list[str]] = {}
    for article_id, text in session.execute(
        select(Segment.article_id, Segment.translation)
        .where(Segment.article_id.in_(ids), Segment.paragraph == 0)
        .order_by(Segment.article_id, Segment.sentence)
    ):
        if text:
            first.setdefault(article_id, []).append(plain(text))
    extra = dict(
        (r.id, r)
        for r in session.execute(
            select(
                Article.id, Article.updated_at, Article.url, Article.engine, Article.model
            ).where(Article.id.in_(ids))
        )
    )
    return [
        FeedEntry(
            item=i,
            summary=" ".join(first.get(i.id, [])) or i.title,
            updated_at=extra[i.id].updated_at if i.id in extra else None,
            source_url=safe_url(extra[i.id].url) if i.id in extra else "",
            engine=(extra[i.id].engine or "") if i.id in extra else "",
            model=(extra[i.id].model or "") if i.id in extra else "",
        )
        for i in newest
    ]


def _utc(when: datetime | None) -> datetime:
    when = when or datetime(1970, 1, 1)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _generator(site: dict[str, str], self_href: str) -> FeedGenerator:
    base = site["base_url"]
    fg = FeedGenerator()
    fg.id(base + "/")
    fg.title(site["title"])
    fg.subtitle(site["description"])
    fg.link(href=base + "/", rel="alternate")
    fg.link(href=self_href, rel="self")
    fg.language("ar")
    return fg


def _fill(fg: FeedGenerator, site: dict[str, str], entries: list[FeedEntry]) -> None:
    base = site["base_url"]
    if entries:
        fg.updated(
            _utc(max(e.updated_at or e.item.published_at or datetime(1970, 1, 1) for e in entries))
        )
    for e in reversed(entries):  # feedgen prepends entries
        url = f"{base}/{e.item.path}"
        entry = fg.add_entry()
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(e.item.title)
        entry.link(href=url, rel="alternate")
        entry.description(e.text)
        entry.author({"name": e.item.site})
        entry.published(_utc(e.item.published_at))
        entry.updated(_utc(e.updated_at or e.item.published_at))
        if e.source_url:
            entry.source(url=e.source_url, title=e.item.site)


def rss(site: dict[str, str], entries: list[FeedEntry]) -> bytes:
    fg = _generator(site, f"{site['base_url']}/{FEEDS['rss']}")
    fg.description(site["description"])
    _fill(fg, site, entries)
    return bytes(fg.rss_str(pretty=True))


def atom(site: dict[str, str], entries: list[FeedEntry]) -> bytes:
    fg = _generator(site, f"{site['base_url']}/{FEEDS['atom']}")
    _fill(fg, site, entries)
    return bytes(fg.atom_str(pretty=True))


def json_feed(site: dict[str, str], entries: list[FeedEntry]) -> bytes:
    base = site["base_url"]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site["title"],
        "description": site["description"],
        "home_page_url": base + "/",
        "feed_url": f"{base}/{FEEDS['json']}",
        "language": "ar",
        "items": [
            {
                "id": f"{base}/{e.item.path}",
                "url": f"{base}/{e.item.path}",
                "title": e.item.title,
                "content_text": e.text,
                "date_published": _utc(e.item.published_at).isoformat(timespec="seconds"),
                "date_modified": _utc(e.updated_at or e.item.published_at).isoformat(
                    timespec="seconds"
                ),
                "authors": [{"name": e.item.site}],
                "language": "ar",
                **({"external_url": e.source_url} if e.source_url else {}),
                **({"_naql": {"engine": e.engine, "model": e.model}} if e.engine else {}),
            }
            for e in entries
        ],
    }
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")
