"""LibreTranslate (https://docs.libretranslate.com/guides/api_usage), usually self-hosted.

Wire format: POST {url}/translate with ``{"q": [...], "source": "en", "target": "ar",
"format": "text"}`` and ``"api_key"`` when the server needs one; for a list ``q`` the answer is
``{"translatedText": [...]}``, in order. Errors are ``{"error": "..."}``: 400 for a bad request
(also an unsupported language, or a missing key), 403 for an invalid key, 429 when the server's
rate limits are hit.

There is no public default: ``url`` must name the server (libretranslate.com needs a key). A
server may cap the texts per request (``--batch-limit``) and the characters (``--char-limit``,
per text in recent versions, per request in older ones); both are off by default, and this
engine stays within `batch_limit` texts and `char_limit` characters per request.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from naql.errors import EngineUnavailable, TranslationError
from naql.translate.engines.remote import RemoteEngine

if TYPE_CHECKING:
    from naql.config import Config
    from naql.translate.engines import EngineConfig

# Error answers that concern the engine, not the text: a language the server has no model for, a
# key it needs or refuses.
_UNAVAILABLE = re.compile(r"not supported|not available as a|API key", re.IGNORECASE)


class LibreTranslateEngine(RemoteEngine):
    """Sentences through a LibreTranslate server's /translate, a list of texts per request."""

    kind = "libretranslate"
    name = "LibreTranslate"
    model = "LibreTranslate"
    max_batch_items = 50
    max_batch_chars = 5_000
    OPTIONS: dict[str, tuple[type, Any, str]] = {
        "batch_limit": (
            int,
            50,
            "Most texts per request (keep it within the server's --batch-limit).",
        ),
        "char_limit": (
            int,
            5_000,
            "Most characters per request (keep it within the server's --char-limit).",
        ),
    }

    def __init__(self, conf: EngineConfig, config: Config | None, language: str):
        if not conf.url:
            raise EngineUnavailable(
                f"engine {conf.name}: LibreTranslate has no public default: set url = "
                f'"http://HOST:5000" (your server) in [engines.{conf.name}]'
            )
        batch_limit, char_limit = (
            int(conf.get("batch_limit", 50)),
            int(conf.get("char_limit", 5_000)),
        )
        if batch_limit < 1 or char_limit < 1:
            raise EngineUnavailable(
                f"engine {conf.name}: batch_limit and char_limit must be at least 1"
            )
        self.key = conf.api_key(required=False)  # self-hosted servers usually need none
        super().__init__(conf, config, language)
        self.secret(self.key)
        self.max_batch_items, self.max_batch_chars = batch_limit, char_limit

    def translate_batch(self, texts: list[str]) -> list[str]:
        body: dict[str, Any] = {
            "q": texts,
            "source": self.source_language,
            "target": "ar",
            "format": "text",
        }
        if self.key:
            body["api_key"] = self.key
        try:
            response = self.post("/translate", json=body)
        except EngineUnavailable:
            raise
        except TranslationError as exc:
            if _UNAVAILABLE.search(str(exc)):
                raise EngineUnavailable(str(exc)) from exc
            raise
        data = self.json(response)
        items = data.get("translatedText") if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
            raise EngineUnavailable(
                f"engine {self.config_name}: unexpected answer from LibreTranslate "
                "(translatedText is not a list of texts)"
            )
        return items
