"""The fetch stage: download the page of each discovered article.

Pages are fetched `fetch.concurrency` at a time, at most one per host at a time (`host_window`),
so a slow or hostile host holds up only its own pages; each fetch is bounded by `fetch.deadline`.
Each page is committed as it arrives: a kill loses at most the fetches in flight.
"""

from __future__ import annotations

import gzip
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select

from naql.errors import BlockedAddress, FetchError, RobotsDisallowed
from naql.ingest.fetcher import Response, host_key
from naql.store import Article, State
from naql.store.models import utcnow

if TYPE_CHECKING:
    from naql.pipeline.stages import Context, StageResult

log = logging.getLogger(__name__)
K = TypeVar("K")
R = TypeVar("R")

# Answers that are not web pages: failed at once rather than stored and extracted.
_NOT_PAGES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")


def host_window(
    pool: ThreadPoolExecutor,
    items: Iterable[tuple[K, str]],
    work: Callable[[K, str], R],
    *,
    size: int,
) -> Iterator[tuple[K, Future[R]]]:
    """Run `work(key, url)` for each (key, url), `size` at a time and one per host at a time.

    Yields each (key, future) as it completes, in the caller's thread, so the caller commits each
    result as it arrives. Items of a host that is busy wait their turn while other hosts go on;
    items keep their order within a host.
    """
    queues: dict[str, deque[tuple[K, str]]] = {}
    for key, url in items:
        queues.setdefault(host_key(url), deque()).append((key, url))
    in_flight: dict[Future[R], tuple[K, str]] = {}
    while queues or in_flight:
        busy = {host for _, host in in_flight.values()}
        for host in list(queues):
            if len(in_flight) >= size:
                break
            if host in busy:
                continue
            key, url = queues[host].popleft()
            if not queues[host]:
                del queues[host]
            in_flight[pool.submit(work, key, url)] = (key, host)
            busy.add(host)
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            key, _ = in_flight.pop(future)
            yield key, future


def fetch_articles(ctx: Context) -> StageResult:
    from naql.pipeline.stages import StageResult

    result = StageResult("fetch")
    now = utcnow()
    with ctx.store.session() as s:
        todo = list(
            s.execute(
                select(Article.id, Article.url)
                .where(
                    Article.state == State.DISCOVERED.value,
                    (Article.retry_at.is_(None)) | (Article.retry_at <= now),
                )
                .order_by(Article.id)
            )
        )
    if not todo:
        return result
    fetcher = ctx.fetcher
    workers = max(1, ctx.config["fetch.concurrency"])
    with (
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="naql-fetch") as pool,
        ctx.bar(total=len(todo), desc="fetching articles") as bar,
    ):
        items = ((article_id, url) for article_id, url in todo)
        window = host_window(pool, items, lambda _, url: fetcher.get(url), size=workers)
        for article_id, future in window:
            _store_fetched(ctx, article_id, future, result)
            bar.update(1)
    return result


def _not_a_page(resp: Response) -> str | None:
    """The Content-Type of an answer that is no web page (an image, a PDF ...), else None."""
    kind = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return kind if kind.startswith(_NOT_PAGES) else None


def _store_fetched(
    ctx: Context, article_id: int, future: Future[Response], result: StageResult
) -> None:
    from naql.pipeline.stages import _record_failure

    with ctx.store.session() as s:
        article = s.get(Article, article_id)
        assert article is not None
        try:
            resp = future.result()
            kind = _not_a_page(resp)
            if kind is not None:
                error = FetchError(f"{resp.url} is not a web page (Content-Type {kind})")
                _record_failure(ctx, article, error, final=True)
                result.failed += 1
                log.warning("article %s: %s", article.url, error)
                return
            article.html_gz = gzip.compress(resp.content, compresslevel=6)
            article.state = State.FETCHED.value
            article.retry_at = None
            result.done += 1
        except FetchError as exc:
            final = isinstance(exc, (RobotsDisallowed, BlockedAddress)) or exc.status in (404, 410)
            if _record_failure(ctx, article, exc, final=final):
                result.failed += 1
            log.warning("article %s: %s", article.url, exc)
        except Exception as exc:  # a bug must not stop every other page: recorded, logged in full
            log.exception("article %s: unexpected error", article.url)
            _record_failure(
                ctx, article, FetchError(f"unexpected error: {exc!r}"[:300]), final=True
            )
            result.failed += 1
