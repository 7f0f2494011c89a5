"""Untranslated text: a sentence or a span still in the source language.

Names, acronyms, URLs and short titles in Latin script are normal in Arabic news; what is flagged:
- not-translated / untranslated-sentence: a translation, or one sentence of it, that is mostly
  Latin letters (its language identified with py3langid); `script`: the whole article below the
  site's `check.min_arabic_ratio` of Arabic letters;
- untranslated-span: a run of four or more Latin words, not all capitalised (so not a name or a
  title), that the source holds too: the engine copied it through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from naql.qa.checks.base import Check, CheckContext, finding, locate, paired
from naql.qa.findings import Document, Finding
from naql.qa.text import URL, arabic_ratio, arabic_sentences, letter_counts

NAME = "untranslated"

_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[\s,;:]+[A-Za-z][A-Za-z'’-]*){3,}")
_LANGUAGES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian"}


def language_of(text: str) -> str:
    """ISO 639-1 code of the language of `text` (py3langid; the model loads on first use)."""
    import py3langid

    lang, _ = py3langid.classify(text)
    return str(lang)


def _latin_sentence(sentence: str) -> bool:
    """Mostly Latin letters, in three words or more of which two are not names."""
    text = URL.sub(" ", sentence)
    arabic, latin = letter_counts(text)
    words = re.findall(r"[A-Za-z][A-Za-z'’]+", text)
    lower = [w for w in words if w[0].islower()]
    return (
        latin >= 10 and latin > 2 * arabic and len(words) >= 3 and (len(lower) >= 2 or latin >= 20)
    )


def check_not_arabic(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    """Sentences in another language; reads the translation alone."""
    for i, (source, target) in enumerate(doc):
        if not target.strip() or (source is not None and target.strip() == source.strip()):
            continue  # empty or copied: the hallucination check says so
        sentences = arabic_sentences(target) or [target]
        latin = [s for s in sentences if _latin_sentence(s)]
        if latin:
            lang = language_of(" ".join(latin))
            name = _LANGUAGES.get(lang, lang)
            whole = len(latin) == len(sentences)
            yield finding(
                NAME,
                "not-translated" if whole else "untranslated-sentence",
                "error",
                i,
                ("the translation is" if whole else "a sentence of the translation is")
                + f" still in {name}",
                ("الترجمة" if whole else "جملة من الترجمة") + f" ما زالت بغير العربية ({lang})",
            )


def check_untranslated_spans(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    """Runs of source-language words copied into the translation."""
    for i, source, target in paired(doc):
        if target.strip() == source.strip():
            continue
        for sentence in arabic_sentences(target):
            if _latin_sentence(sentence):
                continue  # the whole sentence: check_not_arabic says so
            for m in _LATIN_RUN.finditer(URL.sub(" ", sentence)):
                words = re.findall(r"[A-Za-z][A-Za-z'’-]*", m.group())
                lower = [w for w in words if w[0].islower()]
                if len(lower) < 2 or (m.group() not in source and not _mostly_in(words, source)):
                    continue
                yield finding(
                    NAME,
                    "untranslated-span",
                    "error" if len(words) >= 8 else "warning",
                    i,
                    f"text left untranslated: {m.group()[:60]}",
                    f"نص بقي دون ترجمة: {m.group()[:60]}",
                    source_span=locate(source, m.group()),
                    target_span=locate(target, m.group()),
                )


def _mostly_in(words: list[str], source: str) -> bool:
    src = set(re.findall(r"[A-Za-z][A-Za-z'’-]*", source.lower()))
    return sum(1 for w in words if w.lower() in src) >= 0.75 * len(words)


def check_script(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    text = " ".join(t for _, t in doc)
    ratio = arabic_ratio(text)
    if text.strip() and any(c.isalpha() for c in text) and ratio < ctx.min_arabic_ratio:
        yield finding(
            NAME,
            "script",
            "error",
            None,
            f"translation is not in Arabic script ({ratio:.0%} Arabic letters)",
            f"الترجمة ليست بالحروف العربية ({ratio:.0%} من الحروف عربية)",
        )


CHECKS = [
    Check("not-arabic", check_not_arabic, False, "no sentence left in another language"),
    Check("untranslated-spans", check_untranslated_spans, True, "no span copied from the source"),
    Check("script", check_script, False, "the article is in Arabic script"),
]
