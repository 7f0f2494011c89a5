"""naql's command line: a thin layer over the stages; domain errors become one-line messages."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from naql import __version__
from naql.config import CONFIG_NAME, Config, default_toml, find_site, load_config
from naql.errors import NaqlError

log = logging.getLogger("naql")


class NaqlGroup(click.Group):
    """Turns NaqlError (and, without -v, any error) into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NaqlError as exc:
            if ctx.obj and ctx.obj.get("verbose"):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted (work done so far is saved)", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # `naql tags list | head`: the reader left; stop quietly, as other command-line tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("verbose"):
                raise
            from naql.failures import explain, first_line

            # A full disk, a corrupt or locked database: say which file and what to do. Anything
            # else is a bug: one line (never a driver's SQL dump), the details behind -v.
            known = explain(exc)
            click.echo(
                f"error: {known}"
                if known
                else f"error: unexpected {type(exc).__name__}: {first_line(exc)}"
                " (run `naql -v ...` for details)",
                err=True,
            )
            sys.exit(1)


@click.group(cls=NaqlGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log progress details and show tracebacks.")
@click.version_option(__version__, prog_name="naql")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """naql (نقل): relay the world's news into Arabic."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
        logging.getLogger("httpx").setLevel(logging.WARNING)


def _site() -> Config:
    return load_config(find_site())


def _context(config: Config, progress: bool = True):  # type: ignore[no-untyped-def]
    from naql.pipeline.stages import Context
    from naql.store import Store

    return Context(config=config, store=Store(config.db_url), progress=progress)


# -- init -------------------------------------------------------------------------------------


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default=None, help="Site title (default: نقل).")
@click.option("--base-url", default=None, help="Public URL of the site.")
def init(directory: Path, title: str | None, base_url: str | None) -> None:
    """Create a site: DIRECTORY/naql.toml (commented defaults) and DIRECTORY/naql.db."""
    from naql.store import Store

    if (directory / CONFIG_NAME).exists():
        raise NaqlError(
            f"{directory / CONFIG_NAME} already exists: this folder is already a naql site"
        )
    directory.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, Any] = {}
    if title:
        overrides["site.title"] = title
    if base_url:
        overrides["site.base_url"] = base_url
    (directory / CONFIG_NAME).write_text(default_toml(overrides), encoding="utf-8")
    config = load_config(directory.resolve())
    Store(config.db_url).close()
    click.echo(f"created site in {directory}/ ({CONFIG_NAME}, naql.db)")
    click.echo(
        f"next: cd {directory} && naql models install opus-mt-en-ar && naql sources add URL && naql run"
    )


# -- models -----------------------------------------------------------------------------------


@cli.group(cls=NaqlGroup)
def models() -> None:
    """Install and list translation models."""


@models.command("install")
@click.argument("source")
@click.option(
    "--name", default=None, help="Name to install the model under (default: from SOURCE)."
)
@click.option("--sha256", default=None, help="Expected SHA-256 of the downloaded file.")
@click.option(
    "--from",
    "source_language",
    default="en",
    show_default=True,
    help="Source language of the model.",
)
def models_install(source: str, name: str | None, sha256: str | None, source_language: str) -> None:
    """Install a model: SOURCE is a catalogue name (e.g. opus-mt-en-ar), a URL, or a local file or folder.

    Understands OPUS-MT (Marian) releases, CTranslate2 folders and Argos Translate packages.
    """
    from naql.translate.models import install

    config = _site()
    model = install(
        source, config.models_dir, name=name, sha256=sha256, source_language=source_language
    )
    click.echo(
        f"installed {model.name} ({model.layout}, {model.source_language}→{model.target_language}) in {model.path}"
    )


@models.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def models_list(fmt: str) -> None:
    """Installed models with their languages and licence, and the catalogue."""
    from naql.translate.models import CATALOGUE, describe_entry, describe_model, list_models

    config = _site()
    installed = [describe_model(m) for m in list_models(config.models_dir)]
    catalogue = [describe_entry(e) for e in CATALOGUE.values()]
    if fmt == "json":
        click.echo(
            json.dumps(
                {"installed": installed, "catalogue": catalogue}, ensure_ascii=False, indent=2
            )
        )
        return
    if installed:
        click.echo("installed:")
        for m in installed:
            licence = m["licence"] or "licence unknown"
            if m["non_commercial"]:
                licence += ", NON-COMMERCIAL"
            click.echo(
                f"  {m['name']:<28} {m['layout']:<12} {','.join(m['languages'])}→{m['target']}"
                f"  ({licence})  {m['origin']}"
            )
    else:
        click.echo("no model installed")
    click.echo("catalogue (naql models install NAME):")
    for e in catalogue:
        click.echo(f"  {e['name']:<28} {','.join(e['languages']) or '-':<22} {e['description']}")


@models.command("remove")
@click.argument("name")
def models_remove(name: str) -> None:
    """Remove an installed model."""
    from naql.translate.models import remove

    remove(_site().models_dir, name)
    click.echo(f"removed {name}")


# -- sources ----------------------------------------------------------------------------------


@cli.group(cls=NaqlGroup)
def sources() -> None:
    """Add and list the feeds and pages naql watches."""


@sources.command("add")
@click.argument("url")
@click.option(
    "--kind",
    type=click.Choice(["feed", "page"]),
    default=None,
    help="feed (RSS/Atom) or page (one article); auto-detected when left out.",
)
def sources_add(url: str, kind: str | None) -> None:
    """Watch URL: an RSS/Atom feed or one article page."""
    from naql.ingest.feeds import looks_like_feed, parse_feed
    from naql.ingest.urls import is_http_url
    from naql.pipeline.stages import add_source

    if not is_http_url(url):
        raise NaqlError(f"{url!r} is not an http(s) URL")
    config = _site()
    ctx = _context(config, progress=False)
    title = None
    try:
        if kind is None:
            resp = ctx.fetcher.get(url)
            kind = "feed" if looks_like_feed(resp.content) else "page"
            if kind == "feed":
                title = parse_feed(resp.content, resp.url).title
        with ctx.store.session() as s:
            source, created = add_source(s, url, kind, title)
            msg = f"added {kind} {url}" if created else f"{url} is already a source ({source.kind})"
    finally:
        ctx.close()
    click.echo(msg + ("" if not title else f" — {title}"))


@sources.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def sources_list(fmt: str) -> None:
    """Each source with its state, next check and last error."""
    from sqlalchemy import func, select

    from naql.store import Article, Source, Store

    config = _site()
    store = Store(config.db_url)
    rows = []
    with store.session() as s:
        counts = dict(
            s.execute(select(Article.source_id, func.count()).group_by(Article.source_id)).all()
        )
        for src in s.scalars(select(Source).order_by(Source.id)):
            rows.append(
                {
                    "id": src.id,
                    "url": src.url,
                    "kind": src.kind,
                    "title": src.title,
                    "state": "error" if src.error_count else "ok",
                    "articles": counts.get(src.id, 0),
                    "next_check_at": src.next_check_at.isoformat(timespec="seconds") + "Z",
                    "last_checked_at": src.last_checked_at.isoformat(timespec="seconds") + "Z"
                    if src.last_checked_at
                    else None,
                    "error_count": src.error_count,
                    "last_error": src.last_error,
                }
            )
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no sources: add one with `naql sources add URL`")
    for r in rows:
        click.echo(
            f"{r['id']:>3} {r['kind']:<5} {r['state']:<5} {r['articles']:>4} articles  next check {r['next_check_at']}  {r['url']}"
        )
        if r["last_error"]:
            click.echo(f"      last error ({r['error_count']}x): {r['last_error']}")


# -- glossary ---------------------------------------------------------------------------------


@cli.group(cls=NaqlGroup)
def glossary() -> None:
    """The site glossary: terms that must come out in one listed Arabic form."""


def _store():  # type: ignore[no-untyped-def]
    from naql.store import Store

    return Store(_site().db_url)


@glossary.command("add")
@click.argument("term")
@click.argument("arabic")
@click.option(
    "--kind",
    type=click.Choice(["person", "place", "org", "other"]),
    default="other",
    show_default=True,
)
@click.option("--note", default=None)
def glossary_add(term: str, arabic: str, kind: str, note: str | None) -> None:
    """Add (or replace) TERM with its Arabic form ARABIC."""
    from naql.translate.glossary import Term, upsert

    store = _store()
    with store.session() as s:
        created = upsert(s, Term(term, arabic, kind, note))
    click.echo(f"{'added' if created else 'updated'} {term} → {arabic}")


@glossary.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def glossary_import(file: Path) -> None:
    """Import a CSV file (english, arabic, kind, note). Bad lines are reported, good ones kept."""
    from naql.translate.glossary import import_csv

    store = _store()
    with store.session() as s:
        added, updated, errors = import_csv(s, file)
    for line in errors:
        click.echo(f"skipped {file}: {line}", err=True)
    click.echo(
        f"imported {added + updated} terms ({added} new, {updated} updated, {len(errors)} skipped)"
    )
    if errors:
        sys.exit(1)


@glossary.command("export")
@click.option(
    "--all", "include_engine", is_flag=True, help="Include the name forms the engine recorded."
)
def glossary_export(include_engine: bool) -> None:
    """Write the glossary as CSV to stdout."""
    from naql.translate.glossary import export_csv

    with _store().session() as s:
        click.echo(export_csv(s, include_engine=include_engine), nl=False)


@glossary.command("list")
def glossary_list() -> None:
    """Terms with their Arabic form, kind and origin (manual or recorded from the engine)."""
    from sqlalchemy import select

    from naql.store.models import GlossaryEntry

    with _store().session() as s:
        rows = list(
            s.scalars(
                select(GlossaryEntry).order_by(GlossaryEntry.origin.desc(), GlossaryEntry.key)
            )
        )
    if not rows:
        click.echo(
            "the glossary is empty: `naql glossary add TERM ARABIC` or `naql glossary import FILE.csv`"
        )
    for r in rows:
        click.echo(f"{r.term:<30} {r.arabic:<30} {r.kind:<6} {r.origin}")


# -- tags -------------------------------------------------------------------------------------


@cli.group(cls=NaqlGroup)
def tags() -> None:
    """Tags (people, places, organisations, topics): list, name in Arabic, merge aliases."""


@tags.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def tags_list(fmt: str) -> None:
    """Every tag with its Arabic name, kind and number of articles."""
    from sqlalchemy import func, select

    from naql.store.models import ArticleTag, Tag

    with _store().session() as s:
        rows = s.execute(
            select(Tag, func.count(ArticleTag.article_id))
            .outerjoin(ArticleTag, ArticleTag.tag_id == Tag.id)
            .group_by(Tag.id)
            .order_by(func.count(ArticleTag.article_id).desc(), Tag.key)
        ).all()
        items = [
            {
                "key": t.key,
                "name_en": t.name_en,
                "name_ar": t.name_ar,
                "kind": t.kind,
                "articles": n,
            }
            for t, n in rows
        ]
    if fmt == "json":
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("no tags yet: they are made when articles are translated")
    for i in items:
        click.echo(
            f"{i['key']:<32} {i['name_ar'] or '-':<28} {i['kind']:<7} {i['articles']:>4}  {i['name_en']}"
        )


def _tag(session: Any, key: str) -> Any:
    from sqlalchemy import select

    from naql.store.models import Tag

    tag = session.scalar(select(Tag).where(Tag.key == key))
    if tag is None:
        raise NaqlError(f"no tag {key!r}: see `naql tags list`")
    return tag


@tags.command("name")
@click.argument("key")
@click.argument("arabic")
def tags_name(key: str, arabic: str) -> None:
    """Set the Arabic name of tag KEY (then `naql publish --rebuild` to redraw pages)."""

    with _store().session() as s:
        tag = _tag(s, key)
        tag.name_ar = " ".join(arabic.split())
    click.echo(f"{key} is now shown as {arabic}")


@tags.command("alias")
@click.argument("alias_key")
@click.argument("key")
def tags_alias(alias_key: str, key: str) -> None:
    """Make ALIAS_KEY another name of tag KEY: its articles move to KEY, and it stays merged."""
    from sqlalchemy import select

    from naql.store.models import ArticleTag, Quote, Tag, TagAlias

    with _store().session() as s:
        target = _tag(s, key)
        if alias_key == key:
            raise NaqlError("a tag cannot be an alias of itself")
        old = s.scalar(select(Tag).where(Tag.key == alias_key))
        moved = 0
        if old is not None:
            have = set(
                s.scalars(select(ArticleTag.article_id).where(ArticleTag.tag_id == target.id))
            )
            for link in list(s.scalars(select(ArticleTag).where(ArticleTag.tag_id == old.id))):
                if link.article_id not in have:
                    s.add(
                        ArticleTag(
                            article_id=link.article_id,
                            tag_id=target.id,
                            score=link.score,
                            source=link.source,
                        )
                    )
                    moved += 1
                s.delete(link)
            for quote in s.scalars(select(Quote).where(Quote.tag_id == old.id)):
                quote.tag_id = target.id
            s.flush()
            s.delete(old)
        if s.scalar(select(TagAlias).where(TagAlias.alias_key == alias_key)) is None:
            s.add(TagAlias(alias_key=alias_key, tag_id=target.id))
    click.echo(f"{alias_key} is now an alias of {key} ({moved} articles moved)")


# -- users ------------------------------------------------------------------------------------


@cli.group(cls=NaqlGroup)
def users() -> None:
    """Editors of the review queue (`naql serve`, /editor/)."""


@users.command("add")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(username: str, password_stdin: bool) -> None:
    """Create an editor, or set a new password for one (ending their sessions)."""
    from naql.web.editor import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    add_user(_store(), username, password)
    click.echo(f"editor {username} can now log in at /editor/")


@users.command("remove")
@click.argument("username")
def users_remove(username: str) -> None:
    """Remove an editor; their sessions end at once."""
    from naql.web.editor import remove_user

    remove_user(_store(), username)
    click.echo(f"editor {username} removed; their sessions have ended")


# -- run / serve / status ---------------------------------------------------------------------


@cli.command()
@click.option("--watch", is_flag=True, help="Keep running on each source's schedule until Ctrl-C.")
@click.option("--no-progress", is_flag=True, help="No progress bars.")
@click.option(
    "--no-wait", is_flag=True, help="Exit (code 1) if another naql run is working on this site."
)
def run(watch: bool, no_progress: bool, no_wait: bool) -> None:
    """Fetch due sources, extract, translate, check and publish."""
    from naql.pipeline.runner import run_once, stage_errors, summarize
    from naql.pipeline.runner import watch as watch_loop

    config = _site()
    ctx = _context(config, progress=not no_progress)
    try:
        if watch:
            click.echo("watching sources (Ctrl-C to stop)", err=True)
            watch_loop(ctx, lambda line: click.echo(line, err=True), wait=not no_wait)
        else:
            results = run_once(
                ctx, wait=not no_wait, report=lambda line: click.echo(line, err=True)
            )
            click.echo(summarize(results))
            for line in stage_errors(results):
                click.echo(line, err=True)
            if any(r.error for r in results):
                sys.exit(1)
    finally:
        ctx.close()
        ctx.store.close()


@cli.command()
@click.option(
    "--rebuild", is_flag=True, help="Re-render every page (after changing settings or templates)."
)
def publish(rebuild: bool) -> None:
    """Publish ready articles now (the last stage of `naql run`), or rebuild the whole site."""
    from naql.pipeline.stages import publish_articles

    ctx = _context(_site())
    try:
        result = publish_articles(ctx, rebuild=rebuild)
    finally:
        ctx.close()
        ctx.store.close()
    click.echo(f"{result.done} newly published" + ("; every page re-rendered" if rebuild else ""))


@cli.command()
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
def serve(port: int, host: str) -> None:
    """Serve the published site, and the editors' review queue at /editor/."""
    config = _site()
    if not (config.output_dir / "index.html").exists():
        raise NaqlError(f"nothing published yet in {config.output_dir}: run `naql run` first")
    _serve(
        config, host, port, "serving {site} on {url} (review queue: {url}editor/; Ctrl-C to stop)"
    )


def _serve(config: Config, host: str, port: int, banner: str) -> None:
    """Run the site app under uvicorn on a socket bound here, so port 0 reports the real port."""
    import socket

    import uvicorn

    from naql.web.app import create_app

    try:
        sock = socket.create_server((host, port))
    except OSError as exc:
        raise NaqlError(f"cannot listen on {host}:{port}: {exc.strerror} (try --port)") from exc
    url = f"http://{host}:{sock.getsockname()[1]}/"
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), log_level="warning", access_log=False)
    )
    click.echo(banner.format(site=config.output_dir, url=url))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn shuts down cleanly, then re-raises the signal it caught
    finally:
        sock.close()
    click.echo("stopped")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status(fmt: str) -> None:
    """Articles per stage, and held or failed articles with their reasons."""
    from naql.pipeline.status import site_status

    config = _site()
    data = site_status(config)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    a = data["articles"]
    click.echo(
        f"articles: {a['published']} published, {a['pending']} pending, {a['held']} held, "
        f"{a['failed']} failed, {a['duplicate']} duplicates"
    )
    for state, n in a["by_state"].items():
        click.echo(f"  {state:<11} {n}")
    click.echo(
        f"sources: {len(data['sources'])} ({sum(1 for s in data['sources'] if s['last_error'])} with errors)"
    )
    for name, used in data["engines"].items():
        click.echo(
            f"engine {name}: {used['characters']:,} characters sent in {used['requests']:,} requests"
            f" ({used['characters_today']:,} today, {used['characters_month']:,} this month)"
        )
    for item in data["held_articles"]:
        click.echo(f"held   #{item['id']} {item['url']}\n       {item['reason']}")
    for item in data["failed_articles"]:
        click.echo(
            f"failed #{item['id']} {item['url']} (after {item['attempts']} attempts)\n       {item['error']}"
        )


