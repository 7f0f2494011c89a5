"""Related articles ("read also"): the N most related published articles, kept up to date as
articles arrive.

Two articles' similarity is `text_weight` x the TF-IDF cosine of their texts plus `entity_weight`
x the Jaccard index of their entity sets (people, places, organisations from the tags component);
a pair is related only when that similarity reaches `min_similarity`. The score that ranks related
articles multiplies it by a recency weight, 0.5 ** (|Δt| / half_life), Δt being the time between
the two articles' publication. The score is symmetric, so when an article arrives the only lists
that can change are those of the articles it scores against: `add` updates them and returns their
ids (the pages to re-render).

TF-IDF is incremental: terms are hashed to 32-bit ids (stable across processes), each article
keeps its term counts, postings lists give the dot products of a new article with every indexed
one, and the document frequencies are a running table. Norms follow the current IDF: they are
recomputed whenever the index has grown by 10% since the last time (and on load), so nothing is
ever refitted per article.

State to persist: one `RelatedRecord` per article (`record(article_id)`: term counts as bytes,
entities, publication time, its current related list). `RelatedIndex.from_records` rebuilds the
index from them without recomputing any list.
"""

from __future__ import annotations

import bisect
import struct
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from .text import content_terms, stable_hash32

__all__ = ["RelatedIndex", "RelatedRecord"]

_TERMS_VERSION = 1
_MIN_DOCS_FOR_MAX_DF = 100
_TERMS_HEADER = struct.Struct("<BI")  # version, number of terms


@dataclass(frozen=True)
class RelatedRecord:
    """One article's persisted related-articles state.

    `terms`: the article's term counts (`RelatedIndex` packing: version byte, count, uint32 term
    ids, uint16 counts); `entities`: its normalised entity names; `related`: its current list,
    best first, as (article id, score).
    """

    article_id: int
    terms: bytes
    entities: tuple[str, ...]
    published: datetime
    related: tuple[tuple[int, float], ...] = ()


def pack_terms(ids: np.ndarray, counts: np.ndarray) -> bytes:
    return b"".join(
        [
            _TERMS_HEADER.pack(_TERMS_VERSION, len(ids)),
            ids.astype("<u4").tobytes(),
            np.minimum(counts, 0xFFFF).astype("<u2").tobytes(),
        ]
    )


