"""Media found in a page: the lead image and embedded YouTube/Vimeo videos.

Every URL that leaves this module is either rebuilt from a strictly validated ID
(videos) or checked to be an absolute http(s) URL (the lead image): nothing an
attacker wrote in the page is passed through unchecked.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,15}")

_YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
_YOUTU_BE_HOSTS = frozenset({"youtu.be", "www.youtu.be"})
_VIMEO_PLAYER_HOSTS = frozenset({"player.vimeo.com"})
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com"})

# Attributes that carry the address of embedded media, per element. Lazy loaders keep
# the real address in data-* attributes, so those are read too.
_EMBED_XPATH = (
    "//iframe/@src | //iframe/@data-src | //iframe/@data-lazy-src | //iframe/@data-url"
    " | //embed/@src | //object/@data | //param[@name='movie' or @name='src']/@value"
    " | //meta[@property='og:video' or @property='og:video:url'"
    " or @property='og:video:secure_url' or @name='twitter:player']/@content"
)

_MAX_URL_LENGTH = 2048
_MAX_CANDIDATES = 1000


def _split(raw: str, base: str | None = None):
    """urlsplit of an http(s) (or scheme-relative) URL, or None for anything else."""
    raw = raw.strip()
    if not raw or len(raw) > _MAX_URL_LENGTH:
        return None
    if raw.startswith("//"):
        raw = "https:" + raw
    try:
        parts = urlsplit(raw)
        if not parts.scheme and base:
            parts = urlsplit(urljoin(base, raw))
        if parts.scheme.lower() not in ("http", "https"):
            return None
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if not host:
        return None
    return parts, host


def video_url(raw: str) -> str | None:
    """Canonical https URL of a YouTube or Vimeo video address, or None if it is not one."""
    split = _split(raw)
    if split is None:
        return None
    parts, host = split
    segments = [s for s in parts.path.split("/") if s]
    youtube: str | None = None
    vimeo: str | None = None
    if host in _YOUTUBE_HOSTS:
        if len(segments) >= 2 and segments[0] in ("embed", "v", "shorts", "live"):
            youtube = segments[1]
        elif segments == ["watch"]:
            youtube = (parse_qs(parts.query).get("v") or [None])[0]
    elif host in _YOUTU_BE_HOSTS:
        youtube = segments[0] if segments else None
    elif host in _VIMEO_PLAYER_HOSTS:
        vimeo = segments[1] if len(segments) >= 2 and segments[0] == "video" else None
    elif host in _VIMEO_HOSTS:
        vimeo = segments[0] if segments else None
    # Only an ID that passes its strict pattern is used, to rebuild the URL from scratch.
    if youtube is not None and _YOUTUBE_ID.fullmatch(youtube):
        return f"https://www.youtube.com/watch?v={youtube}"
    if vimeo is not None and _VIMEO_ID.fullmatch(vimeo):
        return f"https://vimeo.com/{vimeo}"
    return None


def find_videos(tree: HtmlElement | None) -> list[str]:
    """Embedded YouTube/Vimeo videos of a page: canonical URLs, deduplicated, in page order."""
    if tree is None:
        return []
    try:
        values = tree.xpath(_EMBED_XPATH)
    except (etree.LxmlError, ValueError, RecursionError):  # no videos rather than no article
        return []
    seen: dict[str, None] = {}
    for value in values[:_MAX_CANDIDATES]:
        url = video_url(str(value))
        if url is not None:
            seen.setdefault(url, None)
    return list(seen)


def absolute_http_url(raw: str | None, base: str | None) -> str | None:
    """``raw`` resolved against ``base`` if that makes an absolute http(s) URL, else None."""
    if not raw:
        return None
    raw = raw.strip()
    if not raw or len(raw) > _MAX_URL_LENGTH or any(ord(ch) < 0x20 or ch == "\x7f" for ch in raw):
        return None
    if " " in raw:
        if ", " in raw:  # a srcset-like list, not one address
            return None
        raw = raw.replace(" ", "%20")
    if raw.startswith("//"):
        raw = "https:" + raw
    try:
        parts = urlsplit(raw)
        if not parts.scheme:
            if not base or _split(base) is None:
                return None
            raw = urljoin(base, raw)
            parts = urlsplit(raw)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:
        return None
    return raw


def og_image(tree: HtmlElement | None) -> str | None:
    """The first og:image / twitter:image / image_src address declared in the page head, raw."""
    if tree is None:
        return None
    try:
        values = tree.xpath(
            "//meta[@property='og:image' or @property='og:image:url'"
            " or @property='og:image:secure_url' or @name='twitter:image'"
            " or @property='twitter:image']/@content | //link[@rel='image_src']/@href"
        )
    except (etree.LxmlError, ValueError, RecursionError):
        return None
    for value in values:
        if str(value).strip():
            return str(value)
    return None
