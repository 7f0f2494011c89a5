"""The pipeline stages: idempotent functions over stored article state.

Each stage selects the articles (or sources) in its input state, does its work, and commits each
result together with the state change, so any worker can run any stage and a crash (even SIGKILL)
loses at most the item in flight, which the next run picks up again.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import random
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from tqdm import tqdm

from naql.config import Config
from naql.errors import (
    BlockedAddress,
    ExtractionError,
    FetchError,
    NaqlError,
    RobotsDisallowed,
    TranslationError,
)
from naql.ingest.feeds import looks_like_feed, parse_feed
from naql.ingest.fetcher import Fetcher, Response, settings_from_config
from naql.ingest.urls import canonical_url
from naql.store import Article, Segment, Source, State, Store
from naql.store.models import TITLE_PARAGRAPH, MemoryEntry, utcnow

if TYPE_CHECKING:
    from naql.enrich.dedup import DuplicateIndex
    from naql.translate.engine import Engine

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Context:
    config: Config
    store: Store
    progress: bool = True
    # Counters stages add to (e.g. glossary terms protected / restored), shown by `naql run -v`.
    stats: dict[str, int] = field(default_factory=dict)
    _fetcher: Fetcher | None = field(default=None, repr=False)

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(settings_from_config(self.config))
        return self._fetcher

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None

    def bar(
        self,
        items: Iterable[T] | None = None,
        *,
        total: int | None = None,
        desc: str,
        unit: str = "article",
    ) -> tqdm:
        return tqdm(
            items,
            total=total,
            desc=desc,
            unit=unit,
            disable=None if self.progress else True,
            leave=False,
        )


@dataclass
class StageResult:
    stage: str
    done: int = 0
    failed: int = 0
    held: int = 0
    error: str | None = None  # the stage could not run (e.g. no model); the other stages still do
    extra: dict[str, float] = field(default_factory=dict)


def _ids_in(session: Session, state: State) -> list[int]:
    """Ids of the articles waiting in `state`, oldest first: a stage's work list."""
    return list(
        session.scalars(select(Article.id).where(Article.state == state.value).order_by(Article.id))
    )


def backoff_seconds(errors: int, base: int, cap: int) -> float:
    """Exponential back-off with +-20% jitter, capped: base, 2*base, 4*base ... <= cap."""
    delay = min(cap, base * 2 ** max(0, errors - 1))
    return delay * random.uniform(0.8, 1.2)


# -- sources ----------------------------------------------------------------------------------


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


def check_sources(ctx: Context, *, now: datetime | None = None) -> StageResult:
    """Fetch each due source (conditional GET) and record the articles it lists."""
    now = now or utcnow()
    result = StageResult("sources")
    with ctx.store.session() as s:
        due = list(
            s.scalars(
                select(Source.id).where(Source.next_check_at <= now).order_by(Source.next_check_at)
            )
        )
    new = 0
    for source_id in ctx.bar(due, desc="checking sources", unit="source"):
        with ctx.store.session() as s:
            source = s.get(Source, source_id)
            assert source is not None
            try:
                new += _check_source(ctx, s, source)
                source.error_count = 0
                source.last_error = None
                interval = max(ctx.config["fetch.check_interval"], source.interval or 0)
                source.next_check_at = now + timedelta(seconds=interval)
                result.done += 1
            except NaqlError as exc:
                source.error_count += 1
                source.last_error = str(exc)
                wait = backoff_seconds(
                    source.error_count,
                    ctx.config["fetch.check_interval"],
                    ctx.config["fetch.max_backoff"],
                )
                if isinstance(exc, FetchError) and exc.retry_after:
                    wait = max(wait, min(exc.retry_after, ctx.config["fetch.max_backoff"]))
                source.next_check_at = now + timedelta(seconds=wait)
                result.failed += 1
                log.warning("source %s: %s", source.url, exc)
            source.last_checked_at = now
    result.extra["new_articles"] = new
    return result


