"""`naql demo`: a bundled sample of English news (FLORES-200 dev, Wikinews, CC BY-SA 4.0)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from naql.pipeline.stages import Context, _content_hash, _hold_unless_translatable, make_segments
from naql.store import Article, State
from naql.translate.models import languages_with_models

SAMPLE = Path(__file__).parent / "sample.json"


def sample_articles() -> list[dict[str, Any]]:
    return list(json.loads(SAMPLE.read_text(encoding="utf-8"))["articles"])


def load_sample(ctx: Context) -> int:
    """Store the sample as extracted articles (no network needed); returns how many were new."""
    from naql.translate.router import Router

    languages = languages_with_models(ctx.config.models_dir)
    router = Router(ctx.config)
    added = 0
    with ctx.store.session() as s:
        for item in sample_articles():
            if s.scalar(select(Article.id).where(Article.url == item["url"])) is not None:
                continue
            article = Article(
                url=item["url"],
                title=item["title"],
                paragraphs=item["paragraphs"],
                language="en",
                site_name="Wikinews",
                content_hash=_content_hash(item["paragraphs"]),
                state=State.EXTRACTED.value,
            )
            s.add(article)
            s.flush()
            article.segments = make_segments(article)
            _hold_unless_translatable(article, router, languages)
            added += 1
    return added
