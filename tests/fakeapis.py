"""Fake translation APIs: real HTTP servers on 127.0.0.1 speaking each vendor's wire format.

Each fake (FakeDeepL, FakeGoogle, FakeMicrosoft, FakeLibreTranslate) checks the credentials the
way its service does (a wrong key gets the service's own error), enforces the service's
documented per-request limits, records every request, and answers each text with a
deterministic Arabic-script rendering (`arabize`): Latin words become Arabic pseudo-words, while
digits, "[101]" placeholders and punctuation are kept, so naql's checks behave as with a real
engine::

    with FakeDeepL() as api:
        monkeypatch.setenv(*api.env)                  # NAQL_TEST_DEEPL_KEY=<the test key>
        conf = parse_engine("deepl", api.engine_table(max_retries=1))
        api.fail_next(456, {"message": "Quota Exceeded"}, times=100)
        ...
        api.requests[0].body["text"]                  # what naql sent
        api.max_concurrent                            # most requests in flight at once

Programmable behaviour: `fail_next(status, body, headers, times)` queues failures answered
before anything else; `delay` (seconds) holds every answer back; `malformed` = "json" (a 200
that is not JSON), "shape" (JSON of the wrong shape) or "count" (one translation too few);
`reset()` forgets requests and failures. A failure with status 200 serves a custom answer.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

DEEPL_KEY = "naql-test-deepl-key"
GOOGLE_KEY = "naql-test-google-key"  # the v2 API key, and the v3 access token
MICROSOFT_KEY = "naql-test-microsoft-key"
LIBRE_KEY = "naql-test-libretranslate-key"

# -- the fake translation ----------------------------------------------------------------------

_LATIN = {
    "a": "ا", "b": "ب", "c": "ك", "d": "د", "e": "ي", "f": "ف", "g": "غ", "h": "ه", "i": "ي",
    "j": "ج", "k": "ك", "l": "ل", "m": "م", "n": "ن", "o": "و", "p": "ب", "q": "ق", "r": "ر",
    "s": "س", "t": "ت", "u": "و", "v": "ف", "w": "و", "x": "كس", "y": "ي", "z": "ز",
}  # fmt: skip
_OTHER = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
# Number words keep their value for naql's numbers check.
_WORDS = {
    "thousand": "ألف", "thousands": "آلاف", "million": "مليون", "millions": "ملايين",
    "billion": "مليار", "billions": "مليارات", "percent": "بالمئة",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_ARABIC = re.compile(r"^[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+$")


def arabize(text: str) -> str:
    """A deterministic Arabic-script stand-in for a translation of `text`."""

    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        if _ARABIC.match(w):
            return w
        lower = w.lower()
        if lower in _WORDS:
            return _WORDS[lower]
        return "".join(_LATIN.get(c) or _OTHER[ord(c) % len(_OTHER)] for c in lower)

    return _WORD.sub(word, text)


# -- the server --------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, else the text
    size: int  # bytes in the body


@dataclass
class Failure:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout tests) is not an error here


class FakeAPI:
    """A translation API on 127.0.0.1; subclasses implement one vendor's wire format."""

    kind = ""
    key_env = ""
    key = ""

    def __init__(self, *, delay: float = 0.0) -> None:
        self.requests: list[Recorded] = []
        self.delay = delay
        self.malformed: str | None = None
        self.max_concurrent = 0
        self._in_flight = 0
        self._failures: deque[Failure] = deque()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY each kept-alive answer
            # waits ~45 ms for the client's delayed ACK (measured by bench/engines_bench.py).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                fake._serve(self)

            do_GET = do_POST

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    # -- what tests use ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def env(self) -> tuple[str, str]:
        """(variable, value) of the test key: `monkeypatch.setenv(*api.env)`."""
        return self.key_env, self.key

    def engine_table(self, **options: Any) -> dict[str, Any]:
        """An `[engines.NAME]` table pointing at this fake (for parse_engine or naql.toml)."""
        return {"kind": self.kind, "url": self.url, "key_env": self.key_env, **options}

    def fail_next(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests with `status` and `body` (dict/list: JSON)."""
        with self._lock:
            self._failures.append(Failure(status, body, dict(headers or {}), times))

    def reset(self) -> None:
        """Forget the requests and queued failures; answer normally again."""
        with self._lock:
            self.requests.clear()
            self._failures.clear()
            self.malformed = None
            self.delay = 0.0
            self.max_concurrent = 0

    def texts(self) -> list[list[str]]:
        """The texts sent in each request, in order."""
        return [self.texts_of(r.body) for r in self.requests]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what a vendor implements -----------------------------------------------------------

    def answer(self, request: Recorded) -> tuple[int, Any]:
        """(status, body) for one request that passed the failure queue."""
        raise NotImplementedError

    def texts_of(self, body: Any) -> list[str]:
        raise NotImplementedError

    def translations(self, texts: list[str]) -> list[str]:
        """The fake translations, one too few in malformed "count" mode."""
        out = [arabize(t) for t in texts]
        return out[:-1] if self.malformed == "count" else out

    # -- plumbing ---------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        parts = urlsplit(handler.path)
        request = Recorded(
            handler.command,
            parts.path,
            parse_qs(parts.query),
            {k.lower(): v for k, v in handler.headers.items()},
            body,
            len(raw),
        )
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_concurrent = max(self.max_concurrent, self._in_flight)
            failure = self._failures[0] if self._failures else None
            if failure is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.popleft()
        try:
            if self.delay:
                time.sleep(self.delay)
            headers: dict[str, str] = {}
            if failure is not None:
                status, answer, headers = failure.status, failure.body, failure.headers
            else:
                status, answer = self.answer(request)
                if status == 200 and self.malformed == "json":
                    status, answer = 200, "<html><body>502 Bad Gateway</body></html>"
                elif status == 200 and self.malformed == "shape":
                    answer = {"unexpected": True}
            self._send(handler, status, answer, headers)
        finally:
            with self._lock:
                self._in_flight -= 1

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, answer: Any, headers: dict[str, str]
    ) -> None:
        if answer is None:
            data, content_type = b"", "text/plain"
        elif isinstance(answer, str | bytes):
            data = answer.encode("utf-8") if isinstance(answer, str) else answer
            content_type = "text/html; charset=utf-8"
        else:
            data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            content_type = "application/json"
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


# -- DeepL -------------------------------------------------------------------------------------


class FakeDeepL(FakeAPI):
    """POST /v2/translate, `Authorization: DeepL-Auth-Key KEY` (else 403); 50 texts, 128 KiB."""

    kind = "deepl"
    key_env = "NAQL_TEST_DEEPL_KEY"
    key = DEEPL_KEY

    def texts_of(self, body: Any) -> list[str]:
        return list(body.get("text") or []) if isinstance(body, dict) else []

    def answer(self, request: Recorded) -> tuple[int, Any]:
        if request.method != "POST" or request.path != "/v2/translate":
            return 404, {"message": "Not found"}
        if request.headers.get("authorization") != f"DeepL-Auth-Key {self.key}":
            return 403, {"message": "Authorization failure, check auth_key"}
        if request.size > 128 * 1024:
            return 413, {"message": "Request Entity Too Large"}
        body = request.body
        texts = body.get("text") if isinstance(body, dict) else None
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return 400, {"message": "Value for 'text' not supported."}
        if len(texts) > 50:
            return 400, {"message": "Bad request. Reason: too many texts (at most 50)."}
        if not body.get("target_lang"):
            return 400, {"message": "Value for 'target_lang' not supported."}
        source = body.get("source_lang") or "EN"
        return 200, {
            "translations": [
                {"detected_source_language": source, "text": t} for t in self.translations(texts)
            ]
        }


# -- Google ------------------------------------------------------------------------------------

_V3_PATH = re.compile(r"^/v3/projects/([^/]+)/locations/([^/:]+):translateText$")


def google_error(code: int, message: str, status: str, reason: str = "") -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if reason:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}]
    return {"error": error}


class FakeGoogle(FakeAPI):
    """Cloud Translation v2 (API key in X-goog-api-key or key=) and v3 (Bearer token).

    v2: POST /language/translate/v2, at most 128 segments. v3: POST
    /v3/projects/P/locations/L:translateText, at most 1,024 contents and 30,000 codepoints;
    with a glossaryConfig the answer carries glossaryTranslations as well, in which the terms of
    `glossary_terms` (source -> Arabic) are replaced before the fake translation.
    """

    kind = "google"
    key_env = "NAQL_TEST_GOOGLE_KEY"
    key = GOOGLE_KEY

    def __init__(self, *, delay: float = 0.0) -> None:
        super().__init__(delay=delay)
        self.glossary_terms: dict[str, str] = {}

    def texts_of(self, body: Any) -> list[str]:
        if not isinstance(body, dict):
            return []
        texts = body.get("q", body.get("contents")) or []
        return [texts] if isinstance(texts, str) else list(texts)

    def answer(self, request: Recorded) -> tuple[int, Any]:
        if request.method == "POST" and request.path == "/language/translate/v2":
            return self._v2(request)
        if request.method == "POST" and _V3_PATH.match(request.path):
            return self._v3(request)
        return 404, google_error(404, "Requested entity was not found.", "NOT_FOUND")

    def _v2(self, request: Recorded) -> tuple[int, Any]:
        key = request.headers.get("x-goog-api-key") or (request.query.get("key") or [""])[0]
        if key != self.key:
            return 400, google_error(
                400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT",
                "API_KEY_INVALID",
            )  # fmt: skip
        body = request.body if isinstance(request.body, dict) else {}
        texts = self.texts_of(body)
        if not texts or not body.get("target"):
            return 400, google_error(400, "Missing required field target.", "INVALID_ARGUMENT")
        if len(texts) > 128:
            return 400, google_error(400, "Too many text segments", "INVALID_ARGUMENT")
        return 200, {
            "data": {"translations": [{"translatedText": t} for t in self.translations(texts)]}
        }

    def _v3(self, request: Recorded) -> tuple[int, Any]:
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return 401, google_error(
                401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"
            )
        body = request.body if isinstance(request.body, dict) else {}
        texts = self.texts_of(body)
        if not texts or not body.get("targetLanguageCode"):
            return 400, google_error(400, "Target language code is required.", "INVALID_ARGUMENT")
        if len(texts) > 1024 or sum(len(t) for t in texts) > 30_000:
            return 400, google_error(
                400, "Text is too long or has too many contents.", "INVALID_ARGUMENT"
            )
        answer: dict[str, Any] = {
            "translations": [{"translatedText": t} for t in self.translations(texts)]
        }
        if body.get("glossaryConfig"):
            glossary = body["glossaryConfig"].get("glossary", "")
            replaced = [self._apply_glossary(t) for t in texts]
            answer["glossaryTranslations"] = [
                {"translatedText": t, "glossaryConfig": {"glossary": glossary}}
                for t in self.translations(replaced)
            ]
        return 200, answer

    def _apply_glossary(self, text: str) -> str:
        for term, arabic in self.glossary_terms.items():
            text = text.replace(term, arabic)
        return text


# -- Microsoft ---------------------------------------------------------------------------------


def microsoft_error(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class FakeMicrosoft(FakeAPI):
    """POST /translate?api-version=3.0&to=ar, Ocp-Apim-Subscription-Key (else 401);
    1,000 elements and 50,000 characters per request. With `region` set, the
    Ocp-Apim-Subscription-Region header must match it."""

    kind = "microsoft"
    key_env = "NAQL_TEST_MICROSOFT_KEY"
    key = MICROSOFT_KEY

    def __init__(self, *, delay: float = 0.0, region: str = "") -> None:
        super().__init__(delay=delay)
        self.region = region

    def texts_of(self, body: Any) -> list[str]:
        if not isinstance(body, list):
            return []
        return [item.get("Text", "") for item in body if isinstance(item, dict)]

    def answer(self, request: Recorded) -> tuple[int, Any]:
        if request.method != "POST" or request.path != "/translate":
            return 404, microsoft_error(404000, "The requested resource was not found.")
        headers = request.headers
        if headers.get("ocp-apim-subscription-key") != self.key or (
            self.region and headers.get("ocp-apim-subscription-region") != self.region
        ):
            return 401, microsoft_error(
                401000,
                "The request is not authorized because credentials are missing or invalid.",
            )
        if request.query.get("api-version") != ["3.0"]:
            return 400, microsoft_error(400021, "The API version parameter is missing or invalid.")
        if not request.query.get("to"):
            return 400, microsoft_error(400036, "The target language is not valid.")
        body = request.body
        if not isinstance(body, list) or not all(
            isinstance(i, dict) and isinstance(i.get("Text"), str) for i in body
        ):
            return 400, microsoft_error(400074, "The body of the request is not valid JSON.")
        texts = self.texts_of(body)
        if len(texts) > 1000:
            return 400, microsoft_error(400072, "The array of input text has too many elements.")
        if sum(len(t) for t in texts) > 50_000:
            return 400, microsoft_error(400077, "The maximum request size has been exceeded.")
        return 200, [{"translations": [{"text": t, "to": "ar"}]} for t in self.translations(texts)]


# -- LibreTranslate ----------------------------------------------------------------------------


class FakeLibreTranslate(FakeAPI):
    """POST /translate with a list `q`; needs `api_key` when the fake has a key (missing: 400,
    wrong: 403, like LibreTranslate); `batch_limit` / `char_limit` like the server's flags
    (-1 = off, characters counted per text); `languages`: the source languages it has."""

    kind = "libretranslate"
    key_env = "NAQL_TEST_LIBRETRANSLATE_KEY"

    def __init__(self, *, delay: float = 0.0, api_key: str | None = LIBRE_KEY) -> None:
        super().__init__(delay=delay)
        self.key = api_key or ""
        self.batch_limit = -1
        self.char_limit = -1
        self.languages = {"en", "fr", "de", "es", "it", "pt", "ru", "zh", "ja", "tr", "fa", "ur"}

    def texts_of(self, body: Any) -> list[str]:
        q = body.get("q") if isinstance(body, dict) else None
        return [q] if isinstance(q, str) else list(q or [])

    def answer(self, request: Recorded) -> tuple[int, Any]:
        if request.method != "POST" or request.path != "/translate":
            return 404, {"error": "Not Found"}
        body = request.body if isinstance(request.body, dict) else {}
        if self.key:
            if not body.get("api_key"):
                return 400, {"error": "Please contact the server operator to get an API key"}
            if body["api_key"] != self.key:
                return 403, {"error": "Invalid API key"}
        q = body.get("q")
        if not q:
            return 400, {"error": "Invalid request: missing q parameter"}
        texts = self.texts_of(body)
        if self.batch_limit != -1 and isinstance(q, list) and len(texts) > self.batch_limit:
            return 400, {
                "error": f"Invalid request: request ({len(texts)}) exceeds text limit ({self.batch_limit})"
            }
        for text in texts:
            if self.char_limit != -1 and len(text) > self.char_limit:
                return 400, {
                    "error": f"Invalid request: request ({len(text)}) exceeds text limit ({self.char_limit})"
                }
        source = body.get("source")
        if source not in self.languages:
            return 400, {"error": f"{source} is not supported"}
        if body.get("target") != "ar":
            return 400, {"error": f"{body.get('target')} is not supported"}
        out = self.translations(texts)
        return 200, {"translatedText": out if isinstance(q, list) else out[0]}
