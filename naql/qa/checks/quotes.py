"""Quotations: marks that pair up, and a quotation not split by its attribution.

Marks are normalised first: “ ” " « » „ ‟ are one kind of mark whose role (opening or closing)
is read from the characters around it, because Arabic text mixes ” and " as openers. Quoted spans
are not counted against the source (translators add quotes around names); what is checked:

- the marks of a segment pair up, or the quote goes on in the next segment just as it does in the
  source (a quotation of several sentences);
- a quotation that opens, gets attribution text (وقال بلينكين للصحفيين) and opens again without
  closing, or holds the attribution inside it, was split by the translation (the machine moved
  `"...," Blinken told reporters, "..."` into the quote);
- a quotation of four words or more in the source whose marks vanished from the translation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from naql.qa.checks.base import Check, CheckContext, finding
from naql.qa.findings import Document, Finding
from naql.qa.text import fold_letters, strip_marks

NAME = "quotes"
OPENERS, CLOSERS, EITHER = "«„‚", "»", '"“”‟″'
SINGLE = "‘’"

Role = Literal["open", "close", "either"]


@dataclass(frozen=True)
class Mark:
    pos: int
    role: Role


_ATTRIBUTION_VERBS = {
    fold_letters(v)
    for v in (
        "قال", "قالت", "يقول", "تقول", "أضاف", "أضافت", "يضيف", "تضيف", "صرح", "صرحت", "أوضح",
        "أوضحت", "تابع", "تابعت", "أكد", "أكدت", "ذكر", "ذكرت", "أشار", "أشارت", "أعلن",
        "أعلنت", "أفاد", "أفادت", "أخبر", "أخبرت", "أردف", "أردفت", "قائلا", "قائلة", "مضيفا",
        "مضيفة", "متابعا", "متابعة", "موضحا", "موضحة", "مؤكدا", "مؤكدة", "أبلغ", "أبلغت",
    )
}  # fmt: skip
_EN_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|added|asked|explained|wrote|stated|according to|continued|noted)\b"
)
_PROCLITIC_MARK = set("وفبلك")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


def marks(text: str, *, singles: bool = True) -> list[Mark]:
    """The quotation marks of `text` with the role their surroundings give them (‘ ’ too when
    `singles`, except as apostrophes)."""
    chars = OPENERS + CLOSERS + EITHER + (SINGLE if singles else "")
    out = []
    for i, ch in enumerate(text):
        if ch not in chars:
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if ch in SINGLE and (
            _is_word_char(prev) and _is_word_char(nxt) or prev.isalpha() and prev.isascii()
        ):
            continue  # an apostrophe: King’s, Barça’s
        if ch in OPENERS:
            out.append(Mark(i, "open"))
        elif ch in CLOSERS:
            out.append(Mark(i, "close"))
        else:
            out.append(Mark(i, _role(text, i, prev, nxt)))
    return out


def _role(text: str, i: int, prev: str, nxt: str) -> Role:
    before_space = prev.isspace() or prev in "([{:—-–،,;؛"
    after_word = _is_word_char(nxt) or nxt in "(«"
    if before_space and after_word:
        return "open"
    if (
        _is_word_char(prev)
        and (i >= 2 and not _is_word_char(text[i - 2]) and prev in _PROCLITIC_MARK)
        and after_word
    ):
        return "open"  # و"ومستر روجرز: a conjunction attached to the quote
    if (_is_word_char(prev) or prev in ".!?؟،,;:)…") and not after_word:
        return "close"
    if before_space and nxt in ".،,!?؟؛;:)":
        return "close"  # ضرورية “. (a machine's space before the closing mark)
    return "either"


@dataclass
class QuoteWalk:
    """What walking the marks of a document found, per segment index."""

    problems: dict[int, set[str]]  # stray-close, reopen, unclosed
    splits: dict[int, int]  # quotations re-opened after attribution text
    counts: list[int]  # marks per segment
    spans: dict[int, list[tuple[int, int]]]  # paired quotations within a segment


def walk(texts: list[str], *, singles: bool = True) -> QuoteWalk:
    """Pair the marks of consecutive segments: a quotation may run over several sentences."""
    result = QuoteWalk(defaultdict(set), defaultdict(int), [], defaultdict(list))
    open_at: tuple[int, int] | None = None  # (segment, position) of the open quotation
    for i, raw in enumerate(texts):
        text = strip_marks(raw)
        ms = marks(text, singles=singles)
        result.counts.append(len(ms))
        for mark in ms:
            if open_at is None:
                if mark.role == "close":
                    result.problems[i].add("stray-close")
                else:
                    open_at = (i, mark.pos)
                continue
            seg, pos = open_at
            if mark.role != "open":
                if seg == i:
                    result.spans[i].append((pos, mark.pos))
                open_at = None
                continue
            if seg == i and _has_attribution(text[pos + 1 : mark.pos]):
                result.splits[i] += 1
            elif seg == i:
                result.problems[i].add("reopen")
            elif text[: mark.pos].strip():
                result.problems[seg].add("unclosed")
            # else: a quotation of several paragraphs re-opens at each one: fine
            open_at = (i, mark.pos)
    if open_at is not None:
        result.problems[open_at[0]].add("unclosed")
    return result


def _has_attribution(between: str) -> bool:
    words = re.findall(r"\w+", between)
    return any(_is_attribution(w) for w in words)


def _is_attribution(word: str) -> bool:
    w = fold_letters(word)
    return w in _ATTRIBUTION_VERBS or (w[:1] in "وف" and w[1:] in _ATTRIBUTION_VERBS)


def _inner_attribution(text: str, start: int, end: int) -> Iterator[int]:
    """Attribution verbs inside a quotation, introduced as a clause of their own: `، قال` or `وقال`
    after at least two quoted words and followed by at least two more (the speaker, the quote)."""
    inside = text[start + 1 : end]
    words = list(re.finditer(r"\w+", inside))
    for k, w in enumerate(words):
        if k < 2 or len(words) - k < 3 or not _is_attribution(w.group()):
            continue
        folded = fold_letters(w.group())
        gap = inside[words[k - 1].end() : w.start()]
        if (folded[:1] in "وف" and folded[1:] in _ATTRIBUTION_VERBS) or re.search("[،,]", gap):
            yield start + 1 + w.start()


def _long_passages(source: str) -> int:
    """Quotations of four words or more in the English source."""
    return sum(1 for p in re.findall(r"[\"“]([^\"”“]+)[\"”]", source) if len(p.split()) >= 4)


def check_quotes(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    targets = [strip_marks(t) for _, t in doc]
    tw = walk(targets)
    with_source = all(s is not None for s, _ in doc)
    sw = walk([s or "" for s, _ in doc], singles=False) if with_source else None
    for i, (source, _) in enumerate(doc):
        inner = [p for a, b in tw.spans.get(i, []) for p in _inner_attribution(targets[i], a, b)]
        if tw.splits.get(i) or inner:
            yield _split_finding(i)
        if sw is None or source is None:
            if tw.problems.get(i):
                yield _unbalanced(i, "warning")
            continue
        odd, src_odd = tw.counts[i] % 2, sw.counts[i] % 2
        if odd and not src_odd:
            yield _unbalanced(i, "error" if sw.counts[i] else "warning")
        elif tw.problems.get(i, set()) - sw.problems.get(i, set()) and not tw.splits.get(i):
            yield _unbalanced(i, "warning")
        elif len(tw.spans.get(i, [])) < _long_passages(source) and not tw.problems.get(i):
            yield finding(
                NAME,
                "quote-dropped",
                "warning",
                i,
                "the source quotes someone here; the translation has fewer quotations",
                "في الأصل اقتباس لا تظهر علاماته في الترجمة",
            )


def _unbalanced(i: int, severity: Literal["warning", "error"]) -> Finding:
    return finding(
        NAME,
        "unbalanced-quote",
        severity,
        i,
        "quotation marks do not pair up",
        "علامات التنصيص غير متوازنة",
    )


def _split_finding(i: int) -> Finding:
    return finding(
        NAME,
        "split-quote",
        "error",
        i,
        "a quotation is split by its attribution (who said it landed inside the quote)",
        "اقتباس مقطوع بنسبته إلى قائله (عبارة القائل داخل علامات التنصيص)",
    )


CHECKS = [
    Check(
        NAME, check_quotes, False, "quotation marks pair up; no quotation split by its attribution"
    ),
]
