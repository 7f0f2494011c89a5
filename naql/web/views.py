"""What the editor's pages show: an article's summary, the queue in its order, marked segments.

The queue puts the weakest articles first: rejected before sent to review, then the most meaning
errors, then the most meaning warnings, then the lowest quality-estimation score where one was
computed, then the oldest. Form findings (punctuation, quote marks) never move an article up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from naql.qa.findings import kind_of
from naql.store import Article, State
from naql.store.models import Segment
from naql.web.marks import excerpt, highlight, marks_for, message_of, severity_of, span_of

VERDICT_RANK = {"reject": 0, "review": 1}


def _findings(article: Article) -> list[dict[str, Any]]:
    return [f for seg in article.segments for f in (seg.findings or [])] + list(
        article.findings or []
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def qe_score(article: Article) -> float | None:
    """The article's quality-estimation score (its weakest segment's, in [0, 1], low = doubtful),
    where the check stage computed one."""
    return _number(getattr(article, "qe_score", None))


def segment_qe_score(segment: Segment) -> float | None:
    """A segment's quality-estimation score, where it was scored (stored in `Segment.qe`)."""
    record = getattr(segment, "qe", None)
    return _number(record.get("score")) if isinstance(record, dict) else None


def summary(article: Article) -> dict[str, Any]:
    """An article as the queue and its page show it, with its findings counted by kind."""
    findings = _findings(article)
    meaning = [f for f in findings if kind_of(f) == "meaning"]
    return {
        "id": article.id,
        "title": article.title or article.url,
        "title_ar": article.title_ar or "",
        "url": article.url,
        "site": article.site_name or "",
        "state": article.state,
        "verdict": article.verdict or "",
        "reason": article.held_reason or "",
        "engine": article.engine or "",
        "model": article.model or "",
        "reviewed_by": article.reviewed_by or "",
        "errors": sum(1 for f in findings if f.get("severity") == "error"),
        "warnings": sum(1 for f in findings if f.get("severity") == "warning"),
        "meaning_errors": sum(1 for f in meaning if f.get("severity") == "error"),
        "meaning_warnings": sum(1 for f in meaning if f.get("severity") == "warning"),
        "form": len(findings) - len(meaning),
        "qe_score": qe_score(article),
        "created_at": article.created_at,
    }


def queue_key(item: dict[str, Any]) -> tuple[Any, ...]:
    """Weakest first: verdict, meaning errors, meaning warnings, QE score (unscored last), age."""
    score = item["qe_score"]
    return (
        VERDICT_RANK.get(item["verdict"], len(VERDICT_RANK)),
        -item["meaning_errors"],
        -item["meaning_warnings"],
        score is None,
        score if score is not None else 0.0,
        item["created_at"] or datetime.min,
        item["id"],
    )


def review_queue(session: Session) -> list[dict[str, Any]]:
    """The held articles, summarised, weakest first."""
    held = session.scalars(
        select(Article)
        .where(Article.state == State.HELD.value)
        .options(selectinload(Article.segments))
    )
    return sorted((summary(a) for a in held), key=queue_key)


def neighbours(queue: list[dict[str, Any]], article_id: int) -> tuple[int | None, int | None, int]:
    """(previous id, next id, 1-based position) of an article in the queue; an article not in
    the queue has no previous, the queue's first as next, and position 0."""
    ids = [item["id"] for item in queue]
    if article_id not in ids:
        return None, (ids[0] if ids else None), 0
    i = ids.index(article_id)
    return (
        ids[i - 1] if i > 0 else None,
        ids[i + 1] if i + 1 < len(ids) else None,
        i + 1,
    )


def finding_view(f: dict[str, Any], source: str, translation: str) -> dict[str, Any]:
    """A finding as the page lists it, with the text its spans point at."""
    return {
        "check": str(f.get("check") or ""),
        "severity": severity_of(f),
        "kind": kind_of(f),
        "message": str(f.get("message") or ""),
        "message_ar": message_of(f),
        "score": _number(f.get("score")),
        "source_text": excerpt(source, span_of(f, "source_span")),
        "target_text": excerpt(translation, span_of(f, "target_span")),
    }


def segment_view(seg: Segment) -> dict[str, Any]:
    """A segment with both sides marked where its findings point."""
    findings = list(seg.findings or [])
    translation = seg.translation or ""
    target_marks = marks_for(findings, "target_span")
    return {
        "id": seg.id,
        "paragraph": seg.paragraph,
        "source": seg.source,
        "source_marked": highlight(seg.source, marks_for(findings, "source_span")),
        "translation": translation,
        "translation_marked": highlight(translation, target_marks) if target_marks else None,
        "origin": seg.origin or "",
        "qe_score": segment_qe_score(seg),
        "findings": [finding_view(f, seg.source, translation) for f in findings],
    }
