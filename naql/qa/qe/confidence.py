"""Model confidence: how likely an installed CTranslate2 model finds the final Arabic.

Forced decoding (`Translator.score_batch`): the model reads the source and is made to produce the
given Arabic token by token; the score is the mean log-probability per target token, `</s>`
included (length-normalised, so long and short segments compare). It scores any engine's output
(DeepL's, an LLM's, an editor's) as well as the model's own, since nothing is generated.

One call scores every segment of a stage run's chunk of articles: CTranslate2 sorts them by length
and cuts token-bounded batches (`translate.max_batch_tokens`), as translation does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from naql.errors import ModelError
from naql.translate.engines.ctranslate2 import MAX_DECODING_LENGTH, CTranslate2Engine
from naql.translate.models import find_model

if TYPE_CHECKING:
    from naql.config import Config

log = logging.getLogger(__name__)


class ConfidenceScorer(CTranslate2Engine):
    """A CTranslate2 model opened for scoring (source language → Arabic) instead of translating."""

    scorer = "confidence"

    @classmethod
    def for_language(cls, config: Config, language: str, model: str = "") -> ConfidenceScorer:
        """The installed model `model` (empty: the installed model for `language`), loaded with the
        site's translate.* CTranslate2 settings; ModelError when none translates `language`."""
        info = find_model(config.models_dir, model, language)
        if language not in info.languages or info.target_language != "ar":
            raise ModelError(
                f"model {info.name} does not translate {language} into Arabic: it cannot score "
                f"{language} articles"
            )
        return cls(
            info,
            compute_type=config["translate.compute_type"],
            inter_threads=config["translate.inter_threads"],
            intra_threads=config["translate.intra_threads"],
            max_batch_tokens=config["translate.max_batch_tokens"],
            max_input_length=config["translate.max_input_length"],
            source_language=language,
        )

    def score(self, sources: Sequence[str], translations: Sequence[str]) -> list[float | None]:
        """Mean log-probability per token of each translation given its source (<= 0; higher is
        more likely). None where either text is empty, or for every pair when the model fails
        (logged: a failed scorer never stops the check)."""
        out: list[float | None] = [None] * len(sources)
        todo = [
            i
            for i, (s, t) in enumerate(zip(sources, translations, strict=True))
            if s.strip() and t.strip()
        ]
        if not todo:
            return out
        prefix = list(self._info.target_prefix)  # NLLB / M2M-100: the Arabic token, not scored
        limit = MAX_DECODING_LENGTH - len(prefix) - 1  # room for </s>
        source_tokens = self.encode([sources[i] for i in todo])
        target_tokens = [
            prefix + pieces[:limit]
            for pieces in self._tgt.encode([translations[i] for i in todo], out_type=str)
        ]
        try:
            results = self._translator.score_batch(
                source_tokens,
                target_tokens,
                max_batch_size=self.max_batch_tokens,
                batch_type="tokens",
                offset=len(prefix),
            )
        except (RuntimeError, ValueError) as exc:
            log.warning("scoring with %s failed, no confidence scores: %s", self.model, exc)
            return out
        for i, result in zip(todo, results, strict=True):
            if result.log_probs:
                out[i] = sum(result.log_probs) / len(result.log_probs)
        return out
