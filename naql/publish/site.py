"""The static site: Jinja2 pages written atomically into the site's output folder.

Every value that comes from a source (titles, text, names, URLs) is hostile input: templates
autoescape everything, URLs are only emitted when they are http(s), and video embeds are rebuilt
from a validated ID, never copied from the page.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import nh3
from feedgen.feed import FeedGenerator
from jinja2 import Environment, PackageLoader, select_autoescape

from naql.config import Config
from naql.store import Article
from naql.store.models import TITLE_PARAGRAPH

STATIC = Path(__file__).parent / "static"
AR_MONTHS = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
]
LANGUAGE_NAMES_AR = {"en": "الإنجليزية", "fr": "الفرنسية", "de": "الألمانية", "es": "الإسبانية"}


def safe_url(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.hostname else ""


def plain(text: str | None) -> str:
    """Text with any markup removed (the templates escape what is left)."""
    if not text:
        return ""
    if "<" not in text:
        return text
    import html

    return html.unescape(nh3.clean(text, tags=set()))


def arabic_date(value: datetime | str | None) -> str:
    when = _as_datetime(value)
    if when is None:
        return ""
    return f"{when.day} {AR_MONTHS[when.month - 1]} {when.year}"


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def iso(value: datetime | str | None) -> str:
    when = _as_datetime(value)
    if when is None:
        return ""
    return (
        when.date().isoformat()
        if isinstance(value, str) and len(value) <= 10
        else when.isoformat(timespec="seconds")
    )


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
class ArticleView:
    """What a page shows of one article."""

    slug: str
    title: str
    paragraphs: list[str]
    source_url: str
    source_title: str
    source_site: str
    source_language: str
    author: str
    original_date: str
    published_at: datetime | None
    image: str
    videos: list[str]
    engine: str
    model: str
    reviewed: bool

    @property
    def path(self) -> str:
        return f"articles/{self.slug}.html"


def article_view(article: Article) -> ArticleView:
    paragraphs: dict[int, list[str]] = {}
    for seg in article.segments:
        if seg.paragraph != TITLE_PARAGRAPH and seg.translation:
            paragraphs.setdefault(seg.paragraph, []).append(plain(seg.translation))
    site = article.site_name or urlsplit(article.url).hostname or ""
    return ArticleView(
        slug=article.slug or str(article.id),
        title=plain(article.title_ar) or plain(article.title),
        paragraphs=[" ".join(parts) for _, parts in sorted(paragraphs.items())],
        source_url=safe_url(article.url),
        source_title=plain(article.title),
        source_site=plain(site),
        source_language=LANGUAGE_NAMES_AR.get(article.language or "", article.language or ""),
        author=plain(article.author),
        original_date=article.published or "",
        published_at=article.published_at,
        image=safe_url(article.image),
        videos=[e for e in (video_embed(v) for v in article.videos or []) if e],
        engine=article.engine or "",
        model=article.model or "",
        reviewed=False,
    )


class SiteWriter:
    def __init__(self, config: Config):
        self.config = config
        self.out = config.output_dir
        self.env = Environment(
            loader=PackageLoader("naql.publish", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(arabic_date=arabic_date, iso=iso)
        self.site = {
            "title": config["site.title"],
            "description": config["site.description"],
            "base_url": config["site.base_url"].rstrip("/"),
            "ads": config["site.ad_slots"],
        }
        self.out.mkdir(parents=True, exist_ok=True)
        self._copy_static()

    def _copy_static(self) -> None:
        for item in STATIC.iterdir():
            target = self.out / item.name
            if not target.exists() or target.read_bytes() != item.read_bytes():
                _atomic_write(target, item.read_bytes())

    def _render(self, template: str, path: str, **context: object) -> None:
        depth = path.count("/")
        html = self.env.get_template(template).render(site=self.site, root="../" * depth, **context)
        _atomic_write(self.out / path, html.encode("utf-8"))

    def write_article(self, article: Article) -> ArticleView:
        view = article_view(article)
        self._render("article.html", view.path, article=view)
        return view

    def write_indexes(self, articles: list[Article]) -> None:
        views = [article_view(a) for a in articles]
        self._render(
            "index.html", "index.html", articles=views[: self.config["site.articles_on_home"]]
        )
        _atomic_write(self.out / "feed.xml", self.rss(views[: self.config["publish.feed_items"]]))

    def rss(self, views: list[ArticleView]) -> bytes:
        base = self.site["base_url"]
        fg = FeedGenerator()
        fg.title(self.site["title"])
        fg.link(href=base + "/", rel="alternate")
        fg.description(self.site["description"])
        fg.language("ar")
        for view in reversed(views):  # feedgen prepends entries
            entry = fg.add_entry()
            entry.title(view.title)
            entry.link(href=f"{base}/{view.path}")
            entry.guid(f"{base}/{view.path}", permalink=True)
            entry.description(view.paragraphs[0] if view.paragraphs else view.title)
            if view.published_at:
                entry.pubDate(view.published_at.replace(tzinfo=UTC))
        return fg.rss_str(pretty=True)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clear_site(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
