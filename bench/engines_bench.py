"""Remote engines: the translate stage against fake APIs with latency, and the document path's cost.

    python bench/engines_bench.py [--articles N] [--sentences-per-article K] [--latency S]
                                  [--repeat R] [--serial-runs M] [--profile]

What it does, in one run (all figures are measured in that run; nothing here is a test):

1. Starts tests/fakeapis.py's FakeDeepL and tests/fake_llm.py's FakeLLM in a child process
   (ThreadingHTTPServer, one thread per connection), so the fakes' JSON and "translation" work
   does not share this process's GIL or CPU time with naql. Two settings of the fakes are changed
   there, both to behave like a real API: TCP_NODELAY (the fakes write headers and body in two
   send()s; with Nagle on, each answer on a kept-alive connection waits ~45 ms for the client's
   delayed ACK) and a listen backlog of 128 instead of 5. They count requests, texts and the most
   requests answered at once.
2. Reads N*K lines of FLORES-200 dev English (../shared/data/parallel/flores200-dev) and makes N
   articles of K sentences: the first sentence is the title, the rest paragraphs of 3 sentences.
3. Makes one site with `naql init` and copies it for every measurement: each stage run gets a
   FRESH site (fresh naql.db, so an empty engine cache and glossary) with `[engines.NAME]` tables
   and `translate.engines` written into its naql.toml, and the articles stored in the EXTRACTED
   state with one segment per sentence (as naql.demo.load_sample does, but without re-splitting,
   so the stage sees exactly N*K sentences). The stage is `translate_articles(ctx)` as `naql run`
   calls it: the router opens the engine from naql.toml; cache, glossary (new names recorded) and
   SQLite commits included.
4. Throughput with --latency seconds (default 0.150) per request, sentences/s of the stage:
     naql defaults           DeepL: batches of up to 50 texts, max_in_flight 8 (nothing changed)
     batching only           max_in_flight = 1
     concurrency only        one text per request (DeepLEngine.max_batch_items = 1, patched here:
                             there is no setting for it)
     one at a time           max_in_flight = 1 and one text per request: the baseline
     LLM, naql defaults      the openai engine: one request per article, max_in_flight 8
     LLM, one at a time      max_in_flight = 1
   then the stage once more on the site of the last "naql defaults" run with its segments pending
   again: everything comes from the engine cache, so 0 requests. The three one-text or
   one-at-a-time modes are latency-bound (~(sentences + new names) x latency, ~90 s for "one at a
   time" with the defaults), so they run --serial-runs times (default 1); the others --repeat times
   after one warm-up. Each stage run is broken down (wall seconds in a few of naql's functions,
   wrapped for the run): open engine, cache lookups, engine calls, cache writes, glossary upserts,
   finish articles, the rest.
5. Overhead of the document path, fakes answering at once (latency 0): the stage (fresh site
   each run) against the engine called directly on the same texts, no pipeline --
     DeepL: DeepLEngine.translate(every sentence)
     LLM:   OpenAIEngine.translate_documents(one Document per article: title + paragraphs)
   warmed up once, R runs interleaved, best and median, wall and process CPU seconds (this process
   only: the fakes run in the child). The stage sends more than the raw call: the new names it
   records (riding in DeepL's batches; a separate call for the LLM); the request and text counts
   are printed beside the times. --profile adds a cProfile of one stage run of each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

# Never let an environment override point the bench at a real site's database or settings.
for _key in [k for k in os.environ if k == "NAQL_DATABASE_URL" or k.startswith("NAQL_TRANSLATE_")]:
    print(f"note: ignoring {_key} from the environment", file=sys.stderr)
    del os.environ[_key]

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
FLORES_EN = REPO.parent / "shared" / "data" / "parallel" / "flores200-dev" / "eng_Latn.dev"
PARAGRAPH_SENTENCES = 3
KEY_ENV = "NAQL_BENCH_DEEPL_KEY"
LLM_MODEL = "bench-llm"


# -- the fake APIs, in a child process --------------------------------------------------------


def _serve_fakes(conn: Any, tests_dir: str) -> None:
    """Child process: FakeDeepL and FakeLLM, driven by commands over `conn`."""
    sys.path.insert(0, tests_dir)
    from fake_llm import FakeLLM
    from fakeapis import FakeDeepL

    fakes: dict[str, Any] = {"deepl": FakeDeepL(), "llm": FakeLLM()}
    for fake in fakes.values():
        # socketserver listens with a backlog of 5: 8 connections opened at once could see a
        # dropped SYN (a 1 s retransmit) that no real API would cause. Linux lets listen() raise it.
        fake.httpd.socket.listen(128)
        # The fakes write the headers and the body of an answer in two send()s; with Nagle on,
        # the body waits for the client's delayed ACK: ~45 ms more per request on a kept-alive
        # connection (measured), which no real API adds. TCP_NODELAY, as real servers set it.
        fake.httpd.RequestHandlerClass.disable_nagle_algorithm = True
    conn.send({name: fake.url for name, fake in fakes.items()} | {"key": fakes["deepl"].key})
    while True:
        cmd, *args = conn.recv()
        if cmd == "delay":
            for fake in fakes.values():
                fake.delay = float(args[0])
            conn.send(None)
        elif cmd == "take":  # counts since the last take, then forget
            fake = fakes[args[0]]
            with fake._lock:
                requests, fake.requests = list(fake.requests), []
                most, fake.max_concurrent = fake.max_concurrent, 0
            if args[0] == "deepl":
                texts = sum(len(fake.texts_of(r.body)) for r in requests)
            else:
                texts = sum(len(r.segments) for r in requests)
            conn.send({"requests": len(requests), "texts": texts, "max_concurrent": most})
        elif cmd == "close":
            for fake in fakes.values():
                fake.close()
            conn.send(None)
            return


class Fakes:
    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve_fakes, args=(child, str(TESTS)), daemon=True)
        self.process.start()
        if not self.conn.poll(60):
            self.process.kill()
            sys.exit("the fake APIs did not start within 60 s")
        info = self.conn.recv()
        self.deepl_url, self.llm_url, self.key = info["deepl"], info["llm"], info["key"]

    def _call(self, *cmd: Any) -> Any:
        self.conn.send(cmd)
        return self.conn.recv()

    def set_delay(self, seconds: float) -> None:
        self._call("delay", seconds)

    def take(self, name: str) -> dict[str, int]:
        return self._call("take", name)  # type: ignore[no-any-return]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._call("close")
        self.process.join(5)


# -- articles and sites -----------------------------------------------------------------------


def read_articles(n: int, k: int) -> list[list[str]]:
    if not FLORES_EN.is_file():
        sys.exit(f"missing {FLORES_EN}")
    lines = [ln.strip() for ln in FLORES_EN.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    if n * k > len(lines):
        sys.exit(f"{n} articles x {k} sentences: {FLORES_EN.name} has only {len(lines)} lines")
    return [lines[i * k : (i + 1) * k] for i in range(n)]


def engine_tables(fakes: Fakes, **deepl_options: Any) -> dict[str, dict[str, Any]]:
    return {
        "deepl": {"kind": "deepl", "url": fakes.deepl_url, "key_env": KEY_ENV, **deepl_options},
        "llm": {"kind": "openai", "url": fakes.llm_url + "/v1", "model": LLM_MODEL},
    }


class Site:
    """A copy of the `naql init` site with its engines configured and the articles extracted."""

    def __init__(self, template: Path, root: Path, engine: str, tables: dict[str, dict[str, Any]],
                 articles: list[list[str]]):  # fmt: skip
        from naql.config import load_config
        from naql.store import Store

        shutil.copytree(template, root)
        self.root = root
        text = (root / "naql.toml").read_text(encoding="utf-8")
        assert "# engines = []" in text, "naql init's naql.toml changed: update the bench"
        text = text.replace("# engines = []", f"engines = {json.dumps([engine])}")
        for name, table in tables.items():
            text += f"\n[engines.{name}]\n" + "".join(
                f"{k} = {json.dumps(v)}\n" for k, v in table.items()
            )
        (root / "naql.toml").write_text(text, encoding="utf-8")
        self.config = load_config(root)
        self.store = Store(self.config.db_url)
        self._insert(articles)

    def _insert(self, articles: list[list[str]]) -> None:
        # As naql.demo.load_sample + make_segments store them, one Segment per sentence as given.
        from naql.pipeline.stages import _content_hash
        from naql.store import Article, Segment, State
        from naql.store.models import TITLE_PARAGRAPH

        with self.store.session() as s:
            for a, (title, *body) in enumerate(articles):
                paras = [
                    body[i : i + PARAGRAPH_SENTENCES]
                    for i in range(0, len(body), PARAGRAPH_SENTENCES)
                ]
                article = Article(
                    url=f"https://bench.invalid/{a}",
                    title=title,
                    paragraphs=[" ".join(p) for p in paras],
                    language="en",
                    site_name="bench",
                    content_hash=_content_hash([title, *body]),
                    state=State.EXTRACTED.value,
                )
                s.add(article)
                s.flush()
                segments = [Segment(paragraph=TITLE_PARAGRAPH, sentence=0, source=title)]
                for p, para in enumerate(paras):
                    segments += [
                        Segment(paragraph=p, sentence=i, source=x) for i, x in enumerate(para)
                    ]
                article.segments = segments

    def stage(self) -> Any:
        """translate_articles(ctx) as `naql run` calls it."""
        from naql.pipeline.stages import Context
        from naql.pipeline.translate import translate_articles

        ctx = Context(self.config, self.store, progress=False)
        return translate_articles(ctx)

    def untranslate(self) -> None:
        """Every segment pending again (the glossary and the engine cache are kept)."""
        from sqlalchemy import update

        from naql.store import Article, Segment, State

        with self.store.session() as s:
            s.execute(update(Segment).values(translation=None, origin=None, findings=None))
            s.execute(
                update(Article).values(
                    state=State.EXTRACTED.value, title_ar=None, engine=None, model=None
                )
            )

    def names(self) -> int:
        from sqlalchemy import func, select

        from naql.store.models import GlossaryEntry

        with self.store.session() as s:
            return s.scalar(select(func.count()).where(GlossaryEntry.origin == "engine")) or 0

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self.root, ignore_errors=True)


class Sites:
    def __init__(self, articles: list[list[str]]) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="naql-bench-engines-"))
        self.template = self.tmp / "template"
        self.articles = articles
        self.count = 0
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "naql", "init", str(self.template)],
            check=True,
            capture_output=True,
            env={k: v for k, v in os.environ.items() if k != "NAQL_SITE"},
        )
        self.init_seconds = time.perf_counter() - t

    def fresh(self, engine: str, tables: dict[str, dict[str, Any]]) -> Site:
        self.count += 1
        return Site(self.template, self.tmp / f"site-{self.count}", engine, tables, self.articles)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def one_text_per_request() -> Iterator[None]:
    """DeepLEngine batches of one text (there is no setting for it: the bench patches the class)."""
    from naql.translate.engines.deepl import DeepLEngine

    before = DeepLEngine.max_batch_items
    DeepLEngine.max_batch_items = 1
    try:
        yield
    finally:
        DeepLEngine.max_batch_items = before


# -- measuring ----------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    sentences: int
    requests: int
    texts: int
    max_concurrent: int
    names: int = 0
    parts: dict[str, float] = field(default_factory=dict)


class Probe:
    """Wall seconds the stage spends in a few of naql's functions, wrapped here for the run.

    "engine calls" is CachedEngine._send less the cache writes inside it: for DeepL, the requests
    (all in flight together); for the LLM, the main thread's wait for the articles' answers.
    """

    TARGETS = [  # label, module, class (None: a module function), attribute
        ("open engine", "naql.translate.router", "Router", "open"),
        ("cache lookups", "naql.translate.cache", "CachedEngine", "_lookup"),
        ("engine calls", "naql.translate.cache", "CachedEngine", "_send"),
        ("cache writes", "naql.translate.cache", "CachedEngine", "_store"),
        ("glossary upserts", "naql.translate.glossary", None, "upsert"),
        ("finish articles", "naql.pipeline.translate", None, "_finish_translated"),
    ]

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        import importlib

        saved = []
        for label, module, cls, attr in self.TARGETS:
            owner = (
                getattr(importlib.import_module(module), cls)
                if cls
                else importlib.import_module(module)
            )
            original = owner.__dict__[attr]
            saved.append((owner, attr, original))
            setattr(owner, attr, self._wrap(label, original))
        try:
            yield
        finally:
            for owner, attr, original in saved:
                setattr(owner, attr, original)

    def _wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t
                self.calls[label] = self.calls.get(label, 0) + 1

        return timed_call

    def parts(self) -> dict[str, float]:
        out = dict(self.seconds)
        if "engine calls" in out:
            out["engine calls"] -= out.get("cache writes", 0.0)
        return out


@dataclass
class Side:
    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> Run:
        return min(self.runs, key=lambda r: r.wall)

    @property
    def median_wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def median_cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    c, t = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def stage_run(site: Site, fakes: Fakes, fake: str, expected: int) -> Run:
    fakes.take(fake)
    probe = Probe()
    with probe.active():
        wall, cpu, result = timed(site.stage)
    counts = fakes.take(fake)
    done = int(result.extra.get("sentences", 0))
    if done != expected or result.failed or result.error:
        sys.exit(f"stage did not translate everything: {done}/{expected} sentences, {result}")
    return Run(
        wall,
        cpu,
        done,
        counts["requests"],
        counts["texts"],
        counts["max_concurrent"],
        names=site.names(),
        parts=probe.parts(),
    )


def breakdown(run: Run) -> str:
    parts = {k: v for k, v in run.parts.items() if v >= 0.0005}
    rest = run.wall - sum(parts.values())
    return (
        f"{run.wall:.2f}s = "
        + " + ".join(f"{v:.2f}s {k}" for k, v in parts.items())
        + f" + {rest:.2f}s rest (SQLite reads and commits, glossary matching, post-editing)"
    )


def fmt_run(r: Run) -> str:
    return (
        f"{r.wall:6.2f}s {r.sentences / r.wall:7.1f} sent/s, {r.requests} requests"
        f" ({r.texts} texts, at most {r.max_concurrent} at once)"
    )


def throughput(args: argparse.Namespace, fakes: Fakes, sites: Sites, n: int) -> None:
    fakes.set_delay(args.latency)
    modes = [  # label, engine, deepl options, one text per request, timed runs
        ("naql defaults", "deepl", {}, False, args.repeat),
        ("batching only", "deepl", {"max_in_flight": 1}, False, args.repeat),
        ("concurrency only", "deepl", {}, True, args.serial_runs),
        ("one at a time", "deepl", {"max_in_flight": 1}, True, args.serial_runs),
        ("LLM, naql defaults", "llm", {}, False, args.repeat),
        ("LLM, one at a time", "llm", {}, False, args.serial_runs),
    ]
    print(
        f"\n1. translate stage, {args.latency * 1e3:.0f} ms per request, {n} sentences,"
        " a fresh site each run (timed runs after one warm-up)"
    )
    sides: dict[str, Side] = {}
    keep: Site | None = None  # the last "naql defaults" site, for the cache run
    for label, engine, options, single, runs in modes:
        sides[label] = side = Side(label)
        tables = engine_tables(fakes, **options)
        if label == "LLM, one at a time":
            tables["llm"]["max_in_flight"] = 1
        warm_up = label in ("naql defaults", "LLM, naql defaults")
        for r in range(runs + warm_up):
            site = sites.fresh(engine, tables)
            with one_text_per_request() if single else contextlib.nullcontext():
                run = stage_run(site, fakes, engine, n)
            warm = warm_up and r == 0
            if not warm:
                side.runs.append(run)
            print(f"  {label:18s} {'warm-up' if warm else f'run {len(side.runs)}':8s} {fmt_run(run)}",
                  flush=True)  # fmt: skip
            if label == "naql defaults":
                if keep is not None:
                    keep.close()
                keep = site
            else:
                site.close()
    assert keep is not None
    keep.untranslate()
    cache = stage_run(keep, fakes, "deepl", n)
    keep.close()

    print(f"\n  {'':18s} {'sent/s, best (median)':>22s} {'wall s, best (median)':>22s} "
          f"{'requests':>8s} {'at once':>7s} {'vs one at a time':>17s}")  # fmt: skip
    for side in sides.values():
        base = sides["LLM, one at a time" if side.name.startswith("LLM") else "one at a time"]
        b = side.best
        print(
            f"  {side.name:18s} {n / b.wall:9.1f} ({n / side.median_wall:8.1f}) "
            f"{b.wall:10.2f} ({side.median_wall:8.2f}) {b.requests:8d} {b.max_concurrent:7d}"
            f" {base.best.wall / b.wall:9.1f}x ({base.median_wall / side.median_wall:.1f}x)"
        )
    print(
        f"  {'cache (same site)':18s} {n / cache.wall:9.1f} {'':10s} {cache.wall:10.2f} {'':10s}"
        f" {cache.requests:8d}   (the last naql-defaults site, its segments pending again)"
    )
    d = sides["naql defaults"].best
    print(
        f"  texts sent per fresh run: {d.texts} = {n} sentences + {d.texts - n} new names"
        f" ({d.names} recorded in the glossary)"
    )
    for label in ("naql defaults", "LLM, naql defaults"):
        print(f"  {label}, its best run: {breakdown(sides[label].best)}")
    ratio = sides["one at a time"].best.wall / d.wall
    median_ratio = sides["one at a time"].median_wall / sides["naql defaults"].median_wall
    print(f"  DeepL, naql defaults vs one at a time: {ratio:.1f}x best ({median_ratio:.1f}x median;"
          f" goal >= 20x: {'yes' if min(ratio, median_ratio) >= 20 else 'NO'})")  # fmt: skip


def overhead(args: argparse.Namespace, fakes: Fakes, sites: Sites, n: int) -> None:
    from naql.store.models import TITLE_PARAGRAPH
    from naql.translate.engine import Document
    from naql.translate.engines import open_engine, parse_engine

    fakes.set_delay(0.0)
    articles = sites.articles
    sentences = [s for a in articles for s in a]
    documents = []
    for title, *body in articles:
        paragraphs = [TITLE_PARAGRAPH] + [i // PARAGRAPH_SENTENCES for i in range(len(body))]
        documents.append(Document([title, *body], paragraphs))
    tables = engine_tables(fakes)
    config = sites.fresh("deepl", tables)  # a site's config for the engines' User-Agent
    raw_deepl = open_engine(parse_engine("deepl", tables["deepl"]), config.config, "en")
    raw_llm = open_engine(parse_engine("llm", tables["llm"]), config.config, "en")
    config.close()

    def raw(fake: str, fn: Callable[[], Any]) -> Run:
        fakes.take(fake)
        wall, cpu, out = timed(fn)
        counts = fakes.take(fake)
        got = sum(map(len, out)) if fake == "llm" else len(out)
        assert got == n, (fake, got, n)
        return Run(wall, cpu, n, counts["requests"], counts["texts"], counts["max_concurrent"])

    def stage(engine: str, fake: str) -> Run:
        site = sites.fresh(engine, tables)
        try:
            return stage_run(site, fakes, fake, n)
        finally:
            site.close()

    order = [
        ("raw DeepL translate", lambda: raw("deepl", lambda: raw_deepl.translate(sentences))),
        ("naql stage, DeepL", lambda: stage("deepl", "deepl")),
        ("raw LLM translate_documents",
         lambda: raw("llm", lambda: raw_llm.translate_documents(documents))),
        ("naql stage, LLM", lambda: stage("llm", "llm")),
    ]  # fmt: skip
    sides = {name: Side(name) for name, _ in order}
    print(
        f"\n2. overhead of the document path, fakes answering at once (latency 0), {n} sentences,"
        f" best (median) of {args.repeat} after a warm-up"
    )
    for r in range(args.repeat + 1):
        line = []
        for name, fn in order:
            run = fn()
            if r:
                sides[name].runs.append(run)
            line.append(f"{name.split(',')[-1].strip()} {run.wall:.2f}s")
        print(f"  {'warm-up' if r == 0 else f'run {r}'}: " + ", ".join(line), flush=True)
    raw_deepl.close()
    raw_llm.close()
    print(f"\n  {'':28s} {'sent/s':>15s} {'wall s':>13s} {'CPU s':>13s} {'requests':>8s}"
          f" {'texts':>6s} {'time naql/raw':>16s} {'CPU naql/raw':>13s}")  # fmt: skip
    pairs = [("raw DeepL translate", "naql stage, DeepL"),
             ("raw LLM translate_documents", "naql stage, LLM")]  # fmt: skip
    for raw_name, stage_name in pairs:
        base = sides[raw_name]
        for side in (base, sides[stage_name]):
            b = side.best
            print(
                f"  {side.name:28s} {n / b.wall:6.0f} ({n / side.median_wall:6.0f}) "
                f"{b.wall:5.3f} ({side.median_wall:5.3f}) "
                f"{min(r.cpu for r in side.runs):5.3f} ({side.median_cpu:5.3f}) "
                f"{b.requests:8d} {b.texts:6d} "
                f"{b.wall / base.best.wall:7.2f} ({side.median_wall / base.median_wall:5.2f}) "
                f"{min(r.cpu for r in side.runs) / min(r.cpu for r in base.runs):13.2f}"
            )
        extra = sides[stage_name].best.wall - base.best.wall
        print(f"  {'':28s} stage - raw = {extra * 1e3:.0f} ms, {extra / n * 1e3:.2f} ms per sentence;"
              f" the best stage run: {breakdown(sides[stage_name].best)}")  # fmt: skip

    if args.profile:
        import cProfile
        import io
        import pstats

        for engine, fake in (("deepl", "deepl"), ("llm", "llm")):
            site = sites.fresh(engine, tables)
            prof = cProfile.Profile()
            prof.enable()
            site.stage()
            prof.disable()
            fakes.take(fake)
            site.close()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(18)
            print(f"\n  cProfile of one stage run, {engine} (main thread and engine threads"
                  f" the profiler saw; by own time):")  # fmt: skip
            print("\n".join("    " + ln for ln in out.getvalue().splitlines()[4:30]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=40, help="articles (default 40)")
    ap.add_argument(
        "--sentences-per-article", type=int, default=10, help="sentences each (default 10)"
    )
    ap.add_argument(
        "--latency", type=float, default=0.150, help="seconds per request (default 0.150)"
    )
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per side (default 3)")
    ap.add_argument(
        "--serial-runs",
        type=int,
        default=1,
        help="runs of the one-at-a-time baseline, ~(sentences+names) x latency each (default 1)",
    )
    ap.add_argument("--skip-throughput", action="store_true", help="only part 2")
    ap.add_argument("--skip-overhead", action="store_true", help="only part 1")
    ap.add_argument(
        "--profile", action="store_true", help="cProfile one stage run of each (part 2)"
    )
    args = ap.parse_args(argv)
    if min(args.articles, args.sentences_per_article, args.repeat, args.serial_runs) < 1:
        ap.error("--articles, --sentences-per-article, --repeat and --serial-runs must be >= 1")
    if args.latency < 0:
        ap.error("--latency must be >= 0")

    import httpx

    articles = read_articles(args.articles, args.sentences_per_article)
    n = sum(map(len, articles))
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"warning: load average {load_before:.2f} -- other work shares the CPUs")
    started = time.perf_counter()
    fakes = Fakes()
    os.environ[KEY_ENV] = fakes.key
    sites = Sites(articles)
    print(
        f"{args.articles} articles x {args.sentences_per_article} sentences = {n} sentences"
        f" ({sum(len(s) for a in articles for s in a):,} characters), FLORES-200 dev English;"
        f" fakes in a child process; httpx {httpx.__version__}; {os.cpu_count()} cores;"
        f" `naql init` {sites.init_seconds:.1f}s (once, then copied)"
    )
    try:
        if not args.skip_throughput:
            throughput(args, fakes, sites, n)
        if not args.skip_overhead:
            overhead(args, fakes, sites, n)
    finally:
        sites.close()
        fakes.close()
    print(
        f"\nload average {os.getloadavg()[0]:.2f} (was {load_before:.2f} at start); "
        f"{time.perf_counter() - started:.0f}s in all  [{date.today().isoformat()}]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
