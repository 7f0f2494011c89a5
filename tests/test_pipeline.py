"""Stage behaviour in-process: verdicts, duplicates, failures isolated to their article.

The engine here is a small, real implementation of naql's Engine interface (as httpx tests use a
real MockTransport): it lets a test choose what the "model" outputs.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from naql.config import parse_config
from naql.errors import TranslationError
from naql.pipeline.stages import (
    Context,
    check_articles,
    extract_articles,
    publish_articles,
    translate_articles,
)
from naql.qa import check_segments
from naql.store import Article, State, Store


class ScriptedEngine:
    """Engine whose output is a function of the source sentence."""

    name = "Scripted"
    model = "scripted-1"

    def __init__(self, rule: Callable[[str], str]):
        self.rule = rule
        self.calls: list[int] = []
        self.calls_sources: list[list[str]] = []

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.calls.append(len(sentences))
        self.calls_sources.append(list(sentences))
        return [self.rule(s) for s in sentences]

    def close(self) -> None:
        pass

    def __enter__(self) -> ScriptedEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def arabic(sentence: str) -> str:
    if "EXPLODE" in sentence:
        raise TranslationError("the engine crashed on this input")
    if "COPY" in sentence:
        return sentence
    if "LATIN" in sentence:
        return "this came out in English"
    return "خبر " * (1 + len(sentence) // 20)


PAGE = "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


WORDS = ["council", "harbour", "budget", "river", "train", "strike", "vote", "minister", "school", "hospital", "bridge", "election", "court", "farmers", "market", "festival", "airport", "museum", "storm", "police", "union", "factory", "library", "stadium", "ferry"]


def page(title: str, marker: str = "", n: int = 5) -> bytes:
    """A news-like page whose wording depends on its title (different titles, different stories)."""
    rng = random.Random(title)
    body = "".join(
        f"<p>Sentence {i} of the report on {title.lower()} says the {rng.choice(WORDS)} and the "
        f"{rng.choice(WORDS)} met on Monday {marker}. Officials from the {rng.choice(WORDS)} gave "
        f"details about the {rng.choice(WORDS)} plan {rng.randint(2, 99)} days later.</p>"
        for i in range(n)
    )
    return PAGE.format(title=title, body=body).encode()


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    (tmp_path / "models" / "en-model").mkdir(parents=True)
    (tmp_path / "models" / "en-model" / "naql-model.json").write_text(
        '{"name": "en-model", "layout": "ctranslate2", "source_language": "en", "target_language": "ar"}'
    )
    config = parse_config(tmp_path, {"check": {"policy": "publish"}})
    context = Context(config=config, store=Store(config.db_url), progress=False)
    yield context
    context.store.close()


def add_fetched(ctx: Context, url: str, html: bytes) -> None:
    with ctx.store.session() as s:
        s.add(Article(url=url, state=State.FETCHED.value, html_gz=gzip.compress(html)))


def states(ctx: Context) -> dict[str, tuple[str, str | None]]:
    with ctx.store.session() as s:
        return {a.url: (a.state, a.held_reason or a.last_error) for a in s.scalars(select(Article))}


def test_verdicts_duplicates_and_isolated_failures(ctx: Context) -> None:
    add_fetched(ctx, "https://a.example/good", page("Budget vote"))
    add_fetched(
        ctx, "https://b.example/copy-of-good", page("Budget vote")
    )  # same text, other outlet
    add_fetched(ctx, "https://a.example/crash", page("Harbour fire", "EXPLODE"))
    add_fetched(ctx, "https://a.example/copied", page("River levels", "COPY"))
    add_fetched(ctx, "https://a.example/latin", page("Train strike", "LATIN"))
    add_fetched(ctx, "https://a.example/empty", b"<html><body><nav>Home</nav></body></html>")

    extract_articles(ctx)
    engine = ScriptedEngine(arabic)
    result = translate_articles(ctx, engine_factory=lambda language: engine)
    assert result.failed == 1
    # One batch for everything; it failed, so each article was retried alone and only one failed.
    assert engine.calls == [4 * 11, 11, 11, 11, 11]
    check_articles(ctx)
    publish_articles(ctx)

    got = states(ctx)
    assert got["https://a.example/good"][0] == "published"
    assert got["https://b.example/copy-of-good"] == ("duplicate", "same text as article 1")
    assert (
        got["https://a.example/crash"][0] == "failed"
        and "engine crashed" in got["https://a.example/crash"][1]
    )
    assert got["https://a.example/copied"][0] == "held"
    assert got["https://a.example/copied"][1].startswith(
        "translation identical to the source (5 segments)"
    )
    assert (
        got["https://a.example/latin"][0] == "held"
        and "not in Arabic script" in got["https://a.example/latin"][1]
    )
    assert (
        got["https://a.example/empty"][0] == "failed"
        and "too little text" in got["https://a.example/empty"][1]
    )
    assert len(list((ctx.config.output_dir / "articles").glob("*.html"))) == 1


def test_batches_span_articles(ctx: Context) -> None:
    for i in range(6):
        add_fetched(ctx, f"https://a.example/{i}", page(f"Story number {i}", n=3))
    extract_articles(ctx)
    engine = ScriptedEngine(arabic)
    translate_articles(ctx, engine_factory=lambda language: engine)
    assert engine.calls == [6 * 7]  # one call for all titles and sentences of the six articles


def test_check_minimal_verdict() -> None:
    assert check_segments([("Hello world.", "مرحبا بالعالم.")]).verdict == "publish"
    assert check_segments([("Hello world.", "")]).verdict == "reject"
    assert check_segments([("Hello world.", "Hello world.")]).verdict == "reject"
    assert check_segments([("Hello world.", "Bonjour le monde")]).verdict == "reject"
    # Names and numbers in Latin script inside Arabic text are fine.
    assert (
        check_segments([("NATO met in 2021.", "اجتمع حلف الناتو NATO في عام 2021.")]).verdict
        == "publish"
    )


@pytest.mark.parametrize("relaxed", [False, True])
def test_check_thresholds_from_config(tmp_path: Path, relaxed: bool) -> None:
    (tmp_path / "models" / "en-model").mkdir(parents=True)
    (tmp_path / "models" / "en-model" / "naql-model.json").write_text(
        '{"name": "en-model", "layout": "ctranslate2", "source_language": "en", "target_language": "ar"}'
    )
    loose = {"review_warnings": 1000, "review_errors": 1000, "reject_errors": 1000, "reject_error_share": 1.0}
    config = parse_config(tmp_path, {"check": {"policy": "hold", **({"thresholds": loose} if relaxed else {})}})
    ctx = Context(config=config, store=Store(config.db_url), progress=False)
    add_fetched(ctx, "https://a.example/loop", page("Budget vote"))
    extract_articles(ctx)
    translate_articles(ctx, engine_factory=lambda language: ScriptedEngine(arabic))  # "خبر خبر خبر ..."
    check_articles(ctx)
    state = states(ctx)["https://a.example/loop"][0]
    assert state == ("ready" if relaxed else "held")
    ctx.store.close()
