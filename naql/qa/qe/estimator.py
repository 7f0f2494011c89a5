"""The quality-estimation layer of the check stage: run the scorers, calibrate, make findings.

Cost is bounded: only segments the rule checks did not already flag (a meaning warning or error)
are scored, and neither an editor's text nor an approved translation from the memory. The scorers
are opened once per stage run and per language, and `prepare` scores a whole chunk of articles at
once (one `score_batch` and one back-translation batch per language; the judge's requests in
flight together); `assess` then compares each article's scores with the site's distributions,
stores them, and returns the findings.

What is stored on each scored segment (`Segment.qe`): the raw scores ("confidence": mean log-prob
per token; "chrf" and "back": the round trip; "mqm": the judge's penalty), each calibrated score's
rank among the site's earlier scores ("confidence_rank", "chrf_rank", in [0, 1]), "calibrating"
(scorer -> scores known) while a distribution is still too small to flag, and "score": the
lowest of the ranks and the judge's 1 - penalty/25, in [0, 1], low = doubtful. The article's
`qe_score` is its weakest segment's score: the review queue can show the weakest first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from naql.errors import ConfigError, EngineUnavailable, NaqlError
from naql.qa.findings import DocumentReport, Finding
from naql.qa.qe import stats
from naql.qa.qe.judge import CATEGORIES, SEVERITIES, Judge, JudgedError
from naql.qa.qe.roundtrip import RoundTrip, RoundTripScorer, reverse_model
from naql.qa.qe.settings import QESettings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from naql.config import Config
    from naql.qa.qe.confidence import ConfidenceScorer
    from naql.store.models import Article, Segment
    from naql.translate.engine import Engine
    from naql.translate.router import Router

log = logging.getLogger(__name__)

#: an MQM penalty this high (minor 1, major 5, critical 10 per error) scores 0
MQM_FLOOR = 25
#: segment origins never scored: an editor's text, an approved translation from the memory
UNSCORED_ORIGINS = frozenset({"editor", "memory"})
BY = "qe"  # the `by` of stored QE findings


@dataclass(frozen=True)
class Flag:
    """A QE finding and the score that raised it (the confidence, the chrF, the MQM weight)."""

    finding: Finding
    score: float

    def as_dict(self) -> dict[str, object]:
        return {**self.finding.as_dict(), "score": round(self.score, 4), "by": BY}


@dataclass
class Assessment:
    """What the scorers say about one article."""

    flags: list[Flag] = field(default_factory=list)
    #: segment index -> what is stored in Segment.qe
    records: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        """The weakest scored segment's score; None when no segment has one."""
        scores = [r["score"] for r in self.records.values() if r.get("score") is not None]
        return min(scores) if scores else None


def eligible(segments: Sequence[Segment], report: DocumentReport) -> list[int]:
    """Indices of the segments worth scoring: translated by an engine and not already flagged."""
    flagged = {f.segment for f in report.findings if f.counts_toward_verdict}
    return [
        i
        for i, seg in enumerate(segments)
        if i not in flagged
        and (seg.translation or "").strip()
        and seg.source.strip()
        and seg.origin not in UNSCORED_ORIGINS
    ]


