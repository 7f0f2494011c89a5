"""RSS 0.9x/1.0/2.0 and Atom feeds through feedparser, tolerant of malformed input.

Whatever the bytes, parsing gives a Feed (perhaps with no entries) or a FetchError: an entry whose
link, date or title cannot be read is left out, and numbers a publisher writes (ttl, update
period) are kept within sense.
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
import nh3

from naql.errors import FetchError
from naql.ingest.urls import is_http_url

# The longest interval a feed may ask for between checks (a year); anything longer is absurd.
MAX_INTERVAL = 31_536_000
MAX_TEXT = 1000  # longest title kept from a feed
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

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


def plain_text(fragment: str | None, limit: int = MAX_TEXT) -> str | None:
    """Feed titles may carry HTML: keep only the text (no control characters, at most `limit`)."""
    if not fragment or not isinstance(fragment, str):
        return None
    text = html.unescape(nh3.clean(_CONTROLS.sub("", fragment), tags=set()))
    text = " ".join(_CONTROLS.sub("", text).split())
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    return (text[: limit - 1] + "…" if len(text) > limit else text) or None


def _parse(content: bytes) -> feedparser.FeedParserDict:
    try:
        return feedparser.parse(content)
    except (ValueError, LookupError, RecursionError, OverflowError) as exc:  # feedparser's bugs
        raise FetchError(f"unreadable feed: {type(exc).__name__}: {exc}") from exc


def _is_feed(parsed: feedparser.FeedParserDict, content: bytes) -> bool:
    return bool(parsed.get("version")) and not content.lstrip()[:15].lower().startswith(
        (b"<!doctype html", b"<html")
    )


def looks_like_feed(content: bytes) -> bool:
    try:
        return _is_feed(_parse(content), content)
    except FetchError:
        return False


def _count(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and len(text) < 12 and int(text) > 0 else None


def _interval(parsed: feedparser.FeedParserDict) -> int | None:
    feed = parsed.get("feed", {})
    ttl = _count(feed.get("ttl"))
    if ttl is not None:
        return min(ttl * 60, MAX_INTERVAL)
    period = str(feed.get("sy_updateperiod", "")).strip().lower()
    if period in _PERIOD_SECONDS:
        per = _count(feed.get("sy_updatefrequency")) or 1
        return max(1, _PERIOD_SECONDS[period] // per)
    return None


def _entry_url(item: feedparser.FeedParserDict, base_url: str) -> str | None:
    link = item.get("link") or next(
        (
            link.get("href")
            for link in item.get("links", [])
            if link.get("rel", "alternate") == "alternate"
        ),
        None,
    )
    if not link or not isinstance(link, str):
        return None
    try:
        url = urljoin(base_url, link.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return url if is_http_url(url) else None


def _entry_date(item: feedparser.FeedParserDict) -> datetime | None:
    stamp = item.get("published_parsed") or item.get("updated_parsed")
    if not stamp:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(stamp), UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError, TypeError):
        return None


def _feed(parsed: feedparser.FeedParserDict, base_url: str) -> Feed:
    entries: list[FeedEntry] = []
    for item in parsed.get("entries", []):
        url = _entry_url(item, base_url)
        if url is not None:
            entries.append(
                FeedEntry(url=url, title=plain_text(item.get("title")), published=_entry_date(item))
            )
    return Feed(
        title=plain_text(parsed.get("feed", {}).get("title")),
        interval=_interval(parsed),
        entries=entries,
    )


def parse_feed(content: bytes, base_url: str) -> Feed:
    """The feed in `content` (no entries if it is none); FetchError if feedparser breaks."""
    return _feed(_parse(content), base_url)


def read_feed(content: bytes, base_url: str) -> Feed | None:
    """The feed in `content`, or None when it is no RSS or Atom feed (one parse, not two)."""
    parsed = _parse(content)
    return _feed(parsed, base_url) if _is_feed(parsed, content) else None
