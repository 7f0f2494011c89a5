"""Quality gate for the Extract stage: article-body F1 on 50 real pages.

The pages and ground truth are the dev sample of the scrapinghub article-extraction-benchmark
(../shared/data/extraction-dev). The metric is that benchmark's, reproduced exactly from its
evaluate.py (github.com/scrapinghub/article-extraction-benchmark, evaluate.py at commit
11b407d43934becc20873bb3dcd5e3d2591746d3: string_shingle_matching, _all_shingles, _ngrams,
_tokenize, precision_score, recall_score, metrics_from_tp_fp_fns):

* tokens are ``re.findall(r'\\w+', text)`` (case is kept: IGNORECASE does not lowercase matches);
* shingles are the 4-token windows, counted as a multiset; a text of fewer than 4 tokens has
  one shorter shingle, an empty text none;
* per page, TP/FP/FN are the multiset overlaps, normalised to sum to 1 (when non-zero);
* precision is averaged over the pages with TP + FP > 0 (an empty prediction is left out of
  precision but scores recall 0), recall over the pages with TP + FN > 0;
* F1 is the harmonic mean of the two averages.

The text scored is what naql stores: the paragraphs joined by newlines.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path

import pytest

from naql.errors import ExtractionError
from naql.extract import extract_article
from naql.extract.article import TRAFILATURA_OPTIONS

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction-dev"
F1_THRESHOLD = 0.955

TpFpFn = tuple[float, float, float]

# -- the benchmark's metric (see the module docstring for the source) -------------------------

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def _ngrams(text: str, n: int) -> list[tuple[str, ...]]:
    tokens = _tokenize(text)
    result = []
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            result.append(shingle)
    return result


def string_shingle_matching(true: str, pred: str, ngram_n: int = 4) -> TpFpFn:
    true_shingles = Counter(_ngrams(true, ngram_n))
    pred_shingles = Counter(_ngrams(pred, ngram_n))
    tp = fp = fn = 0.0
    for key in set(true_shingles) | set(pred_shingles):
        true_count = true_shingles.get(key, 0)
        pred_count = pred_shingles.get(key, 0)
        tp += min(true_count, pred_count)
        fp += max(0, pred_count - true_count)
        fn += max(0, true_count - pred_count)
    s = tp + fp + fn
    if s > 0:  # normalise so that longer texts do not weigh more
        tp, fp, fn = tp / s, fp / s, fn / s
    return tp, fp, fn


def precision_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def metrics_from_tp_fp_fns(tp_fp_fns: list[TpFpFn]) -> dict[str, float]:
    precision = statistics.mean(
        [precision_score(tp, fp, fn) for tp, fp, fn in tp_fp_fns if tp + fp > 0]
    )
    recall = statistics.mean([recall_score(tp, fp, fn) for tp, fp, fn in tp_fp_fns if tp + fn > 0])
    f1 = 2 * precision * recall / (precision + recall)
    return {"f1": f1, "precision": precision, "recall": recall}


# -- the gate ---------------------------------------------------------------------------------


def _load_pages():
    ground_truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, truth in sorted(ground_truth.items()):
        html = gzip.decompress((DATA / "html" / f"{page_id}.html.gz").read_bytes())
        yield page_id, html, truth


def _naql_body(html: bytes, url: str) -> str:
    try:
        return "\n".join(extract_article(html, url).paragraphs)
    except ExtractionError:
        return ""  # scored as the benchmark scores an empty prediction


@pytest.fixture(scope="module")
def pages():
    if not (DATA / "ground-truth.json").is_file():
        pytest.skip(f"benchmark pages not found at {DATA}")
    return list(_load_pages())


@pytest.fixture(scope="module")
def naql_bodies(pages):
    started = time.perf_counter()
    bodies = [_naql_body(html, truth["url"]) for _, html, truth in pages]
    return bodies, time.perf_counter() - started


def test_metric_matches_the_benchmark_definition():
    # identical texts; disjoint texts; empty prediction; short (< 4 tokens) texts
    assert string_shingle_matching("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    assert string_shingle_matching("a b c d", "w x y z") == (0.0, 0.5, 0.5)
    assert string_shingle_matching("a b c d e", "") == (0.0, 0.0, 1.0)
    assert string_shingle_matching("a b", "a b") == (1.0, 0.0, 0.0)
    # case is significant, punctuation is not
    assert string_shingle_matching("One, two; three four", "one two three four")[0] == 0.0
    assert string_shingle_matching("One, two; three four", "One two three four")[0] == 1.0
    # an empty prediction counts for recall (0) but is left out of precision
    m = metrics_from_tp_fp_fns([(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)])
    assert m["precision"] == 1.0 and m["recall"] == 0.5


def test_extraction_quality_gate(pages, naql_bodies):
    bodies, elapsed = naql_bodies
    scores = [
        string_shingle_matching(t["articleBody"], body)
        for (_, _, t), body in zip(pages, bodies, strict=False)
    ]
    metrics = metrics_from_tp_fp_fns(scores)
    print(
        f"\nnaql extract on {len(pages)} pages: precision={metrics['precision']:.4f} "
        f"recall={metrics['recall']:.4f} F1={metrics['f1']:.4f} ({elapsed:.1f}s)"
    )
    assert len(pages) == 50
    assert metrics["f1"] >= F1_THRESHOLD, metrics


def test_no_loss_against_raw_trafilatura(pages, naql_bodies):
    """Splitting into paragraphs must not cost quality against trafilatura's own text output."""
    import trafilatura

    naql_scores, same_options, plain = [], [], []
    for (_, html, truth), body in zip(pages, naql_bodies[0], strict=False):
        true = truth["articleBody"]
        naql_scores.append(string_shingle_matching(true, body))
        same = trafilatura.extract(html, url=truth["url"], **TRAFILATURA_OPTIONS) or ""
        same_options.append(string_shingle_matching(true, same))
        raw = trafilatura.extract(html, favor_precision=True) or ""
        plain.append(string_shingle_matching(true, raw))
    ours = metrics_from_tp_fp_fns(naql_scores)["f1"]
    same = metrics_from_tp_fp_fns(same_options)["f1"]
    raw = metrics_from_tp_fp_fns(plain)["f1"]
    print(
        f"\nF1 naql={ours:.4f}  trafilatura txt, same options={same:.4f}"
        f"  trafilatura.extract(favor_precision=True)={raw:.4f}"
    )
    assert ours >= same - 0.001
    assert ours >= raw - 0.001