class Estimator:
    """The scorers of `settings.scorers` for one stage run; models and clients open on first use.

    `back_engine` (tests): a function giving the Arabic→language engine for the round trip
    instead of an installed reverse model.
    """

    def __init__(
        self,
        config: Config,
        settings: QESettings | None = None,
        *,
        back_engine: Callable[[str], Engine | None] | None = None,
    ):
        self.config = config
        self.settings = settings or QESettings.from_config(config)
        self._back_engine = back_engine
        self._confidence: dict[str, ConfidenceScorer | None] = {}
        self._roundtrip: dict[str, RoundTripScorer | None] = {}
        self._judge: dict[str, Judge | None] = {}
        self._router: Router | None = None
        self._judge_name = self._find_judge() if "llm" in self.settings.scorers else ""
        #: article id -> segment index -> raw scores (and the text they are for)
        self._raw: dict[int, dict[int, dict[str, Any]]] = {}
        #: scorer -> [seconds, segments]
        self._costs: dict[str, list[float]] = {}
        self._told: set[object] = set()

    @classmethod
    def open(cls, config: Config) -> Estimator | None:
        """The estimator of a site's settings, or None when `check.qe` lists no scorer."""
        settings = QESettings.from_config(config)
        return cls(config, settings) if settings.scorers else None

    # -- opening the scorers, once per language -----------------------------------------------

    def _once(self, key: object, level: int, message: str, *args: object) -> None:
        if key not in self._told:
            self._told.add(key)
            log.log(level, message, *args)

    def _find_judge(self) -> str:
        engines = self.config.engines
        name = self.settings.judge
        if name:
            conf = engines.get(name)
            if conf is None or conf.kind != "openai":
                raise ConfigError(
                    f"check.qe_judge = {name!r} is invalid: expected the name of an [engines.NAME] "
                    f'table of kind "openai" (configured: '
                    f"{', '.join(n for n, c in engines.items() if c.kind == 'openai') or 'none'})"
                )
            return name
        return next((n for n, c in engines.items() if c.kind == "openai"), "")

    def confidence_scorer(self, language: str) -> ConfidenceScorer | None:
        if language not in self._confidence:
            from naql.qa.qe.confidence import ConfidenceScorer

            try:
                scorer: ConfidenceScorer | None = ConfidenceScorer.for_language(
                    self.config, language, self.settings.model
                )
            except NaqlError as exc:
                self._once(("confidence", language), logging.INFO, "no confidence scores: %s", exc)
                scorer = None
            self._confidence[language] = scorer
        return self._confidence[language]

    def roundtrip_scorer(self, language: str) -> RoundTripScorer | None:
        if language not in self._roundtrip:
            scorer: RoundTripScorer | None = None
            try:
                if self._back_engine is not None:
                    engine = self._back_engine(language)
                    scorer = RoundTripScorer(engine) if engine is not None else None
                else:
                    model = reverse_model(self.config.models_dir, language)
                    if model is not None:
                        from naql.translate.engines.ctranslate2 import CTranslate2Engine

                        engine = CTranslate2Engine(
                            model,
                            compute_type=self.config["translate.compute_type"],
                            inter_threads=self.config["translate.inter_threads"],
                            intra_threads=self.config["translate.intra_threads"],
                            max_batch_tokens=self.config["translate.max_batch_tokens"],
                            beam_size=self.config["translate.beam_size"],
                            max_input_length=self.config["translate.max_input_length"],
                            source_language="ar",
                        )
                        scorer = RoundTripScorer(engine, model.name)
            except NaqlError as exc:
                self._once(("roundtrip", language), logging.WARNING, "no round trip: %s", exc)
            if scorer is None:
                self._once(
                    ("roundtrip", language),
                    logging.INFO,
                    "no round trip for %s articles: no Arabic→%s model is installed",
                    language,
                    language,
                )
            self._roundtrip[language] = scorer
        return self._roundtrip[language]

    def judge(self, language: str) -> Judge | None:
        if language not in self._judge:
            judge: Judge | None = None
            if not self._judge_name:
                self._once(
                    "judge", logging.INFO, "no LLM judge: no engine of kind openai is configured"
                )
            else:
                from naql.translate.engines import configured_engines, open_engine
                from naql.translate.engines.openai import OpenAIEngine

                try:
                    conf = configured_engines(self.config)[self._judge_name]
                    engine = open_engine(conf, self.config, language)
                    engine.config_name = self._judge_name
                    if isinstance(engine, OpenAIEngine):
                        judge = Judge(engine)
                except NaqlError as exc:
                    self._once(
                        ("judge", language),
                        logging.WARNING,
                        "no LLM judge for %s: %s",
                        language,
                        exc,
                    )
            self._judge[language] = judge
        return self._judge[language]

    # -- scoring a chunk of articles ----------------------------------------------------------

    def _timed(self, scorer: str, segments: int, seconds: float) -> None:
        cost = self._costs.setdefault(scorer, [0.0, 0])
        cost[0] += seconds
        cost[1] += segments

    def prepare(self, session: Session, items: Sequence[tuple[Article, DocumentReport]]) -> None:
        """Score the eligible segments of these articles (their rule reports say which), in one
        batch per language and scorer; `assess` uses the results."""
        # language -> (article id, segment index, source, translation)
        jobs: dict[str, list[tuple[int, int, str, str]]] = {}
        for article, report in items:
            segments = list(article.segments)
            raw = self._raw[article.id] = {}
            for i in eligible(segments, report):
                text = segments[i].translation or ""
                raw[i] = {"text": text}
                jobs.setdefault(article.language or "en", []).append(
                    (article.id, i, segments[i].source, text)
                )
        for language, batch in jobs.items():
            sources = [source for _, _, source, _ in batch]
            translations = [text for _, _, _, text in batch]
            if "confidence" in self.settings.scorers and (conf := self.confidence_scorer(language)):
                start = time.perf_counter()
                scores = conf.score(sources, translations)
                self._timed("confidence", len(batch), time.perf_counter() - start)
                for (aid, i, _, _), value in zip(batch, scores, strict=True):
                    self._raw[aid][i]["confidence"] = value
            if "roundtrip" in self.settings.scorers and (rt := self.roundtrip_scorer(language)):
                start = time.perf_counter()
                trips = rt.score(sources, translations)
                self._timed("roundtrip", len(batch), time.perf_counter() - start)
                for (aid, i, _, _), trip in zip(batch, trips, strict=True):
                    self._raw[aid][i]["roundtrip"] = trip
            if "llm" in self.settings.scorers and (judge := self.judge(language)):
                self._judge_batch(session, judge, language, batch)

    def _judge_batch(
        self, session: Session, judge: Judge, language: str, batch: list[tuple[int, int, str, str]]
    ) -> None:
        from naql.translate.router import Router, record_usage

        by_article: dict[int, list[tuple[int, str, str]]] = {}
        for aid, i, source, text in batch:
            by_article.setdefault(aid, []).append((i, source, text))
        requests = [(aid, part) for aid, items in by_article.items() for part in judge.parts(items)]
        name = self._judge_name
        characters = sum(len(m["content"]) for _, p in requests for m in judge.messages(p)[1:])
        try:
            self._router = self._router or Router(self.config)
            self._router.check_budget(session, name, characters)
        except NaqlError as exc:
            self._once(("judge-budget", language), logging.WARNING, "LLM judge skipped: %s", exc)
            return

        def ask(request: tuple[int, list[tuple[int, str, str]]]) -> list[JudgedError] | None:
            if self._judge.get(language) is None:
                return None  # the judge went down during this batch: the rest is not sent
            try:
                return judge.judge_part(request[1])
            except NaqlError as exc:
                log.warning("LLM judge %s: %s", name, exc)
                if isinstance(exc, EngineUnavailable):
                    self._judge[language] = None  # out for the rest of this run
                return None

        sent = judge.engine.usage.characters
        start = time.perf_counter()
        workers = max(1, int(judge.engine.conf.get("max_in_flight", 4)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            answers = list(pool.map(ask, requests))
        self._timed("llm", len(batch), time.perf_counter() - start)
        record_usage(
            session,
            name,
            characters=judge.engine.usage.characters - sent,
            requests=len(requests),
            segments=len(batch),
        )
        for (aid, part), errors in zip(requests, answers, strict=True):
            if errors is None:
                continue  # the request failed: these segments were not judged
            for i, _, _ in part:
                self._raw[aid][i]["errors"] = []
            for error in errors:
                self._raw[aid][error.segment]["errors"].append(error)

    # -- one article: calibrate, flag, record -------------------------------------------------

    def assess(self, session: Session, article: Article, report: DocumentReport) -> Assessment:
        """Findings and stored scores for one article (scored by `prepare`, or now), with the
        site's distributions updated in `session`."""
        segments = list(article.segments)
        raw = self._raw.pop(article.id, None)
        if raw is None or any(
            i >= len(segments) or segments[i].translation != r["text"] for i, r in raw.items()
        ):
            self.prepare(session, [(article, report)])
            raw = self._raw.pop(article.id)
        out = Assessment(records={i: {} for i in raw})
        language = article.language or "en"
        engine = f"{article.engine or ''}:{article.model or ''}"
        conf = self._confidence.get(language)
        confidence = {i: r["confidence"] for i, r in raw.items() if r.get("confidence") is not None}
        if conf is not None and confidence:
            key = stats.StatKey("confidence", conf.model, language, engine)
            for i, value, cut, n in self._calibrate(session, key, confidence, out, "confidence"):
                out.flags.append(_confidence_flag(i, value, cut, n, self.settings.tail, conf.model))
        trips: dict[int, RoundTrip] = {
            i: r["roundtrip"] for i, r in raw.items() if r.get("roundtrip") is not None
        }
        rt = self._roundtrip.get(language)
        if rt is not None and trips:
            for i, trip in trips.items():
                out.records[i].update(chrf=round(trip.chrf, 2), back=trip.back)
                if trip.lost:
                    out.records[i]["lost"] = [text for text, _, _ in trip.lost]
                    out.flags.append(_lost_flag(i, trip))
            key = stats.StatKey("roundtrip", rt.model, language, engine)
            chrfs = {i: t.chrf for i, t in trips.items()}
            for i, value, cut, n in self._calibrate(session, key, chrfs, out, "chrf"):
                out.flags.append(_roundtrip_flag(i, value, cut, n, self.settings.tail, trips[i]))
        judge_model = (
            self.config.engines[self._judge_name].get("model", "") if self._judge_name else ""
        )
        for i, r in raw.items():
            if "errors" not in r:
                continue
            out.records[i]["mqm"] = sum(e.weight for e in r["errors"])
            out.flags.extend(_judge_flag(e, judge_model) for e in r["errors"])
        for record in out.records.values():
            parts = [record.get("confidence_rank"), record.get("chrf_rank")]
            if "mqm" in record:
                parts.append(1 - min(1.0, record["mqm"] / MQM_FLOOR))
            known = [p for p in parts if p is not None]
            if known:
                record["score"] = round(min(known), 4)
        out.records = {i: r for i, r in out.records.items() if r}
        return out

    def _calibrate(
        self,
        session: Session,
        key: stats.StatKey,
        values: dict[int, float],
        out: Assessment,
        name: str,
    ) -> list[tuple[int, float, float, int]]:
        """Rank `values` against the site's distribution for `key`, then add them to it; the
        outliers (index, value, cut, scores known) once enough scores are known."""
        row, dist = stats.load(session, key)
        ready = dist.count >= self.settings.min_scores
        cut = dist.quantile(self.settings.tail) if ready else None
        outliers = []
        for i, value in values.items():
            record = out.records[i]
            record[name] = round(value, 4)
            rank = dist.rank(value)
            if rank is not None:
                record[f"{name}_rank"] = round(rank, 4)
            if not ready:
                record.setdefault("calibrating", {})[key.scorer] = dist.count
            elif cut is not None and value < cut:
                outliers.append((i, value, cut, dist.count))
        if not ready:
            self._once(
                key,
                logging.INFO,
                "%s scores by %s (%s, %s): %d known; outliers are flagged once %d are known",
                key.scorer,
                key.model,
                key.language,
                key.engine,
                dist.count,
                self.settings.min_scores,
            )
        for value in values.values():
            dist.add(value)
        stats.store(row, dist)
        return outliers

    # -- the run ------------------------------------------------------------------------------

    def costs(self) -> dict[str, float]:
        """Segments scored and milliseconds per segment, per scorer, in this run."""
        out: dict[str, float] = {}
        for scorer, (seconds, segments) in self._costs.items():
            out[f"qe_{scorer}_segments"] = segments
            out[f"qe_{scorer}_ms_per_segment"] = 1000 * seconds / segments if segments else 0.0
        return out

    def close(self) -> None:
        for scorers in (self._confidence, self._roundtrip, self._judge):
            for scorer in scorers.values():
                if scorer is not None:
                    scorer.close()
            scorers.clear()


# -- findings -----------------------------------------------------------------------------------


def _confidence_flag(i: int, value: float, cut: float, n: int, tail: float, model: str) -> Flag:
    return Flag(
        Finding(
            "qe-confidence",
            "warning",
            f"the model {model} finds this translation unlikely: {value:.2f} per token, in the "
            f"lowest {tail:.0%} of this site's {n} scores (below {cut:.2f})",
            i,
            message_ar=f"يستبعد النموذج {model} هذه الترجمة: درجة {value:.2f} لكل وحدة، ضمن أدنى "
            f"{tail:.0%} من {n} درجة على هذا الموقع (دون {cut:.2f})",
            code="qe-confidence",
        ),
        value,
    )


def _roundtrip_flag(i: int, value: float, cut: float, n: int, tail: float, trip: RoundTrip) -> Flag:
    return Flag(
        Finding(
            "qe-roundtrip",
            "warning",
            f"translated back, it differs from the source (chrF {value:.0f}, in the lowest "
            f"{tail:.0%} of this site's {n}, below {cut:.0f}): {trip.back!r}",
            i,
            message_ar=f"الترجمة العكسية تختلف عن الأصل (chrF {value:.0f}، ضمن أدنى {tail:.0%} "
            f"من {n} على هذا الموقع): {trip.back}",
            code="roundtrip-low",
        ),
        value,
    )


def _lost_flag(i: int, trip: RoundTrip) -> Flag:
    lost = ", ".join(text for text, _, _ in trip.lost)
    _, start, end = trip.lost[0]
    return Flag(
        Finding(
            "qe-roundtrip",
            "warning",
            f"translated back, it does not bring back {lost}: check that the translation keeps "
            f"{'it' if len(trip.lost) == 1 else 'them'}",
            i,
            message_ar=f"الترجمة العكسية لا تستعيد {lost}: تحقّق من أن الترجمة تحتفظ بذلك",
            code="roundtrip-lost",
            source_span=(start, end),
        ),
        trip.chrf,
    )


def _judge_flag(error: JudgedError, model: str) -> Flag:
    kind, category_ar = CATEGORIES[error.category]
    severity, weight, severity_ar = SEVERITIES[error.severity]
    note = f": {error.note}" if error.note else ""
    return Flag(
        Finding(
            "qe-llm",
            severity if kind == "meaning" else "info",
            f"LLM judge{f' ({model})' if model else ''}: {error.category}, {error.severity}{note}",
            error.segment,
            message_ar=f"المقيّم الآلي{f' ({model})' if model else ''}: {category_ar}، "
            f"{severity_ar}{note}",
            code="llm-" + error.category.replace("/", "-"),
            kind=kind,
            source_span=error.source_span,
            target_span=error.target_span,
        ),
        weight,
    )
