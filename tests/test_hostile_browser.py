"""Issue 10: nothing in the hostile-input corpus runs in a reader's browser (checked in Chromium).

One site is built through the real command line (`naql init`, `naql models install`, `naql sources
add`, `naql run`) from every page of tests/fixtures/hostile/corpus.toml that is expected to be
extracted, plus pages written here that carry script payloads in every field an article has:
title, author, meta description, og:image, JSON-LD, video embeds, and paragraphs with event
handlers, `javascript:` links, SVG/MathML, `</script>` breakers, template text and bidi overrides.
It is then served by `naql serve --port 0` and every published HTML page is opened in Debian's
Chromium, twice: as served (with the site's Content-Security-Policy) and with the CSP bypassed, so
that the sanitiser is checked on its own and not only the policy behind it.

A payload that ran would show as: a dialog (alert/confirm/prompt/print), `window.__pwned` set, a
request to the canary server (every payload also calls `fetch`/`new Image` to it), or a
`{{1337*1337}}`-style template rendered as its value. None of these may happen.

Without Chromium or Playwright the test fails in CI (CI=true) and is skipped elsewhere.
"""

from __future__ import annotations

import re
import subprocess
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import TESTS, LocalServer, local_test_settings, run_naql
from test_site_fixtures import require_module, require_tool

