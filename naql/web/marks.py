"""The text a finding points at, marked: <mark> around each finding's span, everything escaped.

A finding may carry `source_span` / `target_span`, [start, end) character offsets into its
segment's source or translation. Spans come from stored data and the text from the web, so
neither is trusted: a span that is not two integers is ignored, one out of range is clipped, and
overlapping spans never nest: the text is cut at every span boundary and each run of characters
covered by the same findings becomes one <mark> (the worst severity gives its colour, every
finding's message its title). The result is built from escaped pieces with markupsafe; the raw
text is never marked safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape

from naql.qa.findings import kind_of

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    severity: str
    kind: str
    message: str


def severity_of(finding: Mapping[str, object]) -> str:
    severity = finding.get("severity")
    return str(severity) if severity in SEVERITY_RANK else "info"


def span_of(finding: Mapping[str, object], key: str) -> tuple[int, int] | None:
    """The finding's span under `key` when it is two integers (start <= end), else None."""
    value = finding.get(key)
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    start, end = value
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        return None
    return (start, end) if start <= end else None


def message_of(finding: Mapping[str, object]) -> str:
    return str(finding.get("message_ar") or finding.get("message") or finding.get("check") or "")


def marks_for(findings: Iterable[Mapping[str, object]], key: str) -> list[Mark]:
    """The marks that `findings` put on one side: key is "source_span" or "target_span"."""
    marks = []
    for f in findings:
        span = span_of(f, key)
        if span is not None:
            marks.append(Mark(span[0], span[1], severity_of(f), kind_of(dict(f)), message_of(f)))
    return marks


def excerpt(text: str, span: tuple[int, int] | None, limit: int = 80) -> str:
    """The text a span covers, clipped to the text and shortened to `limit` characters."""
    if span is None:
        return ""
    piece = text[max(0, span[0]) : max(0, min(len(text), span[1]))]
    return piece if len(piece) <= limit else piece[: limit - 1] + "…"


def highlight(text: str, marks: Sequence[Mark]) -> Markup:
    """`text`, escaped, with each run covered by the same marks wrapped in one <mark>."""
    n = len(text)
    spans = [(max(0, m.start), min(n, m.end), m) for m in marks]
    spans = [(a, b, m) for a, b, m in spans if a < b]
    if not spans:
        return escape(text)
    cuts = sorted({0, n, *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
    out: list[Markup] = []
    run_start = 0  # where the current run of characters began, and the marks covering it:
    run_marks: list[Mark] = []
    for a, b in pairwise(cuts):
        covering = [m for s, e, m in spans if s <= a and b <= e]
        if covering != run_marks:
            out.append(_piece(text[run_start:a], run_marks))
            run_start, run_marks = a, covering
    out.append(_piece(text[run_start:], run_marks))
    return Markup("").join(out)


def _piece(text: str, marks: list[Mark]) -> Markup:
    if not marks or not text:
        return escape(text)
    severity = max((m.severity for m in marks), key=SEVERITY_RANK.__getitem__)
    kind = "meaning" if any(m.kind == "meaning" for m in marks) else "form"
    title = "\n".join(dict.fromkeys(m.message for m in marks if m.message))
    return Markup('<mark class="mark-{} mark-{}" title="{}">{}</mark>').format(
        severity, kind, title, text
    )


__all__ = ["Mark", "excerpt", "highlight", "marks_for", "message_of", "severity_of", "span_of"]
