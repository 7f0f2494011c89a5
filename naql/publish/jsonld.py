"""schema.org NewsArticle as JSON-LD, safe to inline in HTML.

The JSON is a data block (`<script type="application/ld+json">`): browsers never execute it, so a
Content-Security-Policy without 'unsafe-inline' allows it. What matters is that source text cannot
end the block: "<", ">" and "&" are written as \\u escapes (valid JSON, and no "</script>" or
"<!--" can appear), as are U+2028 / U+2029.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from naql.publish.arabic import as_datetime
from naql.publish.views import ArticleView

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def _iso(value: datetime | str | None) -> str | None:
    when = as_datetime(value)
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def news_article(view: ArticleView, site: dict[str, Any]) -> dict[str, Any]:
    base = site["base_url"]
    url = f"{base}/{view.path}"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": view.title[:110],
        "description": view.summary[:300],
        "inLanguage": "ar",
        "datePublished": _iso(view.published_at),
        "dateModified": _iso(view.modified_at or view.published_at),
        "author": {"@type": "Organization", "name": view.source_site},
        "publisher": {"@type": "Organization", "name": site["title"], "url": base + "/"},
        "isBasedOn": {
            "@type": "NewsArticle",
            "url": view.source_url,
            "headline": view.source_title,
            **({"datePublished": _iso(view.original_date)} if _iso(view.original_date) else {}),
            **({"author": {"@type": "Person", "name": view.author}} if view.author else {}),
            "publisher": {"@type": "Organization", "name": view.source_site},
        },
        "translationOfWork": {"@type": "CreativeWork", "url": view.source_url},
        "translator": {
            "@type": "SoftwareApplication",
            "name": f"{view.engine} ({view.model})"
            if view.model and view.model != view.engine
            else str(view.engine),
        },
    }
    if view.image:
        data["image"] = [view.image]
    if view.tags:
        data["keywords"] = [t.name for t in view.tags]
    return {k: v for k, v in data.items() if v is not None}


def script(data: dict[str, Any]) -> Markup:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _ESCAPES.items():
        text = text.replace(char, escaped)
    return Markup(f'<script type="application/ld+json">{text}</script>')
