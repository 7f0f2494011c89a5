"""Measure naql's fidelity checks on human and machine translations, per split.

    python scripts/measure_fidelity.py [--split tune|report|both] [--group 10] [--json]

Prints one table per data set and split (also importable: `measure()` returns the figures):

- human side: lines with a warning or error, and documents the verdict holds (review or reject),
  on the human translations of TICO-19 test and FLORES-200 dev;
- machine side (TICO-19, OPUS-MT tc-big): each line labelled bad when its sentence chrF
  (sacrebleu) against the human reference is below 25 (or 35); ROC-AUC of the meaning score
  (errors count 2, warnings 1) and precision / recall of "flagged" (a warning or error);
- the share of findings (any severity) that are form and meaning, on both sides;
- synthetic corruptions (tests/qa_corruptions.py) of FLORES and TICO-19 human documents caught by
  the checks meant for each kind, and corruptions of form (a quotation mark dropped or put on the
  wrong side of its space) that the quote repair undoes without a meaning finding;
- quote repair: lines of the human and machine text `repair_quotes` changes, and meaning findings
  the repair added (there should be none).

Documents: FLORES-200 dev groups consecutive sentences of one source URL (its metadata), 281
documents; TICO-19 test has no document ids here, so its lines (which are in source-document
order) are grouped in fixed runs of `--group` consecutive lines. Splits: documents (groups) with an
even index are the tuning split, odd ones the report split; tune on one, report the other.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import qa_corruptions as corpora  # type: ignore[import-not-found]  # noqa: E402

from naql.qa import DocumentReport, Finding, check_document  # noqa: E402
from naql.qa.quote_repair import repair_document  # noqa: E402
from naql.qa.quoting import DOUBLE_MARKS, SINGLE_MARKS  # noqa: E402

MT_FILE = "mt/opus-mt-tc-big-2022-02-25.txt"
SPLITS = ("tune", "report")
WEIGHTS = {"error": 2.0, "warning": 1.0, "info": 0.0}
PLAIN = {c: '"' for c in DOUBLE_MARKS} | {c: "'" for c in SINGLE_MARKS}

Doc = list[tuple[str, str]]


# -- data --------------------------------------------------------------------------------------


def tico_documents(group: int = 10) -> tuple[list[Doc], list[Doc], list[list[float]]]:
    """TICO-19 test in runs of `group` lines: (human documents, MT documents, chrF per MT line
    against the human reference)."""
    try:
        from sacrebleu.metrics import CHRF  # type: ignore[attr-defined]
    except ImportError as exc:  # pragma: no cover - a script's message
        raise SystemExit("measure_fidelity needs sacrebleu: pip install sacrebleu") from exc
    human = corpora.tico_documents(group)
    machine = corpora.tico_documents(group, MT_FILE)
    chrf = CHRF()
    labels = [
        [chrf.sentence_score(h, [r]).score for (_, r), (_, h) in zip(hd, md, strict=True)]
        for hd, md in zip(human, machine, strict=True)
    ]
    return human, machine, labels


def split(items: Sequence[object], name: str) -> list[int]:
    """Indexes of the documents of one split: even for tune, odd for report."""
    parity = SPLITS.index(name)
    return [i for i in range(len(items)) if i % 2 == parity]


# -- figures -----------------------------------------------------------------------------------


def kind_of(f: Finding) -> str:
    return getattr(f, "kind", "meaning")


def counts(f: Finding) -> bool:
    """A finding that counts towards the verdict: a meaning warning or error."""
    return f.severity != "info" and kind_of(f) == "meaning"


def score(findings: Iterable[Finding]) -> float:
    return sum(WEIGHTS[f.severity] for f in findings if kind_of(f) == "meaning")


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Probability that a positive line scores higher than a negative one (ties count half)."""
    order = sorted(range(len(scores)), key=lambda k: scores[k])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    pos = [r for r, y in zip(ranks, labels, strict=True) if y]
    n_pos, n_neg = len(pos), len(labels) - len(pos)
    if not n_pos or not n_neg:
        return float("nan")
    return (sum(pos) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


@dataclass
class Side:
    """Figures of one set of documents checked."""

    lines: int = 0
    flagged: int = 0
    documents: int = 0
    held: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    line_scores: list[float] = field(default_factory=list)
    line_flagged: list[bool] = field(default_factory=list)


def check_side(docs: Iterable[Doc]) -> Side:
    side = Side()
    for doc in docs:
        report: DocumentReport = check_document(doc)
        side.documents += 1
        side.held += report.verdict != "publish"
        side.kinds.update(kind_of(f) for f in report.findings)
        for i in range(len(doc)):
            found = report.for_segment(i)
            bad = [f for f in found if counts(f)]
            side.lines += 1
            side.flagged += bool(bad)
            side.codes.update({f.code for f in bad})
            side.line_scores.append(score(found))
            side.line_flagged.append(bool(bad))
    return side


def separation(side: Side, chrf: Sequence[float], below: float) -> dict[str, float]:
    bad = [c < below for c in chrf]
    tp = sum(1 for f, b in zip(side.line_flagged, bad, strict=True) if f and b)
    flagged, positives = sum(side.line_flagged), sum(bad)
    return {
        "bad_lines": positives,
        "auc": roc_auc(side.line_scores, bad),
        "precision": tp / flagged if flagged else float("nan"),
        "recall": tp / positives if positives else float("nan"),
    }


def corruption_recall(docs: list[Doc]) -> tuple[Counter[str], Counter[str]]:
    """(caught, total) per kind of tests/qa_corruptions.py on these documents."""
    from qa_corruptions import EXPECTED, corruptions

    cache: dict[tuple[object, ...], DocumentReport] = {}

    def report(doc: Doc, glossary: list[object]) -> DocumentReport:
        key = (tuple(doc), bool(glossary))
        if key not in cache:
            cache[key] = check_document(doc, glossary=glossary)
        return cache[key]

    total, caught = Counter[str](), Counter[str]()
    for c in corruptions(docs):
        before = {f.code for f in report(c.clean, c.glossary).for_segment(c.segment) if counts(f)}
        new = [
            f
            for f in report(c.corrupted, c.glossary).for_segment(c.segment)
            if counts(f) and f.code not in before
        ]
        total[c.kind] += 1
        caught[c.kind] += any(f.check in EXPECTED[c.kind] for f in new)
    return caught, total


def form_repairs(docs: list[Doc]) -> tuple[Counter[str], Counter[str], int]:
    """(repaired, total) per form kind of tests/qa_corruptions.py, and how many of them raised a
    meaning finding. Repaired: the quote repair gives the corrupted segment what it gives the
    clean one (its words and marks, marks compared by family; spaces and punctuation ignored)."""
    from qa_corruptions import form_corruptions

    def plain(text: str) -> str:  # words and marks: where a full stop falls is style
        return "".join(PLAIN.get(c, c) for c in text if c.isalnum() or c in PLAIN)

    repaired, total, meaning = Counter[str](), Counter[str](), 0
    for c in form_corruptions(docs):
        clean, _ = repair_document(c.clean)
        fixed, _ = repair_document(c.corrupted)
        total[c.kind] += 1
        repaired[c.kind] += plain(fixed[c.segment]) == plain(clean[c.segment])
        before = {f.code for f in check_document(c.clean).for_segment(c.segment) if counts(f)}
        after = check_document(c.corrupted).for_segment(c.segment)
        meaning += any(counts(f) and f.code not in before for f in after)
    return repaired, total, meaning


def repair_effect(docs: list[Doc]) -> tuple[int, int, int]:
    """(lines whose marks the quote repair re-placed, lines, lines with a meaning finding the
    repair added). Marks only set in the site's style do not count as re-placed."""
    repaired_lines = lines = added = 0
    for doc in docs:
        repaired, findings = repair_document(doc)
        repaired_lines += len(findings)
        lines += len(doc)
        if not findings:
            continue
        before = check_document(doc)
        after = check_document([(s, r) for (s, _), r in zip(doc, repaired, strict=True)])
        for i in range(len(doc)):
            old = {f.code for f in before.for_segment(i) if counts(f)}
            added += any(counts(f) and f.code not in old for f in after.for_segment(i))
    return repaired_lines, lines, added


def measure(splits: Sequence[str] = SPLITS, group: int = 10) -> dict[str, dict[str, Any]]:
    """Every figure, per split: {split: {figure: value}}."""
    flores = corpora.flores_documents()
    human, machine, chrf = tico_documents(group)
    out: dict[str, dict[str, Any]] = {}
    for name in splits:
        started = time.perf_counter()
        fl = [flores[i] for i in split(flores, name)]
        idx = split(human, name)
        th, tm = [human[i] for i in idx], [machine[i] for i in idx]
        labels = [c for i in idx for c in chrf[i]]
        sides = {"flores human": check_side(fl), "tico human": check_side(th)}
        mt = check_side(tm)
        caught, total = corruption_recall(fl)
        tico_caught, tico_total = corruption_recall(th)
        repaired, form_total, form_meaning = form_repairs(fl + th)
        out[name] = {
            "documents": {"flores": len(fl), "tico": len(th)},
            "human": {
                k: {
                    "lines": s.lines,
                    "flagged": s.flagged,
                    "flagged_rate": s.flagged / s.lines,
                    "documents": s.documents,
                    "held": s.held,
                    "held_rate": s.held / s.documents,
                    "codes": dict(s.codes.most_common(8)),
                    "kinds": dict(s.kinds),
                }
                for k, s in sides.items()
            },
            "mt": {
                "lines": mt.lines,
                "flagged": mt.flagged,
                "held": mt.held,
                "documents": mt.documents,
                "kinds": dict(mt.kinds),
                "codes": dict(mt.codes.most_common(8)),
                "chrf<25": separation(mt, labels, 25),
                "chrf<35": separation(mt, labels, 35),
            },
            "corruptions": {
                "caught": sum(caught.values()),
                "total": sum(total.values()),
                "by_kind": {k: [caught[k], total[k]] for k in total},
            },
            "tico_corruptions": {
                "caught": sum(tico_caught.values()),
                "total": sum(tico_total.values()),
                "by_kind": {k: [tico_caught[k], tico_total[k]] for k in tico_total},
            },
            "form_corruptions": {
                "repaired": sum(repaired.values()),
                "total": sum(form_total.values()),
                "meaning_findings": form_meaning,
                "by_kind": {k: [repaired[k], form_total[k]] for k in form_total},
            },
            "repair": {
                "tico human": repair_effect(th),
                "tico mt": repair_effect(tm),
                "flores human": repair_effect(fl),
            },
            "seconds": round(time.perf_counter() - started, 1),
        }
    return out


# -- the table ---------------------------------------------------------------------------------


def _pct(a: float, b: float) -> str:
    return f"{a}/{b} = {a / b:.1%}" if b else "-"


def table(figures: dict[str, dict[str, Any]]) -> str:
    names = list(figures)
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, get: Callable[..., str]) -> None:
        rows.append((label, [get(figures[n]) for n in names]))

    for k in ("flores human", "tico human"):
        row(
            f"{k}: lines flagged (warning+)",
            lambda f, k=k: _pct(f["human"][k]["flagged"], f["human"][k]["lines"]),
        )
        row(
            f"{k}: documents held",
            lambda f, k=k: _pct(f["human"][k]["held"], f["human"][k]["documents"]),
        )
    row("tico MT (tc-big): lines flagged", lambda f: _pct(f["mt"]["flagged"], f["mt"]["lines"]))
    for t in ("chrf<25", "chrf<35"):
        row(f"MT {t}: bad lines", lambda f, t=t: str(f["mt"][t]["bad_lines"]))
        row(f"MT {t}: ROC-AUC of meaning score", lambda f, t=t: f"{f['mt'][t]['auc']:.3f}")
        row(
            f"MT {t}: precision / recall of flags",
            lambda f, t=t: f"{f['mt'][t]['precision']:.2f} / {f['mt'][t]['recall']:.2f}",
        )

    def share(f: dict[str, Any]) -> str:
        kinds: Counter[str] = Counter()
        for side in (*f["human"].values(), f["mt"]):
            kinds.update(side["kinds"])
        n = sum(kinds.values())
        return (
            f"{kinds['form'] / n:.0%} form / {kinds['meaning'] / n:.0%} meaning (n={n})"
            if n
            else "-"
        )

    row("findings (any severity): form / meaning", share)
    row(
        "corruptions caught (FLORES)",
        lambda f: _pct(f["corruptions"]["caught"], f["corruptions"]["total"]),
    )
    row(
        "corruptions caught (TICO human)",
        lambda f: _pct(f["tico_corruptions"]["caught"], f["tico_corruptions"]["total"]),
    )
    row(
        "form corruptions repaired (FLORES+TICO)",
        lambda f: _pct(f["form_corruptions"]["repaired"], f["form_corruptions"]["total"]),
    )
    row(
        "form corruptions with a meaning finding",
        lambda f: str(f["form_corruptions"]["meaning_findings"]),
    )
    for k in ("tico human", "tico mt", "flores human"):
        row(
            f"quote repair, {k}: lines re-placed (meaning added)",
            lambda f, k=k: f"{f['repair'][k][0]}/{f['repair'][k][1]} ({f['repair'][k][2]})",
        )
    row("seconds", lambda f: str(f["seconds"]))
    width = max(len(label) for label, _ in rows) + 2
    cols = [max(len(n), *(len(v[j]) for _, v in rows)) + 2 for j, n in enumerate(names)]
    lines = [f"{'':<{width}}" + "".join(f"{n:>{c}}" for n, c in zip(names, cols, strict=True))]
    lines += [
        f"{label:<{width}}" + "".join(f"{v:>{c}}" for v, c in zip(values, cols, strict=True))
        for label, values in rows
    ]
    detail = []
    for n in names:
        f = figures[n]
        for k, side in (*f["human"].items(), ("tico mt", f["mt"])):
            detail.append(f"{n} {k}: flagged by code {side['codes']}")
        detail.append(f"{n} corruptions by kind: {f['corruptions']['by_kind']}")
        detail.append(f"{n} TICO corruptions by kind: {f['tico_corruptions']['by_kind']}")
        detail.append(f"{n} form corruptions by kind: {f['form_corruptions']['by_kind']}")
    return "\n".join(lines + [""] + detail)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=[*SPLITS, "both"], default="both")
    parser.add_argument("--group", type=int, default=10, help="TICO-19 lines per document")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    splits = SPLITS if args.split == "both" else (args.split,)
    figures = measure(splits, args.group)
    print(json.dumps(figures, ensure_ascii=False, indent=1) if args.json else table(figures))


if __name__ == "__main__":
    main()