def unpack_terms(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    version, n = _TERMS_HEADER.unpack_from(data)
    if version != _TERMS_VERSION or len(data) != _TERMS_HEADER.size + 6 * n:
        raise ValueError(f"not a version-{_TERMS_VERSION} term vector ({len(data)} bytes)")
    ids = np.frombuffer(data, dtype="<u4", count=n, offset=_TERMS_HEADER.size).astype(np.uint32)
    counts = np.frombuffer(data, dtype="<u2", count=n, offset=_TERMS_HEADER.size + 4 * n)
    return ids, counts.astype(np.uint16)


def term_counts(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted term ids, counts) of `text` (see `naql.enrich.text.content_terms`)."""
    counts = Counter(stable_hash32(t) for t in content_terms(text))
    ids = np.array(sorted(counts), dtype=np.uint32)
    return ids, np.array([counts[i] for i in ids.tolist()], dtype=np.uint16)


def normalize_entity(name: str) -> str:
    return " ".join(name.casefold().split())


def _timestamp(when: datetime) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


class _Postings:
    __slots__ = ("rows", "tf")

    def __init__(self) -> None:
        self.rows = array("i")
        self.tf = array("f")


class RelatedIndex:
    """Incremental related-articles index over published articles (see the module docstring).

    `keep` related articles are maintained per article (`related(n)` serves any n <= keep).
    `half_life=None` turns the recency weight off. Terms in more than `max_df` of the articles
    are ignored (from 100 articles on).
    """

    def __init__(
        self,
        *,
        keep: int = 10,
        half_life: timedelta | None = timedelta(days=7),
        text_weight: float = 0.6,
        entity_weight: float = 0.4,
        min_similarity: float = 0.08,
        max_df: float = 0.1,
    ) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, got {keep}")
        if text_weight < 0 or entity_weight < 0 or text_weight + entity_weight <= 0:
            raise ValueError(
                f"weights must be >= 0 and not both 0: text_weight={text_weight}, "
                f"entity_weight={entity_weight}"
            )
        if half_life is not None and half_life <= timedelta(0):
            raise ValueError(f"half_life must be positive or None, got {half_life}")
        total = text_weight + entity_weight
        self.keep = keep
        self.half_life = half_life
        self.text_weight, self.entity_weight = text_weight / total, entity_weight / total
        self.min_similarity = min_similarity
        self.max_df = max_df
        self._ids: list[int] = []  # row -> article id
        self._row: dict[int, int] = {}
        self._terms: list[np.ndarray] = []  # row -> term ids
        self._counts: list[np.ndarray] = []  # row -> counts
        self._entities: list[frozenset[str]] = []
        self._time = np.zeros(0, dtype=np.float64)
        self._norm = np.zeros(0, dtype=np.float64)
        self._alive = np.zeros(0, dtype=bool)
        self._top: list[list[tuple[float, int]]] = []  # row -> [(-score, row)], best first
        self._postings: dict[int, _Postings] = {}
        self._df: Counter[int] = Counter()
        self._by_entity: dict[str, set[int]] = {}
        self._n_alive = 0
        self._norms_at = 0  # articles indexed when norms were last recomputed

    # -- state

    def __len__(self) -> int:
        return self._n_alive

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row

    def record(self, article_id: int) -> RelatedRecord:
        """What to persist for `article_id` (after `add`, and for each id `add` returns)."""
        row = self._row[article_id]
        return RelatedRecord(
            article_id,
            pack_terms(self._terms[row], self._counts[row]),
            tuple(sorted(self._entities[row])),
            datetime.fromtimestamp(float(self._time[row]), UTC),
            tuple(self.related(article_id, self.keep)),
        )

    def records(self) -> list[RelatedRecord]:
        """Every article's record, in the order they were added."""
        return [self.record(i) for i in self._ids if i in self._row]

    @classmethod
    def from_records(cls, records: Iterable[RelatedRecord], **options: object) -> RelatedIndex:
        """Rebuild from stored records. Their related lists are restored as stored (entries
        naming articles not among the records are dropped); nothing is recomputed."""
        index = cls(**options)  # type: ignore[arg-type]
        recs = list(records)
        for r in recs:
            ids, counts = unpack_terms(r.terms)
            index._append(r.article_id, ids, counts, frozenset(r.entities), r.published)
        index._refresh_norms()
        for r in recs:
            row = index._row[r.article_id]
            index._top[row] = [
                (-float(score), index._row[other])
                for other, score in r.related[: index.keep]
                if other in index._row and other != r.article_id
            ]
            index._top[row].sort()
        return index

    # -- the operations

    def related(self, article_id: int, n: int = 5) -> list[tuple[int, float]]:
        """The `n` (at most `keep`) most related articles of `article_id`, best first, as
        (article id, score). KeyError if the article is not indexed."""
        row = self._row[article_id]
        return [(self._ids[r], round(-neg, 6)) for neg, r in self._top[row][:n]]

    def add(
        self, article_id: int, text: str, entities: Iterable[str], published: datetime
    ) -> set[int]:
        """Index a published article (`text`: headline and body) and compute its related list.
        Returns the ids of already indexed articles whose related lists changed."""
        if article_id in self._row:
            raise ValueError(f"article {article_id} is already in the related index")
        ids, counts = term_counts(text)
        ents = frozenset(normalize_entity(e) for e in entities if e.strip())
        row = self._append(article_id, ids, counts, ents, published)
        if self._n_alive >= 1.1 * self._norms_at:
            self._refresh_norms()
        scores = self._scores(row)
        self._top[row] = [(-score, other) for other, score in scores[: self.keep]]
        changed = set()
        for other, score in scores:
            if self._offer(other, row, score):
                changed.add(self._ids[other])
        return changed

    def remove(self, article_id: int) -> set[int]:
        """Forget an article (unpublished, or no longer its group's representative). Returns the
        ids of the articles whose lists named it; their lists are recomputed."""
        row = self._row.pop(article_id)
        self._alive[row] = False
        self._n_alive -= 1
        for t in self._terms[row].tolist():
            self._df[t] -= 1
            if self._df[t] <= 0:
                del self._df[t]
        for e in self._entities[row]:
            self._by_entity[e].discard(row)
        self._top[row] = []
        changed = set()
        for other in np.flatnonzero(self._alive).tolist():
            if any(r == row for _, r in self._top[other]):
                self._top[other] = [(-s, r) for r, s in self._scores(other)[: self.keep]]
                self._top[other].sort()
                changed.add(self._ids[other])
        return changed

    # -- internals

    def _append(
        self,
        article_id: int,
        ids: np.ndarray,
        counts: np.ndarray,
        entities: frozenset[str],
        published: datetime,
    ) -> int:
        row = len(self._ids)
        self._ids.append(article_id)
        self._row[article_id] = row
        self._terms.append(ids)
        self._counts.append(counts)
        self._entities.append(entities)
        self._top.append([])
        if row == len(self._time):
            cap = max(64, 2 * row)
            self._time = np.resize(self._time, cap)
            self._norm = np.resize(self._norm, cap)
            alive = np.zeros(cap, dtype=bool)
            alive[:row] = self._alive[:row]
            self._alive = alive
        self._time[row] = _timestamp(published)
        self._alive[row] = True
        self._n_alive += 1
        tf = 1.0 + np.log(counts.astype(np.float64))
        for t, w in zip(ids.tolist(), tf.tolist(), strict=True):
            p = self._postings.get(t)
            if p is None:
                p = self._postings[t] = _Postings()
            p.rows.append(row)
            p.tf.append(w)
            self._df[t] += 1
        for e in entities:
            self._by_entity.setdefault(e, set()).add(row)
        self._norm[row] = self._vector_norm(row)
        return row

    def _idf(self, ids: np.ndarray) -> np.ndarray:
        """Smoothed IDF; 0 for terms in more than `max_df` of the articles (once there are
        `_MIN_DOCS_FOR_MAX_DF`): they say little and their postings are the longest."""
        n = self._n_alive
        df = np.array([self._df.get(t, 0) for t in ids.tolist()], dtype=np.float64)
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        if n >= _MIN_DOCS_FOR_MAX_DF:
            idf[df > self.max_df * n] = 0.0
        return idf

    def _vector_norm(self, row: int) -> float:
        tf = 1.0 + np.log(self._counts[row].astype(np.float64))
        return float(np.sqrt(np.sum((tf * self._idf(self._terms[row])) ** 2)))

    def _refresh_norms(self) -> None:
        for row in np.flatnonzero(self._alive[: len(self._ids)]).tolist():
            self._norm[row] = self._vector_norm(row)
        self._norms_at = self._n_alive

    def _scores(self, row: int) -> list[tuple[int, float]]:
        """(other row, score) of every alive article related to `row`, best first."""
        n_rows = len(self._ids)
        ids = self._terms[row]
        dots: np.ndarray = np.zeros(n_rows, dtype=np.float64)
        if len(ids) and self.text_weight > 0:
            idf = self._idf(ids)
            q = (1.0 + np.log(self._counts[row].astype(np.float64))) * idf * idf
            rows_parts, vals_parts = [], []
            for t, w in zip(ids.tolist(), q.tolist(), strict=True):
                if w == 0.0:
                    continue
                p = self._postings[t]
                rows_parts.append(np.frombuffer(p.rows, dtype=np.int32))
                vals_parts.append(np.frombuffer(p.tf, dtype=np.float32) * w)
            if rows_parts:
                dots = np.bincount(
                    np.concatenate(rows_parts),
                    weights=np.concatenate(vals_parts),
                    minlength=n_rows,
                )
        cand = set(np.flatnonzero(dots).tolist())
        shared: Counter[int] = Counter()
        ents = self._entities[row]
        if ents and self.entity_weight > 0:
            for e in ents:
                shared.update(self._by_entity.get(e, ()))
            cand.update(shared)
        cand.discard(row)
        if not cand:
            return []
        rows = np.fromiter(cand, dtype=np.int64, count=len(cand))
        rows = rows[self._alive[rows]]
        norm = self._norm[row] * self._norm[rows]
        cos = np.minimum(1.0, np.divide(dots[rows], norm, out=np.zeros(len(rows)), where=norm > 0))
        jac = np.zeros(len(rows))
        if shared:
            n_ent = np.array([len(self._entities[r]) for r in rows.tolist()], dtype=np.float64)
            inter = np.array([shared.get(r, 0) for r in rows.tolist()], dtype=np.float64)
            union = len(ents) + n_ent - inter
            jac = np.divide(inter, union, out=np.zeros(len(rows)), where=union > 0)
        sim = self.text_weight * cos + self.entity_weight * jac
        ok = sim >= self.min_similarity
        rows, sim = rows[ok], sim[ok]
        if self.half_life is not None:
            dt = np.abs(self._time[rows] - self._time[row])
            sim = sim * np.power(0.5, dt / self.half_life.total_seconds())
        order = np.lexsort((rows, -sim))
        return [(int(r), float(s)) for r, s in zip(rows[order], sim[order], strict=True)]

    def _offer(self, row: int, other: int, score: float) -> bool:
        """Put `other` in `row`'s list if it ranks among the best `keep`; True if it did."""
        top = self._top[row]
        entry = (-score, other)
        if len(top) >= self.keep and entry >= top[-1]:
            return False
        bisect.insort(top, entry)
        del top[self.keep :]
        return True
