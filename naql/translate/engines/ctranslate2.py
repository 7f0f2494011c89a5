"""CTranslate2 + SentencePiece engine.

Throughput comes from batching: all pending sentences go to `translate_batch` in one call, which
sorts them by length and splits them into token-bounded batches (`max_batch_tokens`, ~2,048 measured
best here) that run in parallel on `inter_threads` model replicas with `intra_threads` each
(cores x 1 measured about 2x faster than 1 x cores on a 2-core machine).

Multilingual models: an engine is opened for one source language. NLLB-200 and M2M-100 models take
that language as a token before the sentence (["fra_Latn", ...pieces, "</s>"] / ["__fr__", ...]),
and the Arabic token as the decoder's forced first token (`target_prefix`, stripped from the
output); multi-source OPUS-MT models (e.g. Tatoeba's itc-ara) need no source token, only their
">>ara<<" target label when they are also multi-target.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from naql.errors import ModelError, TranslationError
from naql.translate.engine import Engine
from naql.translate.models import InstalledModel, find_model

if TYPE_CHECKING:
    from naql.config import Config
    from naql.translate.engines import EngineConfig

# A model's position table bounds its input and output; decoding is always bounded because a broken
# model may never emit </s>.
MAX_DECODING_LENGTH = 512


class CTranslate2Engine(Engine):
    kind = "ctranslate2"
    name = "CTranslate2"

    def __init__(
        self,
        model: InstalledModel,
        *,
        compute_type: str = "int8",
        inter_threads: int = 0,
        intra_threads: int = 1,
        max_batch_tokens: int = 2048,
        beam_size: int = 2,
        max_input_length: int = 256,
        source_language: str | None = None,
    ):
        # MKL is far slower than oneDNN/OpenBLAS paths on AMD CPUs; respect an explicit choice.
        super().__init__()
        os.environ.setdefault("CT2_USE_MKL", "0")
        import ctranslate2
        import sentencepiece as spm

        self.model = model.name
        self._info = model
        self.source_language = source_language or model.source_language
        self.target_language = model.target_language
        # Language and special tokens never shown in the output, whatever the model emits.
        self._hidden = (
            {"<s>", "</s>", "<pad>"}
            | set(model.source_tokens.values())
            | set(model.source_prefix)
            | set(model.target_prefix)
        )
        self.max_batch_tokens = max_batch_tokens
        self.beam_size = beam_size
        self.max_input_length = max_input_length
        try:
            self._src = spm.SentencePieceProcessor(model_file=str(model.path / model.source_spm))
            self._tgt = (
                self._src
                if model.target_spm == model.source_spm
                else spm.SentencePieceProcessor(model_file=str(model.path / model.target_spm))
            )
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"cannot load the SentencePiece model of {model.name}: {exc}") from exc
        threads = inter_threads or os.cpu_count() or 1
        try:
            self._translator = ctranslate2.Translator(
                str(model.model_dir),
                device="cpu",
                compute_type=compute_type,
                inter_threads=threads,
                intra_threads=intra_threads,
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(
                f"cannot load model {model.name} from {model.model_dir}: {exc}"
            ) from exc

    @classmethod
    def open(cls, conf: EngineConfig, config: Config, language: str) -> CTranslate2Engine:
        """The installed model `conf.model` (or, when empty, the first for `language`)."""
        model = find_model(config.models_dir, conf.get("model", ""), language)
        if language not in model.languages:
            raise ModelError(
                f"model {model.name} translates {', '.join(sorted(model.languages))}, not {language}"
            )
        engine = cls(
            model,
            compute_type=config["translate.compute_type"],
            inter_threads=config["translate.inter_threads"],
            intra_threads=config["translate.intra_threads"],
            max_batch_tokens=config["translate.max_batch_tokens"],
            beam_size=config["translate.beam_size"],
            max_input_length=config["translate.max_input_length"],
            source_language=language,
        )
        engine.config_name = conf.name
        return engine

    @classmethod
    def offers(cls, conf: EngineConfig, config: Config, language: str) -> bool:
        try:
            model = find_model(config.models_dir, conf.get("model", ""), language)
        except ModelError:
            return False
        return language in model.languages

    @property
    def source_language(self) -> str:
        """The language this engine translates from; its token goes before every sentence."""
        return self._source_language

    @source_language.setter
    def source_language(self, language: str) -> None:
        if language not in self._info.languages:
            raise ModelError(
                f"model {self._info.name} translates {', '.join(sorted(self._info.languages))}, "
                f"not {language}"
            )
        token = self._info.source_tokens.get(language)
        if self._info.family and not token:
            raise ModelError(f"model {self._info.name} has no language token for {language}")
        self._source_language = language
        self._head = self._info.source_prefix + ([token] if token else [])

    def encode(self, sentences: Sequence[str]) -> list[list[str]]:
        """Tokens per sentence as the model reads them: the target label (">>ara<<") or source
        language token ("fra_Latn"), SentencePiece pieces truncated to max_input_length, and "</s>"
        where the model's config does not add it itself."""
        pieces = self._src.encode(list(sentences), out_type=str)
        tail = self._info.source_suffix
        # room for the head, the tail, and the </s> CTranslate2 adds when there is no tail
        limit = self.max_input_length - len(self._head) - (len(tail) or 1)
        return [self._head + p[:limit] + tail for p in pieces]

    def translate(self, sentences: Sequence[str]) -> list[str]:
        todo = [i for i, s in enumerate(sentences) if s.strip()]
        out = [""] * len(sentences)
        if not todo:
            return out
        tokens = self.encode([sentences[i] for i in todo])
        longest = max(len(t) for t in tokens)
        options = dict(
            max_batch_size=self.max_batch_tokens,
            batch_type="tokens",
            beam_size=self.beam_size,
            max_decoding_length=min(MAX_DECODING_LENGTH, 2 * longest + 16),
        )
        if self._info.target_prefix:
            options["target_prefix"] = [list(self._info.target_prefix)] * len(tokens)
        try:
            results = self._translator.translate_batch(tokens, **options)
        except (RuntimeError, ValueError) as exc:
            raise TranslationError(f"{self.model}: {exc}") from exc
        prefix = self._info.target_prefix
        hyps = []
        for r in results:
            hyp = r.hypotheses[0]
            if prefix and hyp[: len(prefix)] == prefix:
                hyp = hyp[len(prefix) :]
            hyps.append([t for t in hyp if t not in self._hidden])
        for i, text in zip(todo, self._tgt.decode(hyps), strict=True):
            out[i] = text.strip()
        return out

    def close(self) -> None:
        translator = getattr(self, "_translator", None)
        if translator is not None:
            del self._translator
