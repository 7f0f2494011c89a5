"""From findings to a verdict: publish, review or reject, by thresholds a site can override."""

from __future__ import annotations

from dataclasses import dataclass, field

from naql.qa.findings import Finding, Verdict


@dataclass(frozen=True)
class Thresholds:
    """When an article is held for review or rejected, and the knobs of the checks.

    `review`: an editor must look before it is published; `reject`: retranslate, do not publish.
    """

    #: this many warnings (any check) send the article to review
    review_warnings: int = 1
    #: this many errors send it to review (an error is never published unseen)
    review_errors: int = 1
    #: this many errors reject it...
    reject_errors: int = 5
    #: ...or errors on at least this share of its segments (when it has 3 segments or more)
    reject_error_share: float = 0.34
    #: a single error with one of these codes rejects it (nothing usable was produced)
    reject_codes: frozenset[str] = field(
        default_factory=lambda: frozenset({"empty", "copied", "script", "not-translated"})
    )
    #: share of letters that must be Arabic script (the `script` check)
    min_arabic_ratio: float = 0.5
    #: length-ratio outliers: z-score (log length ratio, see hallucination.py) for a warning
    length_z: float = 3.2


def decide(findings: list[Finding], segments: int, thresholds: Thresholds) -> Verdict:
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity == "warning"]
    if any(f.code in thresholds.reject_codes for f in errors):
        return "reject"
    if len(errors) >= thresholds.reject_errors:
        return "reject"
    error_segments = {f.segment for f in errors if f.segment is not None}
    if segments >= 3 and len(error_segments) >= thresholds.reject_error_share * segments:
        return "reject"
    if len(errors) >= thresholds.review_errors or len(warnings) >= thresholds.review_warnings:
        return "review"
    return "publish"
