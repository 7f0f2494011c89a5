"""Quotations: what was quoted stays quoted, and no attribution lands inside a quotation.

The marks are read over the whole document (naql.qa.quoting): a quotation may run over several
sentences and paragraphs, nest, and re-open at each paragraph as news writes it. Meaning
(counts towards the verdict):

- split-quote (error): a quotation that opens, gets attribution text (وقال بلينكين للصحفيين) in
  the middle of its sentence and opens again without closing, or holds the attribution inside it
  (`“...، قال المتحدث، ...”`) when the source's quotation does not: the machine moved
  `"...," Blinken told reporters, "..."` into the quote, and the reader is told the speaker said
  it;
- quote-dropped (warning): a quotation of four words or more in the source has no counterpart
  among the translation's quotations (aligned by length; merged quotations and quoted names the
  translator added are fine): the quotation became the outlet's own words.

Form (info, never holds an article): with the source, the marks are first repaired as the
pipeline does (`repair_document`; quote-repaired says what it would change); marks that still do
not pair up are unbalanced-quote. Translators add quotes around names and merge two quotations
of one speaker into one: neither is a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from naql.qa.align import align
from naql.qa.checks.base import Check, CheckContext, finding
from naql.qa.findings import Document, Finding
from naql.qa.quote_repair import repair_document
from naql.qa.quoting import (
    ENGLISH_ATTRIBUTION,
    SegmentQuotes,
    is_attribution,
    quotations,
    read_document,
)
from naql.qa.text import fold_letters

NAME = "quotes"
MIN_DROPPED_WORDS = 4  # a quotation this long in the source must stay a quotation


def _inner_attribution(text: str, start: int, end: int) -> Iterator[int]:
    """Attribution verbs inside a quotation, introduced as a clause of their own: `، قال` or `وقال`
    after at least two quoted words and followed by at least two more (the speaker, the quote)."""
    inside = text[start + 1 : end]
    words = list(re.finditer(r"\w+", inside))
    for k, w in enumerate(words):
        if k < 2 or len(words) - k < 3 or not is_attribution(w.group()):
            continue
        folded = fold_letters(w.group())
        gap = inside[words[k - 1].end() : w.start()]
        if folded[:1] in "وف" and is_attribution(folded[1:]) or re.search("[،,]", gap):
            yield start + 1 + w.start()


def _source_quotes_attribution(source: str, sq: SegmentQuotes) -> bool:
    """The source's own quotation holds a verb of saying (he told me, "..." said she)."""
    return any(ENGLISH_ATTRIBUTION.search(source[a + 1 : b]) for a, b, _ in sq.spans)


def dropped_quotation(
    source: str, sq: SegmentQuotes, target: str, tq: SegmentQuotes
) -> tuple[int, int] | None:
    """A quotation of the source (four words or more) that nothing quoted in the translation
    accounts for: the quotations of both sides are aligned by length as sentences are
    (naql.qa.align: a quotation may be merged with the next, or a quoted name added); one left
    without a counterpart was dropped. Its span in the source, or None. Not judged when the
    translation's marks do not pair up (what it quotes cannot be read)."""
    src = quotations(source, sq, continued=False)  # judged where it opened
    if tq.problems or not any(_words(source, a, b) >= MIN_DROPPED_WORDS for a, b in src):
        return None
    tgt = quotations(target, tq)
    for bead in align([source[a:b] for a, b in src], [target[a:b] for a, b in tgt]):
        if not bead.target:
            a, b = src[bead.source[0]]
            if _words(source, a, b) >= MIN_DROPPED_WORDS:
                return (a, b)
    return None


def _words(text: str, a: int, b: int) -> int:
    return len(re.findall(r"\w+", text[a:b]))


def _outer_quotations(sq: SegmentQuotes) -> int:
    return sum(1 for e in sq.events if e.depth == 0 and e.role != "close")


def check_quotes(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    targets = [t for _, t in doc]
    with_source = all(s is not None for s, _ in doc)
    sources = [s or "" for s, _ in doc]
    raw = read_document(targets)
    if with_source:
        repaired, repairs = repair_document(doc, ctx.quote_style)
        # Their target spans point into the repaired text, which this check does not store: the
        # finding says what a repair would change, with the source span only.
        yield from (replace(f, target_span=None) for f in repairs)
        read = read_document(repaired) if repaired != targets else raw
        src: list[SegmentQuotes] | None = read_document(sources, english=True)
    else:
        repaired, read, src = targets, raw, None
    for i, target in enumerate(targets):
        sq = src[i] if src is not None else None
        split = list(raw[i].splits)
        if sq is not None and _outer_quotations(sq) < 2:
            # the source quotes on without a break here: no closing mark was left out
            split += raw[i].reopens
        if sq is None or not _source_quotes_attribution(sources[i], sq):
            split += [p for a, b, _ in raw[i].spans for p in _inner_attribution(target, a, b)]
        if split:
            yield _split_finding(i, min(split))
            continue
        dropped = dropped_quotation(sources[i], sq, repaired[i], read[i]) if sq else None
        if dropped is not None:
            yield finding(
                NAME,
                "quote-dropped",
                "warning",
                i,
                "the source quotes someone here; the translation does not quote it",
                "في الأصل اقتباس لا تظهر علاماته في الترجمة",
                source_span=dropped,
            )
            continue
        problems = read[i].problems - (sq.problems if sq is not None else set())
        if problems:
            yield finding(
                NAME,
                "unbalanced-quote",
                "info",
                i,
                "quotation marks do not pair up",
                "علامات التنصيص غير متوازنة",
                kind="form",
            )


def _split_finding(i: int, pos: int) -> Finding:
    return finding(
        NAME,
        "split-quote",
        "error",
        i,
        "a quotation is split by its attribution (who said it landed inside the quote)",
        "اقتباس مقطوع بنسبته إلى قائله (عبارة القائل داخل علامات التنصيص)",
        target_span=(pos, pos + 1),
    )


CHECKS = [
    Check(
        NAME,
        check_quotes,
        False,
        "quoted text stays quoted; no attribution inside a quotation (marks repaired, info)",
    ),
]
