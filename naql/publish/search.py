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
written beside the live one and swapped in, so readers never see half an index: where Linux offers
it, the two folders are exchanged in one step (renameat2 RENAME_EXCHANGE), so `pagefind/` is never
missing either. The caller holds the site's publish lock (SiteWriter.publish does), so two
writers never build into, or swap, the same temporary folders.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from naql import locks
from naql.failures import DiskFull, is_disk_full

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
ARTICLES_GLOB = "articles/*.html"


async def _index(site_dir: Path, output: Path) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(output), force_language="ar")
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site_dir), glob=ARTICLES_GLOB)
        return int(result.get("page_count", 0))


def build_search_index(site_dir: Path, *, lock: Path) -> int:
    """(Re)build site_dir/pagefind/ from the article pages; returns the pages indexed.

    `lock` is the site's publish lock file: the rebuild holds it (re-entrant for its holder).
    """
    site_dir = site_dir.resolve()
    with locks.site_lock(lock):
        fresh = site_dir / f".{BUNDLE}-new"
        stale = site_dir / f".{BUNDLE}-old"
        for leftover in (fresh, stale):
            shutil.rmtree(leftover, ignore_errors=True)
        # Pagefind's Python API is async; run it on its own thread and loop, so that publishing
        # works the same from a plain call and from inside a running event loop (the editor).
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                pages = pool.submit(asyncio.run, _index(site_dir, fresh)).result()
        except BaseException as exc:
            shutil.rmtree(fresh, ignore_errors=True)
            if is_disk_full(exc):
                raise DiskFull(fresh) from exc
            raise
        _swap_in(fresh, site_dir / BUNDLE, stale)
    log.info("search index: %d pages", pages)
    return pages


def _swap_in(fresh: Path, live: Path, stale: Path) -> None:
    """Make `fresh` the live folder; the old one is removed."""
    if not live.exists():
        fresh.rename(live)
    elif _exchange(fresh, live):
        shutil.rmtree(fresh, ignore_errors=True)  # now the old index
    else:
        live.rename(stale)
        fresh.rename(live)
        shutil.rmtree(stale, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot (fall back)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(done == 0)
