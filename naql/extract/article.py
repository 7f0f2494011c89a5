"""Extract the article of a news page: body paragraphs and metadata (trafilatura).

trafilatura does the hard part (finding the main content and the metadata). naql keeps
the body as paragraphs rather than one blob: it walks trafilatura's XML body and turns
each block element (<p>, <head>, each list <item>, each table <row>, <quote>, ...) into
one plain-text paragraph, with line breaks (<lb/>) also ending a paragraph, the same
places where trafilatura's own text output starts a new line.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from naql.errors import ExtractionError
from naql.extract.language import detect_language
from naql.extract.media import absolute_http_url, find_videos, og_image

# Refuse anything larger than this (trafilatura's own default MAX_FILE_SIZE is 20 MB).
MAX_PAGE_BYTES = 20_000_000

# The settings behind the quality gate (tests/test_extract_gate.py); change them only with it.
TRAFILATURA_OPTIONS = {
    "favor_precision": True,  # the best F1 on the gate; favor_recall and the default score lower
    "include_comments": False,  # reader comments are not the article
    "include_tables": True,  # without tables the gate loses 0.01 F1 (recall)
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,  # no gain on the gate, and it is stateful across calls
}

# trafilatura's output tags that never start a paragraph of their own: their text runs on
# inside the paragraph around them.
_INLINE_TAGS = frozenset(
    {"hi", "ref", "del", "span", "cell", "b", "i", "em", "strong", "a", "sub", "sup"}
)
# Tags whose own text is not body text.
_SKIP_TEXT_TAGS = frozenset({"graphic"})

_SPACE_RE = re.compile(r"\s+")
# Some markup somewhere: a tag, comment or doctype opener (also in UTF-16/32, whose ASCII
# characters carry NUL bytes). Plain text, JSON and binary blobs are not pages.
_MARKUP_BYTES_RE = re.compile(rb"<\x00{0,3}[A-Za-z!?/]")
_MARKUP_STR_RE = re.compile(r"<[A-Za-z!?/]")
# Invisible characters that only get in the way of translation and matching.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalise_space(text: str | None) -> str:
    """Collapse runs of whitespace (any kind, nbsp included) to one space and trim."""
    if not text:
        return ""
    return _SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", text)).strip()


def _clean(value: object) -> str | None:
    text = normalise_space(str(value)) if value is not None else ""
    return text or None


@dataclass(frozen=True)
class ExtractedArticle:
    title: str | None
    paragraphs: list[str]
    author: str | None
    date: str | None
    url: str | None
    image: str | None
    videos: list[str] = field(default_factory=list)
    language: str | None = None
    site_name: str | None = None
    description: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def to_json_dict(self, input: str) -> dict:
        return {
            "input": input,
            "title": self.title,
            "text": self.text,
            "paragraphs": list(self.paragraphs),
            "author": self.author,
            "date": self.date,
            "url": self.url,
            "image": self.image,
            "videos": list(self.videos),
            "language": self.language,
            "site_name": self.site_name,
        }


def body_paragraphs(body: etree._Element | None) -> list[str]:
    """Plain-text paragraphs of a trafilatura XML body, in document order, none empty.

    Iterative (``etree.iterwalk``), so a deeply nested body cannot exhaust the stack.
    """
    if body is None:
        return []
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = normalise_space("".join(current))
        current.clear()
        if text:
            paragraphs.append(text)

    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        block = tag not in _INLINE_TAGS
        if event == "start":
            if block:
                flush()
            elif tag == "cell" and element.getprevious() is not None:
                current.append(" | ")
            if element.text and tag not in _SKIP_TEXT_TAGS and isinstance(element.tag, str):
                current.append(element.text)
        else:
            if block:
                flush()
            elif tag == "cell":
                current.append(" ")  # a cell's last word must not run into what follows
            if element.tail and element is not body:
                current.append(element.tail)
    flush()
    return paragraphs


_NON_WORD_RE = re.compile(r"[\W_]+")


def _match_key(text: str | None) -> str:
    return _NON_WORD_RE.sub(" ", text or "").strip().casefold()


def drop_title_repeats(paragraphs: list[str], title: str | None) -> list[str]:
    """The paragraphs without those that only repeat the title (the page's <h1> as a heading).

    naql stores and translates the title on its own; a copy at the top of the body would be
    translated and shown twice. Never empties the body.
    """
    key = _match_key(title)
    if not key:
        return paragraphs
    kept = [p for p in paragraphs if _match_key(p) != key]
    return kept or paragraphs


def _where(url: str | None) -> str:
    return url if url else "page"


def extract_article(html: str | bytes, url: str | None = None) -> ExtractedArticle:
    """Extract the article of one page. Raises ExtractionError when the page has no article text.

    ``html`` may be bytes (trafilatura then detects the encoding) or an already decoded str.
    ``url`` is where the page was fetched; it resolves relative addresses and is the
    article's URL when the page declares no canonical one.
    """
    import trafilatura  # heavy import; keep ``import naql.extract`` cheap

    missing = f"no article text found in {_where(url)}"
    if isinstance(html, (bytearray, memoryview)):
        html = bytes(html)
    if not isinstance(html, (bytes, str)):
        raise ExtractionError(
            f"{missing}: expected HTML as str or bytes, got {type(html).__name__}"
        )
    if not html.strip():
        raise ExtractionError(missing)
    if len(html) > MAX_PAGE_BYTES:
        raise ExtractionError(f"{missing}: page larger than {MAX_PAGE_BYTES} bytes")
    markup = _MARKUP_BYTES_RE if isinstance(html, bytes) else _MARKUP_STR_RE
    if not markup.search(html):
        raise ExtractionError(f"{missing}: not an HTML page")

    try:
        # One parse (trafilatura's, with its encoding detection) serves the media scan and
        # the extraction; bare_extraction works on a copy of the tree.
        tree = trafilatura.load_html(html)
        if tree is None:
            raise ExtractionError(missing)
        videos = find_videos(tree)
        declared_image = og_image(tree)
        document = trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, **TRAFILATURA_OPTIONS
        )
        paragraphs = body_paragraphs(document.body) if document is not None else []
        if not paragraphs:
            raise ExtractionError(missing)
        title = _clean(getattr(document, "title", None))
        paragraphs = drop_title_repeats(paragraphs, title)

        fetched = absolute_http_url(url, None)
        page_url = absolute_http_url(getattr(document, "url", None), url) or fetched
        base = fetched or page_url
        image = absolute_http_url(getattr(document, "image", None), base)
        return ExtractedArticle(
            title=title,
            paragraphs=paragraphs,
            author=_clean(getattr(document, "author", None)),
            date=_clean(getattr(document, "date", None)),
            url=page_url,
            image=image or absolute_http_url(declared_image, base),
            videos=videos,
            language=detect_language("\n".join(paragraphs)),
            site_name=_clean(getattr(document, "sitename", None)),
            description=_clean(getattr(document, "description", None)),
        )
    except ExtractionError:
        raise
    except Exception as exc:  # hostile input must surface as ExtractionError, whatever broke
        raise ExtractionError(f"{missing}: {type(exc).__name__}") from exc


def read_page(path: str | Path) -> bytes:
    """The raw bytes of a saved page, ``.html`` or gzip-compressed ``.html.gz``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read page {path}: {exc.strerror or exc}") from exc
    if data[:2] == b"\x1f\x8b":  # gzip magic, whatever the file is called
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = stream.read(MAX_PAGE_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise ExtractionError(f"cannot read page {path}: corrupt gzip data") from exc
        if len(data) > MAX_PAGE_BYTES:
            raise ExtractionError(f"cannot read page {path}: larger than {MAX_PAGE_BYTES} bytes")
    return data
