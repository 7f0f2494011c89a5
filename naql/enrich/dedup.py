"""One story from many sources: near-duplicate detection with MinHash LSH over word shingles.

Wire copy republished by several outlets differs by a headline, a dateline, boilerplate ("Read
more: ..."), reordered or trimmed paragraphs and a few edited words. Each article body gets a
`Signature`: the MinHash (datasketch, "affine32" scheme) of its word 4-shingles, taken within
paragraphs (so reordering paragraphs changes nothing) after dropping boilerplate paragraphs, plus
the exact number of distinct shingles. A `DuplicateIndex` finds candidates with LSH banding and
verifies each one from the two signatures: the estimated Jaccard similarity J and, from J and the
two set sizes, the estimated overlap |A∩B| = J·(|A|+|B|)/(1+J). A trimmed copy is contained in
its original, so the test is on containment (overlap over the smaller set), with a floor on J.

Boilerplate that no pattern knows (an outlet's own "Email us your tips" line) is learned: a
signature also lists a fingerprint of each paragraph, and a paragraph that two articles share but
that already occurs in more than one group is not counted as evidence that they are one story (its
shingles are taken out of the overlap and the sizes before the test).

Groups never merge: a new article joins the group of its best verified match, or starts its own.
A group's id is the id of its first article. Everything a caller needs to persist is the signature
bytes (`Signature.to_bytes`) and each article's group; `DuplicateIndex.from_signatures` rebuilds the
index from them.

The band index is a sorted numpy array of 64-bit band keys (plus a small dict of recent inserts),
not datasketch's `MinHashLSH`, whose per-bucket Python sets take about 1.3 GB for 100,000 articles
at 42 bands; see `bench/dedup_bench.py`.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash  # type: ignore[import-untyped]

from .text import paragraphs, stable_hash32, strip_boilerplate, words

__all__ = [
    "Candidate",
    "DuplicateIndex",
    "Match",
    "Placement",
    "Signature",
    "choose_representative",
    "shingle_hashes",
    "signature",
]

#: Defaults (see the module docstring and the figures in tests/test_enrich_dedup.py).
NUM_PERM = 128
SHINGLE = 4
SEED = 1
BANDS, ROWS = 42, 3  # P(candidate) = 1-(1-J^3)^42: 0.29 at J=0.2, 0.68 at 0.3, 0.996 at 0.5
CONTAINMENT_THRESHOLD = 0.5
JACCARD_FLOOR = 0.2

_MAGIC = b"nqmh"
_VERSION = 1
_HEADER = struct.Struct("<4sBBHIIH")  # magic, version, shingle, num_perm, seed, size, paragraphs
_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
# Odd 64-bit multipliers: one per position in a shingle (up to 16 words) and one per band row.
_POS_MULT = np.array(
    [(0x9E3779B97F4A7C15 * (2 * i + 1)) & 0xFFFFFFFFFFFFFFFF for i in range(16)], dtype=_U64
)
_EMPTY32 = np.uint32(0xFFFFFFFF)
_MAX_PARAGRAPHS = 4096  # fingerprints kept per signature


@dataclass(frozen=True, eq=False)
class Signature:
    """MinHash of an article body's shingle set, the set's exact size, and one fingerprint (with
    its shingle count) per distinct paragraph.

    `hashvalues` is a read-only uint32 array of length `num_perm`; `para_keys` (uint64) and
    `para_sizes` (uint32) are parallel arrays. Two signatures are comparable only with the same
    `num_perm`, `seed` and `shingle`.
    """

    hashvalues: np.ndarray
    size: int
    seed: int = SEED
    shingle: int = SHINGLE
    para_keys: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=_U64))
    para_sizes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint32))

    @property
    def num_perm(self) -> int:
        return int(self.hashvalues.shape[0])

    def to_bytes(self) -> bytes:
        """Compact, versioned form for storage: an 18-byte header, 4 bytes per permutation and
        12 bytes per paragraph."""
        header = _HEADER.pack(
            _MAGIC, _VERSION, self.shingle, self.num_perm, self.seed, self.size, len(self.para_keys)
        )
        return b"".join(
            [
                header,
                self.hashvalues.astype("<u4").tobytes(),
                self.para_keys.astype("<u8").tobytes(),
                self.para_sizes.astype("<u4").tobytes(),
            ]
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """The inverse of `to_bytes`; ValueError on anything else."""
        if len(data) < _HEADER.size:
            raise ValueError(f"signature too short: {len(data)} bytes")
        magic, version, shingle, num_perm, seed, size, n_paras = _HEADER.unpack_from(data)
        if magic != _MAGIC or version != _VERSION:
            raise ValueError(
                f"not a version-{_VERSION} naql signature (magic {magic!r}, v{version})"
            )
        if len(data) != _HEADER.size + 4 * num_perm + 12 * n_paras:
            raise ValueError(
                f"signature of {num_perm} permutations and {n_paras} paragraphs "
                f"has {len(data)} bytes"
            )
        at = _HEADER.size
        values = np.frombuffer(data, dtype="<u4", count=num_perm, offset=at).astype(np.uint32)
        at += 4 * num_perm
        keys = np.frombuffer(data, dtype="<u8", count=n_paras, offset=at).astype(_U64)
        at += 8 * n_paras
        sizes = np.frombuffer(data, dtype="<u4", count=n_paras, offset=at).astype(np.uint32)
        for a in (values, keys, sizes):
            a.setflags(write=False)
        return cls(values, size, seed, shingle, keys, sizes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signature):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets (0.0 if either is empty)."""
        _check_compatible(self, other)
        if not self.size or not other.size:
            return 0.0
        return float(np.mean(self.hashvalues == other.hashvalues))

    def containment(self, other: Signature) -> float:
        """Estimated share of the smaller shingle set that is in the other one."""
        return _containment(self.jaccard(other), self.size, other.size)


