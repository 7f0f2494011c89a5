"""What the checks produce: findings on segments, and a document's report with its verdict."""

from __future__ import annotations

from collections import Counter
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

Severity = Literal["info", "warning", "error"]
Verdict = Literal["publish", "review", "reject"]
#: "meaning": what the reader is told changed (numbers, names, omissions, additions, untranslated
#: text, a quotation dropped or its attribution moved into it); counts towards review and reject.
#: "form": how it is written (quote-mark placement, punctuation, spacing); info only, repaired
#: where the source shows what is right, never holds an article.
Kind = Literal["meaning", "form"]
KINDS: tuple[Kind, ...] = ("meaning", "form")

#: Codes that are form, for findings stored before findings had a kind (see `Finding.from_dict`).
FORM_CODES = frozenset(
    {
        "unbalanced-quote",
        "quote-repaired",
        "latin-punctuation",
        "space-before-punctuation",
        "doubled-question-mark",
        "punctuation-only",
    }
)

#: [start, end) character offsets into a segment's source or translation.
Span = tuple[int, int]

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
    kind: Kind = "meaning"
    #: what the finding points at, when the check knows: [start, end) in the segment's source...
    source_span: Span | None = None
    #: ... and in its translation (the editor highlights them)
    target_span: Span | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"finding kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "form" and self.severity != "info":
            raise ValueError(f"a form finding is info, not {self.severity} ({self.code})")

    @property
    def counts_toward_verdict(self) -> bool:
        """Whether it counts towards the verdict: a meaning finding that is a warning or error."""
        return self.kind == "meaning" and self.severity != "info"

    def as_dict(self) -> dict[str, object]:
        """The stored form: check, code, severity, message, message_ar and kind; source_span and
        target_span ([start, end]) only when known."""
        out: dict[str, object] = {
            "check": self.check,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "message_ar": self.message_ar,
            "kind": self.kind,
        }
        if self.source_span is not None:
            out["source_span"] = list(self.source_span)
        if self.target_span is not None:
            out["target_span"] = list(self.target_span)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, object], segment: int | None = None) -> Finding:
        """A finding from its stored form, including those stored before findings had a kind
        (form when its code is one of FORM_CODES, else meaning)."""
        code = str(data.get("code") or "")
        kind = data.get("kind") or ("form" if code in FORM_CODES else "meaning")
        severity = data.get("severity") or "info"
        if kind == "form":
            severity = "info"
        return cls(
            str(data.get("check") or ""),
            severity,  # type: ignore[arg-type]
            str(data.get("message") or ""),
            segment,
            message_ar=str(data.get("message_ar") or ""),
            code=code,
            kind=kind,  # type: ignore[arg-type]
            source_span=_span(data.get("source_span")),
            target_span=_span(data.get("target_span")),
        )


def _span(value: object) -> Span | None:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) for v in value)
    ):
        return (value[0], value[1])
    return None


def kind_of(finding: dict[str, object]) -> Kind:
    """The kind of a stored finding (dicts written before kinds existed have none)."""
    kind = finding.get("kind")
    if kind == "meaning" or kind == "form":
        return kind
    return "form" if finding.get("code") in FORM_CODES else "meaning"


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

    def kinds(self) -> Counter[str]:
        """Findings per kind (meaning, form)."""
        return Counter(f.kind for f in self.findings)

    @property
    def reason(self) -> str:
        """The meaning errors (or, failing those, warnings) in one line, each message once."""
        worst = [f for f in self.findings if f.counts_toward_verdict and f.severity == "error"] or [
            f for f in self.findings if f.counts_toward_verdict and f.severity == "warning"
        ]
        counts = Counter(f.message for f in worst)
        return "; ".join(msg + (f" ({n} segments)" if n > 1 else "") for msg, n in counts.items())


#: The name the pipeline has used since the first, minimal check stage.
Report = DocumentReport
