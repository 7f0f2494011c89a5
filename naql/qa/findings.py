"""What the checks produce: findings on segments, and a document's report with its verdict."""

from __future__ import annotations

from collections import Counter
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

Severity = Literal["info", "warning", "error"]
Verdict = Literal["publish", "review", "reject"]

#: One segment: (English source or None when it is not available, Arabic translation).
Segment = tuple[str | None, str]
#: A document (an article): its segments in order.
Document = list[Segment]

SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    """One problem found by a check, on one segment (or on the whole document)."""

    check: str  # the defect class: numbers, quotes, names, untranslated, hallucination, ...
    severity: Severity
    message: str  # English
    segment: int | None = None  # index of the segment in its document; None: the whole document
    _: KW_ONLY
    message_ar: str = ""  # the same message in Arabic
    code: str = ""  # what exactly: "number-changed", "split-quote", "glossary", ...

    def as_dict(self) -> dict[str, object]:
        return {
            "check": self.check,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "message_ar": self.message_ar,
        }


@dataclass(frozen=True)
class DocumentReport:
    """The findings on one document and the verdict they lead to."""

    verdict: Verdict
    findings: list[Finding] = field(default_factory=list)
    segments: int = 0

    def for_segment(self, index: int) -> list[Finding]:
        return [f for f in self.findings if f.segment == index]

    @property
    def document_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.segment is None]

    def counts(self) -> Counter[str]:
        """Findings per severity."""
        return Counter(f.severity for f in self.findings)

    @property
    def reason(self) -> str:
        """The errors (or, failing those, the warnings) in one line, each message once."""
        worst = [f for f in self.findings if f.severity == "error"] or [
            f for f in self.findings if f.severity == "warning"
        ]
        counts = Counter(f.message for f in worst)
        return "; ".join(msg + (f" ({n} segments)" if n > 1 else "") for msg, n in counts.items())


#: The name the pipeline has used since the first, minimal check stage.
Report = DocumentReport
