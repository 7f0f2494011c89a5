"""Hallucination and omission: output that is empty, copied, looping, too long, too short, or
holds text the source does not have.

Length ratio: on the 997 human pairs of FLORES-200 dev, log(Arabic word characters / English
word characters) has mean -0.148 and a spread that shrinks with length: variance
0.0039 + 2.08 / (English word characters), fitted on those pairs (naql.qa.align). A segment
further than `Thresholds.length_z` (3.5) standard deviations from the mean is an outlier (none of
the 997 human pairs is). A segment of several sentences is aligned sentence by sentence by length
(Gale & Church): a source sentence that nothing in the translation accounts for is an omission, a
translated sentence that nothing in the source accounts for an addition.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from naql.qa.align import align, length_z, word_chars
from naql.qa.checks.base import Check, CheckContext, finding, locate, paired
from naql.qa.checks.leftovers import ADDED_PHRASES, comparable
from naql.qa.findings import Document, Finding
from naql.qa.text import arabic_sentences, english_sentences, normalize_arabic

NAME = "hallucination"

MIN_SOURCE_CHARS = 20  # below this the ratio says nothing
MIN_SENTENCE_CHARS = 12  # a missing or added "sentence" shorter than this is noise


def check_empty_copied(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    for i, source, target in paired(doc):
        if source.strip() and any(c.isalnum() for c in source) and not target.strip():
            yield finding(NAME, "empty", "error", i, "empty translation", "ترجمة فارغة")
        elif not source.strip() and target.strip():
            yield finding(
                NAME,
                "added",
                "warning",
                i,
                "translation of an empty source line",
                "ترجمة لسطر فارغ في الأصل",
            )
        elif " ".join(target.split()) == " ".join(source.split()) and _translatable(source):
            yield finding(
                NAME,
                "copied",
                "error",
                i,
                "translation identical to the source",
                "الترجمة مطابقة للأصل",
            )
    if doc and any((s or "").strip() for s, _ in doc) and not any(t.strip() for _, t in doc):
        yield finding(
            NAME,
            "empty",
            "error",
            None,
            "the article has no translated text",
            "المقال بلا نص مترجم",
        )


def _translatable(source: str) -> bool:
    """Text a translation must change: words, not only names, acronyms or numbers (NATO, 2021)."""
    words = re.findall(r"[A-Za-z]+", source)
    return len([w for w in words if any(c.islower() for c in w)]) >= 2 or len("".join(words)) >= 12


# -- repetition loops --------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """Words and punctuation marks of `text`, harakat removed."""
    return tuple(re.findall(r"\w+|[^\w\s]", normalize_arabic(text)))


def repetition(words: tuple[str, ...]) -> tuple[str, int] | None:
    """The longest phrase repeated back to back (3 times for 1-2 words or numbers, twice for 3
    words or more), or a phrase of 8 words or more said twice in one segment: (phrase, times)."""
    n_words = len(words)
    for n in range(min(12, n_words // 2), 0, -1):
        for i in range(0, n_words - 2 * n + 1):
            gram = words[i : i + n]
            times = 1
            while words[i + times * n : i + (times + 1) * n] == gram:
                times += 1
            if not any(w.isalnum() for w in gram):
                continue  # ... or !!!: punctuation, see _PUNCTUATION_LOOP
            need = 3 if n <= 2 or all(w.isdigit() or not w.isalnum() for w in gram) else 2
            if times >= need:
                return " ".join(gram), times
    seen: dict[tuple[str, ...], int] = {}
    words = tuple(w for w in words if w.isalnum())
    for i in range(len(words) - 7):
        gram = words[i : i + 8]
        if gram in seen and seen[gram] + 8 <= i:
            return " ".join(gram), 2
        seen.setdefault(gram, i)
    return None


_PUNCTUATION_LOOP = re.compile(r"([،,؛;:])(?:\s*\1){2,}")


def check_repetition(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    for i, (source, target) in enumerate(doc):
        found = repetition(tokens(target))
        if not found:
            loop = _PUNCTUATION_LOOP.search(target)
            found = (loop.group(1), loop.group().count(loop.group(1))) if loop else None
        if not found:
            continue
        phrase, times = found
        if source is not None:
            echo = repetition(tokens(source.lower()))
            if echo and echo[1] >= times:
                continue  # the source repeats itself as much
        yield finding(
            NAME,
            "repetition",
            "error",
            i,
            f"phrase repeated {times} times: {phrase[:60]}",
            f"عبارة مكررة {times} مرات: {phrase[:60]}",
        )


# -- length ratio and sentence alignment ------------------------------------------------------


def check_length(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    limit = ctx.thresholds.length_z
    for i, source, target in paired(doc):
        n_src, n_tgt = word_chars(source), word_chars(target)
        if n_src < MIN_SOURCE_CHARS or n_tgt == 0:
            continue
        src_sentences, tgt_sentences = english_sentences(source), arabic_sentences(target)
        if len(src_sentences) > 1 or len(tgt_sentences) > 1:
            beads = align(src_sentences, tgt_sentences)
            missing = [
                src_sentences[b.source[0]]
                for b in beads
                if not b.target and word_chars(src_sentences[b.source[0]]) >= MIN_SENTENCE_CHARS
            ]
            added = [
                tgt_sentences[b.target[0]]
                for b in beads
                if not b.source and word_chars(tgt_sentences[b.target[0]]) >= MIN_SENTENCE_CHARS
            ]
            if missing:
                yield finding(
                    NAME,
                    "omission",
                    "warning",
                    i,
                    f"a sentence of the source seems missing: {missing[0][:60]}",
                    f"يبدو أن جملة من الأصل ناقصة: {missing[0][:60]}",
                    source_span=locate(source, missing[0]),
                )
                continue
            if added:
                yield finding(
                    NAME,
                    "addition",
                    "warning",
                    i,
                    f"a sentence seems added, not in the source: {added[0][:60]}",
                    f"يبدو أن جملة أضيفت وليست في الأصل: {added[0][:60]}",
                    target_span=locate(target, added[0]),
                )
                continue
        z = length_z(n_src, n_tgt)
        if z <= -limit:
            yield finding(
                NAME,
                "omission",
                "warning",
                i,
                f"translation much shorter than the source (z = {z:.1f}): something may be missing",
                "الترجمة أقصر بكثير من الأصل: قد يكون جزء منه ناقصا",
            )
        elif z >= limit:
            yield finding(
                NAME,
                "addition",
                "warning",
                i,
                f"translation much longer than the source (z = {z:.1f}): text may have been added",
                "الترجمة أطول بكثير من الأصل: قد يكون فيها نص مضاف",
            )


# -- added boilerplate ---------------------------------------------------------------------------


def check_added_text(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    """Phrases engines and scrapers add ("عرض المزيد", "اقرأ أيضا") that the source does not have."""
    for i, source, target in paired(doc):
        text = comparable(target)
        for phrase, english in ADDED_PHRASES:
            if phrase in text and not re.search(english, source, re.IGNORECASE):
                yield finding(
                    NAME,
                    "added-text",
                    "warning",
                    i,
                    f"text not in the source: {phrase}",
                    f"نص ليس في الأصل: {phrase}",
                )
                break


CHECKS = [
    Check(
        "empty-copied", check_empty_copied, True, "a translation exists and differs from its source"
    ),
    Check("repetition", check_repetition, False, "no phrase repeated in a loop"),
    Check("length", check_length, True, "translation length in line with human translations"),
    Check("added-text", check_added_text, True, "no boilerplate added that the source lacks"),
]
