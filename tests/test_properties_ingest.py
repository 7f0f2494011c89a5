"""Properties of the ingest parsers that take outside input: feeds and story URLs (Hypothesis).

Each test's name states its property. Whatever a server sends, feed parsing gives a Feed whose
entries are http(s) URLs with short, plain titles, or a clean NaqlError; canonical URLs are
http(s), idempotent, and anything else is refused with a FetchError, never another exception.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naql.errors import FetchError, NaqlError
from naql.ingest.feeds import MAX_TEXT, Feed, looks_like_feed, parse_feed, read_feed
from naql.ingest.fetcher import check_url
from naql.ingest.urls import MAX_URL_LENGTH, canonical_url, is_http_url

MODEST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies -----------------------------------------------------------------------------------

# Characters a hostile feed or URL may hold: markup, URL syntax, controls and NUL, spaces of all
# kinds, bidi marks, a BOM, a lone surrogate, non-Latin letters and digits.
ALPHABET = (
    "aZ09-._~<>&\"'=;:/?#[]@!$%+*(),\\ \t\r\n"
    "\x00\x01\x1f\x7f\x85\xa0\xe9\u00ad\u200b\u200f\u202e\u2028\ufeff\ufffd"
    "\ud800\udfffعربي٣²\U0001f600"
)
nasty_text = st.text(st.sampled_from(ALPHABET), max_size=60) | st.text(max_size=20)

schemes = st.sampled_from(
    ["http", "https", "HTTP", "HtTpS", "ftp", "javascript", "file", "", "data"]
)
hosts = st.one_of(
    st.sampled_from(
        [
            "example.com",
            "EXAMPLE.com",
            "xn--mgbh0fb.xn--kgbechtv",
            "مثال.إختبار",
            "127.0.0.1",
            "[::1]",
            "[::1",
            "a b.com",
            "",
            "user:pw@example.com",
            "example.com:99999",
            "example.com:8080",
            "example.com:-1",
            "%00.com",
        ]
    ),
    st.builds(
        "{}.{}".format,
        st.text("abcxyzABC019-_.", min_size=1, max_size=12),
        st.sampled_from(["com", "org", "co.uk", "test", "عرب", "xn--ngbrx"]),
    ),
)
paths = st.lists(nasty_text.map(lambda t: t.replace("/", "")), max_size=4).map(
    lambda parts: "/" + "/".join(parts)
)
queries = st.lists(
    st.tuples(st.sampled_from(["utm_source", "id", "q", "fbclid", "a", ""]), nasty_text),
    max_size=3,
).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))
built_urls = st.builds(
    lambda scheme, host, path, query, fragment: (
        f"{scheme}://{host}{path}"
        + (f"?{query}" if query else "")
        + (f"#{fragment}" if fragment else "")
    ),
    schemes,
    hosts,
    paths,
    queries,
    nasty_text,
)
any_url = st.one_of(built_urls, st.text(max_size=100))


def feed_document(kind: str, title: str, link: str, date: str, ttl: str, encoding: str) -> bytes:
    if kind == "rss":
        doc = (
            f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>{link}</link><ttl>{ttl}</ttl><description>d</description>"
            f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>"
            f"<item><title>plain</title><link>https://example.com/a</link></item></channel></rss>"
        )
    else:
        doc = (
            f'<?xml version="1.0" encoding="{encoding}"?>'
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title><id>urn:x</id>'
            f'<entry><title type="html">{title}</title><link href="{link}"/>'
            f"<updated>{date}</updated><id>urn:a</id></entry></feed>"
        )
    return doc.encode("utf-8", "surrogatepass")


feed_documents = st.builds(
    feed_document,
    st.sampled_from(["rss", "atom"]),
    nasty_text,
    st.one_of(any_url, nasty_text),
    st.one_of(
        nasty_text,
        st.sampled_from(
            [
                "Mon, 18 Nov 2019 10:00:00 GMT",
                "Sat, 01 Jan 0000 00:00:00 GMT",
                "99999-01-01T00:00:00Z",
            ]
        ),
    ),
    st.one_of(st.integers().map(str), nasty_text, st.just("²")),
    st.sampled_from(["utf-8", "utf-16", "latin-1", "x-unknown", "ascii"]),
)

# -- feeds ----------------------------------------------------------------------------------------


def _assert_clean(feed: Feed) -> None:
    for entry in feed.entries:
        assert is_http_url(entry.url), entry.url
        for text in (entry.title, feed.title):
            if text is not None:
                assert len(text) <= MAX_TEXT
                text.encode("utf-8")  # no lone surrogates: the store can keep it
                assert not any(ord(c) < 0x20 for c in text), repr(text)
    assert feed.interval is None or 0 < feed.interval <= 31_536_000


@MODEST
@given(st.binary(max_size=3000))
def test_feed_parsing_of_any_bytes_gives_clean_http_entries_or_a_naql_error(data: bytes) -> None:
    try:
        feed = parse_feed(data, "https://example.com/feed.xml")
    except NaqlError:
        return
    _assert_clean(feed)


@MODEST
@given(feed_documents, st.one_of(st.just("https://example.com/feed"), any_url))
def test_feed_parsing_of_hostile_feeds_gives_clean_http_entries_or_a_naql_error(
    data: bytes, base: str
) -> None:
    try:
        feed = read_feed(data, base)
    except NaqlError:
        return
    if feed is not None:
        _assert_clean(feed)


@MODEST
@given(st.one_of(st.binary(max_size=2000), feed_documents))
def test_feed_detection_never_raises_and_agrees_with_reading(data: bytes) -> None:
    detected = looks_like_feed(data)
    try:
        read = read_feed(data, "https://example.com/")
    except NaqlError:
        assert not detected
        return
    assert detected == (read is not None)


# -- URLs -----------------------------------------------------------------------------------------


@MODEST
@given(any_url)
def test_canonical_url_of_any_text_is_http_with_a_host_or_a_fetch_error(url: str) -> None:
    try:
        canonical = canonical_url(url)
    except FetchError:
        return
    parts = urlsplit(canonical)
    assert parts.scheme in ("http", "https") and parts.hostname
    assert not parts.fragment
    assert len(canonical) <= MAX_URL_LENGTH
    assert not any(ord(c) <= 0x20 or ord(c) == 0x7F for c in canonical), canonical
    canonical.encode("utf-8")


@MODEST
@given(any_url)
def test_canonical_url_is_idempotent(url: str) -> None:
    try:
        canonical = canonical_url(url)
    except FetchError:
        return
    assert canonical_url(canonical) == canonical


@MODEST
@given(any_url)
def test_is_http_url_never_raises_and_accepts_every_canonical_url(url: str) -> None:
    accepted = is_http_url(url)
    try:
        canonical = canonical_url(url)
    except FetchError:
        return
    assert accepted and is_http_url(canonical)


@MODEST
@given(any_url)
def test_url_check_before_fetching_refuses_only_with_a_fetch_error(url: str) -> None:
    try:
        check_url(url)
    except FetchError as exc:
        assert "\n" not in str(exc)
        return
    assert urlsplit(url).scheme in ("http", "https")
