"""The stored state of the relay: sources, articles, their segments and translations.

An article moves through states, one pipeline stage each (see naql.pipeline.stages):

    discovered -> fetched -> extracted -> translated -> ready -> published
                                  |            |          \\-> held (check verdict, or no model
                                  |            |               for the article's language)
                                  \\-> duplicate (same text as an earlier article)
    held -> (editor) -> ready (approved) | rejected
    any stage -> failed (after max attempts; the error is kept)

Every transition is committed with the data it produced, so a crash loses nothing.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class State(enum.StrEnum):
    DISCOVERED = "discovered"
    FETCHED = "fetched"
    EXTRACTED = "extracted"
    TRANSLATED = "translated"
    READY = "ready"
    PUBLISHED = "published"
    HELD = "held"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"  # an editor rejected the translation
    FAILED = "failed"


PENDING_STATES = (State.DISCOVERED, State.FETCHED, State.EXTRACTED, State.TRANSLATED, State.READY)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "feed" | "page"
    title: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    interval: Mapped[int | None] = mapped_column(
        Integer
    )  # seconds, from the feed (ttl / sy:updatePeriod)
    next_check_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_state", "state"),
        Index("ix_articles_content_hash", "content_hash"),
        # Every list page (home, source, day) reads published articles newest first.
        Index("ix_articles_state_published_at", "state", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)  # canonical story URL
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    state: Mapped[str] = mapped_column(String(16), default=State.DISCOVERED.value)
    # What the feed said, before the page was fetched.
    feed_title: Mapped[str | None] = mapped_column(Text)
    feed_published: Mapped[datetime | None] = mapped_column(DateTime)
    # Fetched page (gzip-compressed), then extracted fields.
    html_gz: Mapped[bytes | None] = mapped_column(LargeBinary)
    title: Mapped[str | None] = mapped_column(Text)
    paragraphs: Mapped[list[str] | None] = mapped_column(JSON)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(Text)  # ISO date from the page
    image: Mapped[str | None] = mapped_column(Text)
    videos: Mapped[list[str] | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(16))
    site_name: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Translation and check.
    title_ar: Mapped[str | None] = mapped_column(Text)
    engine: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(16))
    held_reason: Mapped[str | None] = mapped_column(Text)
    # Article-level check findings (those not tied to one segment).
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Quality estimation: the weakest scored segment's score in [0, 1] (low = doubtful; None = not
    # scored), for ordering the review queue weakest first (see naql.qa.qe).
    qe_score: Mapped[float | None] = mapped_column(Float)
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Enrichment: near-duplicate signature, the group's representative, related articles.
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    related: Mapped[list[list[float]] | None] = mapped_column(JSON)  # [[article_id, score], ...]
    # Failures.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bookkeeping.
    slug: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    source: Mapped[Source | None] = relationship(back_populates="articles")
    tag_links: Mapped[list[ArticleTag]] = relationship(
        order_by="ArticleTag.score.desc()", viewonly=True
    )
    quotes: Mapped[list[Quote]] = relationship(
        order_by="(Quote.paragraph, Quote.start)", viewonly=True
    )
    segments: Mapped[list[Segment]] = relationship(
        back_populates="article",
        order_by="(Segment.paragraph, Segment.sentence)",
        cascade="all, delete-orphan",
    )


class Segment(Base):
    """One sentence of an article (paragraph -1 is the title) and its translation."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("article_id", "paragraph", "sentence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    paragraph: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    translation: Mapped[str | None] = mapped_column(Text)
    # Where the translation came from: "engine", "memory" (an approved translation reused) or "editor".
    origin: Mapped[str | None] = mapped_column(String(16))
    # Check findings for this segment: [{"check", "code", "severity", "kind", "message",
    # "message_ar", "by", ...}] (Finding.as_dict; QE findings add "score").
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Quality-estimation scores of this segment ({"score", "confidence", "confidence_rank",
    # "chrf", "back", ...}; see naql.qa.qe); None when it was not scored.
    qe: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    article: Mapped[Article] = relationship(back_populates="segments")


TITLE_PARAGRAPH = -1


class Tag(Base):
    """A person, place, organisation or topic; its key is the canonical English name's slug."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_ar: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # person | place | org | topic
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class TagAlias(Base):
    """Another name of a tag ("U.S." for united-states); editable like tags."""

    __tablename__ = "tag_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    alias_key: Mapped[str] = mapped_column(String(200), unique=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)


class ArticleTag(Base):
    __tablename__ = "article_tags"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[float] = mapped_column(default=0.0)
    # glossary | ner | keywords | editor
    source: Mapped[str] = mapped_column(String(16), default="glossary")

    tag: Mapped[Tag] = relationship(lazy="joined")


class RelatedRecord(Base):
    """What the related-articles index keeps of a published article, to reload it at start-up."""

    __tablename__ = "related_records"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    terms: Mapped[bytes] = mapped_column(LargeBinary)
    entities: Mapped[list[str]] = mapped_column(JSON)
    published: Mapped[datetime] = mapped_column(DateTime)


class Quote(Base):
    """An attributed quotation in an article's source, with its Arabic rendering."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    paragraph: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(Text)
    verb: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text)
    quote_ar: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(default=True)
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="SET NULL"))

    tag: Mapped[Tag | None] = relationship(lazy="joined")


