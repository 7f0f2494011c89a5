"""The connection under the fetcher: the address that is checked is the address connected to.

`PinnedTransport` is httpx's transport over `PinnedBackend`, which resolves a host name once per
connection, refuses it if any of its addresses is private, loopback or link-local (unless
allowed), and connects to an address it checked: a DNS rebinding attack that answers a public
address to a check and a private one to the connection has no second lookup to answer. The Host
header, TLS SNI and the certificate check still use the host name (httpcore passes it to
start_tls). Every read, write and handshake is also bounded by the deadline of the fetch in
progress on the thread (`bounded_by`), so a server that trickles or stalls is cut off there.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

from naql.errors import BlockedAddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

__all__ = [
    "PinnedBackend",
    "PinnedTransport",
    "bounded_by",
    "is_public_address",
    "refuse_private",
    "resolve",
]

# -- addresses --------------------------------------------------------------------------------

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(ip: IPAddress) -> bool:
    """A global unicast address; IPv6 forms that carry an IPv4 address are judged by that one."""
    if ip.is_multicast or not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(ip.packed[-4:])
        if embedded is not None:
            return is_public_address(embedded)
    return True


def refuse_private(host: str, addresses: list[str]) -> None:
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not is_public_address(ip):
            raise BlockedAddress(
                f"{host} resolves to the non-public address {ip}"
                " (set fetch.allow_private_network = true in naql.toml to allow it)"
            )


def resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of `host`, in the resolver's order; the lookup is bounded by `timeout`."""
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    else:
        return [host]
    found: dict[str, object] = {}

    def lookup() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError) as exc:  # ValueError: a NUL in the name
            found["error"] = exc

    # getaddrinfo takes no timeout: it runs in a thread of its own, left behind if it overruns.
    thread = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout:g} s")
    if "error" in found:
        raise httpcore.ConnectError(f"cannot resolve host {host!r}: {found['error']}")
    infos = typing.cast(list[tuple[typing.Any, ...]], found["infos"])
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# -- the deadline and the pinned connection ----------------------------------------------------


class _Clock(threading.local):
    """The deadline (time.monotonic()) of the fetch this thread is making, if any."""

    deadline: float | None = None


_clock = _Clock()


@contextmanager
def bounded_by(at: float) -> Iterator[None]:
    """Network operations on this thread end by `at` (time.monotonic()) inside this block."""
    previous, _clock.deadline = _clock.deadline, at
    try:
        yield
    finally:
        _clock.deadline = previous


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """The time one network operation may take: its own timeout, or less if the deadline is near."""
    deadline = _clock.deadline
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("fetch.deadline reached")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    """A connection whose every read, write and handshake ends by the deadline of its fetch."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class PinnedBackend(httpcore.SyncBackend):
    """Resolve once, check every address, connect to a checked one (the name still goes in the
    Host header and in TLS, whose SNI and certificate check httpcore does for the host name)."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port, _bounded(timeout, httpcore.ConnectTimeout))
        if not self.allow_private:
            refuse_private(host, addresses)
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address,
                    port,
                    timeout=_bounded(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _BoundedStream(stream)
        raise error


class PinnedTransport(httpx.HTTPTransport):
    """httpx's transport over `PinnedBackend`.

    httpx does not take a network backend yet (encode/httpx#3180): its connection pool (`_pool`)
    is replaced by one over PinnedBackend; the rebinding tests fail if that stops working.
    """

    def __init__(self, allow_private: bool, ssl_context: ssl.SSLContext | None):
        context = ssl_context or httpx.create_ssl_context()
        super().__init__(verify=context, trust_env=False)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(allow_private),
        )
