"""Engines end to end through `naql run`: routing, fallback, budgets, caching, disclosure.

Real CLI in a subprocess, real pages served on 127.0.0.1, fake vendor APIs that speak the
documented wire formats (tests/fakeapis.py, tests/fake_llm.py), and the tiny real CTranslate2
model as the local fallback.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import LocalServer, local_test_settings, run_naql
from fake_llm import FakeLLM
from fakeapis import FakeDeepL

STORIES = {
    "quake": [
        "Rescue teams in southern Turkey pulled 12 survivors from collapsed buildings on Tuesday, "
        "officials said, as the death toll from the earthquake rose above 3,400.",
        "The governor of Hatay province said crews were working through the night in freezing "
        "temperatures to reach people trapped under the rubble.",
        "Aid agencies warned that thousands of families had lost their homes and needed tents, "
        "blankets and clean water before the weekend.",
        "The United Nations said it was sending 40 tonnes of supplies from its warehouse in Dubai.",
    ],
    "election": [
        "Voters in Florida cast their ballots on Monday in a closely watched race for governor, "
        "with turnout higher than in 2018.",
        "The two candidates made their final appeals at rallies in Miami and Tampa on Sunday night.",
        "Polls closed at 7 p.m. local time and the first results were expected within hours.",
        "Election officials said 2.1 million people had voted early, a record for the state.",
    ],
    "harbour": [
        "A fire broke out at the main container port of Rotterdam early on Wednesday, the port "
        "authority said, halting traffic for about six hours.",
        "No one was hurt, and the cause of the blaze was being investigated by the fire service.",
        "Shipping companies said the delay would affect about 30 vessels waiting to dock.",
        "Europe's largest port handles more than 14 million containers a year.",
    ],
}


def article_html(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang='en'><head><title>{html.escape(title)}</title>"
        f"<meta property='og:title' content='{html.escape(title)}'></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{html.escape(title)}</h1>"
        f"<p class='byline'>By Staff Reporter</p>{body}</article><footer>© News</footer></body></html>"
    )


def set_engines(site: Path, engines: list[str], tables: dict[str, dict[str, object]]) -> None:
    """Write the engine order and `[engines.NAME]` tables into the site's naql.toml."""
    text = (site / "naql.toml").read_text(encoding="utf-8")
    text = text.replace("# engines = []", "engines = " + json.dumps(engines))
    for name, table in tables.items():
        text += f"\n[engines.{name}]\n" + "".join(
            f"{k} = {json.dumps(v)}\n" for k, v in table.items()
        )
    (site / "naql.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, server: LocalServer, tiny_release: Path) -> Path:
    run_naql("init", "site", cwd=tmp_path)
    site = tmp_path / "site"
    local_test_settings(site)
    server.add("/models/opus-tiny.zip", tiny_release.read_bytes(), content_type="application/zip")
    run_naql("models", "install", f"{server.url}/models/opus-tiny.zip", cwd=site)
    return site


def add_stories(site: Path, server: LocalServer, names: list[str]) -> None:
    for name in names:
        title = f"Story about the {name}"
        url = server.add(f"/news/{name}.html", article_html(title, STORIES[name]))
        run_naql("sources", "add", url, "--kind", "page", cwd=site)


def published(site: Path) -> dict[str, tuple[str, str]]:
    """source URL tail -> (engine, model) of every published article, as stored."""
    with sqlite3.connect(site / "naql.db") as db:
        rows = db.execute("SELECT url, engine, model, state FROM articles").fetchall()
    assert all(state == "published" for *_, state in rows), rows
    return {url.rsplit("/", 1)[-1]: (engine, model) for url, engine, model, _ in rows}


def disclosure(site: Path, name: str) -> str:
    with sqlite3.connect(site / "naql.db") as db:
        (slug,) = db.execute("SELECT slug FROM articles WHERE url LIKE ?", (f"%{name}%",)).fetchone()
    page = (site / "site" / "articles" / f"{slug}.html").read_text(encoding="utf-8")
    match = re.search(r'<section class="disclosure".*?</section>', page, re.DOTALL)
    assert match, "article page has no disclosure"
    return match.group(0)


def env_with(api: FakeDeepL) -> dict[str, str]:
    name, value = api.env
    return {name: value}


def test_deepl_translates_then_falls_back_to_the_local_model_on_456(
    site: Path, server: LocalServer
) -> None:
    with FakeDeepL() as api:
        set_engines(site, ["deepl", "opus-tiny"], {"deepl": api.engine_table(max_retries=1)})
        add_stories(site, server, ["quake"])
        run_naql("run", "--no-progress", cwd=site, env=env_with(api))
        assert published(site)["quake.html"] == ("DeepL", api_model(site))
        page = disclosure(site, "quake")
        assert "DeepL" in page and "CTranslate2" not in page
        sent = [t for texts in api.texts() for t in texts]
        assert any("survivors" in t for t in sent)
        assert api.requests[0].headers["authorization"] == f"DeepL-Auth-Key {api.key}"

        # The quota runs out: DeepL answers 456 and the next story goes to the local model.
        api.fail_next(456, {"message": "Quota Exceeded"}, times=100)
        add_stories(site, server, ["election"])
        proc = run_naql("run", "--no-progress", cwd=site, env=env_with(api))
        engines = published(site)
        assert engines["quake.html"][0] == "DeepL"
        assert engines["election.html"] == ("CTranslate2", "opus-tiny")
        page = disclosure(site, "election")
        assert "CTranslate2" in page and "opus-tiny" in page and "DeepL" not in page
        assert api.key not in proc.stdout + proc.stderr

        status = json.loads(run_naql("status", "--format", "json", cwd=site).stdout)
        used = status["engines"]["deepl"]
        assert used["characters"] == sum(len(t) for t in sent)
        assert status["engines"]["opus-tiny"]["segments"] > 0
        listing = run_naql("engines", "list", cwd=site, env=env_with(api)).stdout
        assert "deepl" in listing and "opus-tiny" in listing and api.key not in listing


def api_model(site: Path) -> str:
    with sqlite3.connect(site / "naql.db") as db:
        (model,) = db.execute("SELECT model FROM articles WHERE engine = 'DeepL'").fetchone()
    return str(model)


def test_nothing_is_paid_twice_and_a_budget_passes_work_on(
    site: Path, server: LocalServer
) -> None:
    with FakeDeepL() as api:
        budget = sum(len(p) for p in STORIES["quake"]) + 400
        set_engines(
            site,
            ["deepl", "local"],
            {"deepl": api.engine_table(max_retries=1, budget_chars_day=budget)},
        )
        # Another outlet's story quoting one paragraph of the first: that paragraph costs nothing.
        copy = [
            "Officials gave new figures late on Tuesday as hopes of finding more people faded.",
            STORIES["quake"][1],
            "Schools in the region will stay closed until the end of the month, the ministry said.",
            "Neighbouring countries have offered rescue teams and field hospitals.",
        ]
        url = server.add("/news/copy.html", article_html("Turkey quake: new figures", copy))
        add_stories(site, server, ["quake"])
        run_naql("run", "--no-progress", cwd=site, env=env_with(api))
        run_naql("sources", "add", url, "--kind", "page", cwd=site)
        run_naql("run", "--no-progress", cwd=site, env=env_with(api))
        sent = [t for texts in api.texts() for t in texts]
        assert len(sent) == len(set(sent)), "a segment was sent to DeepL twice"
        assert any("new figures" in t for t in sent)
        engines = published(site)
        assert engines["copy.html"][0] == "DeepL"
        with sqlite3.connect(site / "naql.db") as db:
            shared = db.execute(
                "SELECT DISTINCT translation FROM segments WHERE source = ?", (STORIES["quake"][1],)
            ).fetchall()
        assert len(shared) == 1  # both articles carry the one translation paid for

        # The day's budget is now spent: the next story goes to the local model, unsent.
        add_stories(site, server, ["harbour"])
        before = len(api.requests)
        run_naql("run", "--no-progress", cwd=site, env=env_with(api))
        later = [t for texts in api.texts()[before:] for t in texts]
        assert not any(t in " ".join(later) for t in STORIES["harbour"])
        assert published(site)["harbour.html"][0] == "CTranslate2"
        status = json.loads(run_naql("status", "--format", "json", cwd=site).stdout)
        assert status["engines"]["deepl"]["characters_today"] <= budget


def test_llm_translates_a_whole_article_with_the_glossary_in_its_prompt(
    site: Path, server: LocalServer
) -> None:
    run_naql("glossary", "add", "Florida", "فلوريدا", "--kind", "place", cwd=site)
    with FakeLLM() as llm:
        set_engines(
            site,
            ["llm", "local"],
            {"llm": {"kind": "openai", "url": llm.url + "/v1", "model": "news-llm-7b"}},
        )
        add_stories(site, server, ["election"])
        run_naql("run", "--no-progress", cwd=site)
        # The article in one request (new names, to record their spelling, go in another).
        (request,) = [r for r in llm.chat_requests() if r.segments[0][0] == "t.s1"]
        prompt = request.user_prompt
        assert "Florida → فلوريدا" in prompt
        labels = [label for label, _ in request.segments]
        assert labels[0] == "t.s1" and {label.split(".")[0] for label in labels[1:]} == {
            "p1",
            "p2",
            "p3",
            "p4",
        }
        assert published(site)["election.html"] == ("LLM", "news-llm-7b")
        assert "news-llm-7b" in disclosure(site, "election")
        # Aligned: each stored segment is the fake's answer to that segment, glossary restored.
        with sqlite3.connect(site / "naql.db") as db:
            rows = db.execute(
                "SELECT paragraph, source, translation FROM segments ORDER BY paragraph, sentence"
            ).fetchall()
        answers = dict(request.segments)
        for paragraph, source, translation in rows:
            assert translation, source
            if "Florida" in source:
                assert "فلوريدا" in translation
        assert len(rows) == len(answers)

        # A reply that cannot be aligned, even when asked again, sends that article to the next
        # engine.
        llm.drop_segment_next(times=2)
        add_stories(site, server, ["harbour"])
        run_naql("run", "--no-progress", cwd=site)
        assert published(site)["harbour.html"] == ("CTranslate2", "opus-tiny")


def test_engine_configuration_errors_are_one_line(site: Path) -> None:
    set_engines(site, ["nosuch"], {})
    proc = run_naql("run", "--no-progress", cwd=site, check=False)
    assert "nosuch" in proc.stdout + proc.stderr
    text = (site / "naql.toml").read_text(encoding="utf-8")
    (site / "naql.toml").write_text(text + '\n[engines.bad]\nkind = "deepl"\nspeed = 3\n')
    proc = run_naql("engines", "list", cwd=site, check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and "speed" in proc.stderr


def test_secrets_file_must_be_private(site: Path, server: LocalServer) -> None:
    with FakeDeepL() as api:
        table = api.engine_table()
        table.pop("key_env")
        set_engines(site, ["deepl"], {"deepl": table})
        secrets = site / "naql.secrets.toml"
        secrets.write_text(f'[engines.deepl]\nkey = "{api.key}"\n', encoding="utf-8")
        secrets.chmod(0o644)
        proc = run_naql("engines", "test", "deepl", cwd=site, check=False)
        assert proc.returncode != 0 and "chmod 600" in proc.stderr and api.key not in proc.stderr
        secrets.chmod(0o600)
        proc = run_naql("engines", "test", "deepl", cwd=site)
        assert "DeepL" in proc.stdout and "ms" in proc.stdout
        assert api.requests[-1].headers["authorization"] == f"DeepL-Auth-Key {api.key}"