# -- one-off tools ----------------------------------------------------------------------------


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def extract(inputs: tuple[str, ...], fmt: str) -> None:
    """Show what naql would store for each page (FILE .html/.html.gz, or URL)."""
    from naql.extract import extract_article, read_page
    from naql.ingest.fetcher import Fetcher

    failures = 0
    fetcher: Fetcher | None = None
    try:
        for item in inputs:
            try:
                if item.startswith(("http://", "https://")):
                    fetcher = fetcher or Fetcher(_fetch_settings_or_default())
                    resp = fetcher.get(item)
                    page = extract_article(resp.content, resp.url)
                else:
                    try:
                        data = read_page(item)
                    except OSError as exc:
                        raise NaqlError(f"cannot read {item}: {exc.strerror or exc}") from exc
                    page = extract_article(data, None)
            except NaqlError as exc:
                failures += 1
                if fmt == "json":
                    click.echo(json.dumps({"input": item, "error": str(exc)}, ensure_ascii=False))
                else:
                    click.echo(f"error: {item}: {exc}", err=True)
                continue
            if fmt == "json":
                click.echo(json.dumps(page.to_json_dict(item), ensure_ascii=False))
            else:
                click.echo(
                    f"== {item}\ntitle: {page.title}\nauthor: {page.author}\ndate: {page.date}\n"
                    f"url: {page.url}\nlanguage: {page.language}\nimage: {page.image}\n"
                    f"videos: {', '.join(page.videos) or '-'}\n"
                )
                click.echo(page.text + "\n")
    finally:
        if fetcher:
            fetcher.close()
    if failures:
        sys.exit(1)


