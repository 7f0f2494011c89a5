"""One article per story URL: canonical form of a URL (courlan, plus fragment removal)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import courlan

from naql.errors import FetchError

MAX_URL_LENGTH = 2048  # longest URL the store keeps (sources.url, articles.url)
_CONTROLS = re.compile(r"[\x00-\x20\x7f]")  # control characters and the space
_SURROGATES = re.compile(r"[\ud800-\udfff]")  # lone surrogates: no UTF-8 for them


def _http_parts(url: str) -> tuple[str, str, str, str] | None:
    """(scheme, netloc, path, query) of an http(s) URL with a host and a valid port, else None."""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return parts.scheme, parts.netloc, parts.path, parts.query


def canonical_url(url: str) -> str:
    """Normalise a story URL: lower-case host, tracking parameters dropped, sorted query, no fragment.

    Raises FetchError for anything that is not an http(s) URL with a host, or that holds control
    characters, or is longer than MAX_URL_LENGTH.
    """
    url = url.strip()
    original = _http_parts(url)
    if original is None:
        raise FetchError(f"{url[:200]!r} is not an http(s) URL")
    try:
        normalised = courlan.normalize_url(url)
    except (ValueError, AttributeError, UnicodeError):
        normalised = url
    parts = _http_parts(normalised)
    if parts is None:  # courlan could not: the least normalisation, so that a second pass agrees
        scheme, netloc, path, query = original
        scheme, netloc = scheme.lower(), netloc.lower()
    else:
        scheme, netloc, path, query = parts
    if _CONTROLS.search(netloc) or _SURROGATES.search(url):
        raise FetchError(f"{url[:200]!r} is not a usable URL (control characters in it)")
    path, query = _escape_controls(path or "/"), _escape_controls(query)
    canonical = urlunsplit((scheme, netloc, path, query, ""))
    if len(canonical) > MAX_URL_LENGTH:
        raise FetchError(
            f"{url[:100]!r}... is {len(canonical)} characters long (at most {MAX_URL_LENGTH})"
        )
    return canonical


def _escape_controls(text: str) -> str:
    return _CONTROLS.sub(lambda m: f"%{ord(m.group()):02X}", text)


def is_http_url(url: str) -> bool:
    return _http_parts(url.strip()) is not None
