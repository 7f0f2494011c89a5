"""Quality estimation (naql.qa.qe): the scorers' mechanisms, with random-weight models.

The tiny models translate nothing, so these tests check structure, not quality: scores are
finite and length-normalised, a model prefers its own output to a shuffled one, calibration
flags the lowest tail only once enough scores are stored, the round trip measures chrF and
notices a lost name or number, the LLM judge's reply is parsed strictly, and the check stage
stores the findings and scores.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tinymodel
import yaml
from conftest import SHARED
from fake_llm import FakeLLM

from naql.config import SETTINGS, Config
from naql.errors import ConfigError
from naql.pipeline.review import apply_checks, edit_segment
from naql.pipeline.stages import Context, check_articles
from naql.qa.findings import DocumentReport
from naql.qa.qe import Estimator, QESettings, chrf
from naql.qa.qe.confidence import ConfidenceScorer
from naql.qa.qe.judge import Judge, locate, parse_reply
from naql.qa.qe.roundtrip import RoundTripScorer, lost_items, reverse_model
from naql.qa.qe.stats import Distribution
from naql.store import Article, Segment, State, Store
from naql.store.models import QEStat
from naql.translate.engine import Engine
from naql.translate.engines import parse_engine
from naql.translate.engines.ctranslate2 import CTranslate2Engine
from naql.translate.engines.openai import OpenAIEngine
from naql.translate.models import find_model, install

FLORES = SHARED / "parallel" / "flores200-dev"
N = 60  # FLORES lines the tiny model translates for these tests


# -- models and data ------------------------------------------------------------------------


def build_reverse_release(out: Path, size: str = "tiny") -> Path:
    """An Arabic→English OPUS-MT release folder in tinymodel's random-weight shape.

    tinymodel builds →Arabic models only; this swaps the sides (source.spm on Arabic, target.spm
    on English, README languages "ara" → "eng") and turns the output bias around: Arabic pieces
    are banned and Latin ones favoured, so the "back-translation" is Latin-script nonsense with
    digits copied through, one piece per source piece.
    """
    spec = tinymodel.SIZES[size]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = tinymodel.train_spm(
            tinymodel.read_corpus("ar", spec.lines), Path(tmp) / "s", spec.vocab
        )
        target = tinymodel.train_spm(
            tinymodel.read_corpus("en", spec.lines), Path(tmp) / "t", spec.vocab
        )
        shutil.copyfile(source, out / "source.spm")
        shutil.copyfile(target, out / "target.spm")
    pieces = tinymodel.spm_pieces(out / "target.spm") + tinymodel.spm_pieces(out / "source.spm")
    tokens = ["</s>", "<unk>"] + [p for p in dict.fromkeys(pieces) if p not in ("</s>", "<unk>")]
    tinymodel.write_marian_vocab(tokens, out / "vocab.yml")
    tinymodel.write_marian_npz(out / "model.npz", tokens, size=size)
    with np.load(out / "model.npz") as npz:
        params = dict(npz)
    bias = np.zeros((1, len(tokens)), np.float32)
    for i, token in enumerate(tokens):
        if token == "</s>":
            bias[0, i] = spec.eos_bias
        elif token == "<unk>" or re.search("[\u0600-\u06ff]", token):
            bias[0, i] = -1000.0
        elif re.search("[A-Za-z]", token):
            bias[0, i] = 1.0
    params["decoder_ff_logit_out_b"] = bias
    with open(out / "model.npz", "wb") as f:
        np.savez(f, **params)
    decoder = {"models": ["model.npz"], "vocabs": ["vocab.yml", "vocab.yml"], "beam-size": 6}
    (out / "decoder.yml").write_text(yaml.safe_dump(decoder), encoding="utf-8")
    (out / "README.md").write_text(
        "# ara-eng (naql test fixture: random weights)\n\n"
        "* source language(s): ara\n* target language(s): eng\n",
        encoding="utf-8",
    )
    (out / "LICENSE").write_text("CC-BY 4.0\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def models(tiny_release: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with the tiny en→ar model ("opus-tiny") and a tiny ar→en one."""
    folder = tmp_path_factory.mktemp("qe") / "models"
    install(str(tiny_release), folder, progress=False)
    reverse = build_reverse_release(tmp_path_factory.mktemp("reverse") / "release")
    install(str(reverse), folder, name="opus-tiny-ar-en", progress=False)
    return folder


