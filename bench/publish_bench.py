"""Publishing cost: one new article into a site of N articles, and a full rebuild.

    python bench/publish_bench.py [--sizes 1000,10000] [--repeat 10] [--indexable]

For each size N, in a temporary site (SQLite store, real publish stage):

1. Inserts N synthetic published articles straight into the store (20 source sites, 50 articles a
   day, 8 paragraphs of 3 Arabic sentences each) -- no translation model involved.
2. Full rebuild: `publish_articles(ctx, rebuild=True)` with the search index off; prints pages
   written per second. Then the Pagefind search index over all article pages, timed on its own.
3. Incremental: R times, stores one new READY article and times `publish_articles(ctx)` (its page,
   the home / source / day lists it joins, feeds, sitemaps) with the search index off; prints the
   median and worst. The goal is < 100 ms, flat as N grows. The search index, rebuilt once per
   publish pass, is timed separately (step 2): it grows with the site.

--indexable publishes with publish.noindex_unreviewed = false (sitemap chunks and the news sitemap
are then written too, and articles carry JSON-LD).

--proposed-index first creates, in the bench's own temporary database, the index that lists need
(PROPOSED_INDEX: articles by state and publication time). Without it every list query sorts the
whole articles table, which is what makes publishing grow with the site.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

for _key in [k for k in os.environ if k.startswith("NAQL_")]:
    print(f"note: ignoring {_key} from the environment", file=sys.stderr)
    del os.environ[_key]

from sqlalchemy import insert, select, text  # noqa: E402

from naql.config import Config, parse_config  # noqa: E402
from naql.pipeline.stages import Context, publish_articles  # noqa: E402
from naql.publish.search import build_search_index  # noqa: E402
from naql.store import Article, Segment, State, Store  # noqa: E402
from naql.store.models import TITLE_PARAGRAPH  # noqa: E402

WORDS = [
    "قال",
    "المتحدث",
    "باسم",
    "الحكومة",
    "إن",
    "المفاوضات",
    "مستمرة",
    "بين",
    "الطرفين",
    "منذ",
    "أسابيع",
    "وإن",
    "الاتفاق",
    "قريب",
    "وأضاف",
    "أن",
    "الوزارة",
    "ستعلن",
    "التفاصيل",
    "خلال",
    "مؤتمر",
    "صحفي",
    "في",
    "العاصمة",
    "يوم",
    "الخميس",
    "المقبل",
    "بعد",
    "اجتماع",
    "مجلس",
    "الوزراء",
    "الذي",
    "يناقش",
    "الميزانية",
    "الجديدة",
    "ومشاريع",
    "البنية",
    "التحتية",
    "والتعليم",
    "والصحة",
]
PROPOSED_INDEX = "CREATE INDEX ix_articles_state_published_at ON articles (state, published_at, id)"
HOSTS = [f"site{i}.example.com" for i in range(20)]
PER_DAY = 50


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 18))) + "."


def make_site(root: Path, n: int, *, indexable: bool, index: bool = False) -> Context:
    base = parse_config(root, {})
    values = {name: base[name] for name in base._values}
    values["publish.noindex_unreviewed"] = not indexable
    values["publish.search"] = False
    config = Config(root, values)
    ctx = Context(config=config, store=Store(config.db_url), progress=False)
    rng = random.Random(n)
    start = datetime(2024, 1, 1, 6, 0)
    articles, segments = [], []
    for i in range(1, n + 1):
        host = HOSTS[i % len(HOSTS)]
        articles.append(
            {
                "id": i,
                "url": f"https://{host}/news/{i}",
                "state": State.PUBLISHED.value,
                "title": f"Story number {i}",
                "title_ar": " ".join(rng.choice(WORDS) for _ in range(8)),
                "paragraphs": [],
                "author": "Staff",
                "published": "2024-01-01",
                "language": "en",
                "site_name": f"Site {i % len(HOSTS)}",
                "engine": "CTranslate2",
                "model": "opus-mt-en-ar",
                "verdict": "publish",
                "slug": f"{i}-story-number-{i}",
                "published_at": start
                + timedelta(days=(i - 1) // PER_DAY, minutes=(i - 1) % PER_DAY),
            }
        )
        segments.append(
            {
                "article_id": i,
                "paragraph": TITLE_PARAGRAPH,
                "sentence": 0,
                "source": "t",
                "translation": "t",
            }
        )
        for p in range(8):
            for s in range(3):
                segments.append(
                    {
                        "article_id": i,
                        "paragraph": p,
                        "sentence": s,
                        "source": "Sentence.",
                        "translation": sentence(rng),
                    }
                )
    with ctx.store.session() as s:
        s.execute(insert(Article), articles)
        s.execute(insert(Segment), segments)
        if index:
            s.execute(text(PROPOSED_INDEX))
    return ctx


def add_ready(ctx: Context, k: int) -> None:
    rng = random.Random(k)
    with ctx.store.session() as s:
        article = Article(
            url=f"https://{HOSTS[k % len(HOSTS)]}/new/{k}",
            state=State.READY.value,
            title=f"New story {k}",
            title_ar=" ".join(rng.choice(WORDS) for _ in range(8)),
            language="en",
            site_name=f"Site {k % len(HOSTS)}",
            engine="CTranslate2",
            model="opus-mt-en-ar",
            verdict="publish",
        )
        article.segments = [
            Segment(paragraph=p, sentence=i, source="Sentence.", translation=sentence(rng))
            for p in range(8)
            for i in range(3)
        ]
        s.add(article)
        s.flush()
        article.slug = f"{article.id}-new-story"


def bench(n: int, repeat: int, *, indexable: bool, index: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="naql-publish-bench-") as tmp:
        t = time.perf_counter()
        ctx = make_site(Path(tmp), n, indexable=indexable, index=index)
        setup = time.perf_counter() - t

        t = time.perf_counter()
        result = publish_articles(ctx, rebuild=True)
        rebuild = time.perf_counter() - t
        pages = result.extra["pages"]

        t = time.perf_counter()
        indexed = build_search_index(ctx.config.output_dir)
        search = time.perf_counter() - t

        times = []
        for k in range(repeat + 1):
            add_ready(ctx, 10_000_000 + k)
            t = time.perf_counter()
            result = publish_articles(ctx)
            elapsed = time.perf_counter() - t
            assert result.done == 1
            if k:  # the first run warms the template cache
                times.append(elapsed)
        with ctx.store.session() as s:
            published = len(s.scalars(select(Article.id).where(Article.state == "published")).all())
        assert published == n + repeat + 1
        ctx.store.close()
    return {
        "setup_s": setup,
        "rebuild_s": rebuild,
        "rebuild_pages": pages,
        "pages_per_s": pages / rebuild,
        "search_s": search,
        "search_pages": indexed,
        "one_median_ms": statistics.median(times) * 1000,
        "one_max_ms": max(times) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--indexable", action="store_true")
    parser.add_argument("--proposed-index", action="store_true")
    args = parser.parse_args()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"site of {n} articles ...", file=sys.stderr, flush=True)
        rows.append((n, bench(n, args.repeat, indexable=args.indexable, index=args.proposed_index)))
    print(
        f"\npublish bench ({'indexable' if args.indexable else 'noindex'} articles, "
        f"{'with' if args.proposed_index else 'without'} the proposed index, "
        f"{args.repeat} single-article publishes per size)"
    )
    print(
        f"{'articles':>9} | {'one article: median':>19} | {'worst':>8} | {'full rebuild':>19} | "
        f"{'search index (Pagefind)':>24}"
    )
    for n, r in rows:
        print(
            f"{n:>9} | {r['one_median_ms']:>16.1f} ms | {r['one_max_ms']:>5.1f} ms | "
            f"{r['rebuild_pages']:>6} pages {r['pages_per_s']:>5.0f}/s | "
            f"{r['search_pages']:>6} pages in {r['search_s']:>5.1f} s"
        )
    if len(rows) > 1:
        ratio = rows[-1][1]["one_median_ms"] / rows[0][1]["one_median_ms"]
        print(f"one-article publish, {rows[-1][0]} vs {rows[0][0]} articles: x{ratio:.2f}")


if __name__ == "__main__":
    main()
