"""CTranslate2 + SentencePiece engine.

Throughput comes from batching: all pending sentences go to `translate_batch` in one call, which
sorts them by length and splits them into token-bounded batches (`max_batch_tokens`, ~2,048 measured
best here) that run in parallel on `inter_threads` model replicas with `intra_threads` each
(cores x 1 measured about 2x faster than 1 x cores on a 2-core machine).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from naql.errors import ModelError, TranslationError
from naql.translate.engine import Engine
from naql.translate.models import InstalledModel

# A model's position table bounds its input and output; decoding is always bounded because a broken
# model may never emit </s>.
MAX_DECODING_LENGTH = 512


class CTranslate2Engine(Engine):
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
    ):
        # MKL is far slower than oneDNN/OpenBLAS paths on AMD CPUs; respect an explicit choice.
        os.environ.setdefault("CT2_USE_MKL", "0")
        import ctranslate2
        import sentencepiece as spm

        self.model = model.name
        self.source_language = model.source_language
        self.target_language = model.target_language
        self._info = model
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

    def encode(self, sentences: Sequence[str]) -> list[list[str]]:
        """SentencePiece pieces per sentence, truncated to max_input_length, with the target token."""
        pieces = self._src.encode(list(sentences), out_type=str)
        limit = (
            self.max_input_length - 1 - len(self._info.source_prefix)
        )  # room for </s> and the prefix
        return [self._info.source_prefix + p[:limit] for p in pieces]

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
        skip = len(self._info.target_prefix)
        hyps = [r.hypotheses[0][skip:] for r in results]
        for i, text in zip(todo, self._tgt.decode(hyps), strict=True):
            out[i] = text.strip()
        return out

    def close(self) -> None:
        translator = getattr(self, "_translator", None)
        if translator is not None:
            del self._translator