def lines(name: str, n: int = N) -> list[str]:
    return (FLORES / name).read_text(encoding="utf-8").splitlines()[:n]


@pytest.fixture(scope="module")
def own(models: Path) -> tuple[list[str], list[str]]:
    """FLORES English lines and the tiny model's own translations of them."""
    sources = lines("eng_Latn.dev")
    with CTranslate2Engine(find_model(models, "opus-tiny"), inter_threads=1) as engine:
        return sources, engine.translate(sources)


@pytest.fixture(scope="module")
def scorer(models: Path) -> Iterator[ConfidenceScorer]:
    with ConfidenceScorer(find_model(models, "opus-tiny"), inter_threads=1) as s:
        yield s  # type: ignore[misc]


def shuffled(text: str, seed: int) -> str:
    words = text.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


def site(
    root: Path, models: Path, *, engines: dict[str, Any] | None = None, **values: Any
) -> Config:
    """A site's config whose models folder is `models`; `values`: settings by name."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "models").symlink_to(models)
    defaults = {s.name: s.default for s in SETTINGS}
    defaults.update({"translate.inter_threads": 1, "check.policy": "hold"})
    defaults.update({name.replace("__", "."): v for name, v in values.items()})
    tables = {name: parse_engine(name, table, root) for name, table in (engines or {}).items()}
    return Config(root, defaults, tables)


def add_article(
    store: Store,
    pairs: Sequence[tuple[str, str]],
    *,
    origin: Sequence[str] = (),
    engine: str = "CTranslate2",
    model: str = "opus-tiny",
) -> int:
    """A translated article with one paragraph of these (source, translation) segments."""
    with store.session() as s:
        article = Article(
            url=f"https://qe.example/{random.random()}",
            state=State.TRANSLATED.value,
            language="en",
            engine=engine,
            model=model,
            title=pairs[0][0],
        )
        article.segments = [
            Segment(
                paragraph=0,
                sentence=k,
                source=src,
                translation=ar,
                origin=origin[k] if k < len(origin) else "engine",
            )
            for k, (src, ar) in enumerate(pairs)
        ]
        s.add(article)
        s.flush()
        return article.id


def clean(n: int) -> DocumentReport:
    """A rule report without findings: every segment is eligible."""
    return DocumentReport("publish", [], n)


# -- model confidence -------------------------------------------------------------------------


def test_confidence_is_the_mean_log_probability_per_token(
    scorer: ConfidenceScorer, own: tuple[list[str], list[str]]
) -> None:
    sources, translations = own
    scores = scorer.score(sources[:10] + ["", "x"], translations[:10] + ["نص", ""])
    assert scores[10] is None and scores[11] is None  # an empty side is not scored
    values = [s for s in scores[:10] if s is not None]
    assert len(values) == 10 and all(math.isfinite(v) and v < 0 for v in values)
    # The same as forced decoding by hand: the sum of the token log-probs (</s> included) over
    # their number.
    target = scorer._tgt.encode(translations[:10], out_type=str)
    results = scorer._translator.score_batch(scorer.encode(sources[:10]), target)
    for value, result, pieces in zip(values, results, target, strict=True):
        assert len(result.log_probs) == len(pieces) + 1
        assert value == pytest.approx(sum(result.log_probs) / len(result.log_probs), abs=1e-4)
    # Length-normalised: a translation twice as long (the sentence twice) keeps a score of the
    # same size, while its total log-probability doubles.
    doubled = scorer.score(
        [sources[0] + " " + sources[0]], [translations[0] + " " + translations[0]]
    )
    assert doubled[0] is not None and 0.5 < doubled[0] / values[0] < 2


def test_the_model_prefers_its_own_output_to_a_shuffled_one(
    scorer: ConfidenceScorer, own: tuple[list[str], list[str]]
) -> None:
    # The tiny model copies source pieces monotonically: its own word order is likely, the same
    # words shuffled are not (measured: 261 of 300 FLORES lines score higher unshuffled).
    sources, translations = own
    mine = scorer.score(sources, translations)
    other = scorer.score(sources, [shuffled(t, k) for k, t in enumerate(translations)])
    pairs = [(a, b) for a, b in zip(mine, other, strict=True) if a is not None and b is not None]
    assert len(pairs) == N
    assert sum(a > b for a, b in pairs) >= 0.75 * N
    assert np.mean([a for a, _ in pairs]) > np.mean([b for _, b in pairs]) + 0.5


# -- calibration ------------------------------------------------------------------------------


def test_distribution_running_moments_quantiles_and_bounded_sample() -> None:
    values = np.random.default_rng(0).normal(-2.0, 0.5, 5000)
    dist = Distribution(size=1000)
    for v in values:
        dist.add(float(v))
    assert dist.count == 5000 and len(dist.sample) == 1000
    assert dist.mean == pytest.approx(values.mean()) and dist.std == pytest.approx(
        values.std(ddof=1)
    )
    assert dist.quantile(0.02) == pytest.approx(np.quantile(values, 0.02), abs=0.15)
    assert dist.rank(-5.0) == 0.0 and dist.rank(1.0) == 1.0
    assert dist.rank(-2.0) == pytest.approx(0.5, abs=0.06)
    assert Distribution().quantile(0.1) is None and Distribution().rank(0.0) is None


def test_calibration_flags_the_lowest_tail_only_once_enough_scores_are_stored(
    tmp_path: Path, models: Path, own: tuple[list[str], list[str]]
) -> None:
    sources, translations = own
    human = lines("arb_Arab.dev")  # scores far below the tiny model's own output under it
    config = site(
        tmp_path, models, check__qe=["confidence"], check__qe_min_scores=40, check__qe_tail=0.1
    )
    store = Store(config.db_url)
    first = [
        add_article(store, list(zip(sources[k : k + 20], translations[k : k + 20], strict=True)))
        for k in (0, 20)
    ]
    with store.session() as s:  # a human translation in the first run: not flagged yet
        s.get(Article, first[0]).segments[3].translation = human[3]

    def run(article_ids: list[int]) -> dict[int, Any]:
        estimator = Estimator(config)  # one stage run
        out = {}
        try:
            with store.session() as s:
                for article_id in article_ids:
                    article = s.get(Article, article_id)
                    out[article_id] = estimator.assess(s, article, clean(len(article.segments)))
        finally:
            estimator.close()
        return out

    for assessment in run(first).values():
        assert assessment.flags == []
        assert all("calibrating" in r and r["confidence"] < 0 for r in assessment.records.values())
    with store.session() as s:
        (row,) = s.query(QEStat).all()
        assert (row.scorer, row.model, row.language, row.engine) == (
            "confidence",
            "opus-tiny",
            "en",
            "CTranslate2:opus-tiny",
        )
        assert row.count == 40 and len(row.sample) == 40

    # A later run (a new estimator) reads the stored distribution: the human line among the
    # model's own outputs is the outlier, and is flagged.
    pairs = list(zip(sources[40:52], translations[40:52], strict=True))
    pairs[5] = (sources[45], human[45])
    (assessment,) = run([add_article(store, pairs)]).values()
    flagged = {f.finding.segment: f for f in assessment.flags}
    assert 5 in flagged and len(flagged) <= 3
    flag = flagged[5]
    assert (flag.finding.check, flag.finding.severity, flag.finding.kind) == (
        "qe-confidence",
        "warning",
        "meaning",
    )
    stored = flag.as_dict()
    assert stored["score"] == pytest.approx(assessment.records[5]["confidence"], abs=1e-3)
    assert stored["by"] == "qe" and stored["message_ar"]
    assert assessment.records[5]["confidence_rank"] == 0.0
    assert assessment.score == 0.0 and "calibrating" not in assessment.records[0]
    with store.session() as s:
        assert s.query(QEStat).one().count == 52
    store.close()


# -- round trip -------------------------------------------------------------------------------


def test_chrf_matches_sacrebleu() -> None:
    assert chrf("the cat sat", "the cat sat") == pytest.approx(100)
    assert chrf("xyz", "abc") == 0.0 and chrf("", "abc") == 0.0
    sacrebleu = pytest.importorskip("sacrebleu")
    for hyp, ref in zip(lines("eng_Latn.dev", 30)[1:], lines("eng_Latn.dev", 30), strict=False):
        for h in (hyp, ref[: len(ref) // 2], ref.upper()):
            assert chrf(h, ref) == pytest.approx(sacrebleu.sentence_chrf(h, [ref]).score, abs=1e-6)


def test_round_trip_with_a_reverse_model(models: Path) -> None:
    model = reverse_model(models, "en")
    assert model is not None and model.name == "opus-tiny-ar-en"
    assert model.languages == {"ar"} and model.target_language == "en"
    assert reverse_model(models, "fr") is None
    source = "Officials said 25 people died in the floods of 2021."
    kept = "قال مسؤولون إن 25 شخصا لقوا حتفهم في فيضانات 2021."
    dropped = "قال مسؤولون إن أشخاصا لقوا حتفهم في فيضانات 2021."
    with CTranslate2Engine(model, inter_threads=1, source_language="ar") as engine:
        trips = RoundTripScorer(engine, model.name).score(
            [source, source, ""], [kept, dropped, "x"]
        )
    assert trips[2] is None
    for trip in trips[:2]:
        assert trip is not None and trip.back and 0 <= trip.chrf <= 100
        assert re.search("[A-Za-z]", trip.back) and not re.search("[\u0600-\u06ff]", trip.back)
    # The numbers travel back through the random model (digits are copied): the dropped one is lost.
    assert "25" not in [t for t, _, _ in trips[0].lost] and "2021" not in [
        t for t, _, _ in trips[0].lost
    ]
    assert ("25", 15, 17) in trips[1].lost


class ReverseEngine(Engine):
    """A scripted Arabic→English engine: a lookup table, as a perfect back-translator would."""

    name = model = "scripted-ar-en"

    def __init__(self, table: dict[str, str]):
        super().__init__()
        self.table = table
        self.seen: list[str] = []

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.seen.extend(sentences)
        return [self.table.get(s, "") for s in sentences]


SOURCE = "Joe Biden met Emmanuel Macron in Paris on Monday."
GOOD = "التقى جو بايدن إيمانويل ماكرون في باريس يوم الاثنين."
DROPPED = "التقى جو بايدن الرئيس الفرنسي في باريس يوم الاثنين."


def test_lost_names_and_numbers() -> None:
    assert lost_items(SOURCE, "Joe Biden met Emmanuel Macron in Paris on Monday.") == []
    assert lost_items(SOURCE, "Joe Baiden met Emanuel Macron in Paris Monday") == []  # near forms
    lost = lost_items(SOURCE, "Joe Biden met the French president in Paris on Monday.")
    assert [t for t, _, _ in lost] == ["Emmanuel", "Macron"]
    assert all(SOURCE[a:b] == t for t, a, b in lost)
    assert (
        lost_items("Prices rose 1,200 times, by 3.5%.", "Prices rose 1200 times by 3.5 percent")
        == []
    )
    assert [t for t, _, _ in lost_items("It cost 450 dollars.", "It cost 540 dollars.")] == ["450"]
    # Sentence-initial capitals and Title Case headlines say nothing.
    assert lost_items("Scientists say storms grow.", "Researchers say storms grow.") == []
    assert lost_items("Storm Hits Coast Town Hard", "Tempest strikes the shore") == []


def test_round_trip_flags_a_dropped_name(tmp_path: Path, models: Path) -> None:
    back = ReverseEngine(
        {GOOD: SOURCE, DROPPED: "Joe Biden met the French president in Paris on Monday."}
    )
    config = site(tmp_path, models, check__qe=["roundtrip"])
    store = Store(config.db_url)
    article_id = add_article(store, [(SOURCE, GOOD), (SOURCE, DROPPED)])
    estimator = Estimator(config, back_engine=lambda language: back)
    with store.session() as s:
        assessment = estimator.assess(s, s.get(Article, article_id), clean(2))
    assert back.seen == [GOOD, DROPPED]  # one batch for the article
    (flag,) = assessment.flags
    f = flag.finding
    assert (f.check, f.code, f.segment, f.kind, f.severity) == (
        "qe-roundtrip",
        "roundtrip-lost",
        1,
        "meaning",
        "warning",
    )
    assert f.source_span is not None and SOURCE[slice(*f.source_span)] == "Emmanuel"
    assert "Macron" in f.message
    assert assessment.records[0]["chrf"] == pytest.approx(100)
    assert assessment.records[1]["lost"] == ["Emmanuel", "Macron"]
    assert assessment.records[1]["back"].startswith("Joe Biden met the French")
    assert assessment.records[1]["chrf"] < assessment.records[0]["chrf"]
    store.close()


# -- the LLM judge ----------------------------------------------------------------------------


PART = [
    (0, "A truck driver was hurt in the crash.", "أصيب صاحب شرطة في الحادث."),
    (2, "The bridge opened in 1990, officials said.", "افتُتح الجسر عام 1990 ،  قال المسؤولون."),
]


def reply(*errors: dict[str, Any]) -> str:
    return json.dumps(list(errors), ensure_ascii=False)


MISTRANSLATION = {
    "segment": 1,
    "category": "accuracy/mistranslation",
    "severity": "critical",
    "source": "truck driver",
    "target": "صاحب شرطة",
    "note": "a truck driver became a police owner",
}
OMISSION = {
    "segment": 2,
    "category": "accuracy/omission",
    "severity": "major",
    "source": "officials said",
    "target": "",
}
PUNCTUATION = {
    "segment": 2,
    "category": "fluency/punctuation",
    "severity": "minor",
    "source": "",
    "target": "1990 ، قال",  # spacing differs from the translation's
}


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


def judge_for(fake: FakeLLM, **options: Any) -> Judge:
    conf = parse_engine(
        "judge", {"kind": "openai", "url": fake.url + "/v1", "model": "m", **options}
    )
    engine = OpenAIEngine.open(conf, None, "en")
    assert isinstance(engine, OpenAIEngine)
    engine.retry_base = 0.01
    return Judge(engine)


def test_judge_errors_are_located_in_the_translation(fake: FakeLLM) -> None:
    judge = judge_for(fake)
    fake.reply_next(reply(MISTRANSLATION, OMISSION, PUNCTUATION))
    errors = judge.judge_part(PART)
    prompt = fake.last_prompt()
    assert "[1]\nSRC: A truck driver" in prompt and "AR: أصيب صاحب شرطة" in prompt
    assert '"accuracy/omission"' in prompt and "JSON array" in prompt
    assert [(e.segment, e.category, e.severity, e.kind) for e in errors] == [
        (0, "accuracy/mistranslation", "critical", "meaning"),
        (2, "accuracy/omission", "major", "meaning"),
        (2, "fluency/punctuation", "minor", "form"),
    ]
    mistranslation, omission, punctuation = errors
    assert mistranslation.target_span is not None and mistranslation.source_span is not None
    assert PART[0][2][slice(*mistranslation.target_span)] == "صاحب شرطة"
    assert PART[0][1][slice(*mistranslation.source_span)] == "truck driver"
    assert omission.target_span is None and omission.source_span is not None
    assert PART[1][2][slice(*punctuation.target_span)] == "1990 ،  قال"  # found despite spacing
    judge.close()


@pytest.mark.parametrize(
    "content",
    [
        "The translation has no errors.",  # prose
        json.dumps(MISTRANSLATION, ensure_ascii=False),  # an object, not a list
        reply(MISTRANSLATION) + "\nHope this helps!",  # text after the JSON
        reply({**MISTRANSLATION, "segment": 7}),  # no such segment
        reply({**MISTRANSLATION, "segment": True}),
        reply({**MISTRANSLATION, "category": "meaning"}),  # not an MQM category
        reply({**MISTRANSLATION, "severity": "severe"}),
        reply({**MISTRANSLATION, "target": ["صاحب"]}),
        reply(MISTRANSLATION, "error"),  # one item is not an object
        "",
    ],
)
def test_malformed_judge_replies_give_no_findings(
    fake: FakeLLM, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    judge = judge_for(fake)
    fake.reply_next(content)
    with caplog.at_level(logging.WARNING, logger="naql.qa.qe.judge"):
        assert judge.judge_part(PART) is None  # not judged: no findings, no exception
    assert "not a JSON list of errors" in caplog.text
    judge.close()


def test_judge_reply_parsing_details() -> None:
    segments = {n: item for n, item in enumerate(PART, 1)}
    assert parse_reply("[]", segments) == []
    assert parse_reply("```json\n" + reply(OMISSION) + "\n```", segments) is not None  # one fence
    # Quoted Arabic that is not in the translation: that error alone is dropped.
    errors = parse_reply(reply({**MISTRANSLATION, "target": "سائق شاحنة"}, OMISSION), segments)
    assert errors is not None and [e.category for e in errors] == ["accuracy/omission"]
    assert locate("صاحبِ شرطة", "أصيب صاحب شرطة") == (5, 14)  # diacritics ignored
    assert locate("", "abc") is None and locate("x", "abc") is None


def test_judge_cut_off_or_failing_is_no_findings(
    fake: FakeLLM, tmp_path: Path, models: Path, caplog: pytest.LogCaptureFixture
) -> None:
    judge = judge_for(fake)
    fake.reply_next(reply(MISTRANSLATION)[:-5], finish_reason="length")
    assert judge.judge_part(PART) is None
    judge.close()
    # A server that keeps failing: the stage goes on without the judge's findings.
    table = {"kind": "openai", "url": fake.url + "/v1", "model": "m", "max_retries": 0}
    config = site(tmp_path, models, engines={"judge": table}, check__qe=["llm"])
    store = Store(config.db_url)
    article_id = add_article(store, [(s, a) for _, s, a in PART])
    fake.fail_next(500, times=3)
    with caplog.at_level(logging.WARNING, logger="naql.qa.qe"):
        result = check_articles(Context(config=config, store=store, progress=False))
    assert result.done + result.held == 1 and result.error is None
    assert "LLM judge judge" in caplog.text and "500" in caplog.text
    with store.session() as s:
        article = s.get(Article, article_id)
        assert all(seg.qe is None for seg in article.segments) and article.qe_score is None
    store.close()


# -- settings ---------------------------------------------------------------------------------


def test_settings_defaults_and_errors(tmp_path: Path, models: Path) -> None:
    config = site(tmp_path, models)
    settings = QESettings.from_config(config)
    assert settings.scorers == ("confidence",) and settings.tail == 0.01
    assert settings.min_scores == 200 and settings.model == settings.judge == ""
    with pytest.raises(ConfigError, match="'bleu' is not a scorer"):
        QESettings(scorers=("confidence", "bleu"))
    with pytest.raises(ConfigError, match="check.qe_tail"):
        QESettings(tail=0.7)
    none = site(tmp_path / "b", models, check__qe=[])
    assert Estimator.open(none) is None
    llm = {"llm": {"kind": "deepl"}}
    with pytest.raises(ConfigError, match="check.qe_judge = 'llm'"):
        Estimator(
            site(tmp_path / "c", models, engines=llm, check__qe=["llm"], check__qe_judge="llm")
        )


# -- the check stage --------------------------------------------------------------------------


def test_check_stage_stores_qe_findings_and_scores(
    tmp_path: Path, models: Path, fake: FakeLLM
) -> None:
    src, ref = lines("eng_Latn.dev", 8), lines("arb_Arab.dev", 8)
    judge = {"kind": "openai", "url": fake.url + "/v1", "model": "judge-model", "max_in_flight": 1}
    config = site(
        tmp_path,
        models,
        engines={"judge": judge},
        check__qe=["confidence", "llm"],
    )
    store = Store(config.db_url)
    ctx = Context(config=config, store=store, progress=False)
    # A number changed in segment 1: the rules flag it, so no scorer looks at it. Segment 3 is an
    # editor's: not scored either.
    changed = ref[1].replace("20", "40") if "20" in ref[1] else ref[1] + " 999"
    first = add_article(
        store,
        [(src[0], ref[0]), (src[1], changed), (src[2], ref[2]), (src[3], ref[3])],
        origin=["engine", "engine", "engine", "editor"],
    )
    second = add_article(store, [(src[k], ref[k]) for k in (4, 5, 6)])
    target = ref[2].split()[1] + " " + ref[2].split()[2]
    fake.reply_next(
        reply({**MISTRANSLATION, "segment": 2, "severity": "major", "source": "", "target": target})
    )
    fake.reply_next("Looks fine to me.")  # malformed: no findings for the second article
    result = check_articles(ctx)
    assert result.held == 1 and result.done == 1  # the second article passes
    assert result.extra["qe_confidence_segments"] == 5
    assert result.extra["qe_confidence_ms_per_segment"] > 0
    assert result.extra["qe_llm_segments"] == 5
    prompts = fake.prompts()
    assert len(prompts) == 2 and src[1] not in prompts[0] and src[3] not in prompts[0]
    assert src[0] in prompts[0] and src[2] in prompts[0]
    with store.session() as s:
        a, b = s.get(Article, first), s.get(Article, second)
        segs = a.segments
        assert segs[1].qe is None and segs[3].qe is None  # flagged by the rules / an editor's
        assert segs[0].qe["confidence"] < 0 and segs[0].qe["mqm"] == 0
        assert segs[0].qe["calibrating"] == {"confidence": 0}
        assert segs[2].qe["mqm"] == 5 and segs[2].qe["score"] == pytest.approx(0.8)
        (judged,) = [f for f in segs[2].findings or [] if f.get("by") == "qe"]
        assert judged["check"] == "qe-llm" and judged["code"] == "llm-accuracy-mistranslation"
        assert judged["severity"] == "warning" and judged["kind"] == "meaning"
        assert judged["score"] == 5
        assert segs[2].translation[slice(*judged["target_span"])] == target
        assert a.qe_score == pytest.approx(0.8) and a.state == State.HELD.value
        assert "LLM judge" in (a.held_reason or "")
        # The second article was ranked against the first one's scores; the judge said nothing.
        assert all("confidence_rank" in seg.qe and "mqm" not in seg.qe for seg in b.segments)
        assert b.qe_score == min(seg.qe["score"] for seg in b.segments)
        assert b.state == State.READY.value
        assert not any(f.get("by") == "qe" for seg in b.segments for f in seg.findings or [])
        assert s.query(QEStat).one().count == 5
    # An editor's re-check keeps the scores and QE findings, except on the segment they rewrote.
    with store.session() as s:
        seg_id = s.get(Article, first).segments[0].id
        report = edit_segment(s, config, first, seg_id, ref[0] + " ", editor="alice")
        assert any(f.check == "qe-llm" for f in report.findings) and report.verdict == "review"
    with store.session() as s:
        a = s.get(Article, first)
        assert a.segments[0].qe is None and a.segments[2].qe["mqm"] == 5
        assert [f["check"] for f in a.segments[2].findings if f.get("by") == "qe"] == ["qe-llm"]
        assert a.qe_score == pytest.approx(0.8)
        # apply_checks with the estimator again gives the same findings (nothing stored twice).
        apply_checks(s, a, config)
        assert len([f for f in a.segments[2].findings if f.get("by") == "qe"]) == 1
    store.close()
