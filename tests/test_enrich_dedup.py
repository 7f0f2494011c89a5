"""Near-duplicate detection (naql.enrich.dedup): measured on real text, and its behaviour.

The measured fixture (tests/fixtures/stories/corpus.py) has 190 originals -- 107 FLORES Wikinews
documents, 43 English article bodies of the extraction benchmark, 30 hand-written follow-ups of
ten FLORES stories and 10 hand-written articles on the same people or places as those stories --
plus 0-3 edited copies of each made by a seeded editor (reordered paragraphs, a new headline or
dateline line, boilerplate, the last 20-30% trimmed, minor word edits), in a shuffled arrival
order. Pairs are counted within true and predicted groups.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

# tests/ is on sys.path (conftest): the fixture generator imports as a namespace package.
from fixtures.stories import corpus  # noqa: E402

from naql.enrich.dedup import (
    CONTAINMENT_THRESHOLD,
    JACCARD_FLOOR,
    NUM_PERM,
    SHINGLE,
    Candidate,
    DuplicateIndex,
    Signature,
    choose_representative,
    signature,
)


def _pairs(groups: list[list[int]]) -> set[tuple[int, int]]:
    return {p for g in groups for p in itertools.combinations(sorted(g), 2)}


def test_precision_and_recall_on_edited_wire_copies() -> None:
    tp = predicted = true = 0
    copies = copies_placed = 0
    long_tp = long_true = 0
    negatives = corpus.dedup_negatives()
    merged_negatives: list[tuple[str, str, str]] = []
    for seed in (5, 6, 7):
        items = corpus.dedup_fixture(seed)
        num = {d.id: i for i, d in enumerate(items)}
        words = {d.id: len(d.text.split()) for d in items}
        index = DuplicateIndex()
        for d in items:
            index.add(num[d.id], signature(d.text))
        truth: dict[str, list[int]] = defaultdict(list)
        for d in items:
            truth[d.story].append(num[d.id])
        t, p = _pairs(list(truth.values())), _pairs(list(index.groups().values()))
        tp, predicted, true = tp + len(t & p), predicted + len(p), true + len(t)
        longs = {num[s] for s in truth if words[s] >= 100}
        long_pairs = {pair for pair in t if num[items[pair[0]].story] in longs}
        long_tp, long_true = long_tp + len(long_pairs & p), long_true + len(long_pairs)
        for d in items:
            if d.source == "copy":
                copies += 1
                copies_placed += index.group_of(num[d.id]) == index.group_of(num[d.story])
        merged_negatives += [
            (a, b, why)
            for a, b, why in negatives
            if index.group_of(num[a]) == index.group_of(num[b])
        ]
    precision, recall = tp / predicted, tp / true
    print(
        f"\ndedup (shingle={SHINGLE}, num_perm={NUM_PERM}, containment>={CONTAINMENT_THRESHOLD}, "
        f"jaccard>={JACCARD_FLOOR}), seeds 5-7: pairwise precision {precision:.4f} "
        f"({tp}/{predicted}), recall {recall:.4f} ({tp}/{true}); originals >= 100 words: recall "
        f"{long_tp / long_true:.4f} ({long_tp}/{long_true}); copies grouped with their original "
        f"{copies_placed}/{copies} ({copies_placed / copies:.4f}); known same-topic non-duplicate "
        f"pairs merged: {len(merged_negatives)} of {len(negatives)} x 3 seeds"
    )
    assert not merged_negatives
    assert precision >= 0.99
    assert recall >= 0.93
    assert long_tp / long_true >= 0.98
    assert copies_placed / copies >= 0.93


def _body(key: str) -> str:
    return next(d.text for d in corpus.web_docs() if d.id == f"web:{key}")


def test_trimmed_copy_with_boilerplate_and_new_headline_groups_with_its_original() -> None:
    original = _body("06e5123e")  # Reuters via VentureBeat: WeWork investigated
    paras = original.split("\n\n")
    copy = (
        ["NY attorney general probes WeWork over founder's deals | Metro Herald"]
        + paras[: int(len(paras) * 0.7)]
        + ["Read more: The stories you may have missed this week", "Advertisement"]
    )
    index = DuplicateIndex()
    index.add(1, signature(original))
    placement = index.add(2, signature(copy))
    assert placement.is_duplicate and placement.group == 1 and placement.duplicate_of == 1
    assert placement.matches[0].containment >= 0.9


def test_reordered_paragraphs_give_the_same_signature() -> None:
    paras = _body("1ace8c85").split("\n\n")
    shuffled = paras[:]
    random.Random(1).shuffle(shuffled)
    assert signature(paras) == signature(shuffled)
    assert signature(paras) == signature("\n\n".join(paras))


def test_different_stories_about_the_same_event_do_not_merge() -> None:
    # Two outlets' own WeWork stories (they share a quoted statement), and a FLORES story with a
    # hand-written follow-up that repeats one of its sentences word for word.
    pairs = [
        (_body("06e5123e"), _body("1ace8c85")),
        (_body("156770d6"), _body("3f65af7b")),
    ]
    docs = {d.id: d.text for d in corpus.originals()}
    pairs.append((docs["flores:Hurricane_Fred_churns_the_Atlantic"], docs["hw:fred-weakens"]))
    for a, b in pairs:
        index = DuplicateIndex()
        index.add(1, signature(a))
        assert not index.add(2, signature(b)).is_duplicate


def test_boilerplate_shared_across_groups_is_not_evidence() -> None:
    tip_line = "We want to hear from you. Email your story tips to our newsroom."
    flores = [d.paragraphs[0] for d in corpus.flores_docs()]  # first sentences
    short_a = flores[9] + "\n\n" + tip_line  # two short, unrelated stories from one outlet
    short_b = flores[81] + "\n\n" + tip_line
    alone = DuplicateIndex()
    alone.add(1, signature(short_a))
    assert alone.add(2, signature(short_b)).is_duplicate  # nothing learned yet: a false match

    learned = DuplicateIndex()
    for i, text in enumerate(flores[20:24]):  # the line appears under other stories first
        learned.add(100 + i, signature(text + "\n\n" + tip_line))
    learned.add(1, signature(short_a))
    assert not learned.add(2, signature(short_b)).is_duplicate
    assert learned.add(3, signature(short_a)).group == 1  # a true copy still matches


def test_rebuild_from_stored_signatures_gives_the_same_groups() -> None:
    items = corpus.dedup_fixture(11)[:150]
    stored = [(i, signature(d.text).to_bytes()) for i, d in enumerate(items)]
    live = DuplicateIndex()
    for i, blob in stored:
        live.add(i, Signature.from_bytes(blob))
    replayed = DuplicateIndex.from_signatures(stored)
    groups = {i: live.group_of(i) for i, _ in stored}
    restored = DuplicateIndex.from_signatures(stored, groups=groups)
    assert replayed.groups() == live.groups() == restored.groups()
    assert len(restored) == 150 and len(live.groups()) < 150
    # All three place the following articles alike.
    for i, d in enumerate(corpus.dedup_fixture(11)[150:200], start=150):
        sig = signature(d.text)
        assert live.add(i, sig) == replayed.add(i, sig) == restored.add(i, sig)


def test_signature_bytes_round_trip_and_checks() -> None:
    sig = signature(_body("1ace8c85"))
    blob = sig.to_bytes()
    assert Signature.from_bytes(blob) == sig
    assert len(blob) == 18 + 4 * NUM_PERM + 12 * len(sig.para_keys)
    assert sig.size > 100 and sig.jaccard(sig) == 1.0 and sig.containment(sig) == 1.0
    with pytest.raises(ValueError):
        Signature.from_bytes(blob[:-1])
    with pytest.raises(ValueError):
        Signature.from_bytes(b"not a signature at all")
    with pytest.raises(ValueError, match="does not match the index"):
        DuplicateIndex().add(1, signature("some text here", num_perm=64))


def test_index_operations() -> None:
    index = DuplicateIndex()
    empty = signature("")
    assert empty.size == 0
    assert index.add(1, empty).group == 1
    assert index.add(2, signature("\n\n")).group == 2  # empty texts never match each other
    text = _body("156770d6")
    first = index.add(3, signature(text))
    assert first.group == 3 and not first.is_duplicate
    assert [m.article_id for m in index.query(signature(text))] == [3]
    assert len(index) == 3  # query changes nothing
    assert index.add(4, signature(text)).matches[0].jaccard == 1.0
    assert index.members(3) == [3, 4] and index.group_of(4) == 3
    with pytest.raises(ValueError, match="already"):
        index.add(4, signature(text))
    index.remove(3)
    assert index.members(3) == [4] and 3 not in index
    assert [m.article_id for m in index.query(signature(text))] == [4]
    assert index.add(5, signature(text)).group == 3


def test_choose_representative() -> None:
    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    members = [
        Candidate(10, t0 + timedelta(minutes=5), 5000),
        Candidate(11, t0, 1200),
        Candidate(12, None, 9000),
        Candidate(13, t0, 3000),
    ]
    assert choose_representative(members) == 13  # earliest, then the longest body
    assert choose_representative(members, tie_window=timedelta(minutes=10)) == 10
    assert choose_representative([Candidate(12, None, 9000), Candidate(14, None, 10)]) == 12
    naive = Candidate(15, datetime(2024, 5, 1, 11, 0), 10)  # naive datetimes are taken as UTC
    assert choose_representative([*members, naive]) == 15
    with pytest.raises(ValueError):
        choose_representative([])


def test_band_table_merges_pending_inserts() -> None:
    from naql.enrich.dedup import _BandTable

    table = _BandTable(flush_at=8)
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 2**63, size=(50, 3), dtype=np.uint64)
    for row, k in enumerate(keys):
        table.insert(k, row)
    assert len(table) == 150
    for row, k in enumerate(keys):
        assert row in table.lookup(k).tolist()
    assert table.lookup(np.array([1], dtype=np.uint64)).size == 0
