"""Google Cloud Translation, Basic (v2) or Advanced (v3).

v2 (https://cloud.google.com/translate/docs/basic/translating-text): POST
{url}/language/translate/v2 with the API key in the ``X-goog-api-key`` header (documented as the
alternative to a ``key=`` query parameter, and it keeps the key out of URLs) and a JSON body
``{"q": [...], "source": "en", "target": "ar", "format": "text"}``; the answer is
``{"data": {"translations": [{"translatedText": ...}, ...]}}``. At most 128 text segments per
request; Google recommends at most 5,000 characters per request (the hard limit is 100K bytes).

v3 (https://cloud.google.com/translate/docs/advanced/translating-text-v3): POST
{url}/v3/projects/PROJECT/locations/LOCATION:translateText with ``Authorization: Bearer TOKEN``
(the key is an OAuth access token) and ``{"contents": [...], "sourceLanguageCode": "en",
"targetLanguageCode": "ar", "mimeType": "text/plain"}``, plus ``model`` and ``glossaryConfig``
when set; the answer is ``{"translations": [...]}``, and ``{"glossaryTranslations": [...]}`` as
well when a glossary is applied (those are used). At most 1,024 contents, and 30,000 codepoints
per request.

Errors have the Google API shape ``{"error": {"code", "message", "status", "details"}}``. An
invalid API key is HTTP 400 there (``API_KEY_INVALID``), and an unsupported language a 400 too:
both make the engine unavailable rather than failing each article in turn.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from naql.errors import EngineUnavailable, TranslationError
from naql.translate.engines.remote import RemoteEngine

if TYPE_CHECKING:
    from naql.config import Config
    from naql.translate.engines import EngineConfig

#: ISO 639-1 codes Google spells differently
ALIASES = {"zh": "zh-CN", "nb": "no"}

# Error answers that concern the engine, not the text: a bad key, a language it does not offer.
_UNAVAILABLE = re.compile(
    r"API_KEY_INVALID|keyInvalid|API key not valid|language pair|not supported|Unsupported language",
    re.IGNORECASE,
)


def google_code(language: str) -> str:
    return ALIASES.get(language, language)


class GoogleEngine(RemoteEngine):
    """Sentences through Cloud Translation v2 (API key) or v3 (access token, glossaries)."""

    kind = "google"
    name = "Google"
    default_url = "https://translation.googleapis.com"
    max_batch_items = 128
    max_batch_chars = 5_000
    OPTIONS: dict[str, tuple[type, Any, str]] = {
        "version": (
            str,
            "v2",
            '"v2" (Cloud Translation Basic: the key is an API key) or "v3" (Advanced: the key is an OAuth access token; needs `project`).',
        ),
        "project": (str, "", "v3: the Google Cloud project number or ID."),
        "location": (
            str,
            "global",
            'v3: the location of the request (a glossary or custom model needs its region, e.g. "us-central1").',
        ),
        "glossary": (
            str,
            "",
            "v3: a glossary ID in `location` (or its full name projects/.../glossaries/ID) applied to every request.",
        ),
    }

    def __init__(self, conf: EngineConfig, config: Config | None, language: str):
        where = f"engine {conf.name}"
        self.version = str(conf.get("version", "v2"))
        if self.version not in ("v2", "v3"):
            raise EngineUnavailable(
                f'{where}: version = {self.version!r} is invalid: expected "v2" or "v3"'
            )
        self.project = str(conf.get("project", ""))
        self.location = str(conf.get("location", "")) or "global"
        self.glossary = str(conf.get("glossary", ""))
        if self.version == "v3" and not self.project:
            raise EngineUnavailable(
                f'{where}: version = "v3" needs project = your Google Cloud project ID in [engines.{conf.name}]'
            )
        if self.version == "v2" and self.glossary:
            raise EngineUnavailable(f'{where}: a glossary needs version = "v3"')
        key = conf.api_key()
        super().__init__(conf, config, language)
        self.secret(key)
        if self.version == "v2":
            self.client.headers["X-goog-api-key"] = key
            self.model = conf.get("model") or "Cloud Translation Basic (v2)"
        else:
            self.client.headers["Authorization"] = f"Bearer {key}"
            self.max_batch_items, self.max_batch_chars = 1_024, 30_000
            self.model = conf.get("model") or "Cloud Translation Advanced (v3)"
        self.model_id = str(conf.get("model", ""))

    def translate_batch(self, texts: list[str]) -> list[str]:
        try:
            if self.version == "v2":
                return self._translate_v2(texts)
            return self._translate_v3(texts)
        except EngineUnavailable:
            raise
        except TranslationError as exc:
            if _UNAVAILABLE.search(str(exc)):
                raise EngineUnavailable(str(exc)) from exc
            raise

    def _translate_v2(self, texts: list[str]) -> list[str]:
        body: dict[str, Any] = {
            "q": texts,
            "source": google_code(self.source_language),
            "target": "ar",
            "format": "text",
        }
        if self.model_id:
            body["model"] = self.model_id  # "nmt" or "base"
        data = self.json(self.post("/language/translate/v2", json=body))
        inner = data.get("data") if isinstance(data, dict) else None
        return self._texts(inner, "translations")

    def _translate_v3(self, texts: list[str]) -> list[str]:
        parent = (
            f"projects/{quote(self.project, safe='')}/locations/{quote(self.location, safe='')}"
        )
        body: dict[str, Any] = {
            "contents": texts,
            "sourceLanguageCode": google_code(self.source_language),
            "targetLanguageCode": "ar",
            "mimeType": "text/plain",
        }
        if self.model_id:
            body["model"] = self._resource(self.model_id, "models")
        if self.glossary:
            body["glossaryConfig"] = {"glossary": self._resource(self.glossary, "glossaries")}
        data = self.json(self.post(f"/v3/{parent}:translateText", json=body))
        return self._texts(data, "glossaryTranslations" if self.glossary else "translations")

    def _resource(self, value: str, collection: str) -> str:
        """A model or glossary's full name from its ID ("general/nmt" -> projects/P/locations/L/models/general/nmt)."""
        if value.startswith("projects/"):
            return value
        return f"projects/{self.project}/locations/{self.location}/{collection}/{value}"

    def _texts(self, data: Any, key: str) -> list[str]:
        return self.texts_of(data, key, "translatedText")

    def error_message(self, response: httpx.Response) -> str:
        """The Google API error's message, status and reason (API_KEY_INVALID, ...)."""
        try:
            data = response.json()
        except ValueError:
            return super().error_message(response)
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return super().error_message(response)
        labels = [str(error["status"])] if error.get("status") else []
        for detail in error.get("details") or error.get("errors") or []:
            if isinstance(detail, dict) and detail.get("reason"):
                labels.append(str(detail["reason"]))
        message = str(error.get("message") or "").strip()[:300]
        return f"{message} ({', '.join(labels)})" if labels else message