HOSTILE = TESTS / "fixtures" / "hostile"
CORPUS = tomllib.loads((HOSTILE / "corpus.toml").read_text(encoding="utf-8"))["item"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Template expressions whose values cannot appear by chance: any of these values in a page means a
# template engine (server side in the files, or client side in the DOM) evaluated source text.
TEMPLATE_VALUES = ("1787569", "7777777", "1338337")


def corpus_pages() -> list[dict[str, Any]]:
    """The corpus's page items that are expected to be fetched and extracted."""
    return [i for i in CORPUS if i["kind"] == "page" and i["expect"] == "" and i["serve"] == "ok"]


def corpus_body(item: dict[str, Any]) -> bytes:
    name = str(item["body"])
    if name == "generated:one-line-3.5MB":  # as tests/test_hostile_ingest.py generates it
        return b"<html><body><article><p>" + b"word " * 700_000 + b"</p></article></body></html>"
    assert not name.startswith("generated:"), f"add {name} to this test"
    return (HOSTILE / name).read_bytes()


def payload(canary: str, label: str) -> str:
    """JavaScript that, if it ever runs, leaves every trace this test looks for."""
    return (
        f"window.__pwned=(window.__pwned||[]).concat('{label}');"
        f"fetch('{canary}/pwned/{label}').catch(()=>0);"
        f"new Image().src='{canary}/pwned-img/{label}';alert('{label}')"
    )


def hostile_pages(canary: str) -> dict[str, str]:
    """Pages with a payload in every field an article has; each label names where it sits."""

    def js(label: str) -> str:
        return payload(canary, label)

    def attr(label: str) -> str:  # a payload inside a double-quoted attribute
        return js(label).replace("'", "&#39;")

    templates = "{{7*7}} ${7*7} <%= 7*7 %> #{7*7} {{1337*1337}} {{ '7'*7 }} [[${1337*1001}]]"
    bidi = "\u202egnp.exe\u202c \u2066isolated\u2069 \u200f\u200e \u061c"
    topics = {
        "fields": ("council budget vote", "harbour plan", "ferry service"),
        "video": ("mountain railway", "tunnel workers", "winter snow"),
        "script-title": ("school libraries", "teachers union", "reading hours"),
    }

    def filler(page: str) -> str:
        a, b, c = topics[page]
        if page == "script-title":  # sentences of another shape, so it is no near-duplicate
            return "".join(
                f"<p>In district {i}, {i * 7 + 2} pupils now borrow books every Tuesday; the "
                f"head teacher hopes longer opening will lift scores by {i + 4} points.</p>"
                for i in range(7)
            )
        return "".join(
            f"<p>Paragraph {i} of the report on the {a} gives the details of the {b}, "
            f"the {c} and the {i * 17 + 3} people who asked about the {a} this week.</p>"
            for i in range(6)
        )
    pages: dict[str, str] = {}

    pages["fields"] = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Council vote &lt;script&gt;{js('title-escaped')}&lt;/script&gt; "><img src=x onerror="{attr('title-attr')}"> {templates}</title>
<meta name="author" content='"><script>{js("author")}</script><img src=x onerror="{attr("author-attr")}"> {{{{7*7}}}}'>
<meta name="description" content='</script><script>{js("description")}</script>"><svg onload="{attr("description-svg")}"> {templates} {bidi}'>
<meta property="og:title" content='"><script>{js("og-title")}</script>'>
<meta property="og:description" content='"><img src=x onerror="{attr("og-description")}">'>
<meta property="og:image" content="javascript:{attr('og-image')}">
<meta name="twitter:image" content="javascript:{attr('twitter-image')}">
<meta property="article:author" content='"><script>{js("article-author")}</script>'>
<meta name="keywords" content='"><script>{js("keywords")}</script>, {templates}'>
<meta http-equiv="refresh" content="0;url=javascript:{attr('meta-refresh')}">
<base href="javascript:{attr('base')}//">
<link rel="canonical" href="javascript:{attr('canonical')}">
<script>{js('head-script')}</script>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"</script><script>{js('jsonld-headline')}</script>",
"author":{{"@type":"Person","name":"</script><script>{js('jsonld-author')}</script>"}},
"image":"javascript:{attr('jsonld-image')}","datePublished":"2024-05-17T09:30:00Z"}}</script>
</head><body onload="{attr('body-onload')}"><article>
<h1>Council vote <img src=x onerror="{attr('h1-img')}"> {templates}</h1>
<p class="byline">By <a href="javascript:{attr('byline-link')}">"><script>{js('byline')}</script></a></p>
{filler('fields')}
<p>The vote <img src="x" onerror="{attr('p-img')}"> was <svg onload="{attr('p-svg')}"><script>{js('svg-script')}</script></svg> close.</p>
<p>Read <a href="javascript:{attr('p-link')}">the plan</a>, <a href="JaVaScRiPt:{attr('p-link-case')}">the map</a>,
<a href="java&#x09;script:{attr('p-link-tab')}">the budget</a> and <a href="data:text/html,&lt;script&gt;{attr('data-url')}&lt;/script&gt;">the annex</a>.</p>
<p>Strings that break out: &lt;/script&gt;&lt;script&gt;{js('p-text-escaped')}&lt;/script&gt; and </script><script>{js('p-raw')}</script> and "'&gt;&lt;img src=x onerror={attr('p-text-img')}&gt;.</p>
<p>Template text in a paragraph: {templates}. Numbers stay: 1337 times 1337.</p>
<p>Bidi text in a paragraph: {bidi} the council said.</p>
<p><math><mtext><table><mglyph><style><img src=x onerror="{attr('mxss-math')}"></style></mglyph></table></mtext></math> mathematics.</p>
<noscript><p title="</noscript><img src=x onerror=&quot;{attr('mxss-noscript')}&quot;>">noscript</p></noscript>
<p><iframe src="javascript:{attr('iframe-js')}"></iframe><iframe srcdoc="&lt;script&gt;{attr('iframe-srcdoc')}&lt;/script&gt;"></iframe>
<object data="javascript:{attr('object')}"></object><embed src="javascript:{attr('embed')}">
<form action="javascript:{attr('form')}"><button formaction="javascript:{attr('button')}">go</button></form>
<details open ontoggle="{attr('details')}">d</details><video><source onerror="{attr('video-source')}"></video>
<div style="background:url(javascript:{attr('style-url')})">styled</div></p>
{filler('fields')}
</article></body></html>"""

    pages["video"] = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Ferry service video {{{{1337*1337}}}}</title>
<meta name="author" content="Reporter {{{{7*7}}}}">
<meta property="og:video" content="javascript:{attr('og-video')}">
<meta property="og:image" content="http://127.0.0.1:1/x.jpg&quot;onerror=&quot;{attr('og-image-quote')}">
</head><body><article><h1>Ferry service video</h1>
{filler('video')}
<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ&quot;onload=&quot;{attr('yt-id-quote')}"></iframe>
<iframe src="https://www.youtube.com/embed/x'onload='{attr('yt-id-squote')}'"></iframe>
<iframe src="https://player.vimeo.com/video/76979871?x=&quot;&gt;&lt;script&gt;{attr('vimeo-query')}&lt;/script&gt;"></iframe>
<iframe src="javascript:{attr('video-iframe-js')}//www.youtube.com/embed/dQw4w9WgXcQ"></iframe>
<iframe src="https://evil.example/embed/dQw4w9WgXcQ" onload="{attr('iframe-onload')}"></iframe>
<video src="javascript:{attr('video-src')}" poster="javascript:{attr('video-poster')}"></video>
{filler('video')}
</article></body></html>"""

    pages["script-title"] = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title></title><script>{js('title-breaker')}</script><title>Harbour budget approved</title>
