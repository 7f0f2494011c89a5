"""Near-duplicate detection throughput: the dedup step when the index holds N articles.

    python bench/dedup_bench.py [--n 100000] [--num-perm 128] [--probe 2000] [--workers 2]
                                [--baseline-n 20000] [--no-baseline]

Synthetic English-like text (Zipf-distributed pseudo-words, 8-12 paragraphs of 20-40 words, about
300 words an article), generated from each article's number, so workers need no data passed in.

1. Signatures: computes the signatures of N articles (a process pool of --workers) and prints
   the rate per core (tokenising, 4-shingles, datasketch MinHash).
2. Index build: `DuplicateIndex.from_signatures` with stored groups (what start-up does), and
   the memory the index holds (tracemalloc, in a separate build).
3. The dedup step at N: --probe new articles, half of them edited copies of indexed ones (a
   trimmed, reordered copy with a new headline), each `signature` + `add` (which queries and
   verifies first); prints the median and 99th percentile of `add` and articles/s for the whole
   step, and checks that every copy found its original.
4. Baseline beside it: datasketch's own `MinHashLSH` with the same bands and rows holding
   --baseline-n of the same signatures (insert rate, query rate, memory by tracemalloc, scaled
   to N), and naql's `add` at the same size.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from naql.enrich.dedup import BANDS, ROWS, DuplicateIndex, Signature, signature  # noqa: E402

VOCAB = 40_000
T = TypeVar("T")


def _vocabulary() -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    lengths = rng.integers(2, 11, size=VOCAB)
    words = ["".join(rng.choice(letters, n)) for n in lengths]
    p = 1.0 / np.arange(1, VOCAB + 1) ** 1.05
    return words, np.cumsum(p / p.sum())


_WORDS, _CDF = _vocabulary()


def article(i: int) -> list[str]:
    rng = np.random.default_rng(1_000_003 * i + 17)
    paras = []
    for _ in range(rng.integers(8, 13)):
        ws = np.searchsorted(_CDF, rng.random(int(rng.integers(20, 41))) * _CDF[-1])
        paras.append(" ".join(_WORDS[w] for w in ws.tolist()) + ".")
    return paras


def edited_copy(i: int) -> list[str]:
    paras = article(i)
    keep = paras[: max(1, int(len(paras) * 0.75))]
    keep[0], keep[-1] = keep[-1], keep[0]
    return ["Breaking: a new headline | Metro Herald", *keep, "Sign up for our newsletter."]


def _signatures(args: tuple[int, int, int]) -> tuple[bytes, float]:
    start, stop, num_perm = args
    spent = 0.0
    blobs = []
    for i in range(start, stop):
        text = article(i)
        t = time.perf_counter()
        blobs.append(signature(text, num_perm=num_perm).to_bytes())
        spent += time.perf_counter() - t
    return b"".join(len(b).to_bytes(4, "little") + b for b in blobs), spent


def _split(blob: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(blob):
        n = int.from_bytes(blob[at : at + 4], "little")
        out.append(blob[at + 4 : at + 4 + n])
        at += 4 + n
    return out


def traced(build: Callable[[], T]) -> tuple[float, T]:
    """MiB still allocated after `build()` (tracemalloc; the result is kept alive meanwhile)."""
    gc.collect()
    tracemalloc.start()
    result = build()
    gc.collect()
    live = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    return live, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--probe", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baseline-n", type=int, default=20_000)
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    n, num_perm = args.n, args.num_perm
    bands, rows = (BANDS, ROWS) if num_perm >= BANDS * ROWS else (num_perm // ROWS, ROWS)
    options = {"num_perm": num_perm, "bands": bands, "rows": rows}
    print(f"dedup bench: N={n:,}, num_perm={num_perm}, bands={bands} x rows={rows}")

    # 1. signatures
    chunk = 2000
    jobs = [(s, min(n, s + chunk), num_perm) for s in range(0, n, chunk)]
    t = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(_signatures, jobs))
    wall = time.perf_counter() - t
    cpu = sum(r[1] for r in results)
    blobs = [b for r in results for b in _split(r[0])]
    print(
        f"signatures: {n:,} in {wall:.1f} s wall with {args.workers} workers; "
        f"{n / cpu:,.0f} articles/s per core ({1000 * cpu / n:.2f} ms each; ~300 words)"
    )

    # 2. index build, as at start-up (stored signatures and groups)
    sigs = [Signature.from_bytes(b) for b in blobs]
    groups = {i: i for i in range(n)}
    live, _ = traced(lambda: DuplicateIndex.from_signatures(enumerate(sigs), groups, **options))
    t = time.perf_counter()
    index = DuplicateIndex.from_signatures(enumerate(sigs), groups, **options)
    build = time.perf_counter() - t
    print(
        f"index build (from_signatures with stored groups): {build:.2f} s "
        f"({n / build:,.0f} articles/s); memory {live:.1f} MiB "
        f"(numpy arrays {index.nbytes / 2**20:.1f} MiB, {live * 2**20 / n:,.0f} bytes an article)"
    )

    # 3. the dedup step at N
    probe_ids = range(n, n + args.probe)
    texts = [edited_copy(int(i) % n) if j % 2 else article(int(i)) for j, i in enumerate(probe_ids)]
    sig_times, add_times, found = [], [], 0
    t_all = time.perf_counter()
    for j, (i, text) in enumerate(zip(probe_ids, texts, strict=True)):
        t0 = time.perf_counter()
        s = signature(text, num_perm=num_perm)
        t1 = time.perf_counter()
        placement = index.add(i, s)
        t2 = time.perf_counter()
        sig_times.append(t1 - t0)
        add_times.append(t2 - t1)
        if j % 2:
            found += placement.duplicate_of == i % n
        elif placement.is_duplicate:
            print(f"  unexpected duplicate: {placement}")
    total = time.perf_counter() - t_all
    q = np.quantile(add_times, [0.5, 0.99]) * 1000
    print(
        f"dedup step at N={n:,}: add (query + verify + insert) median {q[0]:.3f} ms, "
        f"p99 {q[1]:.3f} ms, {len(add_times) / sum(add_times):,.0f} articles/s; "
        f"with the signature: {len(add_times) / total:,.0f} articles/s "
        f"(signature median {1000 * statistics.median(sig_times):.2f} ms); "
        f"copies found {found}/{args.probe // 2}"
    )

    if args.no_baseline:
        return
    # 4. baseline: datasketch MinHashLSH, same bands and rows
    from datasketch import LeanMinHash, MinHashLSH

    bn = min(args.baseline_n, n)
    lean = [LeanMinHash(seed=1, hashvalues=s.hashvalues, scheme="affine32") for s in sigs[:bn]]
    del index

    def fill() -> MinHashLSH:
        lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
        for i, m in enumerate(lean):
            lsh.insert(i, m, check_duplication=False)
        return lsh

    grown_b, _ = traced(fill)
    t = time.perf_counter()
    lsh = fill()
    ins = time.perf_counter() - t
    t = time.perf_counter()
    for m in lean[:2000]:
        lsh.query(m)
    qrate = min(2000, bn) / (time.perf_counter() - t)
    mine = DuplicateIndex(**options)
    t = time.perf_counter()
    for i, s in enumerate(sigs[:bn]):
        mine.add(i, s)
    mine_add = time.perf_counter() - t
    print(
        f"baseline datasketch MinHashLSH at {bn:,}: insert {bn / ins:,.0f}/s, query "
        f"{qrate:,.0f}/s (no verification), memory {grown_b:.0f} MiB "
        f"(~{grown_b * n / bn:,.0f} MiB at {n:,}, band tables only); naql "
        f"DuplicateIndex.add at {bn:,} (query + verify + insert): {bn / mine_add:,.0f}/s; "
        f"memory at N, baseline / naql: {grown_b * n / bn / live:.1f}x"
    )


if __name__ == "__main__":
    main()
