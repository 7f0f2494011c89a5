"""The check stage's verdict on a translated article: run every check, then decide.

`check_document` is the entry point: a document is a list of (source or None, translation)
segments; checks that need the source skip the segments without one. `check_segments` is the
pipeline's call, kept from the first, minimal check stage.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace

from naql.qa.checks.base import CheckContext
from naql.qa.findings import SEVERITIES, Document, DocumentReport, Finding
from naql.qa.glossary import as_entries
from naql.qa.registry import checks_for
from naql.qa.text import arabic_ratio
from naql.qa.verdict import Policy, Thresholds, decide

log = logging.getLogger(__name__)

__all__ = ["arabic_ratio", "check_document", "check_segments"]


def check_document(
    segments: Sequence[tuple[str | None, str | None]] | Sequence[tuple[str, str]],
    *,
    glossary: Iterable[object] | None = None,
    thresholds: Thresholds | None = None,
    min_arabic_ratio: float = 0.5,
    quote_style: str = "“”",
    source_language: str = "en",
) -> DocumentReport:
    """Findings on every segment of one document, and its verdict (publish, review, reject).

    Only meaning findings count towards the verdict; form findings (quote-mark placement,
    punctuation, spacing) are info. `min_arabic_ratio` is the site's `check.min_arabic_ratio`;
    `quote_style` its `translate.quote_style` (the marks a quote repair would use).
    """
    doc: Document = [(s, t or "") for s, t in segments]
    ctx = CheckContext(
        glossary=as_entries(glossary),
        thresholds=thresholds or Thresholds(),
        min_arabic_ratio=min_arabic_ratio,
        quote_style=quote_style,
        source_language=source_language or "en",
    )
    with_source = any(s is not None for s, _ in doc)
    findings: list[Finding] = []
    for check in checks_for(with_source=with_source):
        findings.extend(check.run(doc, ctx))
    # Worst first within a segment (meaning before form), segments in order, whole-document
    # findings last.
    findings.sort(
        key=lambda f: (
            f.segment is None,
            f.segment or 0,
            -SEVERITIES.index(f.severity),
            f.kind != "meaning",
        )
    )
    verdict = decide(findings, len(doc), ctx.thresholds)
    log.debug("checked %d segments: %s, %d findings", len(doc), verdict, len(findings))
    return DocumentReport(verdict, findings, len(doc))


def check_segments(
    pairs: list[tuple[str, str]],
    *,
    min_arabic_ratio: float = 0.5,
    glossary: Iterable[object] | None = None,
    thresholds: Thresholds | None = None,
    policy: Policy = "publish",
    source_language: str = "en",
) -> DocumentReport:
    """Check (source, translation) pairs of one article and give the verdict the pipeline acts on.

    policy "hold": the verdict of `check_document` (review and reject are held). policy
    "publish" (an unattended site; the default until the site config has `[check] policy`): the
    article is published with its findings kept, unless nothing usable came out (a finding with
    one of `Thresholds.reject_codes`: empty, copied, not Arabic), which is rejected.
    """
    base = thresholds or Thresholds()
    report = check_document(
        list(pairs),
        glossary=glossary,
        thresholds=base,
        min_arabic_ratio=min_arabic_ratio,
        source_language=source_language,
    )
    if policy == "publish" and report.verdict != "publish":
        unusable = any(
            f.counts_toward_verdict and f.severity == "error" and f.code in base.reject_codes
            for f in report.findings
        )
        return replace(report, verdict="reject" if unusable else "publish")
    return report
