"""The translation engine interface: a new engine is one module implementing `Engine`.

An engine is opened for one source language (`open_engine` in naql.translate.engines) and
translates into Arabic. Sentence engines (CTranslate2, DeepL, Google, Microsoft, LibreTranslate)
implement `translate`; document engines (an LLM) also override `translate_documents`, which gets
whole articles (title, numbered paragraphs, the glossary entries found in them) and must return one
translation per segment, aligned, so the editor, the translation memory and every check keep
working whatever the engine.

Errors: `EngineUnavailable` when the engine cannot take work (auth, quota, budget, outage, timeout,
language not offered): the article goes to the next engine of its route. `TranslationError` when one
input is refused: that article alone moves on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

#: paragraph number of an article's title (same value as naql.store.models.TITLE_PARAGRAPH)
TITLE = -1


@dataclass
class Document:
    """One article as an engine sees it: its segments in order, already protected.

    `segments[i]` is a sentence (placeholders such as ``[1]`` stand for glossary terms and must be
    copied through); `paragraphs[i]` is its paragraph number (TITLE for the title). `glossary`
    holds (source term, Arabic form) for the terms found in the document, for engines that take
    a glossary in their request or prompt.
    """

    segments: list[str]
    paragraphs: list[int]
    glossary: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.segments) != len(self.paragraphs):
            raise ValueError("a Document needs one paragraph number per segment")


@dataclass
class Usage:
    """What an engine sent to its service: the stage records it per engine and day (budgets)."""

    characters: int = 0
    requests: int = 0


class Engine(ABC):
    """Translates batches of sentences from `source_language` into Arabic."""

    #: registry kind: "ctranslate2", "deepl", "google", "microsoft", "libretranslate", "openai"
    kind: str = ""
    #: engine family shown in disclosures, e.g. "CTranslate2", "DeepL"
    name: str = ""
    #: model identifier shown in disclosures, e.g. "opus-mt-en-ar"
    model: str = ""
    #: the configured engine name (the `[engines.NAME]` table, or an installed model's name)
    config_name: str = ""
    source_language: str = "en"
    target_language: str = "ar"
    #: True when the engine reads whole articles (an LLM): `translate_documents` is the real call
    document_level: bool = False

    def __init__(self) -> None:
        self.usage = Usage()

    @abstractmethod
    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate each sentence; the result has the same length and order. Empty in, empty out."""

    def translate_documents(self, documents: Sequence[Document]) -> list[list[str]]:
        """One translation per segment of each document, in order.

        Sentence engines batch every segment of every document in one `translate` call (the
        batching is where their throughput comes from); document engines override this.
        """
        flat = [s for d in documents for s in d.segments]
        out = self.translate(flat) if flat else []
        result, pos = [], 0
        for d in documents:
            result.append(list(out[pos : pos + len(d.segments)]))
            pos += len(d.segments)
        return result

    def close(self) -> None:  # noqa: B027 - an optional hook, deliberately not abstract
        """Release the model or the HTTP client."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