<meta name="author" content="&lt;/title&gt;&lt;script&gt;{attr('author-title-breaker')}&lt;/script&gt;">
<meta name="description" content="{bidi} &lt;iframe src=javascript:{attr('description-iframe')}&gt;">
</head><body><article><h1>&lt;/h1&gt;&lt;script&gt;{js('h1-escaped')}&lt;/script&gt;Harbour budget</h1>
{filler('script-title')}
<p>&lt;a href="javascript:{attr('escaped-link')}"&gt;escaped markup stays text&lt;/a&gt; {templates}</p>
{filler('script-title')}
</article></body></html>"""
    return pages


@dataclass
class Site:
    root: Path
    base: str  # http://127.0.0.1:PORT/ of `naql serve`
    pages: list[str]  # published HTML pages, relative to site/
    canary: LocalServer
    canary_hits: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = require_module("playwright.sync_api", "playwright").sync_playwright
    executable = require_tool("chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if needle in line:
            return line
        if not line and proc.poll() is not None:
            raise AssertionError(f"naql serve ended: {proc.stderr.read() if proc.stderr else ''}")
    raise AssertionError(f"no line with {needle!r}")


@pytest.fixture(scope="module")
def site(
    browser: Any, tmp_path_factory: pytest.TempPathFactory, tiny_release: Path
) -> Iterator[Site]:
    import os
    import sys

    origin, canary = LocalServer(), LocalServer()
    try:
        tmp = tmp_path_factory.mktemp("hostile-browser")
        run_naql("init", "site", cwd=tmp)
        root = tmp / "site"
        local_test_settings(root)
        origin.add("/models/opus-tiny.zip", tiny_release.read_bytes(), content_type="application/zip")
        run_naql("models", "install", f"{origin.url}/models/opus-tiny.zip", cwd=root)

        urls = []
        for item in corpus_pages():
            ctype = item.get("content_type", "text/html; charset=utf-8")
            urls.append(origin.add(f"/corpus/{item['name']}", corpus_body(item), content_type=ctype))
        for name, page in hostile_pages(canary.url).items():
            urls.append(origin.add(f"/hostile/{name}.html", page))
        for url in urls:
            run_naql("sources", "add", url, "--kind", "page", cwd=root)
        out = run_naql("run", "--no-progress", cwd=root)
        site_dir = root / "site"
        pages = sorted(
            str(p.relative_to(site_dir))
            for p in site_dir.rglob("*.html")
            if not str(p.relative_to(site_dir)).startswith(("editor/", "static/"))
        )
        articles = [p for p in pages if p.startswith("articles/")]
        # Each hostile page is published (the corpus's three may be merged as duplicates).
        assert len(articles) >= len(hostile_pages("")) + 1, (out.stdout, out.stderr, pages)

        proc = subprocess.Popen(
            [sys.executable, "-m", "naql", "serve", "--port", "0"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            line = _wait_for_line(proc, "serving")
            base = line.split(" on ", 1)[1].split()[0]
            yield Site(root, base if base.endswith("/") else base + "/", pages, canary)
        finally:
            proc.terminate()
            proc.communicate(timeout=30)
    finally:
        origin.close()
        canary.close()


@dataclass
class Run:
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    pwned: dict[str, Any] = field(default_factory=dict)
    templated: dict[str, list[str]] = field(default_factory=dict)
    unfinished: list[str] = field(default_factory=list)  # searches that never finished


INTERACT = """() => {
  // Fire what a reader might: hover, focus, toggles, clicks on links that are not navigations.
  for (const e of document.querySelectorAll('*')) {
    for (const t of ['mouseover', 'mouseenter', 'focus', 'toggle', 'animationstart']) {
      try { e.dispatchEvent(new Event(t)); } catch (x) {}
    }
  }
  for (const d of document.querySelectorAll('details')) d.open = !d.open;
}"""


def visit(browser: Any, site: Site, *, bypass_csp: bool) -> Run:
    run = Run()
    canary_host = urlsplit(site.canary.url).netloc
    serve_host = urlsplit(site.base).netloc
    context = browser.new_context(locale="ar", service_workers="block", bypass_csp=bypass_csp)

    def route(r: Any) -> None:
        url = r.request.url
        netloc = urlsplit(url).netloc
        if netloc == serve_host and urlsplit(url).scheme == "http":
            r.continue_()
            return
        run.requests.append(url)
        if netloc == canary_host:
            r.continue_()  # let it reach the canary server: a second witness
        elif url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:  # embeds and anything else: an empty answer, no network
            r.fulfill(status=200, content_type="text/html", body="<!doctype html><title>e</title>")

    context.route("**/*", route)
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (run.dialogs.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: run.page_errors.append(f"{page.url}: {e}"))
        page.on(
            "console",
            lambda m: m.type == "error"
            and "Content Security Policy" in m.text
            and run.csp.append(f"{page.url}: {m.text}"),
        )
        paths = list(site.pages) + [
            f"search.html?q={q}" for q in ("council", "المجلس", "<script>", "{{7*7}}")
        ]
        for path in paths:
            page.goto(site.base + path, wait_until="load")
            if path.startswith("search.html"):
                try:
                    page.locator("body[data-search-done='1']").wait_for(
                        state="attached", timeout=10_000
                    )
                except Exception:  # noqa: BLE001 - reported, not a failure of this check
                    run.unfinished.append(path)
            page.mouse.move(100, 100)
            page.evaluate(INTERACT)
            page.wait_for_timeout(50)
            pwned = page.evaluate("window.__pwned || null")
            if pwned:
                run.pwned[path] = pwned
            text = page.evaluate("document.documentElement.outerHTML + document.body.innerText")
            found = [v for v in TEMPLATE_VALUES if v in text]
            if found:
                run.templated[path] = found
        page.wait_for_timeout(300)  # late fetches and image loads
    finally:
        context.close()
    return run


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-bypassed"])
def test_nothing_in_the_hostile_corpus_runs(browser: Any, site: Site, bypass_csp: bool) -> None:
    before = len(site.canary.requests)
    run = visit(browser, site, bypass_csp=bypass_csp)
    canary = [p for p, _ in site.canary.requests[before:]]
    assert run.dialogs == []
    assert run.pwned == {}
    assert canary == []
    assert [u for u in run.requests if "pwned" in u] == []
    assert [u for u in run.requests if u.startswith(("javascript:", "data:"))] == []
    assert run.templated == {}
    # A CSP report means markup that would run reached the page: the policy is the second line.
    assert run.csp == []
    assert run.page_errors == []
    print("searches that never finished:", run.unfinished)


def test_published_files_carry_nothing_executable(site: Site) -> None:
    """What the browser check saw, in the files: no template evaluated, no payload as markup."""
    site_dir = site.root / "site"
    for rel in site.pages:
        text = (site_dir / rel).read_text(encoding="utf-8")
        lowered = text.lower()
        assert not [v for v in TEMPLATE_VALUES if v in text], rel
        scripts = re.findall(r"<script\b[^>]*>", lowered)
        assert all('type="application/ld+json"' in s or " src=" in s for s in scripts), (rel, scripts)
        assert not re.search(r"""(href|src|action|data|poster|content)\s*=\s*["']?\s*javascript:""", lowered), rel
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", lowered), rel
