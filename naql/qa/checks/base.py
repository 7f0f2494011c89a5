"""The interface every check implements, and small helpers for writing one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from naql.qa.findings import Document, Finding, Kind, Severity, Span
from naql.qa.glossary import GlossaryEntry
from naql.qa.verdict import Thresholds


@dataclass(frozen=True)
class CheckContext:
    """What a check may use besides the document: the site's glossary, thresholds, the share of
    Arabic letters a translation must have (`check.min_arabic_ratio`) and the site's quotation
    marks (`translate.quote_style`)."""

    glossary: list[GlossaryEntry] = field(default_factory=list)
    thresholds: Thresholds = field(default_factory=Thresholds)
    min_arabic_ratio: float = 0.5
    quote_style: str = "“”"
    #: the source's language (ISO 639-1): how its numbers are written
    source_language: str = "en"


CheckFunction = Callable[[Document, CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    """A named check over a document. `needs_source`: skipped on segments without a source."""

    name: str
    run: CheckFunction
    needs_source: bool
    summary: str


def paired(doc: Document) -> Iterator[tuple[int, str, str]]:
    """(index, source, translation) for the segments that have a source."""
    for i, (source, target) in enumerate(doc):
        if source is not None:
            yield i, source, target


def locate(text: str, part: str) -> tuple[int, int] | None:
    """[start, end) of the first occurrence of `part` in `text`, or None."""
    k = text.find(part) if part else -1
    return (k, k + len(part)) if k >= 0 else None


def finding(
    check: str,
    code: str,
    severity: Severity,
    segment: int | None,
    en: str,
    ar: str,
    *,
    kind: Kind = "meaning",
    source_span: Span | None = None,
    target_span: Span | None = None,
) -> Finding:
    return Finding(
        check,
        severity,
        en,
        segment,
        message_ar=ar,
        code=code,
        kind=kind,
        source_span=source_span,
        target_span=target_span,
    )