def _check_source(ctx: Context, s: Session, source: Source) -> int:
    if source.kind == "page":
        return int(_new_article(s, source.url, source))
    headers = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    resp = ctx.fetcher.get(source.url, headers=headers)
    if resp.not_modified:
        return 0
    if not looks_like_feed(resp.content):
        raise FetchError(
            f"{source.url} is not an RSS or Atom feed (add it with --kind page if it is an article)"
        )
    feed = parse_feed(resp.content, resp.url)
    source.etag = resp.headers.get("ETag")
    source.last_modified = resp.headers.get("Last-Modified")
    source.interval = feed.interval
    source.title = source.title or feed.title
    return sum(_new_article(s, e.url, source, e.title, e.published) for e in feed.entries)


# -- fetch articles ---------------------------------------------------------------------------


def _record_failure(
    ctx: Context, article: Article, error: Exception, *, final: bool = False
) -> bool:
    """Count a failed attempt; returns True when the article is now failed for good."""
    article.attempts += 1
    article.last_error = str(error)
    if final or article.attempts >= ctx.config["fetch.max_attempts"]:
        article.state = State.FAILED.value
        return True
    wait = backoff_seconds(article.attempts, 60, ctx.config["fetch.max_backoff"])
    if isinstance(error, FetchError) and error.retry_after:
        wait = max(wait, min(error.retry_after, ctx.config["fetch.max_backoff"]))
    article.retry_at = utcnow() + timedelta(seconds=wait)
    return False


def fetch_articles(ctx: Context) -> StageResult:
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
    queue = iter(todo)
    # A sliding window of `workers` fetches: pages are committed as they arrive, so a kill loses at
    # most the fetches in flight, and memory holds at most `workers` pages.
    with (
        ThreadPoolExecutor(max_workers=workers) as pool,
        ctx.bar(total=len(todo), desc="fetching articles") as bar,
    ):
        in_flight: dict[Future[Response], int] = {}
        while True:
            for article_id, url in islice(queue, workers - len(in_flight)):
                in_flight[pool.submit(fetcher.get, url)] = article_id
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                _store_fetched(ctx, in_flight.pop(future), future, result)
                bar.update(1)
    return result


def _store_fetched(
    ctx: Context, article_id: int, future: Future[Response], result: StageResult
) -> None:
    with ctx.store.session() as s:
        article = s.get(Article, article_id)
        assert article is not None
        try:
            resp = future.result()
            article.html_gz = gzip.compress(resp.content, compresslevel=6)
            article.state = State.FETCHED.value
            article.retry_at = None
            result.done += 1
        except FetchError as exc:
            final = isinstance(exc, (RobotsDisallowed, BlockedAddress)) or exc.status in (404, 410)
            if _record_failure(ctx, article, exc, final=final):
                result.failed += 1
            log.warning("article %s: %s", article.url, exc)


# -- extract ----------------------------------------------------------------------------------


# Fewer words than this is a navigation page or an error page, not an article.
MIN_ARTICLE_WORDS = 15


def _content_hash(paragraphs: list[str]) -> str:
    normal = re.sub(r"\W+", " ", " ".join(paragraphs).lower()).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def make_segments(article: Article) -> list[Segment]:
    from naql.translate.segment import split_sentences

    lang = article.language or "en"
    segments = []
    if article.title:
        segments.append(
            Segment(paragraph=TITLE_PARAGRAPH, sentence=0, source=" ".join(article.title.split()))
        )
    for p, paragraph in enumerate(article.paragraphs or []):
        for i, sentence in enumerate(split_sentences(paragraph, lang)):
            segments.append(Segment(paragraph=p, sentence=i, source=sentence))
    return segments


def _hold_unless_translatable(article: Article, languages: set[str]) -> bool:
    if article.language in languages:
        return False
    article.state = State.HELD.value
    article.held_reason = (
        f"no installed model translates {article.language or 'undetected language'} into Arabic"
        + ("" if languages else " (no model is installed: run `naql models install opus-mt-en-ar`)")
    )
    return True


