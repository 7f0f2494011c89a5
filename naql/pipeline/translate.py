"""Translate stage: every pending segment, through each article's engines in order.

Articles are grouped by language and route (their ordered engine list, see naql.translate.router)
and sent in chunks of whole articles (`translate.chunk_sentences` sentences, across articles: the
batch is where a local model's throughput comes from; a document engine reads each article whole).
Per chunk, the first engine of the route that can take it translates it:

* EngineUnavailable (no key, quota, over budget, outage, timeout, reply not alignable): that engine
  is out for this run and the chunk goes to the next engine;
* TranslationError (one input refused): the chunk is retried article by article, and the refused
  articles go to the next engine;
* when no engine of the route is left, the articles stay pending (the stage reports why, and the
  next run tries again); an article every engine refused is failed with the reasons.

Each chunk's segments are committed with the engine and model that produced them, so a kill loses
at most the chunk in flight, and its engine results are cached (nothing is paid for twice).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from tqdm import tqdm

from naql.errors import EngineUnavailable, NaqlError, TranslationError
from naql.store import Article, Segment, State
from naql.store.models import TITLE_PARAGRAPH, MemoryEntry, Source

if TYPE_CHECKING:
    from naql.pipeline.stages import Context, StageResult
    from naql.translate.engine import Engine
    from naql.translate.router import Router

log = logging.getLogger(__name__)


def translate_articles(
    ctx: Context, engine_factory: Callable[[str], Engine] | None = None
) -> StageResult:
    """Translate every untranslated segment of extracted articles; see the module docstring."""
    from naql.pipeline.stages import StageResult
    from naql.translate.router import Router

    result = StageResult("translate")
    with ctx.store.session() as s:
        rows = list(
            s.execute(
                select(
                    Article.id, Article.language, Article.url, Source.url, func.count(Segment.id)
                )
                .join(Segment, Segment.article_id == Article.id)
                .join(Source, Source.id == Article.source_id, isouter=True)
                .where(Article.state == State.EXTRACTED.value, Segment.translation.is_(None))
                .group_by(Article.id)
                .order_by(Article.id)
            )
        )
    router = Router(ctx.config, engine_factory) if rows else None
    sentences, seconds = 0, 0.0
    problems: list[str] = []
    try:
        groups: dict[tuple[str, tuple[str, ...]], list[tuple[int, int]]] = {}
        for article_id, language, url, source_url, count in rows:
            assert router is not None
            language = language or "en"
            chain = tuple(router.chain(language, url or source_url))
            groups.setdefault((language, chain), []).append((article_id, count))
        for (language, chain), articles in groups.items():
            assert router is not None
            total = sum(n for _, n in articles)
            with ctx.bar(total=total, desc=f"translating ({language}→ar)", unit="sentence") as bar:
                n, t, failed, left = _translate_group(ctx, router, language, chain, articles, bar)
            sentences, seconds, result.failed = sentences + n, seconds + t, result.failed + failed
            if left:
                reasons = "; ".join(
                    router.down.get((name, language), f"{name} does not translate {language}")
                    for name in chain
                )
                problems.append(f"{left} {language} article(s) wait for an engine ({reasons})")
    finally:
        if router is not None:
            router.close()
    result.done = _finish_translated(ctx)
    result.extra.update(sentences=sentences, seconds=seconds)
    if problems:
        result.error = "; ".join(problems)
        log.warning("translate: %s", result.error)
    return result


def _finish_translated(ctx: Context) -> int:
    """Articles whose segments are all translated move on (also those an earlier, killed run finished)."""
    with ctx.store.session() as s:
        pending = select(Segment.article_id).where(Segment.translation.is_(None))
        ids = list(
            s.scalars(
                select(Article.id).where(
                    Article.state == State.EXTRACTED.value, Article.id.notin_(pending)
                )
            )
        )
        if not ids:
            return 0
        titles = dict(
            s.execute(
                select(Segment.article_id, Segment.translation).where(
                    Segment.article_id.in_(ids), Segment.paragraph == TITLE_PARAGRAPH
                )
            ).all()
        )
        for article_id in ids:
            s.execute(
                update(Article)
                .where(Article.id == article_id)
                .values(title_ar=titles.get(article_id), state=State.TRANSLATED.value)
            )
    return len(ids)


def _chunks(articles: list[tuple[int, int]], size: int) -> list[list[int]]:
    """Whole articles, gathered until a chunk holds at least `size` sentences."""
    out: list[list[int]] = []
    current: list[int] = []
    count = 0
    for article_id, n in articles:
        current.append(article_id)
        count += n
        if count >= size:
            out.append(current)
            current, count = [], 0
    if current:
        out.append(current)
    return out


def _translate_group(
    ctx: Context,
    router: Router,
    language: str,
    chain: tuple[str, ...],
    articles: list[tuple[int, int]],
    bar: tqdm,
) -> tuple[int, float, int, int]:
    """Translate one (language, route) group; returns (sentences, seconds, failed, left waiting)."""
    sentences, seconds = 0, 0.0
    refused: dict[int, list[str]] = {}  # article -> why each engine refused it
    pending = list(articles)
    size = max(1, ctx.config["translate.chunk_sentences"])
    for name in chain:
        if not pending:
            break
        if not router.offers(name, language):
            continue
        next_pending: list[tuple[int, int]] = []
        counts = dict(pending)
        chunks = _chunks(pending, size)
        for k, ids in enumerate(chunks):
            try:
                engine = router.open(name, language)
                n, t, bad = _translate_chunk(ctx, router, engine, name, language, ids)
            except NaqlError as exc:  # unavailable, or cannot be opened (no model, bad key file)
                reason = str(exc) if isinstance(exc, EngineUnavailable) else f"{name}: {exc}"
                router.mark_down(name, language, reason)
                log.warning("translate: %s; passing %s articles on", reason, language)
                next_pending.extend((a, counts[a]) for chunk in chunks[k:] for a in chunk)
                break
            sentences, seconds = sentences + n, seconds + t
            bar.update(n)
            for article_id, message in bad.items():
                refused.setdefault(article_id, []).append(f"{name}: {message}")
                next_pending.append((article_id, counts[article_id]))
        pending = next_pending
    left = dict(pending)
    if any((name, language) in router.down for name in chain):
        failed = {}  # refused by one engine, but another was down: it stays pending for it
    else:
        failed = {a: reasons for a, reasons in refused.items() if a in left}
    _fail_articles(ctx, {a: "; ".join(r) for a, r in failed.items()})
    return sentences, seconds, len(failed), len(left) - len(failed)


def _translate_chunk(
    ctx: Context, router: Router, engine: Engine, name: str, language: str, ids: list[int]
) -> tuple[int, float, dict[int, str]]:
    """Translate the pending segments of articles `ids`; returns (sentences, seconds, refused)."""
    from naql.translate.cache import CachedEngine
    from naql.translate.glossary import load_glossary, upsert
    from naql.translate.relay import SegmentTranslator, memory_key
    from naql.translate.router import record_usage

    with ctx.store.session() as s:
        batch = s.execute(
            select(Segment.id, Segment.article_id, Segment.paragraph, Segment.source)
            .where(Segment.article_id.in_(ids), Segment.translation.is_(None))
            .order_by(Segment.article_id, Segment.paragraph, Segment.sentence)
        ).all()
        if not batch:
            return 0, 0.0, {}
        glossary = load_glossary(s)
        keys = {memory_key(row.source) for row in batch}
        memory = dict(
            s.execute(
                select(MemoryEntry.key, MemoryEntry.translation).where(MemoryEntry.key.in_(keys))
            ).all()
        )

    def budget(characters: int) -> None:
        with ctx.store.session() as s:
            router.check_budget(s, name, characters)

    cached = CachedEngine(engine, ctx.store, language, budget)
    requests_before = cached.requests
    translator = SegmentTranslator(
        cached,
        glossary,
        memory=memory,
        quote_style=ctx.config["translate.quote_style"],
        unify=ctx.config["translate.consistent_names"],
    )
    documents: dict[int, list[Any]] = {}
    for row in batch:
        documents.setdefault(row.article_id, []).append(row)
    started = time.perf_counter()
    refused: dict[int, str] = {}
    try:
        results = translator.translate_documents(
            [[(r.paragraph, r.source) for r in rows] for rows in documents.values()]
        )
        by_article = dict(zip(documents, results, strict=True))
    except EngineUnavailable:
        raise
    except TranslationError:
        # Isolate the article(s) the engine refuses; the rest of the chunk goes on.
        by_article = {}
        for article_id, rows in documents.items():
            try:
                by_article[article_id] = translator.translate_documents(
                    [[(r.paragraph, r.source) for r in rows]]
                )[0]
            except EngineUnavailable:
                raise
            except TranslationError as exc:
                refused[article_id] = str(exc)
    elapsed = time.perf_counter() - started
    updates = [
        {
            "id": row.id,
            "translation": seg.text,
            "origin": seg.origin,
            "findings": seg.findings or None,
        }
        for article_id, segments in by_article.items()
        for row, seg in zip(documents[article_id], segments, strict=True)
    ]
    with ctx.store.session() as s:
        if updates:
            s.execute(update(Segment), updates)
        if by_article:
            s.execute(
                update(Article)
                .where(Article.id.in_(list(by_article)))
                .values(engine=engine.name, model=engine.model)
            )
        for term in translator.new_names:
            upsert(s, term)
        record_usage(
            s,
            name,
            characters=cached.usage.characters,
            requests=cached.requests - requests_before,
            segments=cached.sent_segments,
        )
    for key, value in vars(translator.stats).items():
        ctx.stats[key] = ctx.stats.get(key, 0) + value
    ctx.stats["cache_hits"] = ctx.stats.get("cache_hits", 0) + cached.hits
    return len(updates), elapsed, refused


def _fail_articles(ctx: Context, errors: dict[int, str]) -> int:
    from naql.pipeline.stages import _record_failure

    with ctx.store.session() as s:
        for article_id, message in errors.items():
            article = s.get(Article, article_id)
            if article is not None:
                _record_failure(
                    ctx, article, TranslationError(f"translation failed: {message}"), final=True
                )
    return len(errors)
