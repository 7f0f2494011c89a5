"""Microsoft Translator (Azure AI Translator) v3.0 text translation.

Wire format (https://learn.microsoft.com/azure/ai-services/translator/reference/v3-0-translate):
POST {url}/translate?api-version=3.0&from=en&to=ar (``&category=ID`` for a Custom Translator
model) with ``Ocp-Apim-Subscription-Key: KEY``, ``Ocp-Apim-Subscription-Region: REGION`` for a
regional or multi-service resource, and a JSON array ``[{"Text": ...}, ...]``; the answer is
``[{"translations": [{"text": ..., "to": "ar"}]}, ...]``, one element per text, in order.

Documented limits: at most 1,000 array elements and 50,000 characters per request. Errors are
``{"error": {"code": 400036, "message": ...}}``; the six-digit code starts with the HTTP status.
403 means the free tier's characters are used up, 401 bad credentials (or a missing region):
both make the engine unavailable, as does a language or category the service does not offer.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import httpx

from naql.errors import EngineUnavailable, TranslationError
from naql.translate.engines.remote import RemoteEngine

if TYPE_CHECKING:
    from naql.config import Config
    from naql.translate.engines import EngineConfig

#: ISO 639-1 codes Microsoft spells differently
ALIASES = {"zh": "zh-Hans", "no": "nb", "sr": "sr-Cyrl", "mn": "mn-Cyrl", "tl": "fil"}

# Error codes about the engine rather than the text: a language or language pair it does not
# offer (400019, 400023, 400035, 400036), a category / custom model that is not valid or does
# not exist for the pair (400002, 400075, 400079).
UNAVAILABLE_CODES = ("400002", "400019", "400023", "400035", "400036", "400075", "400079")


def microsoft_code(language: str) -> str:
    return ALIASES.get(language, language)


class MicrosoftEngine(RemoteEngine):
    """Sentences through Translator v3.0, 1,000 texts or 50,000 characters per request."""

    kind = "microsoft"
    name = "Microsoft Translator"
    model = "Translator v3.0"
    default_url = "https://api.cognitive.microsofttranslator.com"
    max_batch_items = 1_000
    max_batch_chars = 50_000
    OPTIONS: dict[str, tuple[type, Any, str]] = {
        "region": (
            str,
            "",
            'Azure region of a regional or multi-service Translator resource (`Ocp-Apim-Subscription-Region`, e.g. "westeurope"); empty for a global resource.',
        ),
    }

    def __init__(self, conf: EngineConfig, config: Config | None, language: str):
        key = conf.api_key()
        super().__init__(conf, config, language)
        self.secret(key)
        self.client.headers["Ocp-Apim-Subscription-Key"] = key
        region = str(conf.get("region", ""))
        if region:
            self.client.headers["Ocp-Apim-Subscription-Region"] = region
        self.category = str(conf.get("model", ""))  # a Custom Translator category ID

    def translate_batch(self, texts: list[str]) -> list[str]:
        params = {"api-version": "3.0", "from": microsoft_code(self.source_language), "to": "ar"}
        if self.category:
            params["category"] = self.category
        try:
            response = self.post(
                "/translate",
                params=params,
                json=[{"Text": t} for t in texts],
                headers={"X-ClientTraceId": str(uuid.uuid4())},
            )
        except EngineUnavailable:
            raise
        except TranslationError as exc:
            if any(f"[{code}]" in str(exc) for code in UNAVAILABLE_CODES):
                raise EngineUnavailable(str(exc)) from exc
            raise
        data = self.json(response)
        if not isinstance(data, list):
            raise self.unexpected("not a list")
        out = []
        for item in data:
            translations = item.get("translations") if isinstance(item, dict) else None
            first = translations[0] if isinstance(translations, list) and translations else None
            text = first.get("text") if isinstance(first, dict) else None
            if not isinstance(text, str):
                raise self.unexpected("an element without translations[0].text")
            out.append(text)
        return out

    def error_message(self, response: httpx.Response) -> str:
        """The message of Microsoft's {"error": {"code", "message"}}, with its code in brackets."""
        try:
            data = response.json()
        except ValueError:
            return super().error_message(response)
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return super().error_message(response)
        message = str(error.get("message") or "").strip()[:300]
        return f"{message} [{error['code']}]" if error.get("code") else message
