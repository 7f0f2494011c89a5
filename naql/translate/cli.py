"""`naql engines list|test`: the engines a site can use, whether they work, what they spent."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from naql.config import Config, find_site, load_config
from naql.errors import NaqlError

SAMPLE = 'The minister said on Monday that 12 people were hurt in Paris, "a tragedy for us all."'


def _site() -> Config:
    return load_config(find_site())


def engine_rows(config: Config) -> list[dict[str, Any]]:
    """One row per engine the site can name: kind, where, languages, availability, usage."""
    from naql.store import Store
    from naql.translate.engines import LOCAL, configured_engines, engine_class
    from naql.translate.models import list_models
    from naql.translate.router import Router, usage_summary

    engines = configured_engines(config)
    store = Store(config.db_url)
    try:
        with store.session() as s:
            usage = usage_summary(s)
    finally:
        store.close()
    order = list(config["translate.engines"]) or [LOCAL]
    routed = set(order) | {n for names in config["translate.routes"].values() for n in names}
    installed = {m.name: m for m in list_models(config.models_dir)}
    try:
        Router(config)
        route_error = None
    except NaqlError as exc:
        route_error = str(exc)
    rows = []
    for name, conf in engines.items():
        where = conf.url or (conf.get("model") or "")
        if conf.kind == "ctranslate2":
            model = installed.get(conf.get("model") or "") if conf.get("model") else None
            languages = (
                sorted(model.languages)
                if model
                else sorted({lang for m in installed.values() for lang in m.languages})
            )
            available, why = bool(languages), "" if languages else "no model installed"
        else:
            languages = list(conf.languages) or ["(any the service offers)"]
            try:
                engine_class(conf.kind)
                conf.api_key(required=conf.kind not in ("libretranslate", "openai"))
                available, why = True, ""
            except NaqlError as exc:
                available, why = False, str(exc)
        used = usage.get(name, {})
        rows.append(
            {
                "name": name,
                "kind": conf.kind,
                "where": where,
                "languages": languages,
                "available": available,
                "problem": why,
                "routed": name in routed,
                "position": order.index(name) + 1 if name in order else None,
                "budget_chars_day": conf.get("budget_chars_day", 0),
                "budget_chars_month": conf.get("budget_chars_month", 0),
                "characters_today": used.get("characters_today", 0),
                "characters_month": used.get("characters_month", 0),
                "characters": used.get("characters", 0),
                "requests": used.get("requests", 0),
                "segments": used.get("segments", 0),
            }
        )
    if route_error:
        rows.append({"name": "!", "problem": route_error})
    return rows


@click.group("engines")
def engines_command() -> None:
    """Translation engines: list them, test one."""


@engines_command.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def engines_list(fmt: str) -> None:
    """Configured engines and installed models: kind, languages, availability, budget used."""
    config = _site()
    rows = engine_rows(config)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    order = list(config["translate.engines"]) or ["local"]
    click.echo(f"order: {' → '.join(order)}")
    for key, names in config["translate.routes"].items():
        click.echo(f"route {key}: {' → '.join(names)}")
    for row in rows:
        if row["name"] == "!":
            click.echo(f"error: {row['problem']}")
            continue
        budget = []
        if row["budget_chars_day"]:
            budget.append(f"{row['characters_today']:,}/{row['budget_chars_day']:,} today")
        if row["budget_chars_month"]:
            budget.append(f"{row['characters_month']:,}/{row['budget_chars_month']:,} this month")
        state = "ok" if row["available"] else f"unavailable: {row['problem']}"
        click.echo(
            f"  {row['name']:<20} {row['kind']:<14} {row['where'] or '-':<40} "
            f"{','.join(row['languages'])}\n"
            f"  {'':<20} {state}; sent {row['characters']:,} characters in {row['requests']:,} "
            f"requests{'; budget ' + ', '.join(budget) if budget else ''}"
        )


@engines_command.command("test")
@click.argument("name")
@click.option("--from", "language", default="en", show_default=True, help="Source language.")
@click.argument("text", required=False)
def engines_test(name: str, language: str, text: str | None) -> None:
    """Translate one sentence with engine NAME and show the time it took."""
    from naql.translate.engines import configured_engines, open_engine

    config = _site()
    engines = configured_engines(config)
    if name not in engines:
        raise NaqlError(f"no engine {name!r} (known: {', '.join(sorted(engines))})")
    sentence = text or SAMPLE
    started = time.perf_counter()
    with open_engine(engines[name], config, language) as engine:
        opened = time.perf_counter()
        out = engine.translate([sentence])[0]
    done = time.perf_counter()
    click.echo(f"{name} ({engine.name}, {engine.model or '-'}) {language}→ar")
    click.echo(f"  source: {sentence}")
    click.echo(f"  arabic: {out}")
    click.echo(
        f"  open {1000 * (opened - started):.0f} ms, translate {1000 * (done - opened):.0f} ms"
    )
