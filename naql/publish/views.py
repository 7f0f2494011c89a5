"""What pages show of stored articles: plain, validated values built from hostile source data.

Every value that comes from a source (titles, text, names, URLs) is hostile input: markup is
stripped here and templates autoescape what is left, URLs are only kept when they are http(s), and
video embeds are rebuilt from a validated ID, never copied from the page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import nh3

from naql.publish.arabic import as_datetime
from naql.store import Article
from naql.store.models import TITLE_PARAGRAPH

LANGUAGE_NAMES_AR = {"en": "الإنجليزية", "fr": "الفرنسية", "de": "الألمانية", "es": "الإسبانية"}


def safe_url(url: str | None) -> str:
    """The URL if it is http(s) with a host, else ''."""
    if not url:
        return ""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return url


def plain(text: str | None) -> str:
    """Text with any markup removed (the templates escape what is left)."""
    if not text:
        return ""
    if "<" not in text:
        return text
    return html.unescape(nh3.clean(text, tags=set()))


def site_host(url: str | None) -> str:
    """The source site an article belongs to: its URL's host without "www.", safe as a path."""
    host = (urlsplit(url or "").hostname or "").lower().removeprefix("www.")
    host = re.sub(r"[^a-z0-9.-]", "-", host).strip(".-")
    return host or "unknown"


def video_embed(url: str) -> str:
    """youtube-nocookie / vimeo player URL for a canonical video URL, or ''."""
    m = re.fullmatch(r"https://www\.youtube\.com/watch\?v=([A-Za-z0-9_-]{11})", url or "")
    if m:
        return f"https://www.youtube-nocookie.com/embed/{m.group(1)}"
    m = re.fullmatch(r"https://vimeo\.com/(\d{1,12})", url or "")
    if m:
        return f"https://player.vimeo.com/video/{m.group(1)}"
    return ""


@dataclass(frozen=True)
class Tag:
    """A tag an article is filed under (people, places, organisations, topics)."""

    slug: str
    name: str

    @property
    def path(self) -> str:
        return f"tags/{self.slug}/index.html"


@dataclass(frozen=True)
class ListItem:
    """One article in a list (home, source, archive, tag pages, related): no body needed."""

    id: int
    slug: str
    title: str
    site: str
    host: str
    published_at: datetime | None

    @property
    def path(self) -> str:
        return f"articles/{self.slug}.html"


@dataclass(frozen=True)
class QuoteView:
    """An attributed quotation, shown in Arabic with its speaker."""

    speaker: str
    text: str
    tag_path: str


@dataclass(frozen=True)
class SourceLink:
    """Another outlet's copy of the same story (a near-duplicate that was not republished)."""

    site: str
    url: str
    title: str


@dataclass(frozen=True)
class ArticleView:
    """What a page shows of one article."""

    id: int
    slug: str
    title: str
    paragraphs: list[str]
    source_url: str
    source_title: str
    source_site: str
    source_host: str
    source_language: str
    author: str
    original_date: str
    published_at: datetime | None
    modified_at: datetime | None
    image: str
    videos: list[str]
    engine: str
    model: str
    reviewed: bool
    tags: list[Tag] = field(default_factory=list)
    related: list[ListItem] = field(default_factory=list)
    other_sources: list[SourceLink] = field(default_factory=list)
    quotes: list[QuoteView] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"articles/{self.slug}.html"

    @property
    def summary(self) -> str:
        return self.paragraphs[0] if self.paragraphs else self.title

    @property
    def source_path(self) -> str:
        return f"sources/{self.source_host}/index.html"


def tags_of(article: Article) -> list[Tag]:
    """The article's tags, strongest first, named in Arabic when a form is known."""
    return [
        Tag(slug=link.tag.key, name=plain(link.tag.name_ar) or plain(link.tag.name_en))
        for link in article.tag_links
    ]


def quotes_of(article: Article) -> list[QuoteView]:
    """Named speakers' quotations with an Arabic rendering (unresolved pronouns are left out)."""
    shown = []
    for q in article.quotes:
        if not q.resolved or not q.quote_ar:
            continue
        speaker = plain(q.tag.name_ar or q.tag.name_en) if q.tag else plain(q.speaker)
        shown.append(
            QuoteView(speaker, plain(q.quote_ar), f"tags/{q.tag.key}/index.html" if q.tag else "")
        )
    return shown


def source_links(copies: list[Article]) -> list[SourceLink]:
    links = []
    for copy in copies:
        url = safe_url(copy.url)
        if url:
            links.append(
                SourceLink(plain(copy.site_name) or site_host(copy.url), url, plain(copy.title))
            )
    return links


def article_view(
    article: Article, related: list[ListItem] | None = None, copies: list[Article] | None = None
) -> ArticleView:
    paragraphs: dict[int, list[str]] = {}
    for seg in article.segments:
        if seg.paragraph != TITLE_PARAGRAPH and seg.translation:
            paragraphs.setdefault(seg.paragraph, []).append(plain(seg.translation))
    host = site_host(article.url)
    return ArticleView(
        id=article.id,
        slug=article.slug or str(article.id),
        title=plain(article.title_ar) or plain(article.title),
        paragraphs=[
            text for _, parts in sorted(paragraphs.items()) if (text := " ".join(parts).strip())
        ],
        source_url=safe_url(article.url),
        source_title=plain(article.title),
        source_site=plain(article.site_name) or host,
        source_host=host,
        source_language=LANGUAGE_NAMES_AR.get(article.language or "", plain(article.language)),
        author=plain(article.author),
        original_date=plain(article.published) if as_datetime(article.published) else "",
        published_at=article.published_at,
        modified_at=article.updated_at,
        image=safe_url(article.image),
        videos=[e for e in (video_embed(v) for v in article.videos or []) if e],
        engine=plain(article.engine),
        model=plain(article.model),
        reviewed=article.reviewed_at is not None,  # an editor approved it in the review queue
        tags=tags_of(article),
        related=related or [],
        other_sources=source_links(copies or []),
        quotes=quotes_of(article),
    )
