"""The review queue's keyboard shortcuts in a real browser: Debian's Chromium driven by Playwright.

The editor is served by uvicorn in a thread under its real Content-Security-Policy, so the
shortcuts script runs as it does for an editor (and any CSP violation shows as a console error).
Without Chromium or the playwright package these tests fail in CI (CI=true) and are skipped
elsewhere, as the site's browser tests are.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_editor import PASSWORD, Server
from test_pipeline import ScriptedEngine, add_fetched, arabic, page
from test_site_browser import CHROMIUM_ARGS
from test_site_fixtures import require_module, require_tool

from naql.config import parse_config
from naql.pipeline.stages import Context, extract_articles, translate_articles
from naql.pipeline.stages import check_articles as check
from naql.store import Article, State, Store
from naql.web.app import create_app
from naql.web.editor import add_user


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = require_module("playwright.sync_api", "playwright").sync_playwright
    executable = require_tool("chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def editor(tmp_path: Path) -> Iterator[tuple[Context, str]]:
    """Three held articles (their translations copy the source), served; (context, base URL)."""
    (tmp_path / "models" / "en").mkdir(parents=True)
    (tmp_path / "models" / "en" / "naql-model.json").write_text(
        '{"name": "en", "layout": "ctranslate2", "source_language": "en", "target_language": "ar"}'
    )
    config = parse_config(tmp_path, {"check": {"policy": "publish"}})
    ctx = Context(config=config, store=Store(config.db_url), progress=False)
    add_user(ctx.store, "alice", PASSWORD)
    for title in ("River levels", "Harbour strike", "Budget vote"):
        add_fetched(ctx, f"https://a.example/{title.split()[0].lower()}", page(title, "COPY", n=2))
    extract_articles(ctx)
    translate_articles(ctx, engine_factory=lambda language: ScriptedEngine(arabic))
    check(ctx)
    server = Server(create_app(ctx.config, store=ctx.store))
    try:
        yield ctx, server.url
    finally:
        server.stop()
        ctx.store.close()


def held_ids(ctx: Context) -> list[int]:
    with ctx.store.session() as s:
        return sorted(a.id for a in s.query(Article).filter(Article.state == State.HELD.value))


def test_keyboard_review(browser: Any, editor: tuple[Context, str]) -> None:
    ctx, url = editor
    first, second, third = held_ids(ctx)
    context = browser.new_context(locale="ar")
    tab = context.new_page()
    errors: list[str] = []
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.on("pageerror", lambda e: errors.append(str(e)))
    missing: list[str] = []  # responses >= 400, the browser's own favicon request aside
    tab.on(
        "response",
        lambda r: (
            missing.append(r.url)
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    try:
        tab.goto(f"{url}/editor/login")
        tab.fill("input[name=username]", "alice")
        tab.fill("input[name=password]", PASSWORD)
        tab.click("form.login button")
        tab.wait_for_url(f"{url}/editor/")

        # "j" on the queue opens its first article, "j" again the next, "k" goes back.
        tab.keyboard.press("j")
        tab.wait_for_url(f"{url}/editor/articles/{first}")
        tab.keyboard.press("j")
        tab.wait_for_url(f"{url}/editor/articles/{second}")
        tab.keyboard.press("k")
        tab.wait_for_url(f"{url}/editor/articles/{first}")
        # On an Arabic layout the physical key counts: the key "j" is on types "ت".
        tab.evaluate(
            "document.body.dispatchEvent(new KeyboardEvent('keydown',"
            " {key: 'ت', code: 'KeyJ', bubbles: true}))"
        )
        tab.wait_for_url(f"{url}/editor/articles/{second}")
        tab.keyboard.press("k")
        tab.wait_for_url(f"{url}/editor/articles/{first}")

        # Typing "a" (or "j") in a translation is typing, not approving.
        textarea = tab.locator("textarea").first
        before = textarea.input_value()
        textarea.click()
        textarea.press("End")
        tab.keyboard.type("aj")
        assert textarea.input_value() == before + "aj"
        assert tab.url == f"{url}/editor/articles/{first}" and held_ids(ctx) == [
            first,
            second,
            third,
        ]

        # "r" puts the cursor in the reason field without typing an "r" there.
        tab.locator("h1").click()
        tab.keyboard.press("r")
        reason = tab.locator("input[name=reason]")
        assert reason.evaluate("el => el === document.activeElement")
        assert reason.input_value() == ""

        # "a" outside a field approves: back to the queue, without that article.
        tab.locator("h1").click()
        tab.keyboard.press("a")
        tab.wait_for_url(f"{url}/editor/")
        assert held_ids(ctx) == [second, third]
        queue_links = tab.locator("table.queue tbody a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        assert [h.rsplit("/", 1)[1] for h in queue_links] == [str(second), str(third)]
        with ctx.store.session() as s:
            approved = s.get(Article, first)
            assert approved.state == State.PUBLISHED.value and approved.reviewed_by == "alice"
        assert errors == [] and missing == []
    finally:
        context.close()
