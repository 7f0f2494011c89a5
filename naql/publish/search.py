"""The static search index: Pagefind, built from the article pages.

Why Pagefind rather than a home-made JSON index: its Python package installs the indexer binary
from PyPI (no download at run time); its index is split into chunks fetched on demand, so a reader
downloads a few tens of KB whatever the size of the site, where one JSON index of 10,000 articles
is megabytes; and its Arabic support (pages with lang="ar" get the Snowball Arabic stemmer) folds
what Arabic readers type differently: alef with or without hamza (أإآ -> ا), alef maqsura / ya,
ta marbuta / ha, tatweel and diacritics, so "احمد" finds "أحمد" and "مدرسه" finds "مدرسة"
(tests/test_site_browser.py checks this in Chromium). static/search.js also folds the query the
same way (naql.publish.arabic.normalise) before searching. The cost: Pagefind runs WebAssembly, so
the search page alone needs 'wasm-unsafe-eval' in its script-src; every other page keeps a CSP
with no script exception at all.

Pagefind re-indexes the whole site each time (about a second per few thousand pages, see
bench/publish_bench.py), so the index is rebuilt once per publish pass, not per article, and
written beside the live one and swapped in, so readers never see half an index.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
ARTICLES_GLOB = "articles/*.html"


async def _index(site_dir: Path, output: Path) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(output), force_language="ar")
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site_dir), glob=ARTICLES_GLOB)
        return int(result.get("page_count", 0))


def build_search_index(site_dir: Path) -> int:
    """(Re)build site_dir/pagefind/ from the article pages; returns the pages indexed."""
    site_dir = site_dir.resolve()
    fresh = site_dir / f".{BUNDLE}-new"
    stale = site_dir / f".{BUNDLE}-old"
    for leftover in (fresh, stale):
        shutil.rmtree(leftover, ignore_errors=True)
    # Pagefind's Python API is async; run it on its own thread and loop, so that publishing works
    # the same from a plain call and from inside a running event loop (the editor's web app).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pages = pool.submit(asyncio.run, _index(site_dir, fresh)).result()
    live = site_dir / BUNDLE
    if live.exists():
        live.rename(stale)
    fresh.rename(live)
    shutil.rmtree(stale, ignore_errors=True)
    log.info("search index: %d pages", pages)
    return pages
