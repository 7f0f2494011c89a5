"""In-process runner: one pass over every stage, or passes on each source's schedule.

One pass at a time per site: each pass holds the site's run lock (naql.locks; the kernel drops it
if the process dies, `kill -9` included). A second `naql run` waits for the pass in progress and
says so, or with wait=False stops at once with one line; a watcher takes the lock per pass, so a
one-off run waits for at most one pass, never for the watcher's whole life.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, select

from naql import locks
from naql.pipeline import stages
from naql.pipeline.stages import Context, StageResult, run_stage
from naql.store import Article, Source, State
from naql.store.models import utcnow

log = logging.getLogger(__name__)


def wait_message(pid: int | None) -> str:
    who = f" (pid {pid})" if pid else ""
    return f"another naql run is working on this site{who}; waiting..."


def busy_message(pid: int | None) -> str:
    who = f" (pid {pid})" if pid else ""
    return (
        f"another naql run is working on this site{who}: "
        "run again when it has finished, or without --no-wait to wait for it"
    )


@contextmanager
def run_lock(
    ctx: Context,
    *,
    wait: bool = True,
    report: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> Iterator[None]:
    """Hold the site's run lock; `report` hears once that this waits (default: the log).

    Raises locks.Busy (a NaqlError, its message one line) when wait=False and another process
    runs, or when `stop` is set while waiting.
    """
    say = report or log.warning
    with locks.site_lock(
        ctx.config.root / locks.RUN_LOCK,
        wait=wait,
        on_wait=lambda pid: say(wait_message(pid)),
        busy=busy_message,
        stop=stop,
    ):
        yield


def run_once(
    ctx: Context, *, wait: bool = True, report: Callable[[str], None] | None = None
) -> list[StageResult]:
    """One pass over every stage, once no other process is running this site."""
    with run_lock(ctx, wait=wait, report=report):
        return stages.run_once(ctx)


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
    ctx: Context,
    report: Callable[[str], None],
    *,
    max_sleep: float = 300.0,
    min_sleep: float = 1.0,
    wait: bool = True,
) -> None:
    """Run passes until SIGINT/SIGTERM; each pass commits its work, so stopping loses nothing.

    wait=False: stop at once (locks.Busy) if another process is running this site at the start.
    """
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C stops at once; committed work is safe
        report("stopping after the current step (Ctrl-C again to stop now)")
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    first = True
    try:
        while not stop.is_set():
            try:
                with run_lock(ctx, wait=wait or not first, report=report, stop=stop):
                    results = _run_until_stopped(ctx, stop)
            except locks.Busy:
                if first and not wait:
                    raise
                break  # stopped while waiting for the other run
            first = False
            if results:
                report(summarize(results))
                for line in stage_errors(results):
                    report(line)
            due = next_due(ctx)
            pause = max_sleep if due is None else (due - utcnow()).total_seconds()
            stop.wait(min(max_sleep, max(min_sleep, pause)))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        report("stopped")


def _run_until_stopped(ctx: Context, stop: threading.Event) -> list[StageResult]:
    results = []
    for stage in stages.STAGES:
        if stop.is_set():
            break
        results.append(run_stage(ctx, stage))
    return results


__all__ = [
    "busy_message",
    "next_due",
    "run_lock",
    "run_once",
    "stage_errors",
    "summarize",
    "wait_message",
    "watch",
]