def _fetch_settings_or_default():  # type: ignore[no-untyped-def]
    """The site's fetch settings when run inside a site (no delay for one-off pages), else defaults."""
    from naql.ingest.fetcher import FetchSettings, settings_from_config

    try:
        return settings_from_config(_site(), per_host_delay=0)
    except NaqlError:
        return FetchSettings()


@cli.command()
@click.argument("file", default="-", type=click.File("rb"))
@click.option(
    "--engine",
    "engine_name",
    default=None,
    help="Engine to use (see `naql engines list`); default: the first of translate.engines.",
)
@click.option(
    "--from",
    "language",
    default=None,
    help="Source language (default: en, or an HTML page's detected language).",
)
def translate(file: Any, engine_name: str | None, language: str | None) -> None:
    """Translate text or an HTML article (FILE, or - for stdin) into Arabic on stdout."""
    from naql.translate.engine import TITLE, Document
    from naql.translate.engines import configured_engines, open_engine
    from naql.translate.router import Router
    from naql.translate.segment import split_sentences

    raw = file.read()
    head = raw[:2048].lstrip().lower()
    title = None
    if head.startswith((b"<!doctype", b"<html")) or b"<p" in head or b"<body" in head:
        from naql.extract import extract_article

        page = extract_article(raw)
        title, paragraphs = page.title, page.paragraphs
        language = language or page.language
    else:
        text = raw.decode("utf-8", "replace")
        paragraphs = [
            " ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()
        ]
    if not paragraphs and not title:
        raise NaqlError("nothing to translate: the input is empty")
    language = language or "en"
    config = _site()
    engines = configured_engines(config)
    if engine_name is None:
        router = Router(config)
        names = router.chain(language)
        engine_name = next((n for n in names if router.offers(n, language)), names[0])
    if engine_name not in engines:
        raise NaqlError(f"no engine {engine_name!r} (known: {', '.join(sorted(engines))})")
    segments: list[str] = [title] if title else []
    numbers: list[int] = [TITLE] if title else []
    for n, p in enumerate(paragraphs):
        parts = split_sentences(p, language)
        segments.extend(parts)
        numbers.extend([n] * len(parts))
    with open_engine(engines[engine_name], config, language) as engine:
        out = engine.translate_documents([Document(segments, numbers)])[0]
    if title:
        click.echo(out[0] + "\n")
    blocks: dict[int, list[str]] = {}
    for n, text in zip(numbers, out, strict=True):
        if n != TITLE:
            blocks.setdefault(n, []).append(text)
    click.echo("\n\n".join(" ".join(b) for b in blocks.values()))