def extract_articles(ctx: Context) -> StageResult:
    from naql.extract import extract_article
    from naql.pipeline.enrich import load_duplicate_index, place
    from naql.translate.models import languages_with_models

    result = StageResult("extract")
    languages = languages_with_models(ctx.config.models_dir)
    with ctx.store.session() as s:
        # Articles held only for want of a model go back in line once one is installed.
        for article in s.scalars(
            select(Article).where(Article.state == State.HELD.value, Article.verdict.is_(None))
        ):
            if article.language in languages:
                article.state, article.held_reason = State.EXTRACTED.value, None
        todo = _ids_in(s, State.FETCHED)
    duplicates: DuplicateIndex | None = None  # loaded on first use: one story from many sources
    for article_id in ctx.bar(todo, desc="extracting"):
        with ctx.store.session() as s:
            article = s.get(Article, article_id)
            assert article is not None
            try:
                page = extract_article(gzip.decompress(article.html_gz or b""), article.url)
                words = sum(len(p.split()) for p in page.paragraphs)
                if words < MIN_ARTICLE_WORDS:
                    raise ExtractionError(
                        f"too little text for an article in {article.url} ({words} words)"
                    )
            except (ExtractionError, OSError, EOFError) as exc:
                _record_failure(ctx, article, exc, final=True)
                result.failed += 1
                continue
            article.title = page.title or article.feed_title
            article.paragraphs = page.paragraphs
            article.author, article.published, article.image = page.author, page.date, page.image
            article.videos, article.language, article.site_name = (
                page.videos,
                page.language,
                page.site_name,
            )
            article.content_hash = _content_hash(page.paragraphs)
            twin = s.scalar(
                select(Article.id)
                .where(
                    Article.content_hash == article.content_hash,
                    Article.id != article.id,
                    Article.state.notin_(
                        [State.FAILED.value, State.DUPLICATE.value, State.FETCHED.value]
                    ),
                )
                .limit(1)
            )
            if twin is not None:
                article.state, article.duplicate_of = State.DUPLICATE.value, twin
                article.held_reason = f"same text as article {twin}"
                continue
            if duplicates is None:
                duplicates = load_duplicate_index(s)
            placement = place(duplicates, article)
            if placement.is_duplicate:
                # Another outlet's copy of a story we have: not translated, listed on its page.
                article.state = State.DUPLICATE.value
                article.held_reason = f"same story as article {placement.group} (another source)"
                result.extra["duplicates"] = result.extra.get("duplicates", 0) + 1
                continue
            article.segments = make_segments(article)
            if _hold_unless_translatable(article, languages):
                result.held += 1
                continue
            article.state = State.EXTRACTED.value
            result.done += 1
    return result


# -- translate --------------------------------------------------------------------------------


def translate_articles(
    ctx: Context, engine_factory: Callable[[str], Engine] | None = None
) -> StageResult:
    """Translate every untranslated segment of extracted articles, in large batches across articles."""
    from naql.translate import load_engine

    factory = engine_factory or (lambda language: load_engine(ctx.config, language))
    result = StageResult("translate")
    with ctx.store.session() as s:
        rows = list(
            s.execute(
                select(Article.language, func.count(Segment.id))
                .join(Segment, Segment.article_id == Article.id)
                .where(Article.state == State.EXTRACTED.value, Segment.translation.is_(None))
                .group_by(Article.language)
            )
        )
    sentences, seconds = 0, 0.0
    for language, count in rows:
        with (
            factory(language) as engine,
            ctx.bar(total=count, desc=f"translating ({language}→ar)", unit="sentence") as bar,
        ):
            n, t, failed = _translate_language(ctx, engine, language, bar)
        sentences, seconds, result.failed = sentences + n, seconds + t, result.failed + failed
    # Articles whose segments are all translated move on (also those finished by an earlier, killed run).
    with ctx.store.session() as s:
        pending = select(Segment.article_id).where(Segment.translation.is_(None))
        done = select(Article).where(
            Article.state == State.EXTRACTED.value, Article.id.notin_(pending)
        )
        for article in s.scalars(done):
            title = next(
                (seg for seg in article.segments if seg.paragraph == TITLE_PARAGRAPH), None
            )
            article.title_ar = title.translation if title else None
            article.state = State.TRANSLATED.value
            result.done += 1
    result.extra.update(sentences=sentences, seconds=seconds)
    return result


