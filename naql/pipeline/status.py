"""What `naql status` reports: articles per state, held and failed articles, sources."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from naql.config import Config
from naql.store import Article, Source, State, Store
from naql.store.models import PENDING_STATES
from naql.translate.router import usage_summary


def site_status(config: Config, *, limit: int = 50) -> dict[str, Any]:
    store = Store(config.db_url)
    try:
        with store.session() as s:
            by_state = {
                state: n
                for state, n in s.execute(
                    select(Article.state, func.count()).group_by(Article.state)
                )
            }
            held = [
                {
                    "id": a.id,
                    "url": a.url,
                    "title": a.title,
                    "reason": a.held_reason,
                    "verdict": a.verdict,
                }
                for a in s.scalars(
                    select(Article)
                    .where(Article.state == State.HELD.value)
                    .order_by(Article.id)
                    .limit(limit)
                )
            ]
            failed = [
                {"id": a.id, "url": a.url, "error": a.last_error, "attempts": a.attempts}
                for a in s.scalars(
                    select(Article)
                    .where(Article.state == State.FAILED.value)
                    .order_by(Article.id)
                    .limit(limit)
                )
            ]
            sources = [
                {
                    "id": src.id,
                    "url": src.url,
                    "kind": src.kind,
                    "error_count": src.error_count,
                    "last_error": src.last_error,
                    "next_check_at": src.next_check_at.isoformat(timespec="seconds") + "Z",
                }
                for src in s.scalars(select(Source).order_by(Source.id))
            ]
            engines = usage_summary(s)
    finally:
        store.close()
    return {
        "articles": {
            "published": by_state.get(State.PUBLISHED.value, 0),
            "held": by_state.get(State.HELD.value, 0),
            "failed": by_state.get(State.FAILED.value, 0),
            "pending": sum(by_state.get(s.value, 0) for s in PENDING_STATES),
            "duplicate": by_state.get(State.DUPLICATE.value, 0),
            "by_state": {s.value: by_state.get(s.value, 0) for s in State},
        },
        "held_articles": held,
        "failed_articles": failed,
        "sources": sources,
        "engines": engines,
    }
