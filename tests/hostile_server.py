"""A hostile HTTP server on loopback, scripted byte by byte, and a guard on outgoing connections.

`RawServer` answers each path with a behaviour: a function that writes whatever bytes it likes to
the client's socket (a trickle, silence after the headers, a reset, a lying Content-Length ...).
It records every request with the time it arrived. `ConnectGuard` lets a test connect only to its
own servers: any other connection is refused before it leaves the process, and recorded.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import pytest

Behaviour = Callable[[socket.socket, threading.Event], None]


@dataclass
class Request:
    at: float  # time.monotonic() when the request arrived
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class RawServer:
    """One listening socket on a loopback address; each connection answered in its own thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None):
        self.tls = tls
        self.routes: dict[str, Behaviour] = {}
        self.fallback: Behaviour = respond(b"", status=404)  # the answer to any other path
        self.requests: list[Request] = []
        self.stop = threading.Event()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(64)
        self.host, self.port = host, self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def add(self, path: str, behaviour: Behaviour) -> str:
        self.routes[path] = behaviour
        return self.url + path

    def hits(self, path: str | None = None) -> int:
        return sum(1 for r in self.requests if path is None or r.path == path)

    def close(self) -> None:
        self.stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            path = parts[1] if len(parts) > 1 else ""
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in lines[1:])
            }
            self.requests.append(Request(time.monotonic(), path, headers))
            behaviour = self.routes.get(path) or self.fallback
            behaviour(conn, self.stop)
        except (OSError, ssl.SSLError):
            pass  # the client went away: that is the point of several behaviours
        finally:
            with suppress(OSError):
                conn.close()


# -- behaviours -----------------------------------------------------------------------------------

_REASONS = {200: "OK", 301: "Moved", 302: "Found", 404: "Not Found", 429: "Too Many", 500: "Error"}


def head(
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    length: int | None = None,
    content_type: str = "text/html; charset=utf-8",
) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"Content-Type: {content_type}"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(
    body: bytes,
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    content_type: str = "text/html; charset=utf-8",
    length: int | None = None,
    delay: float = 0.0,
) -> Behaviour:
    """A plain answer; `length` lies about Content-Length, `delay` waits before answering."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        if delay:
            stop.wait(delay)
        declared = len(body) if length is None else length
        conn.sendall(head(status, headers, length=declared, content_type=content_type) + body)

    return behaviour


def trickle(
    body: bytes, *, every: float = 0.05, size: int = 64, content_type: str = "text/html"
) -> Behaviour:
    """Honest headers, then the body `size` bytes at a time, one piece every `every` seconds."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head(length=len(body), content_type=content_type))
        for start in range(0, len(body), size):
            if stop.wait(every):
                return
            conn.sendall(body[start : start + size])

    return behaviour


def stall(*, after_headers: bool = True, content_type: str = "text/html") -> Behaviour:
    """Headers (or nothing at all), then silence until the client gives up."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        if after_headers:
            conn.sendall(head(length=100_000, content_type=content_type))
        conn.settimeout(0.2)
        while not stop.is_set():
            try:
                if conn.recv(1) == b"":
                    return  # the client closed the connection
            except TimeoutError:
                continue

    return behaviour


def reset(prefix: bytes = b"") -> Behaviour:
    """Send `prefix` (e.g. headers and part of a body), then abort the connection (TCP RST)."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        if prefix:
            conn.sendall(prefix)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return behaviour


def raw(data: bytes) -> Behaviour:
    """Exactly these bytes, whatever they are."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(data)

    return behaviour


def redirect(location: str, status: int = 302) -> Behaviour:
    return respond(b"", status=status, headers={"Location": location})


# -- the guard on outgoing connections --------------------------------------------------------


class ConnectGuard:
    """Outgoing connections only to the allowed (address, port) pairs; others refused, recorded."""

    def __init__(self) -> None:
        self.allowed: set[tuple[str, int]] = set()
        self.attempts: list[tuple[str, int]] = []
        self.refused: list[tuple[str, int]] = []

    def allow(self, server: RawServer) -> None:
        self.allowed.add((server.host, server.port))

    def check(self, address: object) -> None:
        if not isinstance(address, tuple):
            return  # a Unix socket
        host, port = str(address[0]).split("%")[0], int(address[1])
        self.attempts.append((host, port))
        try:
            canonical = str(ipaddress.ip_address(host))
        except ValueError:
            canonical = host
        if (canonical, port) not in self.allowed:
            self.refused.append((canonical, port))
            raise ConnectionRefusedError(f"test guard: no connection to {canonical}:{port}")


@contextmanager
def connect_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectGuard]:
    guard = ConnectGuard()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> None:
        guard.check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        guard.check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield guard


def pretend_public(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    """Treat these loopback addresses as public ones (ipaddress's is_global), for the test's servers.

    Every other address keeps its real nature: 127.0.0.2, ::1, 10.0.0.1, 169.254.169.254 ... stay
    private, so the fetcher's private-network rule runs for real while the test's own servers,
    which can only live on loopback, stand in for the public internet.
    """
    public = {ipaddress.ip_address(a) for a in addresses}
    real = ipaddress.IPv4Address.is_global

    def is_global(self: ipaddress.IPv4Address) -> bool:
        return self in public or bool(real.fget(self))  # type: ignore[attr-defined]

    monkeypatch.setattr(ipaddress.IPv4Address, "is_global", property(is_global))


@contextmanager
def fake_dns(
    monkeypatch: pytest.MonkeyPatch, answers: dict[str, Callable[[], str]]
) -> Iterator[list[str]]:
    """socket.getaddrinfo answers `answers[name]()` for these names (a list of the names asked)."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in answers:
            asked.append(name)
            address = answers[name]()
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr: tuple = (address, int(port or 0))  # type: ignore[arg-type,type-arg]
            if family == socket.AF_INET6:
                sockaddr = (*sockaddr, 0, 0)
            return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield asked
