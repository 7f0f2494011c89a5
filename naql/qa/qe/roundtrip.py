"""Round trip: translate the Arabic back into the source language and compare with the source.

Needs an installed Arabic→source model (an OPUS-MT ara-eng release, say: `naql models install
URL --from ar`, recorded with `target_language` "en"); any `Engine` that translates Arabic into the
source language works the same way. Two signals per segment:

* sentence chrF of the back-translation against the source (character n-grams, so a name spelled
  a little differently after two transliterations still counts) — compared with the site's
  running distribution like the model confidence (naql.qa.qe.stats);
* names and numbers of the source that the back-translation does not bring back (a name or a
  figure dropped or replaced in the Arabic rarely survives the trip back).

chrF is implemented here (about 30 lines, the same statistics and averaging as sacrebleu's
sentence-level chrF with its defaults: character 6-grams, beta 2, whitespace ignored) rather than
pulling sacrebleu and its dependencies into the runtime for one function; a test compares the two
when sacrebleu is installed.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from naql.errors import NaqlError
from naql.qa.text import DIGITS
from naql.translate.engine import Engine
from naql.translate.models import InstalledModel, list_models

log = logging.getLogger(__name__)

CHAR_ORDER = 6
BETA = 2.0


def _ngrams(text: str, n: int) -> Counter[str]:
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def chrf(hypothesis: str, reference: str, *, order: int = CHAR_ORDER, beta: float = BETA) -> float:
    """Sentence chrF in [0, 100]: character n-gram F-beta averaged over orders 1..`order`, as
    sacrebleu computes it by default (whitespace removed; orders that one side lacks are left out
    of the average)."""
    hyp, ref = "".join(hypothesis.split()), "".join(reference.split())
    precision = recall = 0.0
    effective = 0
    for n in range(1, order + 1):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        n_hyp, n_ref = sum(h.values()), sum(r.values())
        if n_hyp and n_ref:
            match = sum((h & r).values())
            precision += match / n_hyp
            recall += match / n_ref
            effective += 1
    if not effective:
        return 0.0
    precision, recall = precision / effective, recall / effective
    if not precision + recall:
        return 0.0
    factor = beta**2
    return 100 * (1 + factor) * precision * recall / (factor * precision + recall)


# -- names and numbers --------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;…]\s+|[\"“‘'(\[«—–-]\s*)$")


def numbers(text: str) -> list[str]:
    """Numbers of two digits or more (a single digit is often written as a word), with thousands
    separators removed: "1,200" and "1200" are one number."""
    out = []
    for m in _NUMBER.finditer(text.translate(DIGITS)):
        run = re.sub(r"(?<=\d)[,.](?=\d{3}\b)", "", m.group())
        if sum(c.isdigit() for c in run) >= 2:
            out.append(run)
    return out


_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or"}
    | {"over", "the", "to", "up", "with", "via", "vs"}
)


def names(text: str) -> list[tuple[str, int, int]]:
    """Capitalised words that are not sentence-initial (names, mostly), with their span; none
    in a headline written in Title Case (every word but the small ones capitalised), where a
    capital says nothing."""
    words = list(_WORD.finditer(text))
    lower = [w for w in words if not w.group()[0].isupper() and w.group() not in _SMALL_WORDS]
    if len(words) >= 3 and not lower:
        return []
    return [
        (w.group(), w.start(), w.end())
        for w in words
        if w.group()[0].isupper()
        and len(w.group()) >= 3
        and not _SENTENCE_START.search(text[: w.start()])
    ]


def _recovered(word: str, back_words: list[str]) -> bool:
    w = word.lower()
    return any(difflib.SequenceMatcher(None, w, b).ratio() >= 0.8 for b in back_words)


def lost_items(source: str, back: str) -> list[tuple[str, int, int]]:
    """The source's names and numbers the back-translation does not contain: (text, start, end)."""
    lost: list[tuple[str, int, int]] = []
    back_numbers = Counter(numbers(back))
    for m in _NUMBER.finditer(source.translate(DIGITS)):
        for value in numbers(m.group()):
            if back_numbers[value] > 0:
                back_numbers[value] -= 1
            else:
                lost.append((m.group(), m.start(), m.end()))
    back_words = [w.lower() for w in _WORD.findall(back)]
    lost.extend(n for n in names(source) if not _recovered(n[0], back_words))
    return sorted(lost, key=lambda item: item[1])


# -- the scorer ---------------------------------------------------------------------------------


@dataclass
class RoundTrip:
    """One segment's round trip."""

    back: str  # the back-translation
    chrf: float
    #: names and numbers not brought back: (text, start, end) in the source
    lost: list[tuple[str, int, int]] = field(default_factory=list)


class RoundTripScorer:
    """Back-translates with `back` (Arabic → the source language) and compares with the source."""

    name = "roundtrip"

    def __init__(self, back: Engine, model: str = ""):
        self.back = back
        self.model = model or back.model or back.name

    def score(self, sources: Sequence[str], translations: Sequence[str]) -> list[RoundTrip | None]:
        """One RoundTrip per (source, translation); None where either is empty or the engine
        failed (logged: a failed scorer never stops the check)."""
        todo = [
            i
            for i, (s, t) in enumerate(zip(sources, translations, strict=True))
            if s.strip() and t.strip()
        ]
        out: list[RoundTrip | None] = [None] * len(sources)
        if not todo:
            return out
        try:
            backs = self.back.translate([translations[i] for i in todo])
        except NaqlError as exc:
            log.warning("round trip with %s failed, no round-trip scores: %s", self.model, exc)
            return out
        for i, back in zip(todo, backs, strict=True):
            out[i] = RoundTrip(back, chrf(back, sources[i]), lost_items(sources[i], back))
        return out

    def close(self) -> None:
        self.back.close()


def reverse_model(models_dir: Path, language: str) -> InstalledModel | None:
    """An installed model from Arabic into `language`, or None. Multilingual families (NLLB,
    M2M-100) are installed for →Arabic only and are not used backwards."""
    candidates = [
        m
        for m in list_models(models_dir)
        if "ar" in m.languages and m.target_language == language and not m.family
    ]
    return min(candidates, key=lambda m: m.name) if candidates else None
