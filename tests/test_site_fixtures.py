"""Building test sites in-process: articles with translations inserted straight into a real store.

No translation model is involved: each article is stored READY, with its segments already
translated, and the real publish stage (naql.pipeline.stages.publish_articles) writes the site.
This module holds helpers only; the tests are in the other tests/test_site_*.py files.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from naql.config import Config, parse_config
from naql.pipeline.stages import Context
from naql.store import Article, Segment, State, Store
from naql.store.models import TITLE_PARAGRAPH

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"


def make_context(root: Path, **settings: Any) -> Context:
    """A site at `root` with extra settings ("section.key": value), including proposed ones."""
    base = parse_config(root, {})
    values = {name: base[name] for name in base._values}  # every known setting, defaults
    values.update(settings)
    config = Config(root, values)
    return Context(config=config, store=Store(config.db_url), progress=False)


@dataclass
class Story:
    url: str
    title: str
    title_ar: str
    paragraphs_ar: list[list[str]]  # sentences per paragraph
    site_name: str | None = "Example News"
    author: str | None = "Jane Doe"
    published: str | None = "2024-05-17"
    image: str | None = None
    videos: list[str] | None = None
    published_at: datetime | None = None


def add_story(ctx: Context, story: Story, *, state: str = State.READY.value) -> int:
    with ctx.store.session() as s:
        article = Article(
            url=story.url,
            state=state,
            title=story.title,
            title_ar=story.title_ar,
            paragraphs=[
                " ".join(f"Sentence {i}." for i in range(len(p))) for p in story.paragraphs_ar
            ],
            author=story.author,
            published=story.published,
            image=story.image,
            videos=story.videos or [],
            language="en",
            site_name=story.site_name,
            engine="CTranslate2",
            model="opus-mt-en-ar",
            verdict="publish",
            published_at=story.published_at,
        )
        article.segments = [
            Segment(
                paragraph=TITLE_PARAGRAPH,
                sentence=0,
                source=story.title,
                translation=story.title_ar,
            )
        ]
        for p, sentences in enumerate(story.paragraphs_ar):
            for i, text in enumerate(sentences):
                article.segments.append(
                    Segment(paragraph=p, sentence=i, source=f"Sentence {i}.", translation=text)
                )
        s.add(article)
        s.flush()
        article.slug = f"{article.id}-story"
        return article.id


# A small corpus: Arabic with hamza forms, ta marbuta, Latin names and numbers; and one hostile
# article holding every trick a source page could carry.
STORIES = [
    Story(
        url="https://www.example.com/world/2024/05/ahmed-school",
        title="Ahmed opens a new school in Cairo",
        title_ar="أحمد يفتتح مدرسة جديدة في القاهرة",
        paragraphs_ar=[
            ["افتتح أحمد مدرسةً جديدةً في القاهرة يوم الاثنين.", "وقال إن المدرسة تستقبل 1200 طالب."],
            ["وحضر الافتتاح ممثلون عن منظمة UNESCO ووزارة التربية."],
        ],
        image="https://img.example.com/school.jpg",
        videos=["https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ),
    Story(
        url="https://news.example.org/economy/budget-vote",
        title="Parliament votes on the 2025 budget",
        title_ar="البرلمان يصوت على ميزانية 2025",
        paragraphs_ar=[
            ["صوّت البرلمان على الميزانية بأغلبية 240 صوتاً.", "وقالت الحكومة إن العجز سينخفض."],
            ["ويتوقع الاقتصاديون نمواً بنسبة 3.5% العام المقبل."],
        ],
        site_name="Example Org",
        author=None,
    ),
    Story(
        url="https://www.example.com/science/river-levels",
        title="River levels fall after a dry spring",
        title_ar="انخفاض منسوب النهر بعد ربيع جاف",
        paragraphs_ar=[
            ["انخفض منسوب النهر إلى أدنى مستوى منذ عشرين عاماً."],
            ["ويخشى المزارعون على محاصيلهم."],
        ],
    ),
]

HOSTILE = Story(
    url="https://hostile.example.net/x",
    title='Council <script>alert(1)</script> vote <img src=x onerror="alert(2)"> "quoted" </script><script>alert(3)</script>',
    title_ar="المجلس </script><script>alert(4)</script> يصوت <img src=x onerror=alert(5)> <svg onload=alert(6)>",
    paragraphs_ar=[
        [
            'فقرة أولى <a href="javascript:alert(7)">انقر</a> <iframe src="https://evil.example/frame"></iframe>.'
        ],
        [
            '<div style="background:expression(alert(8))">نص</div> <svg><script>alert(9)</script></svg> &lt;script&gt;alert(10)&lt;/script&gt;'
        ],
        [
            "</p><script>alert(11)</script><p>",
            '<math><mi xlink:href="javascript:alert(12)">x</mi></math>',
        ],
    ],
    site_name='Evil <b onmouseover="alert(13)">Site</b>',
    author="<img src=x onerror=alert(14)>Mallory",
    published="javascript:alert(15)",
    image="javascript:alert(16)",
    videos=["https://evil.example/video", "javascript:alert(17)", "https://vimeo.com/76979871"],
)


def build_site(root: Path, stories: list[Story], **settings: Any) -> Context:
    ctx = make_context(root, **settings)
    from naql.pipeline.stages import publish_articles

    for story in stories:
        add_story(ctx, story)
    publish_articles(ctx)
    return ctx


def output_dir(name: str) -> Path:
    """A folder under test-output/ (git-ignored) that survives the test run, for screenshots."""
    path = OUTPUT / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def require_tool(name: str) -> str:
    """The tool's path; in CI a missing tool fails the test, locally it skips it."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (apt-get install {name})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_module(name: str, package: str) -> Any:
    """The imported module; in CI a missing package fails the test, locally it skips it."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        message = f"{name} is not installed (pip install {package})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
