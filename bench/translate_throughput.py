"""Translation throughput: raw CTranslate2 vs naql's engine vs naql's whole translate stage.

    python bench/translate_throughput.py [--sentences N] [--size base|tiny] [--repeat R]
                                         [--explore] [--glossary-terms N]

What it does, all in one process and one run:

1. Builds (or reuses, from bench/.cache/) an OPUS-MT release with tests/tinymodel.py -- by default
   transformer-base shaped (6+6 layers, d=512, random weights that emit one piece per source piece
   and stop at </s>) -- and installs it with naql's own `install()`.
2. Reads the first N English sentences of FLORES-200 dev (../shared/data/parallel/flores200-dev).
3. Times, with the SAME decoding settings on every side (compute type, threads, batch tokens, beam
   size, max_decoding_length bound -- naql's own formula -- and CT2_USE_MKL):
     raw translate_batch   ctranslate2.Translator.translate_batch on pre-tokenised input
     raw + spm             the same plus SentencePiece encode/decode, timed separately and added
     engine.translate      CTranslate2Engine.translate: encode + >>ara<< + translate_batch + decode
     stage, names known    translate_articles() over a temp SQLite site holding the sentences as
                           20-sentence extracted articles, with a loaded engine passed in and the
                           names in the sentences already in the site glossary
     stage, new names      the same, the names new to the glossary (the stage translates each new
                           name on its own and records it: a second engine call)
     stage                 translate_articles(ctx) as `naql run` calls it: loads the model, new names
   Each is warmed up once, then run R times, interleaved; the best and median of R are reported, in
   wall seconds and in process CPU seconds (all threads), which other load on the machine disturbs
   far less. For the stage, the engine calls inside it are timed too, so the rest (SQLite, glossary
   matching, post-editing) is printed on its own.
4. --explore first times raw translate_batch over a small grid (threads, compute type, batch size,
   beam), round-robin, and runs the comparison at the fastest settings for the same beam size.
5. --glossary-terms N preseeds the site glossary with N engine-recorded names that do not occur in
   the sentences, as a site collects them over weeks, to show what glossary size costs the stage.

raw and engine outputs are checked to be identical (same settings => same decoding); the exit status
is 1 if they are not. The stage's texts differ by design (naql post-edits punctuation and quotes).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path

# naql sets this before importing ctranslate2 (MKL is ~20x slower on AMD CPUs); both sides share it.
os.environ.setdefault("CT2_USE_MKL", "0")
# Never let an environment override point the bench at a real site's database or settings.
for _key in [k for k in os.environ if k == "NAQL_DATABASE_URL" or k.startswith("NAQL_TRANSLATE_")]:
    print(f"note: ignoring {_key} from the environment", file=sys.stderr)
    del os.environ[_key]

import ctranslate2  # noqa: E402
import sentencepiece as spm  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
CACHE = REPO / "bench" / ".cache"
FLORES_EN = REPO.parent / "shared" / "data" / "parallel" / "flores200-dev" / "eng_Latn.dev"
ARTICLE_SENTENCES = 20
PRESEEDED = "bench: preseeded"  # note on the synthetic glossary entries of --glossary-terms
PARAGRAPH_SENTENCES = 4

sys.path.insert(0, str(TESTS))


@dataclass(frozen=True)
class Settings:
    compute_type: str = "int8"
    inter_threads: int = 2
    intra_threads: int = 1
    max_batch_tokens: int = 2048  # 0 = everything in one example-batch (batch_type="examples")
    beam_size: int = 2

    def label(self) -> str:
        batch = f"{self.max_batch_tokens} tokens" if self.max_batch_tokens else "1 example-batch"
        return (
            f"{self.compute_type}, {self.inter_threads}x{self.intra_threads} threads, "
            f"{batch}, beam {self.beam_size}"
        )


# -- model and data -------------------------------------------------------------------------------


def prepare_model(size: str, rebuild: bool):
    """The tinymodel OPUS-MT release, installed by naql.translate.models.install (cached)."""
    import tinymodel

    from naql.translate.models import META_NAME, InstalledModel, install

    key = hashlib.sha256((TESTS / "tinymodel.py").read_bytes()).hexdigest()[:12]
    zip_path = CACHE / f"opus-{size}-{key}.zip"
    models_dir = CACHE / f"models-{key}"
    name = f"opus-mt-bench-{size}"
    if rebuild:
        zip_path.unlink(missing_ok=True)
        shutil.rmtree(models_dir / name, ignore_errors=True)
    if not zip_path.is_file():
        t = time.perf_counter()
        tinymodel.build_opus_mt_release(CACHE, size=size, multi_target=True, zip_name=zip_path.name)
        print(f"built {zip_path.relative_to(REPO)} in {time.perf_counter() - t:.1f}s")
    if (models_dir / name / META_NAME).is_file():
        return InstalledModel.load(models_dir / name), models_dir
    t = time.perf_counter()
    model = install(str(zip_path), models_dir, name=name, progress=False)
    print(f"installed {name} with naql's install() in {time.perf_counter() - t:.1f}s")
    return model, models_dir


def read_sentences(n: int) -> list[str]:
    if not FLORES_EN.is_file():
        sys.exit(f"missing {FLORES_EN}")
    lines = [ln.strip() for ln in FLORES_EN.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    if n > len(lines):
        sys.exit(f"--sentences {n}: {FLORES_EN.name} has only {len(lines)} lines")
    return lines[:n]


# -- the three sides ------------------------------------------------------------------------------


def max_decoding_length(tokens: list[list[str]]) -> int:
    """naql's bound (naql.translate.engines.ctranslate2): min(512, 2 * longest input + 16)."""
    from naql.translate.engines.ctranslate2 import MAX_DECODING_LENGTH

    return min(MAX_DECODING_LENGTH, 2 * max(len(t) for t in tokens) + 16)


