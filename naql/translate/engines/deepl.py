"""DeepL API v2 text translation (https://developers.deepl.com/api-reference/translate).

Wire format: POST {url}/v2/translate with ``Authorization: DeepL-Auth-Key KEY`` and a JSON body
``{"text": [...], "source_lang": "EN", "target_lang": "AR"}`` (plus ``context``, ``glossary_id``
and ``model_type`` when set); the answer is ``{"translations": [{"detected_source_language",
"text"}, ...]}``, one per text, in order.

Documented limits: at most 50 texts per request and a request body of at most 128 KiB (bytes,
not characters), so batches are sized by the encoded body. Keys ending in ":fx" belong to the
Free API, served from https://api-free.deepl.com; other keys from https://api.deepl.com. HTTP 456
means the character quota (Free) or the Cost Control limit (Pro) is used up: the engine is
unavailable until it resets.

Texts are sent as plain text, without ``tag_handling``: naql's placeholders ("[101]") are plain
text that DeepL copies through, while tag handling would make "<" and "&" in news text markup
(and with tag handling v2, an error unless the text is well-formed XML).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from naql.translate.engines.remote import RemoteEngine

if TYPE_CHECKING:
    from naql.config import Config
    from naql.translate.engines import EngineConfig

PRO_URL = "https://api.deepl.com"
FREE_URL = "https://api-free.deepl.com"

#: the documented limit on a /v2/translate request body
MAX_BODY_BYTES = 128 * 1024

# DeepL's documented translation source languages (next-gen-only HE, TH and VI included; beta
# languages, which need `enable_beta_languages`, are not). Arabic is the target, not a source.
SOURCE_LANGUAGES = frozenset({
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hu", "id", "it", "ja", "ko",
    "lt", "lv", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sv", "th", "tr", "uk", "vi", "zh",
})  # fmt: skip
# ISO 639-1 codes naql may see that DeepL spells differently
ALIASES = {"no": "nb", "iw": "he"}


def deepl_code(language: str) -> str:
    """DeepL's source_lang for an ISO 639-1 code ("en" -> "EN", "no" -> "NB")."""
    code = language.lower().split("-")[0]
    return ALIASES.get(code, code).upper()


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class DeepLEngine(RemoteEngine):
    """Sentences through DeepL's /v2/translate, 50 texts or 128 KiB per request."""

    kind = "deepl"
    name = "DeepL"
    model = "DeepL API v2"
    max_batch_items = 50
    max_batch_chars = MAX_BODY_BYTES  # not used: batches are sized in encoded bytes
    OPTIONS: dict[str, tuple[type, Any, str]] = {
        "glossary_id": (
            str,
            "",
            "ID of a DeepL glossary (created in your DeepL account for this source language into Arabic) applied to every request.",
        ),
        "context": (
            str,
            "",
            'Text sent as DeepL\'s `context` with every request: it can steer ambiguous words but is not translated or billed (e.g. "International news.").',
        ),
    }

    def __init__(self, conf: EngineConfig, config: Config | None, language: str):
        key = conf.api_key()
        # The Free API has its own host; an explicit url always wins.
        self.default_url = FREE_URL if key.endswith(":fx") else PRO_URL
        super().__init__(conf, config, language)
        self.secret(key)
        self.client.headers["Authorization"] = f"DeepL-Auth-Key {key}"
        self.glossary_id = str(conf.get("glossary_id", ""))
        self.context = str(conf.get("context", ""))
        self.model_type = str(conf.get("model", ""))

    @classmethod
    def offers(cls, conf: EngineConfig, config: Config | None, language: str) -> bool:
        return deepl_code(language).lower() in SOURCE_LANGUAGES

    def body(self, texts: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "text": texts,
            "source_lang": deepl_code(self.source_language),
            "target_lang": "AR",
        }
        if self.context:
            body["context"] = self.context
        if self.glossary_id:
            body["glossary_id"] = self.glossary_id
        if self.model_type:
            body["model_type"] = self.model_type
        return body

    def batches(self, texts: Sequence[str]) -> list[list[int]]:
        """At most 50 texts, and an encoded body within 128 KiB."""
        overhead = len(_encode(self.body([])))
        out: list[list[int]] = []
        current: list[int] = []
        size = overhead
        for i, text in enumerate(texts):
            n = len(json.dumps(text, ensure_ascii=False).encode("utf-8")) + 1  # and its comma
            if current and (len(current) >= self.max_batch_items or size + n > MAX_BODY_BYTES):
                out.append(current)
                current, size = [], overhead
            current.append(i)
            size += n
        if current:
            out.append(current)
        return out

    def translate_batch(self, texts: list[str]) -> list[str]:
        response = self.post(
            "/v2/translate",
            content=_encode(self.body(texts)),
            headers={"Content-Type": "application/json"},
        )
        return self.texts_of(self.json(response), "translations", "text")

    def error_message(self, response: httpx.Response) -> str:
        """DeepL's {"message": ..., "detail": ...}; 456 says the quota is used up."""
        try:
            data = response.json()
        except ValueError:
            data = None
        parts = []
        if isinstance(data, dict):
            parts = [str(data[k]) for k in ("message", "detail") if data.get(k)]
        message = ": ".join(parts)[:300] if parts else super().error_message(response)
        if response.status_code == 456 and "quota" not in message.lower():
            return f"quota exceeded ({message})" if message else "quota exceeded"
        return message
