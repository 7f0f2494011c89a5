"""What every engine behind an HTTP API shares: batching, requests in flight, retries, errors.

Written on httpx rather than each vendor's client library: one retry, back-off and budget policy
for every service (the official clients each bring their own retry loop, and DeepL's brings
`requests`), requests sized to each API's documented limits, and the exact wire format visible
and testable against a local server.

A subclass sets its batch limits and implements `translate_batch` (one request, one batch) and,
when its service's error bodies say more than the status, `error_message`.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import random
import ssl
import threading
import time
from abc import abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import certifi
import httpx

from naql.errors import EngineUnavailable, TranslationError
from naql.translate.engine import Engine

if TYPE_CHECKING:
    from naql.config import Config
    from naql.translate.engines import EngineConfig

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})
# Statuses that say the engine itself cannot work now (credentials, quota, payment): the work goes
# to the next engine at once, without retrying.
UNAVAILABLE_STATUSES = frozenset({401, 402, 403, 456})


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class RemoteEngine(Engine):
    """An engine behind an HTTP API. Subclasses: DeepL, Google, Microsoft, LibreTranslate, OpenAI."""

    #: public base URL used when the engine's `url` is not set
    default_url: str = ""
    #: most texts in one request, and most characters (the API's documented limits)
    max_batch_items: int = 50
    max_batch_chars: int = 30_000
    #: kind-specific settings: name -> (type, default, help)
    OPTIONS: dict[str, tuple[type, Any, str]] = {}
    #: statuses that mean the engine cannot work now (no retry; the next engine takes over)
    unavailable_statuses: frozenset[int] = UNAVAILABLE_STATUSES
    #: first back-off delay, doubled each retry (with jitter)
    retry_base: float = 0.5

    def __init__(self, conf: EngineConfig, config: Config | None, language: str):
        super().__init__()
        self.conf = conf
        self.config_name = conf.name
        self.source_language = language
        self.model = conf.get("model") or self.model
        self.max_retries = int(conf.get("max_retries", 4))
        self.max_retry_wait = float(conf.get("max_retry_wait", 60.0))
        self.max_in_flight = int(conf.get("max_in_flight", 8))
        self._secrets: list[str] = []
        self._lock = threading.Lock()
        timeout = float(conf.get("timeout", 30.0))
        self.client = httpx.Client(
            base_url=(conf.url or self.default_url).rstrip("/"),
            verify=_tls_context(),
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": _user_agent(config)},
            limits=httpx.Limits(max_connections=self.max_in_flight + 2),
            follow_redirects=False,
        )

    # -- what a kind implements ---------------------------------------------------------------

    @classmethod
    def open(cls, conf: EngineConfig, config: Config | None, language: str) -> RemoteEngine:
        if not cls.offers(conf, config, language):
            raise EngineUnavailable(f"engine {conf.name} does not translate {language} into Arabic")
        return cls(conf, config, language)

    @classmethod
    def offers(cls, conf: EngineConfig, config: Config | None, language: str) -> bool:
        """Whether the service translates `language` into Arabic (its documented list)."""
        return True

    @abstractmethod
    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate one batch in one request (use `self.post`); same length and order."""

    def error_message(self, response: httpx.Response) -> str:
        """The service's own words for an error response (its documented error body)."""
        try:
            data = response.json()
        except ValueError:
            return response.text[:200].strip()
        if isinstance(data, dict):
            for key in ("message", "error", "detail"):
                value = data.get(key)
                if isinstance(value, dict):
                    value = value.get("message") or value
                if value:
                    return str(value)[:300]
        return str(data)[:200]

    # -- shared machinery ---------------------------------------------------------------------

    def secret(self, value: str) -> str:
        """Register a credential so that it is scrubbed from every error message."""
        if value:
            self._secrets.append(value)
        return value

    def redact(self, text: str) -> str:
        for value in self._secrets:
            text = text.replace(value, "***")
        return text

    def batches(self, texts: Sequence[str]) -> list[list[int]]:
        """Indices of `texts` grouped into batches within the item and character limits."""
        out: list[list[int]] = []
        current: list[int] = []
        chars = 0
        for i, text in enumerate(texts):
            n = len(text)
            if current and (
                len(current) >= self.max_batch_items or chars + n > self.max_batch_chars
            ):
                out.append(current)
                current, chars = [], 0
            current.append(i)
            chars += n
        if current:
            out.append(current)
        return out

    def translate(self, sentences: Sequence[str]) -> list[str]:
        out = [""] * len(sentences)
        todo = [i for i, s in enumerate(sentences) if s.strip()]
        if not todo:
            return out
        groups = [[todo[i] for i in batch] for batch in self.batches([sentences[i] for i in todo])]
        results = self.run_concurrently(
            lambda group: self._checked_batch([sentences[i] for i in group]), groups
        )
        for group, texts in zip(groups, results, strict=True):
            for i, text in zip(group, texts, strict=True):
                out[i] = text
        return out

    def run_concurrently(self, work: Any, items: Sequence[Any]) -> list[Any]:
        """`work(item)` for each item, `max_in_flight` at a time, results in order.

        The first EngineUnavailable stops the rest (queued items are not sent) and is raised;
        otherwise the first TranslationError is raised after every request has finished.
        """
        if len(items) <= 1 or self.max_in_flight <= 1:
            return [work(item) for item in items]
        stop = threading.Event()

        def guarded(item: Any) -> Any:
            if stop.is_set():
                raise _Skipped()
            try:
                return work(item)
            except EngineUnavailable:
                stop.set()
                raise

        with ThreadPoolExecutor(max_workers=min(self.max_in_flight, len(items))) as pool:
            futures = [pool.submit(guarded, item) for item in items]
            results, first_error = [], None
            for future in futures:
                try:
                    results.append(future.result())
                except _Skipped:
                    results.append(None)
                except EngineUnavailable as exc:
                    if not isinstance(first_error, EngineUnavailable):
                        first_error = exc
                    results.append(None)
                except TranslationError as exc:
                    first_error = first_error or exc
                    results.append(None)
        if first_error is not None:
            raise first_error
        return results

    def _checked_batch(self, texts: list[str]) -> list[str]:
        result = self.translate_batch(texts)
        if len(result) != len(texts):
            raise EngineUnavailable(
                f"engine {self.config_name}: answered {len(result)} translations for {len(texts)} texts"
            )
        with self._lock:
            self.usage.characters += sum(len(t) for t in texts)
        return result

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One API call with retries: 429/5xx/timeouts/dropped connections back off and retry
        (honouring Retry-After); credentials, quota and payment errors and exhausted retries raise
        EngineUnavailable; other 4xx raise TranslationError with the service's message."""
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                with self._lock:
                    self.usage.requests += 1
                response = self.client.request(method, path, **kwargs)
            except httpx.TimeoutException as exc:
                problem = f"timed out after {self.client.timeout.read}s ({type(exc).__name__})"
            except httpx.TransportError as exc:
                problem = f"cannot reach {self.client.base_url} ({type(exc).__name__}: {exc})"
            else:
                if response.status_code < 400:
                    return response
                status = response.status_code
                message = self.redact(self.error_message(response))
                if status in self.unavailable_statuses:
                    raise EngineUnavailable(
                        f"engine {self.config_name}: HTTP {status} {message}".rstrip(),
                        retry_after=parse_retry_after(response.headers.get("Retry-After")),
                    )
                if status not in RETRY_STATUSES:
                    raise TranslationError(
                        f"engine {self.config_name}: HTTP {status} {message}".rstrip()
                    )
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                problem = f"HTTP {status} {message}".rstrip()
            problem = self.redact(problem)
            if retry_after is not None and retry_after > self.max_retry_wait:
                raise EngineUnavailable(
                    f"engine {self.config_name}: {problem} (Retry-After {retry_after:.0f}s)",
                    retry_after=retry_after,
                )
            if attempt > self.max_retries:
                raise EngineUnavailable(
                    f"engine {self.config_name}: {problem} (after {attempt} attempts)",
                    retry_after=retry_after,
                )
            delay = (
                retry_after
                if retry_after is not None
                else self.retry_base * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
            )
            log.info("engine %s: %s; retrying in %.1fs", self.config_name, problem, delay)
            time.sleep(min(delay, self.max_retry_wait))

    def unexpected(self, what: str) -> EngineUnavailable:
        """An answer of the wrong shape: the engine is not working as documented."""
        return EngineUnavailable(
            f"engine {self.config_name}: unexpected answer from {self.name} ({what})"
        )

    def texts_of(self, data: Any, key: str, field: str) -> list[str]:
        """`data[key]` as a list of objects, each with a string `field`: one text per object."""
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise self.unexpected(f"no {key} list")
        out = []
        for item in items:
            text = item.get(field) if isinstance(item, dict) else None
            if not isinstance(text, str):
                raise self.unexpected(f"a translation without {field}")
            out.append(text)
        return out

    def json(self, response: httpx.Response) -> Any:
        """The response's JSON, or EngineUnavailable naming the engine when it is not JSON."""
        try:
            return response.json()
        except ValueError:
            raise EngineUnavailable(
                f"engine {self.config_name}: the answer is not JSON ({response.text[:80]!r})"
            ) from None

    def close(self) -> None:
        self.client.close()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every engine: loading the CA bundle costs ~50 ms a client."""
    return ssl.create_default_context(cafile=certifi.where())


class _Skipped(Exception):
    """A queued request not sent because the engine became unavailable."""


def _user_agent(config: Config | None) -> str:
    if config is None:
        return "naql"
    try:
        return str(config["fetch.user_agent"])
    except KeyError:
        return "naql"