class Raw:
    """ctranslate2 and sentencepiece used directly, as a reference."""

    def __init__(self, model, settings: Settings, translator=None):
        self.settings = settings
        self.prefix = list(model.source_prefix)
        self.src = spm.SentencePieceProcessor(model_file=str(model.path / model.source_spm))
        self.tgt = spm.SentencePieceProcessor(model_file=str(model.path / model.target_spm))
        self.translator = translator or ctranslate2.Translator(
            str(model.model_dir),
            device="cpu",
            compute_type=settings.compute_type,
            inter_threads=settings.inter_threads,
            intra_threads=settings.intra_threads,
        )

    def tokenize(self, sentences: list[str]) -> list[list[str]]:
        return [self.prefix + p for p in self.src.encode(sentences, out_type=str)]

    def translate_tokens(self, tokens: list[list[str]]) -> list[list[str]]:
        s = self.settings
        if s.max_batch_tokens:
            batching = {"max_batch_size": s.max_batch_tokens, "batch_type": "tokens"}
        else:
            batching = {"max_batch_size": len(tokens), "batch_type": "examples"}
        results = self.translator.translate_batch(
            tokens,
            beam_size=s.beam_size,
            max_decoding_length=max_decoding_length(tokens),
            **batching,
        )
        return [r.hypotheses[0] for r in results]

    def detokenize(self, hyps: list[list[str]]) -> list[str]:
        return [t.strip() for t in self.tgt.decode(hyps)]

    def close(self) -> None:
        del self.translator


def naql_config(root: Path, model_name: str, s: Settings):
    from naql.config import parse_config

    config = parse_config(
        root,
        {
            "translate": {
                "model": model_name,
                "compute_type": s.compute_type,
                "inter_threads": s.inter_threads,
                "intra_threads": s.intra_threads,
                "max_batch_tokens": s.max_batch_tokens,
                "beam_size": s.beam_size,
            }
        },
    )
    for key, want in (
        ("compute_type", s.compute_type),
        ("inter_threads", s.inter_threads),
        ("intra_threads", s.intra_threads),
        ("max_batch_tokens", s.max_batch_tokens),
        ("beam_size", s.beam_size),
    ):
        assert config[f"translate.{key}"] == want, (key, config[f"translate.{key}"], want)
    return config