def _check_compatible(a: Signature, b: Signature) -> None:
    if (a.num_perm, a.seed, a.shingle) != (b.num_perm, b.seed, b.shingle):
        raise ValueError(
            "signatures are not comparable: "
            f"(num_perm, seed, shingle) {(a.num_perm, a.seed, a.shingle)} "
            f"!= {(b.num_perm, b.seed, b.shingle)}"
        )


def _containment(jaccard: float, size_a: int, size_b: int) -> float:
    smaller = min(size_a, size_b)
    if smaller <= 0 or jaccard <= 0:
        return 0.0
    overlap = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, overlap / smaller)


# --- signatures -----------------------------------------------------------------------------

_token_cache: dict[str, int] = {}


def _token_hash(word: str) -> int:
    h = _token_cache.get(word)
    if h is None:
        if len(_token_cache) > 500_000:
            _token_cache.clear()
        h = _token_cache[word] = stable_hash32(word)
    return h


def _paragraph_key(ws: list[str]) -> int:
    digest = hashlib.blake2b(" ".join(ws).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _shingles(text: str | Sequence[str], shingle: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct shingle hashes, paragraph keys, shingles per paragraph) of `text`."""
    if not 1 <= shingle <= len(_POS_MULT) - 1:
        raise ValueError(f"shingle must be 1..{len(_POS_MULT) - 1} words, got {shingle}")
    tokens: list[int] = []
    para_ids: list[int] = []
    short: list[int] = []
    keys: dict[int, int] = {}
    for i, para in enumerate(strip_boilerplate(paragraphs(text))):
        ws = words(para)
        if not ws:
            continue
        keys.setdefault(_paragraph_key(ws), max(1, len(ws) - shingle + 1))
        hs = [_token_hash(w) for w in ws]
        if len(hs) < shingle:
            mult = _POS_MULT[: len(hs)]
            short.append(int(np.bitwise_xor.reduce(np.array(hs, dtype=_U64) * mult)))
            continue
        tokens.extend(hs)
        para_ids.extend([i] * len(hs))
    parts = []
    if tokens:
        t = np.array(tokens, dtype=_U64)
        p = np.array(para_ids, dtype=np.int32)
        n = len(t) - shingle + 1
        acc = np.zeros(n, dtype=_U64)
        for j in range(shingle):
            acc += t[j : j + n] * _POS_MULT[j]
        parts.append(acc[p[:n] == p[shingle - 1 : shingle - 1 + n]])
    if short:
        parts.append(np.array(short, dtype=_U64) * _POS_MULT[-1])
    ordered = sorted(keys.items())[:_MAX_PARAGRAPHS]  # paragraph order does not matter
    para_keys = np.array([k for k, _ in ordered], dtype=_U64)
    para_sizes = np.array([n for _, n in ordered], dtype=np.uint32)
    if not parts:
        return np.empty(0, dtype=np.uint32), para_keys, para_sizes
    h = np.concatenate(parts)
    h ^= h >> _U64(31)
    h *= _U64(0xBF58476D1CE4E5B9)
    h ^= h >> _U64(32)
    return np.unique((h & _MASK32).astype(np.uint32)), para_keys, para_sizes


def shingle_hashes(text: str | Sequence[str], *, shingle: int = SHINGLE) -> np.ndarray:
    """The distinct 32-bit hashes of the word `shingle`-grams of `text`, taken within paragraphs,
    boilerplate paragraphs dropped. A paragraph shorter than `shingle` words is one shingle."""
    return _shingles(text, shingle)[0]


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> np.ndarray:
    perms: np.ndarray = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return perms


def _identity(x: Any) -> Any:
    return x


def signature(
    text: str | Sequence[str], *, num_perm: int = NUM_PERM, shingle: int = SHINGLE, seed: int = SEED
) -> Signature:
    """The `Signature` of an article body: a string (paragraphs separated by blank lines, or one
    per line) or a list of paragraphs. Pass the body only, without the headline."""
    hashes, para_keys, para_sizes = _shingles(text, shingle)
    if not len(hashes):
        values = np.full(num_perm, _EMPTY32, dtype=np.uint32)
    else:
        m = MinHash(
            num_perm=num_perm,
            seed=seed,
            hashfunc=_identity,
            permutations=_permutations(num_perm, seed),
            scheme="affine32",
        )
        m.update_batch(hashes.tolist())
        values = np.asarray(m.hashvalues, dtype=np.uint32)
    for a in (values, para_keys, para_sizes):
        a.setflags(write=False)
    return Signature(values, int(len(hashes)), seed, shingle, para_keys, para_sizes)


# --- the band index -------------------------------------------------------------------------


def _band_keys(values: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """64-bit keys of the `bands` bands of each row of `values` (shape (n, num_perm) or
    (num_perm,)), the band number mixed in so one sorted array can hold every band."""
    v = np.atleast_2d(values)[:, : bands * rows].astype(_U64).reshape(-1, bands, rows)
    key = np.zeros(v.shape[:2], dtype=_U64)
    for j in range(rows):
        key = (key ^ v[:, :, j]) * _POS_MULT[j + 1]
        key ^= key >> _U64(29)
    key ^= np.arange(bands, dtype=_U64) * _POS_MULT[0]
    key *= _U64(0x94D049BB133111EB)
    key ^= key >> _U64(31)
    return key


class _BandTable:
    """Multimap band key -> row: a sorted array, plus a dict of recent inserts merged in batches."""

    def __init__(self, flush_at: int = 1 << 16) -> None:
        self._keys = np.empty(0, dtype=_U64)
        self._rows = np.empty(0, dtype=np.int32)
        self._pending: dict[int, list[int]] = {}
        self._pending_n = 0
        self._flush_at = flush_at

    def __len__(self) -> int:
        return len(self._keys) + self._pending_n

    @property
    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._rows.nbytes)

    def insert(self, keys: np.ndarray, row: int) -> None:
        for k in keys.tolist():
            self._pending.setdefault(k, []).append(row)
        self._pending_n += len(keys)
        if self._pending_n >= self._flush_at:
            self.flush()

    def bulk_insert(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Insert `keys` (n, bands) for `rows` (n,) at once (one sort)."""
        self.flush()
        flat_rows = np.repeat(rows.astype(np.int32), keys.shape[1])
        self._merge(keys.reshape(-1), flat_rows)

    def flush(self) -> None:
        if not self._pending_n:
            return
        ks = np.fromiter(
            (k for k, rs in self._pending.items() for _ in rs), dtype=_U64, count=self._pending_n
        )
        rs = np.fromiter(
            (r for rows in self._pending.values() for r in rows),
            dtype=np.int32,
            count=self._pending_n,
        )
        self._pending.clear()
        self._pending_n = 0
        self._merge(ks, rs)

    def _merge(self, keys: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        keys, rows = keys[order], rows[order]
        at = np.searchsorted(self._keys, keys, side="right")
        self._keys = np.insert(self._keys, at, keys)
        self._rows = np.insert(self._rows, at, rows)

    def lookup_each(self, keys: np.ndarray) -> list[np.ndarray]:
        """For each of `keys`, the rows stored under it."""
        lo = np.searchsorted(self._keys, keys, side="left")
        hi = np.searchsorted(self._keys, keys, side="right")
        out = []
        for k, a, b in zip(keys.tolist(), lo.tolist(), hi.tolist(), strict=True):
            rows = self._rows[a:b]
            pending = self._pending.get(k)
            if pending:
                rows = np.concatenate([rows, np.array(pending, dtype=np.int32)])
            out.append(rows)
        return out

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Rows sharing at least one of `keys` (with repeats)."""
        lo = np.searchsorted(self._keys, keys, side="left")
        hi = np.searchsorted(self._keys, keys, side="right")
        hits = [self._rows[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        if self._pending:
            for k in keys.tolist():
                rs = self._pending.get(k)
                if rs:
                    hits.append(np.array(rs, dtype=np.int32))
        if not hits:
            return np.empty(0, dtype=np.int32)
        return np.concatenate(hits)


# --- the index ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """An indexed article that a signature duplicates, with the evidence."""

    article_id: int
    jaccard: float
    containment: float


@dataclass(frozen=True)
class Placement:
    """Where `DuplicateIndex.add` put an article: its group, and the verified matches (best
    first; empty when the article starts a new group)."""

    article_id: int
    group: int
    matches: tuple[Match, ...] = ()

    @property
    def is_duplicate(self) -> bool:
        return bool(self.matches)

    @property
    def duplicate_of(self) -> int | None:
        return self.matches[0].article_id if self.matches else None


class DuplicateIndex:
    """Near-duplicate groups over article signatures, built incrementally.

    `add` places each new article in the group of its best verified match (highest containment,
    then Jaccard) or in a new group named by its own id; groups never merge. A candidate from the
    LSH bands is a match when, after discounting the paragraphs it shares with the new article
    that also occur in other groups (learned boilerplate), containment >= `containment_threshold`
    and Jaccard >= `jaccard_floor`.
    """

    def __init__(
        self,
        *,
        num_perm: int = NUM_PERM,
        bands: int = BANDS,
        rows: int = ROWS,
        seed: int = SEED,
        shingle: int = SHINGLE,
        containment_threshold: float = CONTAINMENT_THRESHOLD,
        jaccard_floor: float = JACCARD_FLOOR,
    ) -> None:
        if bands * rows > num_perm:
            raise ValueError(f"bands x rows ({bands} x {rows}) exceeds num_perm ({num_perm})")
        if not 0.0 < containment_threshold <= 1.0 or not 0.0 <= jaccard_floor <= 1.0:
            raise ValueError(
                f"thresholds must lie in (0, 1]: containment_threshold={containment_threshold}, "
                f"jaccard_floor={jaccard_floor}"
            )
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.seed, self.shingle = seed, shingle
        self.containment_threshold = containment_threshold
        self.jaccard_floor = jaccard_floor
        cap = 1024
        self._sigs = np.empty((cap, num_perm), dtype=np.uint32)
        self._sizes = np.zeros(cap, dtype=np.int64)
        self._groups = np.zeros(cap, dtype=np.int64)  # row -> group id
        self._alive = np.zeros(cap, dtype=bool)
        self._n = 0
        self._ids: list[int] = []  # row -> article id
        self._row: dict[int, int] = {}  # article id -> row (alive articles only)
        self._members: dict[int, list[int]] = {}
        self._bands = _BandTable()
        self._paras = _BandTable()

    # -- construction and state

    @classmethod
    def from_signatures(
        cls,
        items: Iterable[tuple[int, Signature | bytes]],
        groups: Mapping[int, int] | None = None,
        **options: Any,
    ) -> DuplicateIndex:
        """Rebuild an index from stored `(article_id, signature)` pairs, in the order they were
        first added. With `groups` (article id -> stored group id) those groups are restored as
        they are, without queries; articles missing from `groups` are then placed by `add`.
        Without `groups`, replaying the same items in the same order gives the same groups."""
        index = cls(**options)
        if groups is None:
            for article_id, sig in items:
                index.add(article_id, sig)
            return index
        later: list[tuple[int, Signature | bytes]] = []
        restored: list[tuple[int, Signature]] = []
        for article_id, sig in items:
            if article_id not in groups:
                later.append((article_id, sig))
                continue
            s = index._coerce(sig)
            if article_id in index._row:
                raise ValueError(f"article {article_id} is listed twice")
            row = index._store(article_id, s, groups[article_id])
            restored.append((row, s))
        with_shingles = np.array([r for r, s in restored if s.size], dtype=np.int32)
        if len(with_shingles):
            keys = _band_keys(index._sigs[with_shingles], index.bands, index.rows)
            index._bands.bulk_insert(keys, with_shingles)
        para_rows = [np.full(len(s.para_keys), r, dtype=np.int32) for r, s in restored]
        if para_rows:
            para_keys = np.concatenate([s.para_keys for _, s in restored])
            index._paras.bulk_insert(para_keys.reshape(-1, 1), np.concatenate(para_rows))
        for article_id, sig in later:
            index.add(article_id, sig)
        return index

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row

    @property
    def nbytes(self) -> int:
        """Memory held in numpy arrays (signatures, band and paragraph tables), in bytes."""
        n = self._n
        arrays = self._sigs[:n].nbytes + self._sizes[:n].nbytes + self._groups[:n].nbytes
        return int(arrays + self._bands.nbytes + self._paras.nbytes)

    def signature_of(self, article_id: int) -> Signature:
        """The stored MinHash and size of an article (without its paragraph fingerprints)."""
        row = self._row[article_id]
        values = self._sigs[row].copy()
        values.setflags(write=False)
        return Signature(values, int(self._sizes[row]), self.seed, self.shingle)

    def group_of(self, article_id: int) -> int:
        return int(self._groups[self._row[article_id]])

    def members(self, group: int) -> list[int]:
        """Articles of `group` in the order they were added."""
        return list(self._members.get(group, ()))

    def groups(self) -> dict[int, list[int]]:
        """Every group id -> its articles (single-article groups included)."""
        return {g: list(m) for g, m in self._members.items() if m}

    # -- the operations

    def query(self, sig: Signature | bytes) -> list[Match]:
        """Indexed articles that `sig` duplicates, best first (the index is not changed)."""
        return self._verify(self._coerce(sig))

    def add(self, article_id: int, sig: Signature | bytes) -> Placement:
        """Index an article and place it in a group; ValueError if the id is already indexed."""
        if article_id in self._row:
            raise ValueError(f"article {article_id} is already in the duplicate index")
        s = self._coerce(sig)
        matches = self._verify(s)
        group = self.group_of(matches[0].article_id) if matches else article_id
        row = self._store(article_id, s, group)
        if s.size:
            self._bands.insert(_band_keys(s.hashvalues, self.bands, self.rows)[0], row)
        if len(s.para_keys):
            self._paras.insert(s.para_keys, row)
        return Placement(article_id, group, tuple(matches))

    def remove(self, article_id: int) -> None:
        """Forget an article (its group keeps its id and other members). KeyError if unknown."""
        row = self._row.pop(article_id)
        self._alive[row] = False
        group = int(self._groups[row])
        self._members[group].remove(article_id)
        if not self._members[group]:
            del self._members[group]

    # -- internals

    def _coerce(self, sig: Signature | bytes) -> Signature:
        s = Signature.from_bytes(sig) if isinstance(sig, bytes | bytearray | memoryview) else sig
        expected = (self.num_perm, self.seed, self.shingle)
        if (s.num_perm, s.seed, s.shingle) != expected:
            raise ValueError(
                f"signature (num_perm, seed, shingle) {(s.num_perm, s.seed, s.shingle)} does not "
                f"match the index {expected}"
            )
        return s

    def _store(self, article_id: int, s: Signature, group: int) -> int:
        row = self._n
        if row == len(self._sizes):
            cap = 2 * row
            self._sigs = np.resize(self._sigs, (cap, self.num_perm))
            self._sizes = np.resize(self._sizes, cap)
            self._groups = np.resize(self._groups, cap)
            alive = np.zeros(cap, dtype=bool)
            alive[:row] = self._alive[:row]
            self._alive = alive
        self._sigs[row] = s.hashvalues
        self._sizes[row] = s.size
        self._groups[row] = group
        self._alive[row] = True
        self._n += 1
        self._ids.append(article_id)
        self._row[article_id] = row
        self._members.setdefault(group, []).append(article_id)
        return row

    def _shared_boilerplate(self, s: Signature, rows: np.ndarray) -> np.ndarray:
        """Per candidate row: shingles of the paragraphs it shares with `s` that also occur in
        another group."""
        discount = np.zeros(len(rows), dtype=np.float64)
        if not len(s.para_keys):
            return discount
        for holders, n in zip(
            self._paras.lookup_each(s.para_keys), s.para_sizes.tolist(), strict=True
        ):
            if len(holders) < 2:
                continue
            holders = holders[self._alive[holders]]
            if len(np.unique(self._groups[holders[:256]])) < 2:
                continue
            discount[np.isin(rows, holders)] += n
        return discount

    def _verify(self, s: Signature) -> list[Match]:
        if not s.size or not self._row:
            return []
        rows = self._bands.lookup(_band_keys(s.hashvalues, self.bands, self.rows)[0])
        if not len(rows):
            return []
        rows = np.unique(rows)
        rows = rows[self._alive[rows]]
        if not len(rows):
            return []
        jac = np.mean(self._sigs[rows] == s.hashvalues, axis=1)
        size_q = np.full(len(rows), float(s.size))
        size_c = self._sizes[rows].astype(np.float64)
        overlap = jac * (size_c + size_q) / (1.0 + jac)
        d = self._shared_boilerplate(s, rows)
        if d.any():
            overlap = np.maximum(0.0, overlap - d)
            size_q, size_c = np.maximum(1.0, size_q - d), np.maximum(1.0, size_c - d)
            jac = overlap / np.maximum(1.0, size_q + size_c - overlap)
        cont = np.minimum(1.0, overlap / np.maximum(1.0, np.minimum(size_c, size_q)))
        ok = (cont >= self.containment_threshold) & (jac >= self.jaccard_floor)
        found = [
            Match(self._ids[r], round(float(j), 4), round(float(c), 4))
            for r, j, c in zip(rows[ok].tolist(), jac[ok].tolist(), cont[ok].tolist(), strict=True)
        ]
        found.sort(key=lambda m: (-m.containment, -m.jaccard, self._row[m.article_id]))
        return found


# --- the group's representative -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """What choosing a group's representative looks at: when the article was published and how
    much body text was extracted (a proxy for the best extraction)."""

    article_id: int
    published: datetime | None
    body_chars: int


def _timestamp(when: datetime | None) -> float:
    if when is None:
        return float("inf")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def choose_representative(
    members: Iterable[Candidate], *, tie_window: timedelta = timedelta(0)
) -> int:
    """The article a group publishes: the earliest published; among those published within
    `tie_window` of the earliest, the longest body; then the smallest id. Articles without a
    date come last. ValueError on an empty group."""
    ms = list(members)
    if not ms:
        raise ValueError("cannot choose a representative of an empty group")
    first = min(_timestamp(m.published) for m in ms)
    window = tie_window.total_seconds()
    early = [m for m in ms if _timestamp(m.published) <= first + window]
    best = min(early, key=lambda m: (-m.body_chars, _timestamp(m.published), m.article_id))
    return best.article_id
