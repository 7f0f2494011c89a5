"""In-process runner: one pass over every stage, or passes on each source's schedule."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select

from naql.pipeline.stages import Context, StageResult, run_once, run_stage
from naql.store import Article, Source, State
from naql.store.models import utcnow

log = logging.getLogger(__name__)


def summarize(results: list[StageResult]) -> str:
    by = {r.stage: r for r in results}
    parts = []
    if "sources" in by:
        r = by["sources"]
        parts.append(
            f"{r.done + r.failed} sources checked ({r.failed} failed), {int(r.extra.get('new_articles', 0))} new articles"
        )
    for stage, verb in (
        ("fetch", "fetched"),
        ("extract", "extracted"),
        ("translate", "translated"),
        ("enrich", "tagged"),
        ("publish", "published"),
    ):
        if stage in by:
            r = by[stage]
            text = f"{r.done} {verb}"
            if stage == "translate" and r.extra.get("sentences"):
                rate = r.extra["sentences"] / max(r.extra["seconds"], 1e-9)
                text += f" ({int(r.extra['sentences'])} sentences, {rate:.1f}/s)"
            parts.append(text)
    held = sum(r.held for r in results)
    failed = sum(r.failed for r in results if r.stage != "sources")
    parts.append(f"{held} held, {failed} failed")
    return ", ".join(parts)


def stage_errors(results: list[StageResult]) -> list[str]:
    return [f"error: {r.stage} stage: {r.error}" for r in results if r.error]


def next_due(ctx: Context) -> datetime | None:
    with ctx.store.session() as s:
        times = [
            s.scalar(select(func.min(Source.next_check_at))),
            s.scalar(
                select(func.min(Article.retry_at)).where(Article.state == State.DISCOVERED.value)
            ),
        ]
    known = [t for t in times if t is not None]
    return min(known) if known else None


def watch(
    ctx: Context, report: Callable[[str], None], *, max_sleep: float = 300.0, min_sleep: float = 1.0
) -> None:
    """Run passes until SIGINT/SIGTERM; each pass commits its work, so stopping loses nothing."""
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C stops at once; committed work is safe
        report("stopping after the current step (Ctrl-C again to stop now)")
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.is_set():
            results = _run_until_stopped(ctx, stop)
            if results:
                report(summarize(results))
                for line in stage_errors(results):
                    report(line)
            due = next_due(ctx)
            wait = max_sleep if due is None else (due - utcnow()).total_seconds()
            stop.wait(min(max_sleep, max(min_sleep, wait)))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        report("stopped")


def _run_until_stopped(ctx: Context, stop: threading.Event) -> list[StageResult]:
    from naql.pipeline.stages import STAGES

    results = []
    for stage in STAGES:
        if stop.is_set():
            break
        results.append(run_stage(ctx, stage))
    return results


__all__ = ["next_due", "run_once", "stage_errors", "summarize", "watch"]
