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
    return [s for s in sentences if s] or [paragraph]


def join_sentences(sentences: list[str]) -> str:
    return " ".join(s for s in sentences if s)
