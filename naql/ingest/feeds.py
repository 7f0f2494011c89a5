"""RSS 0.9x/1.0/2.0 and Atom feeds through feedparser, tolerant of malformed input."""

from __future__ import annotations

import calendar
import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
import nh3

from naql.ingest.urls import is_http_url

_PERIOD_SECONDS = {
    "hourly": 3600,
    "daily": 86_400,
    "weekly": 604_800,
    "monthly": 2_592_000,
    "yearly": 31_536_000,
}


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str | None
    published: datetime | None


@dataclass(frozen=True)
class Feed:
    title: str | None
    interval: int | None  # seconds the publisher asks between checks (ttl / sy:updatePeriod)
    entries: list[FeedEntry] = field(default_factory=list)


def plain_text(fragment: str | None) -> str | None:
    """Feed titles may carry HTML: keep only the text."""
    if not fragment:
        return None
    text = html.unescape(nh3.clean(fragment, tags=set()))
    return " ".join(text.split()) or None


def looks_like_feed(content: bytes) -> bool:
    parsed = feedparser.parse(content)
    return bool(parsed.get("version")) and not content.lstrip()[:15].lower().startswith(
        (b"<!doctype html", b"<html")
    )


def _interval(parsed: feedparser.FeedParserDict) -> int | None:
    feed = parsed.get("feed", {})
    ttl = str(feed.get("ttl", "")).strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60
    period = str(feed.get("sy_updateperiod", "")).strip().lower()
    if period in _PERIOD_SECONDS:
        freq = str(feed.get("sy_updatefrequency", "1")).strip()
        per = int(freq) if freq.isdigit() and int(freq) > 0 else 1
        return _PERIOD_SECONDS[period] // per
    return None


def parse_feed(content: bytes, base_url: str) -> Feed:
    parsed = feedparser.parse(content)
    entries: list[FeedEntry] = []
    for item in parsed.get("entries", []):
        link = item.get("link") or next(
            (
                link.get("href")
                for link in item.get("links", [])
                if link.get("rel", "alternate") == "alternate"
            ),
            None,
        )
        if not link:
            continue
        url = urljoin(base_url, link.strip())
        if not is_http_url(url):
            continue
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        published = (
            datetime.fromtimestamp(calendar.timegm(stamp), UTC).replace(tzinfo=None)
            if stamp
            else None
        )
        entries.append(FeedEntry(url=url, title=plain_text(item.get("title")), published=published))
    return Feed(
        title=plain_text(parsed.get("feed", {}).get("title")),
        interval=_interval(parsed),
        entries=entries,
    )
