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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from naql.config import Config
from naql.errors import (
    ExtractionError,
    FetchError,
    NaqlError,
)
from naql.ingest.fetcher import Fetcher, settings_from_config
from naql.store import Article, Segment, State, Store
from naql.store.models import TITLE_PARAGRAPH, utcnow

if TYPE_CHECKING:
    from naql.enrich.dedup import DuplicateIndex
    from naql.translate.engine import Engine
    from naql.translate.router import Router

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


# -- sources: naql/pipeline/sources.py; fetch: naql/pipeline/fetch.py ---------------------------


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


def _hold_unless_translatable(article: Article, router: Router, languages: set[str]) -> bool:
    if router.can_take(article.language, article.url):
        return False
    language = article.language or "undetected language"
    chain = router.chain(article.language or "", article.url)
    article.state = State.HELD.value
    if all(router.engines[name].kind == "ctranslate2" for name in chain if name in router.engines):
        article.held_reason = f"no installed model translates {language} into Arabic" + (
            "" if languages else " (no model is installed: run `naql models install opus-mt-en-ar`)"
        )
    else:
        article.held_reason = (
            f"no engine of its route ({', '.join(chain)}) translates {language} into Arabic"
        )
    return True


def extract_articles(ctx: Context) -> StageResult:
    from naql.extract import extract_article
    from naql.pipeline.enrich import load_duplicate_index, place
    from naql.translate.models import languages_with_models
    from naql.translate.router import Router

    result = StageResult("extract")
    languages = languages_with_models(ctx.config.models_dir)
    router = Router(ctx.config)
    with ctx.store.session() as s:
        # Articles held only for want of an engine go back in line once one can take them.
        for article in s.scalars(
            select(Article).where(Article.state == State.HELD.value, Article.verdict.is_(None))
        ):
            if router.can_take(article.language, article.url):
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
            if _hold_unless_translatable(article, router, languages):
                result.held += 1
                continue
            article.state = State.EXTRACTED.value
            result.done += 1
    return result


# -- translate: naql/pipeline/translate.py -----------------------------------------------------


# -- enrich -----------------------------------------------------------------------------------


def enrich_articles(
    ctx: Context, engine_factory: Callable[[str], Engine] | None = None
) -> StageResult:
    """Tags (people, places, organisations, topics) in Arabic, and attributed quotations."""
    from naql.enrich.entities import load_nlp
    from naql.enrich.quotes import extract_quotes
    from naql.enrich.tags import AliasTable, arabic_names, extract_tags
    from naql.pipeline.enrich import store_quotes, store_tags
    from naql.translate.cache import CachedEngine
    from naql.translate.glossary import load_glossary, upsert
    from naql.translate.router import Router, record_usage

    result = StageResult("enrich")
    with ctx.store.session() as s:
        todo = _ids_in(s, State.TRANSLATED)
        if not todo:
            return result
        glossary = load_glossary(s)
    nlp = load_nlp(ctx.config["enrich.ner_model"])
    aliases = AliasTable.from_glossary(glossary)
    router = Router(ctx.config, engine_factory)

    def translate_for(language: str) -> Callable[[list[str]], list[str]]:
        def translate(names: list[str]) -> list[str]:
            # Cached like the articles' segments (nothing paid twice) and counted against the
            # engine's budget; a failure leaves the tags unnamed in Arabic for now, never blocks.
            try:
                engine = router.first(language)
                name = engine.config_name or engine.name
                cached = CachedEngine(
                    engine,
                    ctx.store,
                    language,
                    lambda n: _check_budget(ctx, router, name, n),
                )
                forms = cached.translate(names)
            except NaqlError as exc:
                log.warning("tag names in %s not translated: %s", language, exc)
                return [""] * len(names)
            with ctx.store.session() as s:
                record_usage(
                    s,
                    name,
                    characters=cached.usage.characters,
                    requests=0,
                    segments=cached.sent_segments,
                )
            return forms

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
        router.close()
    return result


def _check_budget(ctx: Context, router: Router, name: str, characters: int) -> None:
    with ctx.store.session() as s:
        router.check_budget(s, name, characters)


# -- check ------------------------------------------------------------------------------------


def _slug(article: Article) -> str:
    tail = ""
    for word in re.findall(r"[a-z0-9]+", (article.title or "").lower()):
        if len(tail) + len(word) + 1 > 60:
            break
        tail = f"{tail}-{word}" if tail else word
    return f"{article.id}-{tail}" if tail else str(article.id)


def check_articles(ctx: Context) -> StageResult:
    """The verdict on each translated article: the rule checks, then the quality-estimation
    scorers (`check.qe`, naql.qa.qe) on the segments the rules did not flag. The scorers are
    opened once per run and score a chunk of articles per call; each article's findings, scores
    and state are committed together."""
    from naql.pipeline.review import apply_checks, rule_report
    from naql.qa.qe import Estimator
    from naql.translate.glossary import load_glossary

    chunk_size = 200  # articles whose rule reports are kept and whose segments are scored together
    result = StageResult("check")
    with ctx.store.session() as s:
        todo = _ids_in(s, State.TRANSLATED)
    if not todo:
        return result
    qe = Estimator.open(ctx.config)
    try:
        with ctx.bar(total=len(todo), desc="checking") as bar:
            for start in range(0, len(todo), chunk_size):
                chunk = todo[start : start + chunk_size]
                with ctx.store.session() as s:
                    glossary = load_glossary(s).manual().terms
                    articles = [s.get(Article, article_id) for article_id in chunk]
                    rules = {a.id: rule_report(s, a, ctx.config, glossary) for a in articles if a}
                    if qe is not None:
                        qe.prepare(s, [(a, rules[a.id]) for a in articles if a])
                for article_id in chunk:
                    with ctx.store.session() as s:
                        article = s.get(Article, article_id)
                        assert article is not None
                        report = apply_checks(s, article, ctx.config, qe, rules=rules[article_id])
                        article.slug = article.slug or _slug(article)
                        if report.verdict == "publish":
                            article.state = State.READY.value
                            result.done += 1
                        else:
                            article.state = State.HELD.value
                            article.held_reason = report.reason or report.verdict
                            result.held += 1
                    bar.update(1)
    finally:
        if qe is not None:
            result.extra.update(qe.costs())
            qe.close()
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


# The stages that live in their own modules (re-exported: `from naql.pipeline.stages import ...`).
from naql.pipeline.fetch import _store_fetched, fetch_articles  # noqa: E402, F401
from naql.pipeline.sources import (  # noqa: E402, F401
    _check_source,
    _new_article,
    add_source,
    check_sources,
)
from naql.pipeline.translate import translate_articles  # noqa: E402

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