def _translate_language(
    ctx: Context, engine: Engine, language: str, bar: tqdm
) -> tuple[int, float, int]:
    """Translate pending segments of one language chunk by chunk; returns (sentences, seconds, failed articles)."""
    from naql.translate.glossary import load_glossary, upsert
    from naql.translate.relay import SegmentTranslator, memory_key

    chunk = ctx.config["translate.chunk_sentences"]
    total, elapsed, failed = 0, 0.0, 0
    while True:
        with ctx.store.session() as s:
            batch = s.execute(
                select(Segment.id, Segment.article_id, Segment.source)
                .join(Article, Segment.article_id == Article.id)
                .where(
                    Article.state == State.EXTRACTED.value,
                    Article.language == language,
                    Segment.translation.is_(None),
                )
                .order_by(Segment.article_id, Segment.paragraph, Segment.sentence)
                .limit(chunk)
            ).all()
            if not batch:
                return total, elapsed, failed
            glossary = load_glossary(s)
            keys = {memory_key(row.source) for row in batch}
            memory = dict(
                s.execute(
                    select(MemoryEntry.key, MemoryEntry.translation).where(
                        MemoryEntry.key.in_(keys)
                    )
                ).all()
            )
        translator = SegmentTranslator(
            engine,
            glossary,
            memory=memory,
            quote_style=ctx.config["translate.quote_style"],
            unify=ctx.config["translate.consistent_names"],
        )
        started = time.perf_counter()
        try:
            results: list[Any] = translator.translate([row.source for row in batch])
        except TranslationError:
            # Isolate the article(s) the engine chokes on; the rest of the chunk goes on.
            results, bad = _translate_one_by_one(translator, batch)
            failed += _fail_articles(ctx, bad)
        elapsed += time.perf_counter() - started
        rows = [
            {
                "id": row.id,
                "translation": r.text,
                "origin": r.origin,
                "findings": r.findings or None,
            }
            for row, r in zip(batch, results, strict=True)
            if r is not None
        ]
        with ctx.store.session() as s:
            if rows:
                s.execute(update(Segment), rows)
            s.execute(
                update(Article)
                .where(Article.id.in_({row.article_id for row in batch}))
                .values(engine=engine.name, model=engine.model)
            )
            for term in translator.new_names:
                upsert(s, term)
        for key, value in vars(translator.stats).items():
            ctx_stats = ctx.stats.setdefault(key, 0)
            ctx.stats[key] = ctx_stats + value
        total += len(rows)
        bar.update(len(batch))


def _translate_one_by_one(translator: Any, batch: list[Any]) -> tuple[list[Any], dict[int, str]]:
    by_article: dict[int, list[int]] = {}
    for i, row in enumerate(batch):
        by_article.setdefault(row.article_id, []).append(i)
    out: list[Any] = [None] * len(batch)
    bad: dict[int, str] = {}
    for article_id, positions in by_article.items():
        try:
            for i, seg in zip(
                positions, translator.translate([batch[i].source for i in positions]), strict=True
            ):
                out[i] = seg
        except TranslationError as exc:
            bad[article_id] = str(exc)
    return out, bad


def _fail_articles(ctx: Context, errors: dict[int, str]) -> int:
    with ctx.store.session() as s:
        for article_id, message in errors.items():
            article = s.get(Article, article_id)
            if article is not None:
                _record_failure(
                    ctx, article, TranslationError(f"translation failed: {message}"), final=True
                )
    return len(errors)


# -- enrich -----------------------------------------------------------------------------------


def enrich_articles(
    ctx: Context, engine_factory: Callable[[str], Engine] | None = None
) -> StageResult:
    """Tags (people, places, organisations, topics) in Arabic, and attributed quotations."""
    from naql.enrich.entities import load_nlp
    from naql.enrich.quotes import extract_quotes
    from naql.enrich.tags import AliasTable, arabic_names, extract_tags
    from naql.pipeline.enrich import store_quotes, store_tags
    from naql.translate import load_engine
    from naql.translate.glossary import load_glossary, upsert

    result = StageResult("enrich")
    with ctx.store.session() as s:
        todo = _ids_in(s, State.TRANSLATED)
        if not todo:
            return result
        glossary = load_glossary(s)
    nlp = load_nlp(ctx.config["enrich.ner_model"])
    aliases = AliasTable.from_glossary(glossary)
    engines: dict[str, Engine] = {}

    def translate_for(language: str) -> Callable[[list[str]], list[str]]:
        def translate(names: list[str]) -> list[str]:
            if language not in engines:
                engines[language] = (
                    engine_factory or (lambda lang: load_engine(ctx.config, lang))
                )(language)
            return engines[language].translate(names)

        return translate

    try:
        for article_id in ctx.bar(todo, desc="tagging"):
            with ctx.store.session() as s:
                article = s.get(Article, article_id)
                assert article is not None
                tags = extract_tags(
                    article.title or "",
                    article.paragraphs or [],
                    glossary=glossary,
                    nlp=nlp,
                    aliases=aliases,
                    max_topics=ctx.config["enrich.max_topics"],
                    max_tags=ctx.config["enrich.max_tags"],
                )
                named = arabic_names(
                    tags, glossary, translate_for(article.language or "en"), aliases=aliases
                )
                for term in named.engine_terms:
                    upsert(s, term)
                if named.engine_terms:
                    glossary = load_glossary(s)
                tag_ids = store_tags(s, article, named.tags)
                people = {t.key for t in named.tags if t.kind == "person"}
                store_quotes(
                    s, article, extract_quotes(article.paragraphs or [], people=people), tag_ids
                )
                result.done += 1
    finally:
        for engine in engines.values():
            engine.close()
    return result