class Site:
    """A temp naql site whose store holds the sentences as extracted articles."""

    def __init__(self, models_dir: Path, model_name: str, settings: Settings, sentences: list[str]):
        from naql.store import Store

        self.tmp = Path(tempfile.mkdtemp(prefix="naql-bench-site-"))
        try:
            (self.tmp / "models").symlink_to(models_dir.resolve(), target_is_directory=True)
        except OSError:
            shutil.copytree(models_dir, self.tmp / "models")
        self.config = naql_config(self.tmp, model_name, settings)
        self.store = Store(self.config.db_url)
        self.segment_order: list[int] = []
        self.sources = sentences
        self._insert(sentences)

    def _insert(self, sentences: list[str]) -> None:
        # Rows as naql.demo.load_sample / make_segments make them: the first sentence of each article
        # is its title (paragraph -1), the rest paragraphs of a few sentences, one Segment a sentence.
        # Segments are built directly (not re-split by pysbd) so the stage sees exactly N sentences.
        from naql.pipeline.stages import _content_hash
        from naql.store import Article, Segment, State
        from naql.store.models import TITLE_PARAGRAPH

        with self.store.session() as s:
            for a, start in enumerate(range(0, len(sentences), ARTICLE_SENTENCES)):
                group = sentences[start : start + ARTICLE_SENTENCES]
                title, body = group[0], group[1:]
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
                s.flush()
                self.segment_order += [seg.id for seg in segments]
        self.articles = a + 1

    def reset(self, *, forget_names: bool = True) -> None:
        """Every segment untranslated again; with forget_names, also drop the glossary entries
        the stage recorded for names (origin "engine"), so the next run meets them as new."""
        from sqlalchemy import delete, update

        from naql.store import Article, Segment, State, models

        cleared = {"translation": None}
        cleared.update({c: None for c in ("origin", "findings") if hasattr(Segment, c)})
        glossary = getattr(models, "GlossaryEntry", None)
        with self.store.session() as s:
            s.execute(update(Segment).values(**cleared))
            s.execute(
                update(Article).values(
                    state=State.EXTRACTED.value, title_ar=None, engine=None, model=None
                )
            )
            if forget_names and glossary is not None:
                s.execute(
                    delete(glossary).where(
                        glossary.origin != "manual", glossary.note.is_distinct_from(PRESEEDED)
                    )
                )

    def recorded_names(self) -> int:
        from sqlalchemy import func, select

        from naql.store import models

        glossary = getattr(models, "GlossaryEntry", None)
        if glossary is None:
            return 0
        with self.store.session() as s:
            query = select(func.count()).where(
                glossary.origin != "manual", glossary.note.is_distinct_from(PRESEEDED)
            )
            return s.scalar(query) or 0

    def preseed_glossary(self, count: int) -> None:
        """`count` engine-recorded names, as a site collects them over weeks (none in the sentences)."""
        import random

        from naql.store import models
        from naql.translate.glossary import term_key
        from naql.translate.protect import candidate_names

        glossary = getattr(models, "GlossaryEntry", None)
        if glossary is None or count <= 0:
            return
        lines = FLORES_EN.read_text(encoding="utf-8").split()
        words = sorted({w for w in lines if w.isalpha() and w[:1].isupper() and len(w) > 2})
        taken = {term_key(n) for line in self.sources for n in candidate_names(line)}
        rng = random.Random(1234)
        with self.store.session() as s:
            while count:
                term = f"{rng.choice(words)} {rng.choice(words)}"
                if term_key(term) in taken:
                    continue
                taken.add(term_key(term))
                s.add(
                    glossary(
                        term=term,
                        key=term_key(term),
                        arabic="اسم",
                        kind="person",
                        note=PRESEEDED,
                        origin="engine",
                    )
                )
                count -= 1

    def translations(self) -> list[str | None]:
        from sqlalchemy import select

        from naql.store import Segment

        with self.store.session() as s:
            found = dict(s.execute(select(Segment.id, Segment.translation)).all())
        return [found[i] for i in self.segment_order]

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def recording_engine(engine):
    """A loaded engine handed to translate_articles: kept open across runs, every call logged."""
    from naql.translate.engine import Engine

    class Recording(Engine):
        def __init__(self) -> None:
            self.name, self.model = engine.name, engine.model
            self.calls: list[tuple[int, float]] = []  # (sentences, seconds) per translate() call

        def translate(self, sentences):
            t = time.perf_counter()
            out = engine.translate(sentences)
            self.calls.append((len(sentences), time.perf_counter() - t))
            return out

        def close(self) -> None:  # the stage closes its engine; this one serves the next run too
            pass

    return Recording()


