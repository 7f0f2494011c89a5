"""Enrichment over stored articles: one story from many sources, and related articles.

The indexes live in memory during a run and are rebuilt at its start from what the store keeps
(MinHash signatures and group links; related-index records), so any worker can run these steps
and a crash loses nothing that was committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naql.enrich.dedup import DuplicateIndex, Placement, signature
from naql.enrich.related import RelatedIndex
from naql.enrich.related import RelatedRecord as IndexRecord
from naql.store import Article, State
from naql.store.models import TITLE_PARAGRAPH, ArticleTag, Quote, RelatedRecord, Tag, TagAlias

log = logging.getLogger(__name__)

ENTITY_KINDS = ("person", "place", "org")


# -- duplicates -------------------------------------------------------------------------------


def load_duplicate_index(session: Session) -> DuplicateIndex:
    """Every stored signature, in arrival order, with the group each article joined."""
    rows = session.execute(
        select(Article.id, Article.minhash, Article.duplicate_of)
        .where(Article.minhash.is_not(None), Article.state != State.FAILED.value)
        .order_by(Article.id)
    ).all()
    groups = {row.id: row.duplicate_of or row.id for row in rows}
    return DuplicateIndex.from_signatures(((row.id, row.minhash) for row in rows), groups=groups)


def place(index: DuplicateIndex, article: Article) -> Placement:
    """Sign the article's body, store the signature, and join it to a group if it is a copy.

    The group's first article stays its representative: it is the one translated and published,
    and the later copies are listed on its page as other sources.
    """
    sig = signature(article.paragraphs or [])
    article.minhash = sig.to_bytes()
    placement = index.add(article.id, sig)
    if placement.is_duplicate:
        article.duplicate_of = placement.group
    return placement


def other_sources(session: Session, article_id: int) -> list[Article]:
    return list(
        session.scalars(
            select(Article).where(Article.duplicate_of == article_id).order_by(Article.id)
        )
    )


# -- related articles -------------------------------------------------------------------------


def _aware(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def load_related_index(session: Session) -> RelatedIndex:
    rows = session.execute(
        select(RelatedRecord, Article.related)
        .join(Article, Article.id == RelatedRecord.article_id)
        .order_by(RelatedRecord.published, RelatedRecord.article_id)
    ).all()
    return RelatedIndex.from_records(
        IndexRecord(
            rec.article_id,
            rec.terms,
            tuple(rec.entities),
            _aware(rec.published),
            tuple((int(i), float(sc)) for i, sc in (related or [])),
        )
        for rec, related in rows
    )


def entity_names(session: Session, article_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Tag.name_en)
            .join(ArticleTag, ArticleTag.tag_id == Tag.id)
            .where(ArticleTag.article_id == article_id, Tag.kind.in_(ENTITY_KINDS))
        )
    )


def article_text(article: Article) -> str:
    title = next(
        (s.source for s in article.segments if s.paragraph == TITLE_PARAGRAPH), article.title or ""
    )
    return title + "\n\n" + "\n\n".join(article.paragraphs or [])


def update_related(session: Session, articles: Iterable[Article]) -> set[int]:
    """Add newly published articles to the related index; returns the other articles whose lists changed."""
    articles = list(articles)
    if not articles:
        return set()
    index = load_related_index(session)
    new_ids = {a.id for a in articles}
    changed: set[int] = set()
    for article in articles:
        if article.id in index:
            continue
        published = _aware(article.published_at or datetime.now(UTC))
        changed |= index.add(
            article.id, article_text(article), entity_names(session, article.id), published
        )
        record = index.record(article.id)
        session.merge(
            RelatedRecord(
                article_id=article.id,
                terms=record.terms,
                entities=list(record.entities),
                published=published.replace(tzinfo=None),
            )
        )
    for article_id in changed | new_ids:
        row = session.get(Article, article_id)
        if row is not None:
            row.related = [
                [other, round(score, 4)] for other, score in index.related(article_id, index.keep)
            ]
    return changed - new_ids


# -- tags and quotations ----------------------------------------------------------------------


def store_tags(session: Session, article: Article, tags: Iterable[Any]) -> dict[str, int]:
    """Replace the article's tags; a tag's Arabic name, once set (or edited), is kept. key -> tag id."""
    session.query(ArticleTag).filter(ArticleTag.article_id == article.id).delete()
    ids: dict[str, int] = {}
    for tag in tags:
        alias = session.scalar(select(TagAlias.tag_id).where(TagAlias.alias_key == tag.key))
        row = (
            session.get(Tag, alias)
            if alias
            else session.scalar(select(Tag).where(Tag.key == tag.key))
        )
        if row is None:
            row = Tag(key=tag.key, name_en=tag.name_en, name_ar=tag.name_ar, kind=tag.kind)
            session.add(row)
            session.flush()
        elif not row.name_ar and tag.name_ar:
            row.name_ar = tag.name_ar
        if row.id in ids.values():
            continue
        ids[tag.key] = row.id
        session.add(
            ArticleTag(
                article_id=article.id, tag_id=row.id, score=float(tag.score), source=tag.source
            )
        )
    return ids


def _arabic_quote(article: Article, quote: Any) -> str | None:
    """The Arabic of a quotation: the quoted span of the translated sentence(s) that hold it."""
    import re

    words = set(re.findall(r"\w+", quote.quote.lower()))
    parts = [
        seg.translation or ""
        for seg in article.segments
        if seg.paragraph == quote.paragraph and words & set(re.findall(r"\w+", seg.source.lower()))
    ]
    text = " ".join(p for p in parts if p)
    spans = re.findall(r"[“«\"]([^”»\"]{2,})[”»\"]", text)
    return max(spans, key=len).strip() if spans else (text or None)


def store_quotes(
    session: Session, article: Article, quotes: Iterable[Any], tag_ids: dict[str, int]
) -> int:
    session.query(Quote).filter(Quote.article_id == article.id).delete()
    n = 0
    for q in quotes:
        session.add(
            Quote(
                article_id=article.id,
                paragraph=q.paragraph,
                start=q.start,
                end=q.end,
                speaker=q.speaker,
                verb=q.verb,
                quote=q.quote,
                quote_ar=_arabic_quote(article, q),
                resolved=q.resolved,
                tag_id=tag_ids.get(q.speaker_key) if q.speaker_key else None,
            )
        )
        n += 1
    return n
