"""Polite, bounded HTTP fetching over httpx.

Every fetch is bounded in time (connect/read timeouts) and size (the body is streamed and cut off at
`max_bytes` after decompression), follows at most `max_redirects` redirects, checks each hop's
address against the private-network rule, honours robots.txt (protego) and spaces requests to one
host by `per_host_delay`. Redirects are followed here rather than by httpx so that each hop is
checked before it is requested.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from naql.config import Config
from naql.errors import BlockedAddress, FetchError, RobotsDisallowed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "naql/0.1"
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_private_network: bool = False
    respect_robots: bool = True
    per_host_delay: float = 1.0


def settings_from_config(config: Config, **overrides: object) -> FetchSettings:
    """The [fetch] settings of a site (overrides win, e.g. per_host_delay=0 for one-off fetches)."""
    values: dict[str, object] = {
        name: config[f"fetch.{name}"]
        for name in (
            "user_agent",
            "timeout",
            "max_bytes",
            "max_redirects",
            "allow_private_network",
            "respect_robots",
            "per_host_delay",
        )
    }
    return FetchSettings(**{**values, **overrides})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Response:
    url: str  # final URL after redirects
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def check_address(url: str, allow_private: bool) -> None:
    """Refuse URLs that are not http(s) or that resolve to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refused {url!r}: only http and https URLs can be fetched")
    if not parts.hostname:
        raise FetchError(f"refused {url!r}: the URL has no host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {parts.hostname!r}: {exc}") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise BlockedAddress(
                f"refused {url}: {parts.hostname} resolves to the non-public address {ip}"
                " (set fetch.allow_private_network = true in naql.toml to allow it)"
            )


class Fetcher:
    """One HTTP client for a run; thread-safe."""

    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
        )
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._host_last: dict[str, float] = {}
        self._locks_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- politeness -------------------------------------------------------------------------
    def _host_lock(self, host: str) -> threading.Lock:
        with self._locks_lock:
            return self._host_locks.setdefault(host, threading.Lock())

    def _wait_turn(self, host: str) -> None:
        delay = self.settings.per_host_delay
        last = self._host_last.get(host)
        if last is not None and delay > 0:
            wait = last + delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._host_last[host] = time.monotonic()

    def allowed_by_robots(self, url: str) -> bool:
        if not self.settings.respect_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            known = origin in self._robots
            parser = self._robots.get(origin)
        if not known:
            parser = self._load_robots(origin)
            with self._robots_lock:
                self._robots[origin] = parser
        return parser is None or parser.can_fetch(url, self.settings.user_agent)

    def _load_robots(self, origin: str) -> Protego | None:
        try:
            resp = self._request(origin + "/robots.txt", check_robots=False)
        except FetchError as exc:
            log.info("robots.txt for %s unavailable (%s): allowing", origin, exc)
            return None
        if resp.status >= 400:
            return None  # RFC 9309: an unavailable robots.txt (4xx) allows everything
        return Protego.parse(resp.content.decode("utf-8", "replace"))

    # -- fetching ---------------------------------------------------------------------------
    def get(self, url: str, *, headers: dict[str, str] | None = None) -> Response:
        """GET with redirects, robots and address checks. HTTP errors (>= 400) raise FetchError."""
        resp = self._request(url, headers=headers, check_robots=True)
        if resp.status >= 400:
            raise FetchError(
                f"HTTP {resp.status} for {resp.url}",
                status=resp.status,
                retry_after=_parse_retry_after(resp.headers.get("Retry-After")),
            )
        return resp

    def _request(
        self, url: str, *, headers: dict[str, str] | None = None, check_robots: bool
    ) -> Response:
        for _ in range(self.settings.max_redirects + 1):
            check_address(url, self.settings.allow_private_network)
            if check_robots and not self.allowed_by_robots(url):
                raise RobotsDisallowed(f"robots.txt of {urlsplit(url).netloc} disallows {url}")
            resp = self._send(url, headers)
            if resp.status in (301, 302, 303, 307, 308) and "location" in resp.headers:
                url = urljoin(url, resp.headers["location"])
                continue
            return resp
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects}) from {url}")

    def _send(self, url: str, headers: dict[str, str] | None) -> Response:
        host = urlsplit(url).netloc
        cap = self.settings.max_bytes
        with self._host_lock(host):
            self._wait_turn(host)
            try:
                with self._client.stream("GET", url, headers=headers) as resp:
                    declared = resp.headers.get("Content-Length", "")
                    if (
                        declared.isdigit()
                        and int(declared) > cap
                        and resp.headers.get("Content-Encoding") is None
                    ):
                        raise FetchError(
                            f"{url} is too large ({declared} bytes; fetch.max_bytes = {cap})"
                        )
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > cap:
                            raise FetchError(f"{url} is larger than fetch.max_bytes = {cap} bytes")
                        chunks.append(chunk)
                    return Response(str(resp.url), resp.status_code, resp.headers, b"".join(chunks))
            except httpx.TimeoutException as exc:
                raise FetchError(
                    f"timed out fetching {url} (fetch.timeout = {self.settings.timeout}s)"
                ) from exc
            except httpx.DecodingError as exc:
                raise FetchError(f"bad compressed response from {url}: {exc}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch {url}: {exc}") from exc
