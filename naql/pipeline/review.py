"""Checking an article and the editor's actions on it: edit a segment, approve, reject.

The check stage and the editorial UI share these functions, so a re-check after an edit gives
exactly the verdict the pipeline would.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from naql.config import Config
from naql.errors import NaqlError
from naql.qa import Finding, Report
from naql.qa.verdict import Thresholds
from naql.store import Article, State
from naql.store.models import MemoryEntry, Segment, utcnow
from naql.translate.glossary import Term, load_glossary, upsert
from naql.translate.relay import memory_key

CHECK_TAG = "check"  # findings written by the check stage (translate-time findings are kept)


def _finding_dict(f: Finding) -> dict[str, str]:
    return {
        "check": f.check,
        "code": f.code or f.check,
        "severity": f.severity,
        "message": f.message,
        "message_ar": f.message_ar,
        "by": CHECK_TAG,
    }


def apply_checks(session: Session, article: Article, config: Config) -> Report:
    """Run the checks on an article, store the findings on its segments, and return the report."""
    from naql.qa import check_segments

    segments = list(article.segments)
    report = check_segments(
        [(seg.source, seg.translation or "") for seg in segments],
        min_arabic_ratio=config["check.min_arabic_ratio"],
        # Only the terms editors chose are binding; engine-recorded name forms serve consistency.
        glossary=load_glossary(session).manual().terms,
        policy=config["check.policy"],
        thresholds=Thresholds.from_mapping(config["check.thresholds"])
        if config["check.thresholds"]
        else None,
    )
    per_segment: dict[int, list[dict[str, str]]] = {}
    article_level: list[dict[str, str]] = []
    for f in report.findings:
        if f.segment is None:
            article_level.append(_finding_dict(f))
        else:
            per_segment.setdefault(f.segment, []).append(_finding_dict(f))
    for i, seg in enumerate(segments):
        kept = [f for f in (seg.findings or []) if f.get("by") != CHECK_TAG]
        seg.findings = (kept + per_segment.get(i, [])) or None
    article.findings = article_level or None
    article.verdict = report.verdict
    return report


def _editable(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NaqlError(f"no article {article_id}")
    if article.state not in (
        State.HELD.value,
        State.READY.value,
        State.PUBLISHED.value,
        State.REJECTED.value,
    ):
        raise NaqlError(
            f"article {article_id} is {article.state}: only translated articles can be reviewed"
        )
    return article


def edit_segment(
    session: Session,
    config: Config,
    article_id: int,
    segment_id: int,
    translation: str,
    *,
    editor: str,
    glossary_term: tuple[str, str, str] | None = None,
) -> Report:
    """Replace one segment's translation (optionally adding a glossary entry), then re-check."""
    article = _editable(session, article_id)
    segment = session.get(Segment, segment_id)
    if segment is None or segment.article_id != article.id:
        raise NaqlError(f"article {article_id} has no segment {segment_id}")
    text = " ".join(translation.split())
    if not text:
        raise NaqlError("the translation cannot be empty")
    segment.translation, segment.origin = text, "editor"
    if glossary_term and glossary_term[0].strip() and glossary_term[1].strip():
        term, arabic, kind = glossary_term
        upsert(session, Term(term, arabic, kind or "other", f"added by {editor} while reviewing"))
    if segment.paragraph == -1:
        article.title_ar = text
    session.flush()
    return apply_checks(session, article, config)


def approve(session: Session, article_id: int, *, editor: str) -> Article:
    """Approve an article: its segments join the translation memory and it is published next."""
    article = _editable(session, article_id)
    for seg in article.segments:
        if not seg.translation:
            raise NaqlError(f"segment {seg.id} has no translation: edit it before approving")
        key = memory_key(seg.source)
        entry = session.scalar(select(MemoryEntry).where(MemoryEntry.key == key))
        if entry is None:
            session.add(
                MemoryEntry(
                    key=key, source=seg.source, translation=seg.translation, approved_by=editor
                )
            )
        else:
            entry.translation, entry.approved_by = seg.translation, editor
    article.reviewed_by, article.reviewed_at = editor, utcnow()
    article.held_reason = None
    article.state = State.READY.value
    return article


def reject(session: Session, article_id: int, *, editor: str, reason: str = "") -> Article:
    article = _editable(session, article_id)
    article.reviewed_by, article.reviewed_at = editor, utcnow()
    article.state = State.REJECTED.value
    article.held_reason = f"rejected by {editor}" + (f": {reason}" if reason else "")
    return article