@cli.command()
@click.argument("directory", default="naql-demo", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--model",
    "model_source",
    default=None,
    help="Model to install: a local file/folder or URL (default: opus-mt-en-ar).",
)
@click.option("--port", default=8000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Build the demo site and exit.")
def demo(directory: Path, model_source: str | None, port: int, no_serve: bool) -> None:
    """Create a demo site from bundled English news, translate it, publish it and serve it."""
    from naql.demo import load_sample
    from naql.translate.models import DEFAULT_MODEL, install, list_models

    if not (directory / CONFIG_NAME).exists():
        directory.mkdir(parents=True, exist_ok=True)
        (directory / CONFIG_NAME).write_text(
            default_toml(
                {
                    "site.title": "نقل — عرض تجريبي",
                    "site.base_url": f"http://127.0.0.1:{port}",
                    # A demo shows the whole site: everything is published, findings kept, and
                    # every page says no editor reviewed it.
                    "check.policy": "publish",
                }
            ),
            encoding="utf-8",
        )
        click.echo(f"created demo site in {directory}/")
    config = load_config(directory.resolve())
    if not list_models(config.models_dir) or model_source:
        source = model_source or DEFAULT_MODEL
        click.echo(f"installing model {source} ...")
        try:
            install(source, config.models_dir)
        except NaqlError as exc:
            raise NaqlError(
                f"{exc} (or run `naql demo --model PATH` with a model file you have)"
            ) from exc
    ctx = _context(config)
    try:
        added = load_sample(ctx)
        click.echo(f"imported {added} sample articles (FLORES-200 / Wikinews, CC BY-SA 4.0)")
        from naql.pipeline.runner import run_once, summarize

        click.echo(summarize(run_once(ctx)))
    finally:
        ctx.close()
        ctx.store.close()
    if no_serve:
        click.echo(f"site written to {config.output_dir}")
        return
    _serve(config, "127.0.0.1", port, "serving the demo on {url} (Ctrl-C to stop)")


def _register_check() -> None:
    from naql.qa.cli import check_command
    from naql.translate.cli import engines_command

    cli.add_command(check_command)
    cli.add_command(engines_command)


_register_check()


def main() -> None:
    cli(prog_name="naql")


if __name__ == "__main__":
    main()