class GlossaryEntry(Base):
    """A source term and its one Arabic form on this site.

    origin "manual" entries come from editors or CSV imports and always win; origin "engine"
    entries record the form the engine first gave a name, so later articles spell it the same way.
    """

    __tablename__ = "glossary"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(512), unique=True)  # normalised term (case-folded)
    arabic: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="other")  # person | place | org | other
    note: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class MemoryEntry(Base):
    """An approved translation of one source sentence, reused instead of calling the engine."""

    __tablename__ = "translation_memory"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the normalised source
    source: Mapped[str] = mapped_column(Text)
    translation: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class User(Base):
    """An editor of the review queue."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class CachedTranslation(Base):
    """What an engine answered for one source segment, so nothing is paid for twice.

    Keyed by (engine name, model, source language, sha256 of the exact text sent): a re-run, a
    re-check or a duplicate story reuses it instead of calling the engine again.
    """

    __tablename__ = "translation_cache"
    __table_args__ = (UniqueConstraint("engine", "model", "language", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(256), default="")
    language: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    translation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class EngineUsage(Base):
    """Characters and requests one engine was sent on one day (UTC): budgets and `naql status`."""

    __tablename__ = "engine_usage"
    __table_args__ = (UniqueConstraint("engine", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[str] = mapped_column(String(128))
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    characters: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    segments: Mapped[int] = mapped_column(Integer, default=0)


class QEStat(Base):
    """One quality-estimation scorer's running score distribution on this site (naql.qa.qe.stats).

    Per (scorer, scoring model, source language, translating engine): the count, Welford's mean and
    sum of squared deviations, and a bounded uniform sample for the quantiles.
    """

    __tablename__ = "qe_stats"
    __table_args__ = (UniqueConstraint("scorer", "model", "language", "engine"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorer: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(256))
    language: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str] = mapped_column(String(256), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    mean: Mapped[float] = mapped_column(Float, default=0.0)
    m2: Mapped[float] = mapped_column(Float, default=0.0)
    sample: Mapped[list[float]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class EditorSession(Base):
    """A signed-in editor's session (naql.web.sessions): the cookie carries only its token, and
    the token's SHA-256 is kept here, so logout, a new password or removing the editor ends it."""

    __tablename__ = "editor_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LoginAttempt(Base):
    """Recent login attempts for one key ("user:NAME" or "addr:IP"), for the back-off
    (naql.web.throttle): attempts in the current window and when the next one is allowed."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
