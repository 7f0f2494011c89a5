"""Paragraphs to sentences (pysbd) and back."""

from __future__ import annotations

import functools

import pysbd


@functools.lru_cache(maxsize=8)
def _segmenter(language: str) -> pysbd.Segmenter:
    try:
        return pysbd.Segmenter(language=language, clean=False)
    except ValueError:
        return pysbd.Segmenter(language="en", clean=False)


def split_sentences(paragraph: str, language: str = "en") -> list[str]:
    """The sentences of one paragraph, stripped, none empty, in order."""
    paragraph = " ".join(paragraph.split())
    if not paragraph:
        return []
    sentences = [s.strip() for s in _segmenter(language).segment(paragraph)]
    return _keep_quotes_whole([s for s in sentences if s]) or [paragraph]


_QUOTES = str.maketrans("", "", '“”"«»')


def _open_quote(text: str) -> bool:
    """True when `text` leaves a quotation open (an odd number of marks)."""
    return (len(text) - len(text.translate(_QUOTES))) % 2 == 1


def _keep_quotes_whole(sentences: list[str]) -> list[str]:
    """Merge sentences inside one quotation, so a quote and its attribution are one segment.

    '"We want talks. We want them now," Lavrov said.' would otherwise reach the engine in two
    pieces, and the attribution could land inside the translated quote.
    """
    merged: list[str] = []
    pending = ""
    for sentence in sentences:
        pending = f"{pending} {sentence}" if pending else sentence
        if not _open_quote(pending):
            merged.append(pending)
            pending = ""
    if pending:
        merged.append(pending)
    return merged


def join_sentences(sentences: list[str]) -> str:
    return " ".join(s for s in sentences if s)
