"""Related articles (naql.enrich.related): measured on a labelled fixture, and its behaviour.

The fixture (tests/fixtures/stories/corpus.py, related_fixture) has 190 articles over about 110
days: 12 labelled groups -- ten stories of four articles (a real FLORES Wikinews document and three
hand-written follow-ups) and two real pairs of outlets covering one event (extraction benchmark)
-- and 146 unlabelled articles: the other FLORES Wikinews documents and English web bodies,
including same-topic FLORES distractors dated within days of each story, and ten hand-written
articles on the same people or places as a story but another story. Entities come from a
capitalised-name proxy (corpus.entities) standing in for the tags component.

precision@5: of the five articles `related(a, 5)` returns, the share in a's group, averaged over
the 44 labelled articles; a group of g articles has only g-1 others, so the best possible value
here is 0.564. precision@k uses k = min(5, g-1) and is 1.0 when every other member ranks first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

# tests/ is on sys.path (conftest): the fixture generator imports as a namespace package.
from fixtures.stories import corpus  # noqa: E402

from naql.enrich.related import RelatedIndex, RelatedRecord, pack_terms, term_counts, unpack_terms

DOCS = corpus.related_fixture()
NUM = {d.id: i for i, d in enumerate(DOCS)}
BY_NUM = dict(enumerate(DOCS))


def _text(d) -> str:  # type: ignore[no-untyped-def]
    return d.title + "\n\n" + d.text


def _build(docs=DOCS, **options) -> RelatedIndex:  # type: ignore[no-untyped-def]
    index = RelatedIndex(**options)
    for d in docs:
        index.add(NUM[d.id], _text(d), d.entities, d.published)
    return index


def _precision(index: RelatedIndex) -> tuple[float, float, int]:
    groups: dict[str, set[str]] = defaultdict(set)
    for d in DOCS:
        if d.story:
            groups[d.story].add(d.id)
    p5, pk, n = 0.0, 0.0, 0
    for members in groups.values():
        k = min(5, len(members) - 1)
        for a in members:
            got = [BY_NUM[i].id for i, _ in index.related(NUM[a], 5)]
            p5 += sum(g in members for g in got) / 5
            pk += sum(g in members for g in got[:k]) / k
            n += 1
    return p5 / n, pk / n, n


def test_precision_at_5_on_labelled_stories() -> None:
    figures = {}
    for name, options in {
        "default (text 0.6 + entities 0.4, half-life 7 days)": {},
        "text only": {"entity_weight": 0.0},
        "entities only": {"text_weight": 0.0},
        "no recency weight": {"half_life": None},
    }.items():
        figures[name] = _precision(_build(**options))
    print()
    for name, (p5, pk, n) in figures.items():
        print(f"related, {name}: P@5 {p5:.3f} (best possible 0.564), P@k {pk:.3f}, {n} articles")
    p5, pk, _ = figures["default (text 0.6 + entities 0.4, half-life 7 days)"]
    assert pk >= 0.93
    assert p5 >= 0.54
    assert pk >= figures["entities only"][1]


def test_adding_an_article_updates_the_lists_it_joins() -> None:
    docs = {d.id: d for d in DOCS}
    index = RelatedIndex(keep=3)
    fred = [
        "flores:Hurricane_Fred_churns_the_Atlantic",
        "hw:fred-explainer",
        "hw:fred-weakens",
    ]
    unrelated = "flores:Spam_mailer_gets_9_year_jail_sentence"
    for i in [*fred[:2], unrelated]:
        index.add(NUM[i], _text(docs[i]), docs[i].entities, docs[i].published)
    assert [r for r, _ in index.related(NUM[fred[0]])] == [NUM[fred[1]]]
    assert index.related(NUM[unrelated]) == []

    d = docs[fred[2]]
    changed = index.add(NUM[d.id], _text(d), d.entities, d.published)
    assert changed == {NUM[fred[0]], NUM[fred[1]]}  # not the spam story's page
    assert NUM[d.id] in [r for r, _ in index.related(NUM[fred[0]])]
    assert {r for r, _ in index.related(NUM[d.id])} == {NUM[fred[0]], NUM[fred[1]]}
    scores = [s for _, s in index.related(NUM[d.id])]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_recency_weight_prefers_the_closer_article() -> None:
    text = "Flooding in Valencia forced the evacuation of thousands, Spanish officials said."
    ents = {"Valencia", "Spain"}
    t0 = datetime(2024, 10, 1, tzinfo=UTC)
    index = RelatedIndex(half_life=timedelta(days=7))
    index.add(1, text, ents, t0)
    index.add(2, text + " Rain continued.", ents, t0 + timedelta(days=14))
    index.add(3, text + " Rain stopped.", ents, t0 + timedelta(days=1))
    (first, s_first), (second, s_second) = index.related(1)
    assert (first, second) == (3, 2)
    assert s_second == pytest.approx(s_first * 0.5 ** (13 / 7), rel=0.05)  # same similarity
    flat = RelatedIndex(half_life=None)
    for i, delta in ((1, 0), (2, 14), (3, 1)):
        flat.add(i, text, ents, t0 + timedelta(days=delta))
    assert [s for _, s in flat.related(1)] == pytest.approx([1.0, 1.0])


def test_state_round_trips_through_records() -> None:
    first, later = DOCS[:170], DOCS[170:]
    live = _build(first)
    records = live.records()
    assert all(isinstance(r, RelatedRecord) for r in records)
    loaded = RelatedIndex.from_records(records)
    for d in first:
        assert loaded.related(NUM[d.id], 10) == live.related(NUM[d.id], 10)
        assert loaded.record(NUM[d.id]) == live.record(NUM[d.id])
    for d in later:
        a = live.add(NUM[d.id], _text(d), d.entities, d.published)
        b = loaded.add(NUM[d.id], _text(d), d.entities, d.published)
        assert a == b
        assert [i for i, _ in loaded.related(NUM[d.id])] == [i for i, _ in live.related(NUM[d.id])]


def test_remove_recomputes_the_lists_that_named_it() -> None:
    index = _build()
    fred = NUM["hw:fred-weakens"]
    holders = {NUM[d.id] for d in DOCS if fred in [i for i, _ in index.related(NUM[d.id], 10)]}
    assert holders
    changed = index.remove(fred)
    assert changed == holders
    assert fred not in index and len(index) == len(DOCS) - 1
    for d in DOCS:
        if d.id != "hw:fred-weakens":
            assert fred not in [i for i, _ in index.related(NUM[d.id], 10)]
    with pytest.raises(KeyError):
        index.related(fred)


def test_lists_are_bounded_and_inputs_checked() -> None:
    index = RelatedIndex(keep=2, half_life=None)
    t0 = datetime(2024, 1, 1)  # naive: taken as UTC
    for i in range(5):
        index.add(i, f"Parliament votes on the budget bill, round {i}.", {"Parliament"}, t0)
    assert all(len(index.related(i, 5)) == 2 for i in range(5))
    with pytest.raises(ValueError, match="already"):
        index.add(0, "x", set(), t0)
    with pytest.raises(ValueError):
        RelatedIndex(keep=0)
    with pytest.raises(ValueError):
        RelatedIndex(text_weight=0, entity_weight=0)
    with pytest.raises(ValueError):
        RelatedIndex(half_life=timedelta(0))
    ids, counts = term_counts("Storms, storms and the storm's eye: storm chasers")
    assert len(ids) == 3 and sorted(counts.tolist()) == [1, 1, 4]  # storm, eye, chaser
    assert [a.tolist() for a in unpack_terms(pack_terms(ids, counts))] == [
        ids.tolist(),
        counts.tolist(),
    ]
    with pytest.raises(ValueError):
        unpack_terms(pack_terms(ids, counts)[:-1])
