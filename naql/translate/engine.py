"""The translation engine interface: a new engine is one module implementing `Engine`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence


class Engine(ABC):
    """Translates batches of sentences from `source_language` into Arabic."""

    #: engine family shown in disclosures, e.g. "CTranslate2"
    name: str = ""
    #: model identifier shown in disclosures, e.g. "opus-mt-en-ar"
    model: str = ""
    source_language: str = "en"
    target_language: str = "ar"

    @abstractmethod
    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate each sentence; the result has the same length and order. Empty in, empty out."""

    def close(self) -> None:  # noqa: B027 - an optional hook, deliberately not abstract
        """Release the model."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
