"""Fetching and feeds against a real local HTTP server."""

from __future__ import annotations

import gzip

import pytest
from conftest import LocalServer

from naql.errors import BlockedAddress, FetchError, RobotsDisallowed
from naql.ingest.feeds import looks_like_feed, parse_feed
from naql.ingest.fetcher import Fetcher, FetchSettings, check_address

LOCAL = FetchSettings(allow_private_network=True, per_host_delay=0, timeout=5)


def test_private_addresses_refused_by_default(server: LocalServer) -> None:
    url = server.add("/x", "hello")
    with (
        Fetcher(FetchSettings(per_host_delay=0)) as f,
        pytest.raises(BlockedAddress, match="allow_private_network"),
    ):
        f.get(url)
    for bad in (
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://0.0.0.0/",
    ):
        with pytest.raises(BlockedAddress):
            check_address(bad, allow_private=False)
    with pytest.raises(FetchError, match="only http and https"):
        check_address("file:///etc/passwd", allow_private=True)


def test_each_redirect_hop_is_checked(server: LocalServer) -> None:
    # The first hop is allowed (we pretend by allowing private) but a redirect is re-checked each hop:
    # here a redirect to a non-http scheme is refused.
    server.add("/r", "", status=302, headers={"Location": "file:///etc/passwd"})
    with Fetcher(LOCAL) as f, pytest.raises(FetchError, match="only http and https"):
        f.get(server.url + "/r")


def test_redirects_are_bounded(server: LocalServer) -> None:
    for i in range(10):
        server.add(f"/hop{i}", "", status=302, headers={"Location": f"/hop{i + 1}"})
    with Fetcher(FetchSettings(allow_private_network=True, per_host_delay=0, max_redirects=3)) as f:
        with pytest.raises(FetchError, match="too many redirects"):
            f.get(server.url + "/hop0")
    server.add("/hop10", "arrived")
    with Fetcher(LOCAL) as f:
        with pytest.raises(FetchError, match="too many redirects"):
            f.get(server.url + "/hop0")  # 10 hops > default 5
        resp = f.get(server.url + "/hop6")
        assert resp.content == b"arrived" and resp.url.endswith("/hop10")


def test_size_cap_applies_after_decompression(server: LocalServer) -> None:
    bomb = b"a" * 2_000_000
    url = server.add("/bomb", bomb, gzip_body=True)
    assert len(gzip.compress(bomb)) < 10_000
    with Fetcher(
        FetchSettings(allow_private_network=True, per_host_delay=0, max_bytes=100_000)
    ) as f:
        with pytest.raises(FetchError, match="max_bytes"):
            f.get(url)
    with Fetcher(LOCAL) as f:
        assert f.get(url).content == bomb  # compressed responses are decoded


def test_http_errors_carry_status_and_retry_after(server: LocalServer) -> None:
    server.add("/busy", "slow down", status=429, headers={"Retry-After": "120"})
    with Fetcher(LOCAL) as f, pytest.raises(FetchError) as info:
        f.get(server.url + "/busy")
    assert info.value.status == 429 and info.value.retry_after == 120


def test_robots_txt_is_honoured(server: LocalServer) -> None:
    server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.add("/private/a.html", "secret")
    server.add("/public/a.html", "open")
    with Fetcher(LOCAL) as f:
        assert f.get(server.url + "/public/a.html").content == b"open"
        with pytest.raises(RobotsDisallowed):
            f.get(server.url + "/private/a.html")
    assert server.hits("/private/a.html") == 0
    assert server.hits("/robots.txt") == 1  # fetched once per host


def test_user_agent_is_sent(server: LocalServer) -> None:
    url = server.add("/ua", "x")
    with Fetcher(
        FetchSettings(allow_private_network=True, per_host_delay=0, user_agent="naql-test/9")
    ) as f:
        f.get(url)
    assert server.requests[-1][1]["user-agent"] == "naql-test/9"


RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
<title>Wire &amp; <b>Co</b></title><link>http://example.com/</link><description>d</description><ttl>60</ttl>
<item><title>One &lt;b&gt;bold&lt;/b&gt;</title><link>/a/1.html</link><pubDate>Mon, 18 Nov 2019 10:00:00 GMT</pubDate></item>
<item><title>Two</title><link>javascript:alert(1)</link></item>
<item><title>Three</title><link>https://other.example/3</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<title>Atom wire</title><id>urn:x</id><updated>2019-11-18T10:00:00Z</updated>
<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>
<entry><title>A</title><id>urn:a</id><link href="https://example.com/a"/><updated>2019-11-18T10:00:00Z</updated></entry>
</feed>"""


def test_rss_entries_resolved_and_sanitised() -> None:
    feed = parse_feed(RSS, "http://example.com/feed.xml")
    assert feed.title == "Wire & Co"
    assert feed.interval == 3600
    assert [e.url for e in feed.entries] == [
        "http://example.com/a/1.html",
        "https://other.example/3",
    ]
    assert feed.entries[0].title == "One bold"
    assert feed.entries[0].published is not None and feed.entries[0].published.year == 2019


def test_atom_and_update_period() -> None:
    feed = parse_feed(ATOM, "https://example.com/atom")
    assert [e.url for e in feed.entries] == ["https://example.com/a"]
    assert feed.interval == 43_200  # daily, twice


def test_feed_detection() -> None:
    assert looks_like_feed(RSS) and looks_like_feed(ATOM)
    assert not looks_like_feed(b"<!doctype html><html><body><p>An article</p></body></html>")
    assert not looks_like_feed(b"\x00\x01garbage")
