"""Issue 5 through the whole pipeline with a real (tiny) model: one story from many sources,
tags with tag pages, related articles, and quotations on the article page."""

from __future__ import annotations

import html
import json
from pathlib import Path

from sqlalchemy import select
from test_pipeline import add_fetched

from naql.config import parse_config
from naql.pipeline.runner import run_once
from naql.pipeline.stages import Context
from naql.store import Article, State, Store
from naql.store.models import Quote
from naql.translate.glossary import Term, upsert
from naql.translate.models import install

TALKS = [
    "Russian Foreign Minister Sergei Lavrov and US Secretary of State Antony Blinken met in Geneva on "
    "Friday for talks on the security of Europe, as NATO allies watched closely.",
    '"We will not accept any expansion of the alliance to our borders," Lavrov told reporters after '
    "the meeting, which lasted a little over ninety minutes.",
    "Blinken said Washington had put forward ideas on arms control and military exercises, and that "
    "the two sides would talk again next week.",
    "Diplomats in Geneva described the mood of the meeting as businesslike but tense, with no "
    "agreement on the main demands Moscow has made in recent weeks.",
]
FOLLOW_UP = [
    "NATO foreign ministers will meet in Brussels on Tuesday to discuss the Geneva talks between Sergei "
    "Lavrov and Antony Blinken, officials said.",
    "Allies want to hear what Blinken offered Moscow on arms control before the next round of talks "
    "with Lavrov, planned for the end of the month.",
    '"Our unity is our strength," the NATO secretary general said in a statement on Monday evening.',
]
FLOODS = [
    "Heavy rain flooded dozens of villages in northern Italy on Saturday, forcing hundreds of families "
    "to leave their homes as rivers burst their banks.",
    "Firefighters used boats to rescue residents trapped on rooftops, and schools in the region will "
    "stay closed until Wednesday, the regional government said.",
    "Farmers reported heavy losses of maize and soy, with fields still under a metre of water.",
]


def page(title: str, paragraphs: list[str], extra: str = "") -> bytes:
    body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title><meta property='og:site_name' content='{title[:3]} News'></head>"
        f"<body><article><h1>{title}</h1>{body}{extra}</article></body></html>"
    ).encode()


def test_duplicates_tags_related_quotes(tmp_path: Path, tiny_release: Path) -> None:
    install(str(tiny_release), tmp_path / "models", name="tiny", progress=False)
    config = parse_config(tmp_path, {"check": {"policy": "publish"}})
    ctx = Context(config=config, store=Store(config.db_url), progress=False)
    with ctx.store.session() as s:
        for term, arabic, kind in [
            ("Sergei Lavrov", "سيرغي لافروف", "person"),
            ("Antony Blinken", "أنتوني بلينكن", "person"),
            ("NATO", "حلف شمال الأطلسي", "org"),
            ("Geneva", "جنيف", "place"),
        ]:
            upsert(s, Term(term, arabic, kind))
    add_fetched(
        ctx, "https://wire.example/geneva-talks", page("Lavrov and Blinken meet in Geneva", TALKS)
    )
    # Another outlet's copy of the same wire story: paragraphs reordered, a new headline, boilerplate.
    copy = [
        TALKS[1],
        TALKS[0],
        TALKS[2],
        TALKS[3],
        "Sign up for our newsletter to get the latest news.",
    ]
    add_fetched(ctx, "https://daily.example/world/geneva", page("Tense talks in Geneva", copy))
    add_fetched(
        ctx,
        "https://wire.example/nato-brussels",
        page("NATO ministers to discuss Geneva talks", FOLLOW_UP),
    )
    add_fetched(ctx, "https://wire.example/italy-floods", page("Floods in northern Italy", FLOODS))

    results = run_once(ctx)
    assert not [r.error for r in results if r.error]

    with ctx.store.session() as s:
        by_url = {a.url: a for a in s.scalars(select(Article))}
        talks, copy_row = (
            by_url["https://wire.example/geneva-talks"],
            by_url["https://daily.example/world/geneva"],
        )
        follow, floods = (
            by_url["https://wire.example/nato-brussels"],
            by_url["https://wire.example/italy-floods"],
        )
        assert copy_row.state == State.DUPLICATE.value and copy_row.duplicate_of == talks.id
        assert copy_row.segments == []  # never translated
        assert {a.state for a in (talks, follow, floods)} == {State.PUBLISHED.value}
        talk_tags = {link.tag.key: link.tag for link in talks.tag_links}
        assert {"sergei-lavrov", "antony-blinken", "geneva"} <= set(talk_tags)
        assert (
            talk_tags["sergei-lavrov"].name_ar == "سيرغي لافروف"
            and talk_tags["sergei-lavrov"].kind == "person"
        )
        # Related: the follow-up and the talks point at each other, the floods at neither.
        assert int(talks.related[0][0]) == follow.id and int(follow.related[0][0]) == talks.id
        assert floods.id not in {int(i) for i, _ in (talks.related or [])}
        quote = s.scalar(select(Quote).where(Quote.article_id == talks.id))
        assert (
            quote is not None
            and quote.speaker == "Sergei Lavrov"
            and quote.verb == "told reporters"
        )
        assert quote.tag is not None and quote.tag.key == "sergei-lavrov" and quote.quote_ar
        talks_slug, follow_slug = talks.slug, follow.slug

    site = config.output_dir
    talks_page = (site / "articles" / f"{talks_slug}.html").read_text(encoding="utf-8")
    assert (
        "مصادر أخرى نشرت الخبر نفسه" in talks_page
        and "https://daily.example/world/geneva" in talks_page
    )
    assert 'href="../tags/sergei-lavrov/index.html"' in talks_page and "سيرغي لافروف" in talks_page
    assert "اقرأ أيضاً" in talks_page and f"{follow_slug}.html" in talks_page
    assert "أبرز الأقوال" in talks_page
    tag_page = (site / "tags" / "sergei-lavrov" / "index.html").read_text(encoding="utf-8")
    assert f"{talks_slug}.html" in tag_page and f"{follow_slug}.html" in tag_page
    assert "italy" not in tag_page
    ctx.store.close()


def test_tags_are_editable_from_the_command_line(tmp_path: Path, tiny_release: Path) -> None:
    from conftest import run_naql

    run_naql("init", "s", cwd=tmp_path)
    site = tmp_path / "s"
    config = parse_config(site, {})
    store = Store(config.db_url)
    with store.session() as s:
        from naql.store.models import ArticleTag, Tag

        article = Article(url="https://x.example/a", state=State.PUBLISHED.value)
        s.add(article)
        s.flush()
        us, usa = (
            Tag(key="united-states", name_en="United States", kind="place"),
            Tag(key="usa", name_en="USA", kind="place"),
        )
        s.add_all([us, usa])
        s.flush()
        s.add(ArticleTag(article_id=article.id, tag_id=usa.id, score=0.5, source="ner"))
    store.close()
    assert "united-states" in run_naql("tags", "list", cwd=site).stdout
    run_naql("tags", "name", "united-states", "الولايات المتحدة", cwd=site)
    out = run_naql("tags", "alias", "usa", "united-states", cwd=site)
    assert "1 articles moved" in out.stdout
    items = json.loads(run_naql("tags", "list", "--format", "json", cwd=site).stdout)
    assert items == [
        {
            "key": "united-states",
            "name_en": "United States",
            "name_ar": "الولايات المتحدة",
            "kind": "place",
            "articles": 1,
        }
    ]
    proc = run_naql("tags", "name", "nowhere", "لا", cwd=site, check=False)
    assert proc.returncode == 1 and "no tag 'nowhere'" in proc.stderr