# -- check ------------------------------------------------------------------------------------


def _slug(article: Article) -> str:
    tail = ""
    for word in re.findall(r"[a-z0-9]+", (article.title or "").lower()):
        if len(tail) + len(word) + 1 > 60:
            break
        tail = f"{tail}-{word}" if tail else word
    return f"{article.id}-{tail}" if tail else str(article.id)


def check_articles(ctx: Context) -> StageResult:
    from naql.pipeline.review import apply_checks

    result = StageResult("check")
    with ctx.store.session() as s:
        todo = _ids_in(s, State.TRANSLATED)
    for article_id in ctx.bar(todo, desc="checking"):
        with ctx.store.session() as s:
            article = s.get(Article, article_id)
            assert article is not None
            report = apply_checks(s, article, ctx.config)
            article.slug = article.slug or _slug(article)
            if report.verdict == "publish":
                article.state = State.READY.value
                result.done += 1
            else:
                article.state = State.HELD.value
                article.held_reason = report.reason or report.verdict
                result.held += 1
    return result


# -- publish ----------------------------------------------------------------------------------


def publish_articles(ctx: Context, *, rebuild: bool = False) -> StageResult:
    """Write the pages of ready articles and of every list they join, then mark them published.

    Only what the new articles change is rendered (see naql.publish.site); `rebuild` renders the
    whole site, as does a first run or a missing output folder.
    """
    from naql.pipeline.enrich import update_related
    from naql.publish import SiteWriter

    result = StageResult("publish")
    site_exists = (ctx.config.output_dir / "index.html").exists()
    with ctx.store.session() as s:
        ready = list(
            s.scalars(
                select(Article).where(Article.state == State.READY.value).order_by(Article.id)
            )
        )
        if not ready and not rebuild and site_exists:
            return result
        now = utcnow()
        for article in ready:
            article.published_at = article.published_at or now
        s.flush()
        # Related lists: the new articles get theirs, and older pages whose list changed are redrawn.
        refresh = update_related(s, ready)
        s.flush()
        report = SiteWriter(ctx.config).publish(
            s,
            [a.id for a in ready],
            refresh=sorted(refresh),
            rebuild=rebuild or not site_exists,
            now=now,
            progress=lambda **kw: ctx.bar(**kw),
        )
        for article in ready:
            article.state = State.PUBLISHED.value
        result.done = len(ready)
        result.extra.update(
            pages=report.pages, seconds=report.seconds, search_seconds=report.search_seconds
        )
    return result


STAGES: tuple[Callable[[Context], StageResult], ...] = (
    check_sources,
    fetch_articles,
    extract_articles,
    translate_articles,
    enrich_articles,
    check_articles,
    publish_articles,
)


def run_stage(ctx: Context, stage: Callable[[Context], StageResult]) -> StageResult:
    """Run one stage; a NaqlError stops that stage only, and is reported in its result."""
    try:
        return stage(ctx)
    except NaqlError as exc:
        log.error("%s: %s", stage.__name__, exc)
        return StageResult(stage.__name__.split("_")[0], error=str(exc))


def run_once(ctx: Context) -> list[StageResult]:
    return [run_stage(ctx, stage) for stage in STAGES]
