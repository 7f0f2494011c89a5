"""The sources stage: check each due source and record the articles it lists.

Feeds are polled (conditional GET, then parsed) `fetch.concurrency` at a time and one per host at
a time, in worker threads that touch no database; each source's result is committed in the
caller's thread as it arrives, so a slow host delays only itself and a kill loses at most the
sources in flight. A source that fails keeps its error and is retried with back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from naql.errors import FetchError, NaqlError
from naql.ingest.feeds import Feed, read_feed
from naql.ingest.fetcher import Fetcher
from naql.ingest.urls import canonical_url
from naql.pipeline.fetch import host_window
from naql.store import Article, Source, State
from naql.store.models import utcnow

if TYPE_CHECKING:
    from naql.pipeline.stages import Context, StageResult

log = logging.getLogger(__name__)


def add_source(
    session: Session, url: str, kind: str, title: str | None = None
) -> tuple[Source, bool]:
    existing = session.scalar(select(Source).where(Source.url == url))
    if existing is not None:
        return existing, False
    source = Source(url=url, kind=kind, title=title, next_check_at=utcnow())
    session.add(source)
    session.flush()
    return source, True


def _new_article(
    session: Session,
    url: str,
    source: Source,
    title: str | None = None,
    published: datetime | None = None,
) -> bool:
    canonical = canonical_url(url)
    if session.scalar(select(Article.id).where(Article.url == canonical)) is not None:
        return False
    session.add(
        Article(
            url=canonical,
            source_id=source.id,
            feed_title=title,
            feed_published=published,
            state=State.DISCOVERED.value,
        )
    )
    session.flush()
    return True


# -- polling a feed (worker threads: network and parsing, no database) -------------------------


@dataclass(frozen=True)
class Poll:
    """What a feed answered: nothing new (304), or its parsed feed and cache validators."""

    not_modified: bool
    feed: Feed | None = None
    etag: str | None = None
    last_modified: str | None = None


def _validator(value: str | None) -> str | None:
    """An ETag / Last-Modified worth sending back: printable ASCII, of a sane length."""
    if value and len(value) <= 512 and value.isascii() and value.isprintable():
        return value
    return None


def poll_feed(
    fetcher: Fetcher, url: str, etag: str | None = None, last_modified: str | None = None
) -> Poll:
    headers = {}
    if _validator(etag):
        headers["If-None-Match"] = etag or ""
    if _validator(last_modified):
        headers["If-Modified-Since"] = last_modified or ""
    resp = fetcher.get(url, headers=headers)
    if resp.not_modified:
        return Poll(not_modified=True)
    feed = read_feed(resp.content, resp.url)
    if feed is None:
        raise FetchError(
            f"{url} is not an RSS or Atom feed (add it with --kind page if it is an article)"
        )
    return Poll(
        not_modified=False,
        feed=feed,
        etag=_validator(resp.headers.get("ETag")),
        last_modified=_validator(resp.headers.get("Last-Modified")),
    )


def _record_poll(s: Session, source: Source, poll: Poll) -> int:
    """Store a feed's answer: its validators and the articles it lists that are new."""
    if poll.not_modified or poll.feed is None:
        return 0
    feed = poll.feed
    source.etag, source.last_modified = poll.etag, poll.last_modified
    source.interval = feed.interval
    source.title = source.title or feed.title
    new = 0
    for entry in feed.entries:
        try:
            new += _new_article(s, entry.url, source, entry.title, entry.published)
        except FetchError as exc:  # one unusable link; the rest of the feed is fine
            log.info("source %s: entry skipped: %s", source.url, exc)
    return new


def _record_page(s: Session, source: Source) -> int:
    return int(_new_article(s, source.url, source))


def _record_answer(answer: Future[Poll], s: Session, source: Source) -> int:
    return _record_poll(s, source, answer.result())


def _check_source(ctx: Context, s: Session, source: Source) -> int:
    """Check one source now, in this thread (check_sources checks many at once)."""
    if source.kind == "page":
        return _record_page(s, source)
    poll = poll_feed(ctx.fetcher, source.url, source.etag, source.last_modified)
    return _record_poll(s, source, poll)


# -- the stage ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    id: int
    url: str
    kind: str
    etag: str | None
    last_modified: str | None


def check_sources(ctx: Context, *, now: datetime | None = None) -> StageResult:
    """Fetch each due source (conditional GET) and record the articles it lists."""
    from naql.pipeline.stages import StageResult

    now = now or utcnow()
    result = StageResult("sources")
    with ctx.store.session() as s:
        due = [
            _Due(*row)
            for row in s.execute(
                select(Source.id, Source.url, Source.kind, Source.etag, Source.last_modified)
                .where(Source.next_check_at <= now)
                .order_by(Source.next_check_at)
            )
        ]
    new = 0
    feeds = [d for d in due if d.kind != "page"]
    with ctx.bar(total=len(due), desc="checking sources", unit="source") as bar:
        for d in due:
            if d.kind == "page":  # nothing to fetch: the page itself is the article
                new += _settle(ctx, d.id, now, result, _record_page)
                bar.update(1)
        if feeds:
            fetcher = ctx.fetcher
            workers = max(1, ctx.config["fetch.concurrency"])

            def poll(d: _Due, url: str) -> Poll:
                return poll_feed(fetcher, url, d.etag, d.last_modified)

            with ThreadPoolExecutor(workers, thread_name_prefix="naql-sources") as pool:
                items = ((d, d.url) for d in feeds)
                for d, future in host_window(pool, items, poll, size=workers):
                    new += _settle(ctx, d.id, now, result, partial(_record_answer, future))
                    bar.update(1)
    result.extra["new_articles"] = new
    return result


def _settle(
    ctx: Context,
    source_id: int,
    now: datetime,
    result: StageResult,
    check: Callable[[Session, Source], int],
) -> int:
    """Commit one source's check: its new articles and next check, or its error and back-off."""
    from naql.pipeline.stages import backoff_seconds

    check_interval, max_backoff = (
        ctx.config["fetch.check_interval"],
        ctx.config["fetch.max_backoff"],
    )
    new = 0
    with ctx.store.session() as s:
        source = s.get(Source, source_id)
        if source is None:
            return 0  # removed while it was being checked
        try:
            new = check(s, source)
            source.error_count = 0
            source.last_error = None
            interval = max(check_interval, source.interval or 0)
            source.next_check_at = now + timedelta(seconds=interval)
            result.done += 1
        except SQLAlchemyError:
            raise  # the store's trouble, not the source's
        except Exception as exc:
            if not isinstance(exc, NaqlError):  # a bug must not stop the other sources
                log.exception("source %s: unexpected error", source.url)
                exc = FetchError(f"unexpected error: {exc!r}"[:300])
            source.error_count += 1
            source.last_error = str(exc)
            wait = backoff_seconds(source.error_count, check_interval, max_backoff)
            if isinstance(exc, FetchError) and exc.retry_after:
                wait = max(wait, min(exc.retry_after, max_backoff))
            source.next_check_at = now + timedelta(seconds=wait)
            result.failed += 1
            log.warning("source %s: %s", source.url, exc)
        source.last_checked_at = now
    return new
