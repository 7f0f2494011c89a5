"""Which engines translate an article, in what order, and what they have spent.

The order comes from the site's config: `[translate.routes]` for the article's source host, else
for its language, else `translate.engines`, else ["local"] (the installed model). The translate
stage tries them in turn: an engine that is unavailable (errors, timeouts, no key, over budget,
language not offered) passes the article to the next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import func, select

from naql.errors import ConfigError, EngineUnavailable, NaqlError
from naql.store.models import EngineUsage
from naql.translate.engines import LOCAL, EngineConfig, configured_engines, offers, open_engine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from naql.config import Config
    from naql.translate.engine import Engine


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


class Router:
    """Engine order per article, engines opened once per (name, language), and budgets."""

    def __init__(self, config: Config, opener: Callable[[str], Engine] | None = None):
        self.config = config
        self._opener = opener  # tests: one engine for every language
        self.engines: dict[str, EngineConfig] = (
            {"scripted": EngineConfig("scripted", "scripted")}
            if opener
            else configured_engines(config)
        )
        self._check_names()
        self._open: dict[tuple[str, str], Engine] = {}
        #: (name, language) -> why the engine is out for the rest of this run
        self.down: dict[tuple[str, str], str] = {}

    def _check_names(self) -> None:
        if self._opener:
            return
        lists = {"translate.engines": self.config["translate.engines"]}
        lists.update(
            {f"translate.routes.{k}": v for k, v in self.config["translate.routes"].items()}
        )
        for setting, names in lists.items():
            for name in names:
                if name not in self.engines:
                    raise ConfigError(
                        f"{setting} names engine {name!r}, which is neither an [engines.{name}] table "
                        f"nor an installed model (known: {', '.join(sorted(self.engines))})"
                    )

    def chain(self, language: str, url: str | None = None) -> list[str]:
        """Engine names to try for an article in `language` from `url`, in order."""
        if self._opener:
            return ["scripted"]
        routes = self.config["translate.routes"]
        host = (urlsplit(url).hostname or "") if url else ""
        host = host.removeprefix("www.")
        for key in (host, f"www.{host}" if host else "", language):
            if key and key in routes:
                return list(routes[key])
        return list(self.config["translate.engines"]) or [LOCAL]

    def offers(self, name: str, language: str) -> bool:
        if self._opener:
            return True
        return offers(self.engines[name], self.config, language)

    def can_take(self, language: str | None, url: str | None = None) -> bool:
        """Whether some engine of the article's route translates its language (no network)."""
        if not language:
            return False
        return any(self.offers(name, language) for name in self.chain(language, url))

    def open(self, name: str, language: str) -> Engine:
        """The engine `name` for `language`, opened once per run; EngineUnavailable if it cannot be."""
        key = (name, language)
        if key in self.down:
            raise EngineUnavailable(self.down[key])
        engine = self._open.get(key)
        if engine is None:
            if self._opener:
                engine = self._opener(language)
            else:
                engine = open_engine(self.engines[name], self.config, language)
                engine.config_name = name
            self._open[key] = engine
        return engine

    def first(self, language: str, url: str | None = None) -> Engine:
        """The first engine of the route that opens for `language` (tag names, `naql translate`)."""
        problems = []
        for name in self.chain(language, url):
            if not self.offers(name, language):
                continue
            try:
                return self.open(name, language)
            except NaqlError as exc:
                self.mark_down(name, language, str(exc))
                problems.append(str(exc))
        raise EngineUnavailable(
            f"no engine translates {language} into Arabic now"
            + (f" ({'; '.join(problems)})" if problems else "")
        )

    def mark_down(self, name: str, language: str, reason: str) -> None:
        self.down[(name, language)] = reason
        engine = self._open.pop((name, language), None)
        if engine is not None:
            engine.close()

    def close(self) -> None:
        for engine in self._open.values():
            engine.close()
        self._open.clear()

    # -- budgets ------------------------------------------------------------------------------

    def check_budget(self, s: Session, name: str, characters: int) -> None:
        """EngineUnavailable when sending `characters` more would exceed the engine's budget."""
        conf = self.engines.get(name)
        if conf is None:
            return
        day_cap, month_cap = conf.get("budget_chars_day", 0), conf.get("budget_chars_month", 0)
        if not day_cap and not month_cap:
            return
        day = today()
        used_day = s.scalar(
            select(func.coalesce(func.sum(EngineUsage.characters), 0)).where(
                EngineUsage.engine == name, EngineUsage.day == day
            )
        )
        used_month = s.scalar(
            select(func.coalesce(func.sum(EngineUsage.characters), 0)).where(
                EngineUsage.engine == name, EngineUsage.day.startswith(day[:7])
            )
        )
        if day_cap and used_day + characters > day_cap:
            raise EngineUnavailable(
                f"engine {name} is over its daily budget ({used_day:,} of {day_cap:,} characters used today)"
            )
        if month_cap and used_month + characters > month_cap:
            raise EngineUnavailable(
                f"engine {name} is over its monthly budget ({used_month:,} of {month_cap:,} characters used this month)"
            )


def record_usage(s: Session, name: str, *, characters: int, requests: int, segments: int) -> None:
    """Add to the engine's usage today (UTC)."""
    if not (characters or requests or segments):
        return
    day = today()
    row = s.scalar(select(EngineUsage).where(EngineUsage.engine == name, EngineUsage.day == day))
    if row is None:
        row = EngineUsage(engine=name, day=day, characters=0, requests=0, segments=0)
        s.add(row)
    row.characters += characters
    row.requests += requests
    row.segments += segments


def usage_summary(s: Session) -> dict[str, dict[str, int]]:
    """Per engine: characters, requests and segments in total, this month and today."""
    day = today()
    out: dict[str, dict[str, int]] = {}
    for row in s.scalars(select(EngineUsage).order_by(EngineUsage.engine, EngineUsage.day)):
        entry = out.setdefault(
            row.engine,
            {
                "characters": 0,
                "requests": 0,
                "segments": 0,
                "characters_month": 0,
                "characters_today": 0,
            },
        )
        entry["characters"] += row.characters
        entry["requests"] += row.requests
        entry["segments"] += row.segments
        if row.day.startswith(day[:7]):
            entry["characters_month"] += row.characters
        if row.day == day:
            entry["characters_today"] += row.characters
    return out
