"""sitemap.xml (an index of chunks), the Google News sitemap and robots.txt.

Article sitemaps are chunked by article id (ids only grow), so a new article rewrites one chunk of
at most CHUNK URLs and the small index, whatever the size of the site. Only indexable articles are
listed: a page that says noindex does not belong in a sitemap.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from naql.publish.listings import ACTIVE_STATES
from naql.publish.views import plain
from naql.store import Article

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
CHUNK = 1000
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX = 1000  # Google News sitemaps hold at most 1,000 URLs


@dataclass(frozen=True)
class Url:
    loc: str
    lastmod: datetime | date | None = None


def _w3c(when: datetime | date | None) -> str:
    if isinstance(when, datetime):
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat(timespec="seconds")
    return when.isoformat() if when else ""


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def _locations(root_tag: str, entry_tag: str, urls: Iterable[Url]) -> bytes:
    root = ET.Element(root_tag, xmlns=SITEMAP_NS)
    for u in urls:
        el = ET.SubElement(root, entry_tag)
        ET.SubElement(el, "loc").text = u.loc
        if u.lastmod:
            ET.SubElement(el, "lastmod").text = _w3c(u.lastmod)
    return _xml(root)


def urlset(urls: Iterable[Url]) -> bytes:
    return _locations("urlset", "url", urls)


def sitemap_index(sitemaps: Iterable[Url]) -> bytes:
    return _locations("sitemapindex", "sitemap", sitemaps)


def chunk_path(chunk: int) -> str:
    return f"sitemaps/articles-{chunk}.xml"


def indexable(noindex_unreviewed: bool) -> ColumnElement[bool]:
    """Articles search engines may index: reviewed ones, or all when unreviewed are not noindex."""
    return true() if not noindex_unreviewed else Article.reviewed_at.is_not(None)


def article_chunk(
    session: Session, base: str, chunk: int, *, noindex_unreviewed: bool
) -> list[Url]:
    """The indexable articles whose id falls in `chunk`."""
    rows = session.execute(
        select(Article.id, Article.slug, Article.updated_at, Article.published_at)
        .where(
            indexable(noindex_unreviewed),
            Article.state.in_(ACTIVE_STATES),
            Article.id >= chunk * CHUNK,
            Article.id < (chunk + 1) * CHUNK,
        )
        .order_by(Article.id)
    ).all()
    return [
        Url(f"{base}/articles/{r.slug or r.id}.html", r.updated_at or r.published_at) for r in rows
    ]


def news_sitemap(
    session: Session, base: str, publication: str, now: datetime, *, noindex_unreviewed: bool
) -> bytes:
    """Indexable articles of the last 48 hours, for Google News."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("news", NEWS_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    rows = session.execute(
        select(Article.id, Article.slug, Article.title_ar, Article.title, Article.published_at)
        .where(
            Article.state.in_(ACTIVE_STATES),
            Article.published_at >= now - NEWS_WINDOW,
            indexable(noindex_unreviewed),
        )
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(NEWS_MAX)
    ).all()
    for r in rows:
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = f"{base}/articles/{r.slug or r.id}.html"
        news = ET.SubElement(url, f"{{{NEWS_NS}}}news")
        pub = ET.SubElement(news, f"{{{NEWS_NS}}}publication")
        ET.SubElement(pub, f"{{{NEWS_NS}}}name").text = publication
        ET.SubElement(pub, f"{{{NEWS_NS}}}language").text = "ar"
        ET.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = _w3c(r.published_at)
        ET.SubElement(news, f"{{{NEWS_NS}}}title").text = plain(r.title_ar) or plain(r.title)
    return _xml(root)


def robots_txt(base: str) -> bytes:
    return (
        "User-agent: *\n"
        "Allow: /\n"
        f"\nSitemap: {base}/sitemap.xml\n"
        f"Sitemap: {base}/news-sitemap.xml\n"
    ).encode()
