"""Checking an article and the editor's actions on it: edit a segment, approve, reject.

The check stage and the editorial UI share these functions, so a re-check after an edit gives
exactly the verdict the pipeline would.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naql.config import Config
from naql.errors import NaqlError
from naql.qa import Finding, Report
from naql.qa.verdict import Thresholds, decide
from naql.store import Article, State
from naql.store.models import MemoryEntry, Segment, utcnow
from naql.translate.glossary import Term, load_glossary, upsert
from naql.translate.relay import memory_key

if TYPE_CHECKING:
    from naql.qa.qe import Estimator

CHECK_TAG = "check"  # findings written by the check stage (translate-time findings are kept)
QE_TAG = "qe"  # findings written by the quality-estimation scorers (naql.qa.qe)


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {**f.as_dict(), "code": f.code or f.check, "by": CHECK_TAG}


def _thresholds(config: Config) -> Thresholds | None:
    values = config["check.thresholds"]
    return Thresholds.from_mapping(values) if values else None


def rule_report(
    session: Session,
    article: Article,
    config: Config,
    glossary: list[Term] | None = None,
) -> Report:
    """The rule checks' report on an article (nothing stored). `glossary`: the editors' terms,
    when the caller has them already (the check stage loads them once per chunk)."""
    from naql.qa import check_segments

    return check_segments(
        [(seg.source, seg.translation or "") for seg in article.segments],
        min_arabic_ratio=config["check.min_arabic_ratio"],
        # Only the terms editors chose are binding; engine-recorded name forms serve consistency.
        glossary=glossary if glossary is not None else load_glossary(session).manual().terms,
        policy=config["check.policy"],
        thresholds=_thresholds(config),
        source_language=article.language or "en",
    )


def apply_checks(
    session: Session,
    article: Article,
    config: Config,
    qe: Estimator | None = None,
    *,
    rules: Report | None = None,
) -> Report:
    """Run the checks on an article, store the findings on its segments, and return the report.

    `qe`: the check stage's quality-estimation scorers; their findings join the verdict and each
    scored segment's scores are stored (`Segment.qe`, the weakest as `Article.qe_score`). Without
    it (an editor's re-check) the scores and QE findings stored before are kept, except on the
    segments an editor wrote. `rules`: the rule report when the caller computed it already.
    """
    segments = list(article.segments)
    report = rules if rules is not None else rule_report(session, article, config)
    per_segment: dict[int, list[dict[str, Any]]] = {}
    article_level: list[dict[str, Any]] = []
    for f in report.findings:
        if f.segment is None:
            article_level.append(_finding_dict(f))
        else:
            per_segment.setdefault(f.segment, []).append(_finding_dict(f))
    qe_findings: list[Finding] = []
    if qe is not None:
        assessment = qe.assess(session, article, report)
        for flag in assessment.flags:
            qe_findings.append(flag.finding)
            assert flag.finding.segment is not None  # QE findings are on segments
            per_segment.setdefault(flag.finding.segment, []).append(flag.as_dict())
        for i, seg in enumerate(segments):
            seg.qe = assessment.records.get(i)
    else:
        for i, seg in enumerate(segments):
            if seg.origin == "editor":
                seg.qe = None
                continue
            for stored in seg.findings or []:
                if stored.get("by") == QE_TAG:
                    qe_findings.append(Finding.from_dict(stored, i))
                    per_segment.setdefault(i, []).append(stored)
    for i, seg in enumerate(segments):
        kept = [f for f in (seg.findings or []) if f.get("by") not in (CHECK_TAG, QE_TAG)]
        seg.findings = (kept + per_segment.get(i, [])) or None
    scores = [float(s.qe["score"]) for s in segments if s.qe and s.qe.get("score") is not None]
    article.qe_score = min(scores) if scores else None
    if qe_findings:
        findings = report.findings + qe_findings
        # Policy "publish" publishes whatever is usable; QE findings never make it unusable.
        verdict = (
            report.verdict
            if config["check.policy"] == "publish"
            else decide(findings, len(segments), _thresholds(config) or Thresholds())
        )
        report = replace(report, findings=findings, verdict=verdict)
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
