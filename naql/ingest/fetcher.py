"""Polite, bounded HTTP fetching over httpx.

Every fetch is bounded in size (the body is streamed and cut off at `max_bytes` after
decompression) and in time twice over: `timeout` bounds each wait on the network (connecting,
each read), and `deadline` bounds the whole fetch (connecting, every redirect hop and the whole
body), so a server that trickles its answer a byte at a time is cut off there.

Addresses are checked where the connection is made (naql.ingest.transport): a host name is
resolved once per connection, refused if any of its addresses is private, loopback or link-local,
and the connection goes to the address that was checked, never to a second answer a DNS rebinding
attack could give. TLS still verifies the certificate for the host name. Redirects are followed here
rather than by httpx so that each hop is checked before it is requested; robots.txt (protego) is
honoured and requests to one host are spaced by `per_host_delay`.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import typing
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from naql.config import Config
from naql.errors import BlockedAddress, FetchError, RobotsDisallowed
from naql.ingest.transport import PinnedTransport, bounded_by, refuse_private, resolve

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
    deadline: float = 60.0


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
    try:
        values["deadline"] = config["fetch.deadline"]
    except KeyError:  # a settings table without fetch.deadline
        values["deadline"] = max(60.0, 3 * config["fetch.timeout"])
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
    except (TypeError, ValueError, OverflowError):
        return None
    return max(0.0, when.timestamp() - time.time())


def host_key(url: str) -> str:
    """What politeness counts as one host: the URL's host and port."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return url


def check_url(url: str) -> None:
    """Refuse what is not a well-formed http(s) URL with a host, before any network traffic."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise FetchError(f"refused {url!r}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refused {url!r}: only http and https URLs can be fetched")
    if not host:
        raise FetchError(f"refused {url!r}: the URL has no host")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise FetchError(f"refused {url!r}: the URL contains control characters")


def check_address(url: str, allow_private: bool) -> None:
    """Refuse URLs that are not http(s) or that resolve to a non-public address.

    The fetcher does not rely on this check (it checks the address it connects to); it is for
    callers that want the verdict on a URL without fetching it.
    """
    check_url(url)
    if allow_private:
        return
    parts = urlsplit(url)
    host = typing.cast(str, parts.hostname)
    try:
        addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80), None)
        refuse_private(host, addresses)
    except httpcore.ConnectError as exc:
        raise FetchError(str(exc)) from exc
    except BlockedAddress as exc:
        raise BlockedAddress(f"refused {url}: {exc}") from None


def _size(n: int) -> str:
    return f"{n / 1000:.1f} KB" if n < 10_000 else f"{n / 1000:.0f} KB"


class Fetcher:
    """One HTTP client for a run; thread-safe."""

    def __init__(self, settings: FetchSettings, *, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        # No proxies from the environment: a proxy would connect for us, past the address checks.
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            trust_env=False,
            transport=PinnedTransport(settings.allow_private_network, ssl_context),
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
        spent = [0.0]  # network seconds of this fetch so far, every hop together
        for _ in range(self.settings.max_redirects + 1):
            check_url(url)
            if check_robots and not self.allowed_by_robots(url):
                raise RobotsDisallowed(f"robots.txt of {urlsplit(url).netloc} disallows {url}")
            resp = self._send(url, headers, spent)
            if resp.status in (301, 302, 303, 307, 308) and "location" in resp.headers:
                location = resp.headers["location"]
                try:
                    url = urljoin(url, location.strip())
                except ValueError:
                    raise FetchError(f"{url} redirects to an invalid URL {location!r}") from None
                continue
            return resp
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects}) from {url}")

    def _send(self, url: str, headers: dict[str, str] | None, spent: list[float]) -> Response:
        """One request; `spent` carries the network time of the earlier hops of the same fetch."""
        host = host_key(url)
        allowed = self.settings.deadline
        with self._host_lock(host):
            self._wait_turn(host)  # waiting for one's turn is politeness, not the server's time
            started = time.monotonic()
            ends = started + allowed - spent[0]
            if ends <= started:
                raise FetchError(f"{url} did not answer within {allowed:g} s (fetch.deadline)")
            try:
                with bounded_by(ends), self._client.stream("GET", url, headers=headers) as resp:
                    content = self._read_body(url, resp, ends)
                    return Response(str(resp.url), resp.status_code, resp.headers, content)
            except _TooSlow as exc:
                raise FetchError(
                    f"{url} sent its body too slowly: {_size(exc.size)} in {allowed:g} s"
                    " (fetch.deadline)"
                ) from None
            except httpx.TimeoutException as exc:
                if time.monotonic() < ends - 0.01:
                    raise FetchError(
                        f"timed out fetching {url} (fetch.timeout = {self.settings.timeout}s)"
                    ) from exc
                raise FetchError(
                    f"{url} did not answer within {allowed:g} s (fetch.deadline)"
                ) from exc
            except BlockedAddress as exc:
                raise BlockedAddress(f"refused {url}: {exc}") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch {url}: {exc or type(exc).__name__}") from exc
            except (httpx.InvalidURL, UnicodeError) as exc:
                raise FetchError(f"cannot fetch {url!r}: {exc}") from exc
            finally:
                spent[0] += time.monotonic() - started

    def _read_body(self, url: str, resp: httpx.Response, ends: float) -> bytes:
        """The body, decompressed; cut off at max_bytes and at the deadline (`_TooSlow`)."""
        cap = self.settings.max_bytes
        declared = resp.headers.get("Content-Length", "")
        inflater = _Inflater.for_response(url, resp.headers)
        if declared.isdigit() and int(declared) > cap and inflater is None:
            raise FetchError(f"{url} is too large ({declared} bytes; fetch.max_bytes = {cap})")
        chunks: list[bytes] = []
        size = 0
        try:
            for raw in resp.iter_raw():
                for chunk in [raw] if inflater is None else inflater.feed(raw):
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"{url} is larger than fetch.max_bytes = {cap} bytes")
                    chunks.append(chunk)
                if time.monotonic() > ends:
                    raise _TooSlow(size)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= ends - 0.01:
                raise _TooSlow(size) from exc
            raise
        except zlib.error as exc:
            raise FetchError(f"bad compressed response from {url}: {exc}") from exc
        return b"".join(chunks)


class _Inflater:
    """gzip or deflate decoding in bounded pieces: no ratio makes one piece larger than PIECE.

    Only one coding is read: "gzip, gzip" would multiply a bomb's ratio at each layer.
    """

    PIECE = 1 << 20
    _WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}

    def __init__(self, coding: str):
        self._raw_deflate_next = coding == "deflate"  # servers send raw deflate as "deflate" too
        self._zlib = zlib.decompressobj(self._WBITS[coding])

    @classmethod
    def for_response(cls, url: str, headers: httpx.Headers) -> _Inflater | None:
        header = headers.get("Content-Encoding", "")
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if not codings:
            return None
        if len(codings) > 1 or codings[0] not in cls._WBITS:
            raise FetchError(
                f"{url} is sent with Content-Encoding {header[:100]!r}"
                " (naql reads gzip or deflate, applied once)"
            )
        return cls(codings[0])

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._zlib.eof:
            try:
                piece = self._zlib.decompress(data, self.PIECE)
            except zlib.error:
                if not self._raw_deflate_next:
                    raise
                self._raw_deflate_next = False
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_deflate_next = False
            yield piece
            data = self._zlib.unconsumed_tail


class _TooSlow(Exception):
    """The body was still arriving at the deadline (`size` bytes by then)."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size