# -- measuring ------------------------------------------------------------------------------------

SIDES = [  # row name, timed parts summed, note
    ("raw translate_batch", ("raw",), "pre-tokenised"),
    ("raw + spm encode/decode", ("enc", "raw", "dec"), "sum of the timed parts"),
    ("naql engine.translate", ("engine",), "CTranslate2Engine"),
    ("naql stage, names known", ("stage_known",), "engine passed in; names in the glossary"),
    ("naql stage, new names", ("stage_new",), "engine passed in; names translated + recorded"),
    ("naql stage", ("stage",), "as `naql run` calls it: loads the model, new names"),
]
SIDES_KEYS = ("enc", "raw", "dec", "engine", "stage_known", "stage_new", "stage")


@dataclass
class Timing:
    name: str
    times: list[float]
    note: str = ""

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def timed2(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall seconds and process CPU seconds (all threads: robust to other load on the machine)."""
    c, t = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def explore(model, sentences: list[str], base: Settings, repeat: int) -> Settings:
    """Raw translate_batch over a one-factor-at-a-time grid around `base`, the settings timed in
    turn (round-robin, R rounds) so that load from elsewhere spreads over all of them; returns the
    fastest settings at base's beam size."""
    cores = os.cpu_count() or 1
    grid: list[Settings] = [base]
    if cores > 1:
        grid.append(replace(base, inter_threads=1, intra_threads=cores))
        grid.append(replace(base, inter_threads=cores, intra_threads=1))
    grid += [
        replace(base, compute_type=c)
        for c in ("int8", "int8_float32", "float32")
        if c in ctranslate2.get_supported_compute_types("cpu")
    ]
    grid += [replace(base, max_batch_tokens=b) for b in (512, 1024, 2048, 4096, 0)]
    grid.append(replace(base, beam_size=1 if base.beam_size != 1 else 2))
    grid = list(dict.fromkeys(grid))
    print(
        f"\nexplore: raw translate_batch, {len(sentences)} sentences, {len(grid)} settings in turn,"
        f" best (median) of {repeat}"
    )
    raws = {s: Raw(model, s) for s in grid}
    tokens = raws[base].tokenize(sentences)
    for raw in raws.values():
        raw.translate_tokens(tokens[:64])  # warm-up
    wall: dict[Settings, list[float]] = {s: [] for s in grid}
    cpu: dict[Settings, list[float]] = {s: [] for s in grid}
    for r in range(repeat):
        order = grid[r % len(grid) :] + grid[: r % len(grid)]
        for s in order:
            w, c, _ = timed2(partial(raws[s].translate_tokens, tokens))
            wall[s].append(w)
            cpu[s].append(c)
        print(f"  round {r + 1}/{repeat} done", flush=True)
    for raw in raws.values():
        raw.close()
    n = len(sentences)
    print(f"  {'settings':54s} {'sent/s':>14s} {'wall s':>13s} {'CPU s':>6s}")
    for s in grid:
        w, m = min(wall[s]), statistics.median(wall[s])
        print(
            f"  {s.label():54s} {n / w:6.1f} ({n / m:5.1f}) {w:5.2f} ({m:5.2f}) {min(cpu[s]):6.2f}"
        )
    same_beam = [s for s in grid if s.beam_size == base.beam_size]
    winner = min(same_beam, key=lambda s: min(wall[s]))
    print(f"  fastest at beam {winner.beam_size}: {winner.label()}")
    return winner


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sentences", type=int, default=400, help="first N FLORES-200 dev sentences (default 400)"
    )
    ap.add_argument(
        "--size", choices=("base", "tiny"), default="base", help="tinymodel size (default base)"
    )
    ap.add_argument(
        "--repeat", type=int, default=3, help="timed runs per side; best and median reported"
    )
    ap.add_argument(
        "--explore",
        action="store_true",
        help="first time a grid of raw settings; compare at the fastest",
    )
    # Defaults: naql's site defaults (naql.config) on this machine.
    ap.add_argument("--compute-type", default="int8", help="(default int8)")
    ap.add_argument(
        "--inter-threads", type=int, default=os.cpu_count() or 1, help="(default: CPU cores)"
    )
    ap.add_argument("--intra-threads", type=int, default=1, help="(default 1)")
    ap.add_argument("--max-batch-tokens", type=int, default=2048, help="(default 2048)")
    ap.add_argument("--beam-size", type=int, default=2, help="(default 2)")
    ap.add_argument(
        "--glossary-terms",
        type=int,
        default=0,
        help="preseed the site glossary with N engine-recorded names (a site weeks in)",
    )
    ap.add_argument("--rebuild", action="store_true", help="rebuild and reinstall the cached model")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.sentences < 1:
        ap.error("--repeat and --sentences must be >= 1")

    from naql.pipeline.stages import Context, translate_articles
    from naql.translate import load_engine
    from naql.translate.engines.ctranslate2 import CTranslate2Engine

    CACHE.mkdir(parents=True, exist_ok=True)
    model, models_dir = prepare_model(args.size, args.rebuild)
    sentences = read_sentences(args.sentences)
    settings = Settings(
        args.compute_type,
        args.inter_threads,
        args.intra_threads,
        args.max_batch_tokens,
        args.beam_size,
    )
    if args.explore:
        settings = explore(model, sentences, settings, args.repeat)
    if settings.max_batch_tokens == 0:
        sys.exit("naql always batches by tokens; compare at a max_batch_tokens > 0")

    n = len(sentences)
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(
            f"warning: load average {load_before:.2f} -- other work shares the CPUs; wall times"
            " will be noisy (the CPU-seconds columns are less affected)"
        )
    print(
        f"\nmodel {model.name} ({args.size}), {n} sentences, CT2_USE_MKL={os.environ['CT2_USE_MKL']}, "
        f"ctranslate2 {ctranslate2.__version__}, {os.cpu_count()} cores"
    )
    print(f"settings (all sides): {settings.label()}")

    engine = CTranslate2Engine(
        model,
        compute_type=settings.compute_type,
        inter_threads=settings.inter_threads,
        intra_threads=settings.intra_threads,
        max_batch_tokens=settings.max_batch_tokens,
        beam_size=settings.beam_size,
    )
    # raw, engine and the stage with an engine passed in share ONE loaded model: two loads of the
    # same model differ by up to ~6% in speed (memory placement), more than naql's overhead.
    # Only the "stage" row, which loads its own as `naql run` does, uses another.
    raw = Raw(model, settings, getattr(engine, "_translator", None))
    site = Site(models_dir, model.name, settings, sentences)
    site.preseed_glossary(args.glossary_terms)
    try:
        load_time, loaded = timed(lambda: load_engine(site.config))
        loaded.close()
        recording = recording_engine(engine)
        tokens = raw.tokenize(sentences)
        assert tokens == engine.encode(sentences), "raw and naql tokenise differently"
        print(
            f"{sum(map(len, tokens))} source tokens (longest {max(map(len, tokens))}), "
            f"{site.articles} articles, max_decoding_length {max_decoding_length(tokens)}, "
            f"glossary preseeded with {args.glossary_terms} names"
        )

        wall: dict[str, list[float]] = {k: [] for k in SIDES_KEYS}
        cpu: dict[str, list[float]] = {k: [] for k in SIDES_KEYS}
        calls: dict[str, list[list[tuple[int, float]]]] = {"new": [], "known": []}
        outputs: dict[str, list] = {}
        stats: dict[str, int] = {}
        kind_stats: dict[str, dict[str, int]] = {}

        def record(key: str, fn: Callable[[], object]) -> object:
            w, c, out = timed2(fn)
            wall[key].append(w)
            cpu[key].append(c)
            return out

        def stage(factory=None) -> object:
            ctx = Context(site.config, site.store, progress=False)
            result = translate_articles(ctx, factory)
            assert result.extra["sentences"] == n and not result.failed, result
            stats.clear()
            stats.update(getattr(ctx, "stats", {}))
            return result

        for r in range(args.repeat + 1):  # run 0 is the warm-up; the sides are interleaved
            toks = record("enc", lambda: raw.tokenize(sentences))
            hyps = record("raw", partial(raw.translate_tokens, toks))
            outputs["raw"] = record("dec", partial(raw.detokenize, hyps))
            outputs["engine"] = record("engine", lambda: engine.translate(sentences))
            site.reset(forget_names=True)
            record("stage", stage)
            outputs["stage"] = site.translations()
            names = site.recorded_names()
            for kind, forget in (("new", True), ("known", False)):
                site.reset(forget_names=forget)
                recording.calls = []
                record(f"stage_{kind}", partial(stage, lambda lang: recording))
                calls[kind].append(recording.calls)
                kind_stats[kind] = dict(stats)
            print(
                f"  {'warm-up' if r == 0 else f'run {r}'}: "
                + ", ".join(
                    f"{k} {wall[k][-1]:.2f}s" for k in SIDES_KEYS if k not in ("enc", "dec")
                ),
                flush=True,
            )
        same_engine = outputs["raw"] == outputs["engine"]
        same_stage = sum(a == b for a, b in zip(outputs["raw"], outputs["stage"], strict=True))
    finally:
        site.close()
        engine.close()
        raw.close()

    def summed(d: dict[str, list[float]], *keys: str) -> list[float]:
        return [sum(v) for v in zip(*(d[k][1:] for k in keys), strict=True)]

    rows = [
        (name, Timing(name, summed(wall, *keys)), Timing(name, summed(cpu, *keys)), note)
        for name, keys, note in SIDES
    ]
    base_w, base_c = rows[0][1], rows[0][2]
    print(
        f"\n{n} sentences, best of {args.repeat} after a warm-up (median in brackets); {settings.label()}"
    )
    print(
        f"  {'':31s} {'sent/s':>13s} {'wall s':>13s} {'naql/raw':>13s} {'CPU s':>6s} {'CPU ratio':>9s}"
    )
    for name, w, c, note in rows:
        print(
            f"  {name:31s} {n / w.best:5.1f} ({n / w.median:5.1f}) {w.best:5.2f} ({w.median:5.2f}) "
            f"{base_w.best / w.best:5.3f} ({base_w.median / w.median:5.3f}) {c.best:6.2f} "
            f"{base_c.best / c.best:9.3f}  {note}"
        )
    print(
        f"  model load (load_engine) {load_time:.2f}s; spm encode {min(wall['enc'][1:]) * 1e3:.0f} ms,"
        f" decode {min(wall['dec'][1:]) * 1e3:.0f} ms"
    )
    for kind in ("new", "known"):
        best = min(range(1, args.repeat + 1), key=lambda i: wall[f"stage_{kind}"][i])
        engine_calls = calls[kind][best]
        inside = sum(t for _, t in engine_calls)
        print(
            f"  stage, {kind} names, its best run: {wall[f'stage_{kind}'][best]:.2f}s = engine calls "
            + " + ".join(f"{t:.2f}s ({k} sentences)" for k, t in engine_calls)
            + f" + {wall[f'stage_{kind}'][best] - inside:.2f}s rest (SQLite, glossary, post-editing)"
        )
    print(f"  names the stage recorded in the glossary: {names}")
    for kind, st in kind_stats.items():
        print(f"  stage stats, {kind} names: {st or '-'}")
    print(f"  engine output identical to raw: {same_engine}")
    print(
        f"  stage translations identical to raw: {same_stage}/{n} (naql post-edits punctuation,"
        " quotes and name spellings)"
    )
    ratios = {name: base_w.best / w.best for name, w, _, _ in rows}
    verdict = ", ".join(
        f"{name.removeprefix('naql ')} {'yes' if ratios[name] >= 0.9 else 'NO'}"
        for name, *_ in rows[2:]
    )
    print(
        f"  naql/raw >= 0.9: {verdict}; load average {os.getloadavg()[0]:.2f}"
        f" (was {load_before:.2f} at start)  [{date.today().isoformat()}]"
    )
    return 0 if same_engine else 1


if __name__ == "__main__":
    sys.exit(main())
