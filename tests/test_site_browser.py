"""The published site in a real browser: Debian's Chromium driven by Playwright.

The site is built in-process and served by `naql serve`'s server on 127.0.0.1. Every request the
browser makes is watched: requests to another host are answered here (video embeds, with an empty
page) or refused and reported, so the tests need no network and catch any third-party request.
Screenshots at phone and desktop widths go to test-output/site/ (git-ignored).

Chromium comes from Debian (`apt-get install chromium`; Playwright cannot download its own build
here). Without it, or without the playwright package, these tests fail in CI (CI=true) and are
skipped elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_site_fixtures import (
    HOSTILE,
    STORIES,
    Story,
    build_site,
    output_dir,
    require_module,
    require_tool,
)

EMBED_HOSTS = {"www.youtube-nocookie.com", "player.vimeo.com"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = require_module("playwright.sync_api", "playwright").sync_playwright
    executable = require_tool("chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The test site, indexable so that pages carry JSON-LD too, served on 127.0.0.1."""
    from naql.web.serve import make_server

    when = datetime(2024, 5, 17, 9, 30)
    stories = [
        Story(**{**s.__dict__, "published_at": when + timedelta(minutes=i)})
        for i, s in enumerate([*STORIES, HOSTILE])
    ]
    ctx = build_site(
        tmp_path_factory.mktemp("browser"), stories, **{"publish.noindex_unreviewed": False}
    )
    server = make_server(ctx.config.output_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    ctx.store.close()


@dataclass
class Watched:
    """A browser page and everything it did that a reader would not want."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self, *, allow_embeds: bool = False) -> None:
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.failed == []
        assert self.dialogs == []
        foreign = [
            u for u in self.foreign if not (allow_embeds and urlsplit(u).hostname in EMBED_HOSTS)
        ]
        assert foreign == []


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts = []

    def opener(viewport: dict[str, int] = DESKTOP) -> Watched:
        context = browser.new_context(viewport=viewport, locale="ar", service_workers="block")
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page)

        def route(r: Any) -> None:
            host = urlsplit(r.request.url).hostname
            if host == "127.0.0.1":
                r.continue_()
                return
            watched.foreign.append(r.request.url)
            if host in EMBED_HOSTS:  # an embed the page may load: an empty page, no network
                r.fulfill(
                    status=200, content_type="text/html", body="<!doctype html><title>v</title>"
                )
            else:
                r.abort()

        context.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and watched.console_errors.append(m.text))
        page.on("pageerror", lambda e: watched.page_errors.append(str(e)))
        page.on("dialog", lambda d: (watched.dialogs.append(d.message), d.dismiss()))
        page.on(
            "requestfailed",
            lambda r: urlsplit(r.url).hostname == "127.0.0.1" and watched.failed.append(r.url),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and watched.failed.append(f"{r.status} {r.url}"),
        )
        return watched

    yield opener
    for context in contexts:
        context.close()


LANDMARKS = ("banner", "navigation", "main", "contentinfo", "search")


@pytest.mark.parametrize(
    "name,path",
    [
        ("home", "index.html"),
        ("article", "articles/2-story.html"),
        ("source", "sources/example.com/index.html"),
        ("archive", "archive/2024/05/17/index.html"),
    ],
)
def test_pages_rtl_landmarks_no_errors(open_page: Any, site: str, name: str, path: str) -> None:
    shots = output_dir("site")
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        w = open_page(viewport)
        w.page.goto(site + path, wait_until="load")
        assert w.page.evaluate("document.documentElement.dir") == "rtl"
        assert w.page.evaluate("document.documentElement.lang") == "ar"
        for role in LANDMARKS:
            assert w.page.get_by_role(role).count() >= 1, role
        assert w.page.locator("h1").count() == 1
        # No horizontal scrolling on a phone.
        assert w.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        w.page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
        w.assert_clean()


def test_article_with_video_requests_only_the_embed(open_page: Any, site: str) -> None:
    w = open_page(DESKTOP)
    w.page.goto(site + "articles/1-story.html", wait_until="load")
    iframe = w.page.locator("iframe")
    assert iframe.get_attribute("title") and iframe.get_attribute("loading") == "lazy"
    w.page.screenshot(path=str(output_dir("site") / "article-video-desktop.png"), full_page=True)
    w.assert_clean(allow_embeds=True)


def test_search_finds_arabic_words_typed_without_hamza(open_page: Any, site: str) -> None:
    shots = output_dir("site")
    w = open_page(PHONE)
    w.page.goto(site + "search.html", wait_until="load")
    for role in LANDMARKS:
        assert w.page.get_by_role(role).count() >= 1, role
    w.page.fill("#q", "احمد")  # the article says أحمد
    w.page.press("#q", "Enter")
    first = w.page.locator("#search-results li a").first
    first.wait_for(timeout=10_000)
    assert first.get_attribute("href").endswith("articles/1-story.html")
    w.page.screenshot(path=str(shots / "search-phone.png"), full_page=True)
    first.click()
    w.page.wait_for_url("**/articles/1-story.html")
    w.assert_clean(allow_embeds=True)

    for query, slug in (("مدرسه", "1-story"), ("الميزانيه", "2-story"), ("ميزانيـة", "2-story")):
        w = open_page(DESKTOP)
        w.page.goto(f"{site}search.html?q={query}", wait_until="load")
        w.page.locator("body[data-search-done='1']").wait_for(state="attached", timeout=10_000)
        hrefs = w.page.eval_on_selector_all(
            "#search-results li h2 a", "els => els.map(e => e.href)"
        )
        assert any(h.endswith(f"articles/{slug}.html") for h in hrefs), (query, hrefs)
        if query == "مدرسه":
            w.page.screenshot(path=str(shots / "search-desktop.png"), full_page=True)
        w.assert_clean()


def test_hostile_article_runs_nothing(open_page: Any, site: str) -> None:
    w = open_page(DESKTOP)
    w.page.goto(site + "articles/4-story.html", wait_until="load")
    w.page.mouse.move(200, 200)
    w.page.wait_for_timeout(300)
    assert w.page.evaluate("[...document.scripts].every(s => s.type === 'application/ld+json')")
    assert w.page.evaluate(
        "[...document.querySelectorAll('*')].every(e =>"
        " [...e.attributes].every(a => !a.name.startsWith('on')))"
    )
    assert w.page.evaluate(
        "[...document.querySelectorAll('[href],[src]')].every(e =>"
        " !/^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || ''))"
    )
    assert w.page.locator("svg, math, object, embed").count() == 0
    hosts = {urlsplit(u).hostname for u in w.foreign}
    assert hosts <= {"player.vimeo.com"}, hosts  # the one real embed, rebuilt from its ID
    w.assert_clean(allow_embeds=True)

    # Searching for it renders results as text, never as markup.
    w = open_page(DESKTOP)
    w.page.goto(site + "search.html?q=المجلس", wait_until="load")
    w.page.locator("body[data-search-done='1']").wait_for(state="attached", timeout=10_000)
    assert w.page.locator("#search-results li").count() >= 1
    assert (
        w.page.locator("#search-results script, #search-results img, #search-results svg").count()
        == 0
    )
    w.assert_clean()


def _luminance(rgb: str) -> float:
    values = [float(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_focus_visible_and_contrast(open_page: Any, site: str) -> None:
    w = open_page(DESKTOP)
    w.page.goto(site + "articles/2-story.html", wait_until="load")
    w.page.keyboard.press("Tab")
    focused = w.page.evaluate(
        "(() => { const e = document.activeElement, r = e.getBoundingClientRect(),"
        " s = getComputedStyle(e); return {cls: e.className, x: r.left, y: r.top, w: r.width,"
        " outline: s.outlineStyle, ow: parseFloat(s.outlineWidth)} })()"
    )
    assert focused["cls"] == "skip" and focused["outline"] != "none" and focused["ow"] >= 2
    assert 0 <= focused["x"] < DESKTOP["width"] and 0 <= focused["y"] < DESKTOP["height"]
    w.page.keyboard.press("Enter")
    assert w.page.evaluate("location.hash") == "#main"
    background = w.page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    for selector in ("h1", ".body p", ".meta", ".source a", "footer.site p"):
        color = w.page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).color")
        a, b = sorted((_luminance(color), _luminance(background)), reverse=True)
        assert (a + 0.05) / (b + 0.05) >= 4.5, (selector, color, background)
    w.assert_clean()


def test_screenshots_are_saved() -> None:
    folder = Path(__file__).resolve().parent.parent / "test-output" / "site"
    if not folder.exists():
        pytest.skip("the browser tests did not run")
    assert any(folder.glob("*-phone.png")) and any(folder.glob("*-desktop.png"))
