"""Lists of articles: home, source site, day archive and tag, paginated stably.

A list's pages are numbered from its oldest article: page 1 holds the first `size` articles ever
published in it, page 2 the next, and so on; only the last page is partial. A new article is
always the newest, so it lands on the last page, and publishing it re-renders that page (and the
one before, whose "newer" link may change) plus the list's front page, which shows the latest
`size` articles. The other pages never change: publishing stays O(1) in the size of the site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from naql.publish.views import ListItem, plain, site_host
from naql.store import Article, State

ACTIVE_STATES = (State.READY.value, State.PUBLISHED.value)
_COLUMNS = (
    Article.id,
    Article.slug,
    Article.title_ar,
    Article.title,
    Article.url,
    Article.site_name,
    Article.published_at,
)


@dataclass(frozen=True)
class Listing:
    """One list of articles and the folder its pages live in ("" for the home page)."""

    kind: str  # "home" | "source" | "day" | "tag"
    key: str
    prefix: str
    condition: Any  # SQL condition selecting the list's articles (besides being published)

    @property
    def index_path(self) -> str:
        return f"{self.prefix}index.html"

    def page_path(self, number: int) -> str:
        return f"{self.prefix}page/{number}.html"


def home() -> Listing:
    return Listing("home", "", "", true())


def source(host: str) -> Listing:
    """Articles whose URL is on `host` (or www.host), any scheme or port."""
    escaped = host.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    patterns = [
        f"{scheme}://{h}{end}"
        for scheme in ("http", "https")
        for h in (escaped, f"www.{escaped}")
        for end in ("/%", ":%")
    ]
    return Listing(
        "source",
        host,
        f"sources/{host}/",
        or_(*(Article.url.like(p, escape="\\") for p in patterns)),
    )


def day(when: date) -> Listing:
    start = datetime(when.year, when.month, when.day)
    return Listing(
        "day",
        when.isoformat(),
        f"archive/{when.year:04d}/{when.month:02d}/{when.day:02d}/",
        and_(Article.published_at >= start, Article.published_at < start + timedelta(days=1)),
    )


def tag(key: str, tag_id: int) -> Listing:
    """Articles filed under one tag."""
    from naql.store.models import ArticleTag

    return Listing(
        "tag",
        key,
        f"tags/{key}/",
        Article.id.in_(select(ArticleTag.article_id).where(ArticleTag.tag_id == tag_id)),
    )


def _where(listing: Listing) -> ColumnElement[bool]:
    return and_(Article.state.in_(ACTIVE_STATES), listing.condition)


def items(rows: Sequence[Any]) -> list[ListItem]:
    return [
        ListItem(
            id=r.id,
            slug=r.slug or str(r.id),
            title=plain(r.title_ar) or plain(r.title),
            site=plain(r.site_name) or site_host(r.url),
            host=site_host(r.url),
            published_at=r.published_at,
        )
        for r in rows
    ]


def count(session: Session, listing: Listing) -> int:
    return session.scalar(select(func.count(Article.id)).where(_where(listing))) or 0


def latest(session: Session, listing: Listing, n: int) -> list[ListItem]:
    """The newest n articles of the list, newest first."""
    rows = session.execute(
        select(*_COLUMNS)
        .where(_where(listing))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(n)
    ).all()
    return items(rows)


def page(session: Session, listing: Listing, number: int, size: int, total: int) -> list[ListItem]:
    """Page `number` (1 = oldest) of a list of `total` articles, newest first.

    Read from the newest end: the pages a new article touches are the last ones, so the query
    skips a handful of rows, not the whole list.
    """
    low, high = (number - 1) * size, min(number * size, total)
    if high <= low:
        return []
    rows = session.execute(
        select(*_COLUMNS)
        .where(_where(listing))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .offset(total - high)
        .limit(high - low)
    ).all()
    return items(rows)


def position(session: Session, listing: Listing, when: datetime, article_id: int) -> int:
    """How many of the list's articles come before this one (its 0-based place, oldest first)."""
    before = or_(
        Article.published_at < when,
        and_(Article.published_at == when, Article.id < article_id),
    )
    return session.scalar(select(func.count(Article.id)).where(_where(listing), before)) or 0


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def days(session: Session) -> list[date]:
    """Every day with a published article, newest first."""
    day_of = func.date(Article.published_at)
    rows = session.execute(
        select(day_of)
        .where(Article.state.in_(ACTIVE_STATES))
        .group_by(day_of)
        .order_by(day_of.desc())
    ).scalars()
    return [date.fromisoformat(str(d)[:10]) for d in rows if d]


def sources(session: Session) -> list[tuple[str, str]]:
    """Every source site as (host, display name), by name. Reads one row per article."""
    names: dict[str, str] = {}
    for url, site_name in session.execute(
        select(Article.url, Article.site_name)
        .where(Article.state.in_(ACTIVE_STATES))
        .order_by(Article.published_at)
    ):
        host = site_host(url)
        names[host] = plain(site_name) or names.get(host) or host
    return sorted(names.items(), key=lambda hn: hn[1].lower())
