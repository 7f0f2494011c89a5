"""The static site: Jinja2 pages written atomically into the site's output folder.

`SiteWriter.publish(session, new_ids)` renders what a batch of newly published articles changes:
their pages, the front page and last pages of each list they join (home, source site, day
archive), the feeds, the sitemap chunk holding them, and the search index. `rebuild=True` renders
everything. See naql.publish.listings for why that is O(1) in the size of the site.

One writer at a time: `publish` holds the site's publish lock (naql.locks, a file lock the kernel
drops if the holder dies) from its first page to the search index swap, so the editor's approvals,
`naql run --watch` and `naql publish` never interleave their pages or swap the index under each
other, and the last writer's index holds every page written before it.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from naql import locks
from naql.config import Config
from naql.errors import ConfigError
from naql.failures import DiskFull, is_disk_full
from naql.publish import arabic, feeds, jsonld, listings, sitemaps
from naql.publish.listings import Listing
from naql.publish.views import ArticleView, ListItem, article_view
from naql.store import Article
from naql.store.models import utcnow

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
EMBED_HOSTS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
RENDER_CHUNK = 200


def content_security_policy(*, search: bool = False, remote_images: bool = False) -> str:
    """The page's CSP, in the form a <meta http-equiv> accepts (no frame-ancestors there).

    No inline script or style anywhere; the search page alone may compile WebAssembly (Pagefind).
    """
    script = "'self' 'wasm-unsafe-eval'" if search else "'self'"
    images = "'self' data:" + (" https:" if remote_images else "")
    return (
        f"default-src 'none'; script-src {script}; style-src 'self'; img-src {images}; "
        f"font-src 'self'; connect-src 'self'; frame-src {' '.join(EMBED_HOSTS)}; "
        "form-action 'self'; base-uri 'none'; object-src 'none'"
    )


@dataclass
class PublishReport:
    articles: int = 0
    pages: int = 0  # files written (unchanged files are not rewritten)
    seconds: float = 0.0
    search_pages: int = 0
    search_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


@functools.cache
def _environment(digits: str) -> Environment:
    """Templates compiled once per process and digit style (compiling costs ~40 ms)."""
    env = Environment(
        loader=PackageLoader("naql.publish", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        iso=arabic.iso,
        date=lambda v: arabic.gregorian_date(v, digits),
        dates=lambda v: arabic.both_dates(v, digits),
        bdi=lambda v: arabic.isolate(v, digits),
        num=lambda v: arabic.digits(str(v), digits),
    )
    return env


def share_links(view: ArticleView, url: str) -> list[tuple[str, str]]:
    """Plain share links: no third-party script, nothing loaded until the reader clicks."""
    u, t = quote(url, safe=""), quote(view.title, safe="")
    return [
        ("واتساب", f"https://wa.me/?text={t}%20{u}"),
        ("تيليجرام", f"https://t.me/share/url?url={u}&text={t}"),
        ("إكس", f"https://x.com/intent/post?url={u}&text={t}"),
        ("فيسبوك", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        ("البريد", f"mailto:?subject={t}&body={u}"),
    ]


class SiteWriter:
    def __init__(self, config: Config, *, search: bool | None = None):
        self.config = config
        self.out = config.output_dir
        self.search = bool(config["publish.search"]) if search is None else search
        self.digits = config["site.digits"]
        if self.digits not in arabic.DIGIT_STYLES:
            raise ConfigError(
                f"site.digits = {self.digits!r} is invalid: expected one of {arabic.DIGIT_STYLES}"
            )
        self.noindex_unreviewed = bool(config["publish.noindex_unreviewed"])
        self.hotlink_images = bool(config["publish.hotlink_images"])
        self.page_size = max(1, config["site.articles_on_home"])
        base = config["site.base_url"].rstrip("/")
        self.site = {
            "title": config["site.title"],
            "description": config["site.description"],
            "base_url": base,
            "base_path": (urlsplit(base).path or "").rstrip("/") + "/",
            "ads": config["site.ad_slots"],
            "feeds": feeds.FEEDS,
        }
        self.env = _environment(self.digits)
        self.written = 0

    # -- writing ------------------------------------------------------------------------------

    def _write(self, path: str, data: bytes) -> None:
        target = self.out / path
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                return
        except FileNotFoundError:
            pass
        _atomic_write(target, data)
        self.written += 1

    def _render(self, template: str, path: str, *, root: str | None = None, **context: Any) -> None:
        depth = path.count("/")
        html = self.env.get_template(template).render(
            site=self.site,
            root=("../" * depth) if root is None else root,
            path=path,
            canonical=f"{self.site['base_url']}/{path}",
            # The search page's policy needs 'wasm-unsafe-eval' (Pagefind), which the Nu HTML
            # Checker does not know yet in a <meta> policy: that page's CSP comes as a header only.
            csp=""
            if template == "search.html"
            else content_security_policy(remote_images=self.hotlink_images),
            **context,
        )
        self._write(path, html.encode("utf-8"))

    def write_static(self) -> None:
        """Files that do not depend on the articles: CSS, JS, icon, search page, 404, robots.txt."""
        for item in STATIC.iterdir():
            if item.is_file():
                self._write(item.name, item.read_bytes())
        self._render("search.html", "search.html", title="البحث")
        self._render("404.html", "404.html", root=self.site["base_path"], title="الصفحة غير موجودة")
        self._write("robots.txt", sitemaps.robots_txt(self.site["base_url"]))

    # -- pages ----------------------------------------------------------------------------------

    def indexable(self, view: ArticleView) -> bool:
        return view.reviewed or not self.noindex_unreviewed

    def copies(self, session: Session, article: Article) -> list[Article]:
        """Other outlets' copies of this story, listed on its page as other sources."""
        return list(
            session.scalars(
                select(Article).where(Article.duplicate_of == article.id).order_by(Article.id)
            )
        )

    def related_items(self, session: Session, article: Article, n: int = 5) -> list[ListItem]:
        """The article's related published articles ("اقرأ أيضاً"), best first."""
        ids = [int(i) for i, _ in (article.related or [])][: n * 2]
        if not ids:
            return []
        rows = {
            a.id: a
            for a in session.scalars(
                select(Article).where(
                    Article.id.in_(ids), Article.state.in_(listings.ACTIVE_STATES)
                )
            )
        }
        return listings.items([rows[i] for i in ids if i in rows][:n])

    def write_article(
        self, article: Article, related: Sequence[ListItem] = (), copies: Sequence[Article] = ()
    ) -> ArticleView:
        view = article_view(article, list(related), list(copies))
        url = f"{self.site['base_url']}/{view.path}"
        indexable = self.indexable(view)
        self._render(
            "article.html",
            view.path,
            article=view,
            indexable=indexable,
            show_image=bool(view.image) and self.hotlink_images,
            jsonld=jsonld.script(jsonld.news_article(view, self.site)) if indexable else "",
            share=share_links(view, url),
            archive_path=_day_prefix(view.published_at) + "index.html" if view.published_at else "",
        )
        return view

    def write_listing(
        self,
        session: Session,
        listing: Listing,
        title: str,
        *,
        all_pages: bool = False,
        republished: Iterable[tuple[datetime, int]] = (),
    ) -> int:
        """The list's front page and its last two pages (all its pages with all_pages); its size.

        `republished` articles (published before, changed since) are where they were: the pages
        holding them are rendered too.
        """
        size = self.page_size
        total = listings.count(session, listing)
        pages = listings.page_count(total, size)
        numbers = set(range(1 if all_pages else max(1, pages - 1), pages + 1))
        for when, article_id in republished:
            numbers.add(listings.position(session, listing, when, article_id) // size + 1)
        newest = listings.latest(session, listing, size)
        older = listings.page_count(total - size, size) if total > size else None
        self._render(
            "list.html",
            listing.index_path,
            listing=listing,
            title=title,
            heading=title,
            articles=newest,
            older=listing.page_path(older) if older else None,
            newer=None,
            archive=listing.page_path(pages) if total > size else None,
        )
        for number in sorted(numbers):
            numbered = f"{title} — الصفحة {arabic.digits(str(number), self.digits)}"
            self._render(
                "list.html",
                listing.page_path(number),
                listing=listing,
                title=numbered,
                heading=numbered,
                articles=listings.page(session, listing, number, size, total),
                older=listing.page_path(number - 1) if number > 1 else None,
                newer=listing.page_path(number + 1) if number < pages else listing.index_path,
                archive=None,
            )
        return total

    def listing_title(self, listing: Listing, name: str = "") -> str:
        if listing.kind == "home":
            return "آخر الأخبار"
        if listing.kind == "source":
            return f"أخبار من {name or listing.key}"
        if listing.kind == "day":
            return f"أخبار {arabic.both_dates(date.fromisoformat(listing.key), self.digits)}"
        return f"وسم: {name or listing.key}"

    def write_sources_index(self, session: Session) -> None:
        self._render(
            "sources.html", "sources/index.html", title="المصادر", sources=listings.sources(session)
        )

    def write_archive_index(self, session: Session) -> None:
        months: dict[tuple[int, int], list[tuple[date, str]]] = {}
        for d in listings.days(session):
            months.setdefault((d.year, d.month), []).append((d, _day_prefix(d) + "index.html"))
        self._render(
            "archive.html",
            "archive/index.html",
            title="الأرشيف",
            months=[
                (
                    f"m-{y}-{m}",
                    arabic.digits(f"{arabic.GREGORIAN_MONTHS[m - 1]} {y}", self.digits),
                    days,
                )
                for (y, m), days in months.items()
            ],
        )

    # -- feeds and sitemaps ---------------------------------------------------------------------

    def write_feeds(self, session: Session) -> None:
        entries = feeds.latest_entries(session, self.config["publish.feed_items"])
        self._write(feeds.FEEDS["rss"], feeds.rss(self.site, entries))
        self._write(feeds.FEEDS["atom"], feeds.atom(self.site, entries))
        self._write(feeds.FEEDS["json"], feeds.json_feed(self.site, entries))

    def write_sitemaps(
        self,
        session: Session,
        chunks: Iterable[int],
        pages: list[sitemaps.Url] | None,
        now: datetime,
    ) -> None:
        base = self.site["base_url"]
        for chunk in chunks:
            urls = sitemaps.article_chunk(
                session, base, chunk, noindex_unreviewed=self.noindex_unreviewed
            )
            path = self.out / sitemaps.chunk_path(chunk)
            if urls:
                self._write(sitemaps.chunk_path(chunk), sitemaps.urlset(urls))
            elif path.exists():
                path.unlink()
        if pages is not None:
            self._write("sitemaps/pages.xml", sitemaps.urlset(pages))
        index = [sitemaps.Url(f"{base}/sitemaps/pages.xml")]
        folder = self.out / "sitemaps"
        for p in sorted(folder.glob("articles-*.xml"), key=lambda p: int(p.stem.split("-")[1])):
            index.append(sitemaps.Url(f"{base}/sitemaps/{p.name}"))
        self._write("sitemap.xml", sitemaps.sitemap_index(index))
        self._write(
            "news-sitemap.xml",
            sitemaps.news_sitemap(
                session, base, self.site["title"], now, noindex_unreviewed=self.noindex_unreviewed
            ),
        )

    def page_urls(self, hosts: Iterable[str], days: Iterable[date]) -> list[sitemaps.Url]:
        base = self.site["base_url"]
        urls = [sitemaps.Url(f"{base}/"), sitemaps.Url(f"{base}/sources/index.html")]
        urls += [sitemaps.Url(f"{base}/sources/{h}/index.html") for h in hosts]
        urls.append(sitemaps.Url(f"{base}/archive/index.html"))
        urls += [sitemaps.Url(f"{base}/{_day_prefix(d)}index.html", d) for d in days]
        return urls

    # -- one publish pass -----------------------------------------------------------------------

    def publish(
        self,
        session: Session,
        new_ids: Sequence[int],
        *,
        rebuild: bool = False,
        refresh: Sequence[int] = (),
        now: datetime | None = None,
        progress: Callable[..., Any] | None = None,
    ) -> PublishReport:
        """Render what publishing `new_ids` changes (everything with rebuild=True).

        `refresh`: already published articles whose own page changed (e.g. their related list);
        only their article pages are re-rendered. Waits while another process publishes this site.
        """
        with locks.site_lock(self.lock_path):
            return self._publish(
                session, new_ids, rebuild=rebuild, refresh=refresh, now=now, progress=progress
            )

    @property
    def lock_path(self) -> Path:
        return self.config.root / locks.PUBLISH_LOCK

    def _publish(
        self,
        session: Session,
        new_ids: Sequence[int],
        *,
        rebuild: bool,
        refresh: Sequence[int],
        now: datetime | None,
        progress: Callable[..., Any] | None,
    ) -> PublishReport:
        started = time.perf_counter()
        now = now or utcnow()
        report = PublishReport(articles=len(new_ids))
        timer = _Timer(report.timings)
        self.out.mkdir(parents=True, exist_ok=True)
        self.written = 0
        with timer("static"):
            self.write_static()

        if rebuild:
            ids = list(
                session.scalars(
                    select(Article.id)
                    .where(Article.state.in_(listings.ACTIVE_STATES))
                    .order_by(Article.id)
                )
            )
        else:
            ids = list(new_ids)
        new = set(new_ids)
        hosts: dict[str, str] = {}
        days: set[date] = set()
        n_host: Counter[str] = Counter()
        n_day: Counter[date] = Counter()
        tags: dict[str, tuple[int, str]] = {}
        n_tag: Counter[str] = Counter()
        moved: list[tuple[datetime, int, set[str]]] = []  # published before this pass
        bar = progress(total=len(ids), desc="publishing") if progress else None
        with timer("articles"):
            for start in range(0, len(ids), RENDER_CHUNK):
                chunk = ids[start : start + RENDER_CHUNK]
                batch = session.scalars(
                    select(Article)
                    .where(Article.id.in_(chunk))
                    .options(selectinload(Article.segments))
                    .order_by(Article.id)
                ).all()
                for article in batch:
                    view = self.write_article(
                        article, self.related_items(session, article), self.copies(session, article)
                    )
                    for link in article.tag_links:
                        tags[link.tag.key] = (link.tag_id, view_tag_name(link.tag))
                        n_tag[link.tag.key] += 1
                    hosts.setdefault(view.source_host, view.source_site)
                    n_host[view.source_host] += 1
                    if view.published_at:
                        days.add(view.published_at.date())
                        n_day[view.published_at.date()] += 1
                        if view.published_at < now:
                            keys = {view.source_host, view.published_at.date().isoformat()}
                            moved.append((view.published_at, view.id, keys))
                    if bar is not None:
                        bar.update(1)
                    if rebuild and article.id not in new:
                        session.expunge(article)  # keep memory flat over a large rebuild
        if bar is not None:
            bar.close()
        if refresh and not rebuild:
            with timer("refresh"):
                for article in session.scalars(
                    select(Article)
                    .where(Article.id.in_(set(refresh) - new))
                    .options(selectinload(Article.segments))
                ):
                    self.write_article(
                        article, self.related_items(session, article), self.copies(session, article)
                    )

        with timer("lists"):
            new_lists = rebuild
            older = [] if rebuild else moved
            self.write_listing(
                session,
                listings.home(),
                self.listing_title(listings.home()),
                all_pages=rebuild,
                republished=[(w, i) for w, i, _ in older],
            )
            for listing, name, joined in [
                *((listings.source(h), name, n_host[h]) for h, name in hosts.items()),
                *((listings.day(d), "", n_day[d]) for d in sorted(days)),
                *(
                    (listings.tag(k, tid), name, n_tag[k])
                    for k, (tid, name) in sorted(tags.items())
                ),
            ]:
                total = self.write_listing(
                    session,
                    listing,
                    self.listing_title(listing, name),
                    all_pages=rebuild,
                    republished=[(w, i) for w, i, keys in older if listing.key in keys],
                )
                new_lists = new_lists or total <= joined  # the list holds only this batch: new
            if new_lists or not (self.out / "sources" / "index.html").exists():
                self.write_sources_index(session)
                self.write_archive_index(session)

        with timer("feeds"):
            self.write_feeds(session)
        with timer("sitemaps"):
            page_urls = None
            if new_lists or not (self.out / "sitemaps" / "pages.xml").exists():
                page_urls = self.page_urls(
                    [h for h, _ in listings.sources(session)], listings.days(session)
                )
            self.write_sitemaps(session, sorted({i // sitemaps.CHUNK for i in ids}), page_urls, now)
        report.pages = self.written
        report.seconds = time.perf_counter() - started
        if self.search and (ids or rebuild or not (self.out / "pagefind").exists()):
            from naql.publish.search import build_search_index

            t = time.perf_counter()
            try:
                report.search_pages = build_search_index(self.out, lock=self.lock_path)
            except Exception as exc:  # the indexer is a separate binary: its failure must not
                # stop publishing; the previous index stays in place and the next pass rebuilds it.
                log.error(
                    "search index not rebuilt: %s", exc, exc_info=log.isEnabledFor(logging.DEBUG)
                )
            report.search_seconds = time.perf_counter() - t
        return report


def view_tag_name(tag: Any) -> str:
    return str(tag.name_ar or tag.name_en)


def _day_prefix(when: datetime | date) -> str:
    return f"archive/{when.year:04d}/{when.month:02d}/{when.day:02d}/"


class _Timer:
    def __init__(self, into: dict[str, float]):
        self.into = into

    def __call__(self, name: str) -> _Timer:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.t = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.into[self.name] = self.into.get(self.name, 0.0) + time.perf_counter() - self.t


def _atomic_write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFull(path) from exc
        raise
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if is_disk_full(exc):
            raise DiskFull(path) from exc
        raise
