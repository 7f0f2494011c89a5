"""What the checks are worth, measured: false alarms on human translations, recall on seeded
corruptions of them, repair of corruptions of form, and the defects of a real machine-translated
page.

The figures are printed (run with -s to see them) and asserted. `scripts/measure_fidelity.py`
measures more (machine translation against chrF, tuning and report splits) and is not a test.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from naql.qa import DocumentReport, check_document
from naql.qa.quote_repair import repair_document
from naql.qa.quoting import DOUBLE_MARKS, SINGLE_MARKS

sys.path.insert(0, str(Path(__file__).parent))
from qa_corruptions import (  # noqa: E402
    EXPECTED,
    FORM_KINDS,
    GLOSSARY,
    KINDS,
    SHARED_DATA,
    corruptions,
    flores_documents,
    form_corruptions,
    tico_documents,
)

EXAMPLE = SHARED_DATA / "examples" / "000_ada74c54324190cc.txt"

pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "parallel" / "flores200-dev" / "eng_Latn.dev").exists(),
    reason="needs ../shared/data",
)


def show(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print("\n" + text)


@pytest.fixture(scope="module")
def documents() -> list[list[tuple[str, str]]]:
    return flores_documents()


@pytest.fixture(scope="module")
def reports(documents: list[list[tuple[str, str]]]) -> list[DocumentReport]:
    return [check_document(doc) for doc in documents]


@pytest.fixture(scope="module")
def tico() -> list[list[tuple[str, str]]]:
    """TICO-19 human documents (runs of 10 lines) whose source quotes someone: FLORES has too
    few quotations to measure the quote checks on."""
    return [doc for doc in tico_documents() if any('"' in s or "“" in s for s, _ in doc)]


def _flagged_lines(documents, reports) -> tuple[int, Counter[str]]:  # type: ignore[no-untyped-def]
    lines, causes = 0, Counter()
    for doc, report in zip(documents, reports, strict=True):
        for i in range(len(doc)):
            bad = [f for f in report.for_segment(i) if f.counts_toward_verdict]
            lines += bool(bad)
            causes.update({f.code for f in bad})
    return lines, causes


def test_false_alarms_on_human_translations(documents, reports, capsys) -> None:  # type: ignore[no-untyped-def]
    total = sum(len(d) for d in documents)
    assert (len(documents), total) == (281, 997)
    flagged, causes = _flagged_lines(documents, reports)
    rate = flagged / total
    verdicts = Counter(r.verdict for r in reports)
    show(
        capsys,
        f"false alarms, FLORES-200 dev with source: {flagged}/{total} lines = {rate:.1%} "
        f"(by code: {dict(causes.most_common())}); documents: {dict(verdicts)}",
    )
    assert rate <= 0.02
    assert not [f for r in reports for f in r.document_findings if f.severity != "info"]


def test_false_alarms_arabic_side_only(documents, capsys) -> None:  # type: ignore[no-untyped-def]
    arabic = [[(None, t) for _, t in doc] for doc in documents]
    reports = [check_document(doc) for doc in arabic]
    flagged, causes = _flagged_lines(arabic, reports)
    show(
        capsys,
        f"false alarms, FLORES-200 dev without source: {flagged}/997 lines = {flagged / 997:.1%} ({dict(causes)})",
    )
    assert flagged / 997 <= 0.02


def test_glossary_holds_on_human_translations(documents) -> None:  # type: ignore[no-untyped-def]
    """The test glossary is what the translators wrote: no glossary finding on their work."""
    found = [
        f for doc in documents for f in check_document(doc, glossary=GLOSSARY).findings
        if f.check == "names" and f.code == "glossary"
    ]  # fmt: skip
    assert found == []


def test_recall_on_corruptions(documents, tico, capsys) -> None:  # type: ignore[no-untyped-def]
    """Corruptions of FLORES-200 dev documents, and of TICO-19 human ones that quote someone."""
    started = time.perf_counter()
    cache: dict[tuple[object, ...], DocumentReport] = {}

    def report(doc, glossary):  # type: ignore[no-untyped-def]
        key = (tuple(doc), bool(glossary))
        if key not in cache:
            cache[key] = check_document(doc, glossary=glossary)
        return cache[key]

    total, caught, caught_any = Counter(), Counter(), Counter()
    for c in [*corruptions(documents), *corruptions(tico)]:
        before = {
            f.code
            for f in report(c.clean, c.glossary).for_segment(c.segment)
            if f.counts_toward_verdict
        }
        new = [
            f for f in report(c.corrupted, c.glossary).for_segment(c.segment)
            if f.counts_toward_verdict and f.code not in before
        ]  # fmt: skip
        total[c.kind] += 1
        caught[c.kind] += any(f.check in EXPECTED[c.kind] for f in new)
        caught_any[c.kind] += bool(new)
    rows = [f"{'kind':<14}{'n':>6}{'caught':>8}{'recall':>8}   by any check"]
    for kind in KINDS:
        rows.append(
            f"{kind:<14}{total[kind]:>6}{caught[kind]:>8}{caught[kind] / total[kind]:>8.1%}"
            f"   {caught_any[kind] / total[kind]:.1%}"
        )
    overall = sum(caught.values()) / sum(total.values())
    rows.append(f"{'overall':<14}{sum(total.values()):>6}{sum(caught.values()):>8}{overall:>8.1%}")
    show(capsys, "recall on corrupted FLORES-200 dev and TICO-19 documents\n" + "\n".join(rows)
         + f"\n({time.perf_counter() - started:.1f} s)")  # fmt: skip
    assert overall >= 0.95
    for kind in KINDS:
        assert total[kind] >= 20, kind
        assert caught[kind] / total[kind] >= 0.85, kind


def test_corruptions_of_form_are_repaired_not_held(documents, tico, capsys) -> None:  # type: ignore[no-untyped-def]
    """A quotation mark dropped, or put on the wrong side of its space (`وقال" إننا`): the quote
    repair gives the segment what it gives the clean one where the source shows it, and never
    does a meaning finding follow."""
    plain = {c: '"' for c in DOUBLE_MARKS} | {c: "'" for c in SINGLE_MARKS}

    def words_and_marks(text: str) -> str:
        return "".join(plain.get(c, c) for c in text if c.isalnum() or c in plain)

    total, repaired, meaning = Counter(), Counter(), Counter()
    for c in [*form_corruptions(documents), *form_corruptions(tico)]:
        fixed, _ = repair_document(c.corrupted)
        clean, _ = repair_document(c.clean)
        total[c.kind] += 1
        repaired[c.kind] += words_and_marks(fixed[c.segment]) == words_and_marks(clean[c.segment])
        before = {
            f.code
            for f in check_document(c.clean).for_segment(c.segment)
            if f.counts_toward_verdict
        }
        after = check_document(c.corrupted).for_segment(c.segment)
        meaning[c.kind] += any(f.counts_toward_verdict and f.code not in before for f in after)
    show(capsys, "corruptions of form: " + "; ".join(
        f"{k}: {repaired[k]}/{total[k]} repaired, {meaning[k]} with a meaning finding"
        for k in FORM_KINDS))  # fmt: skip
    assert not sum(meaning.values())
    assert total["quote-mark-misplaced"] >= 100 and total["quote-mark-dropped"] >= 60
    assert repaired["quote-mark-misplaced"] / total["quote-mark-misplaced"] >= 0.95
    # the rest: short terms in quotes whose other end nothing in the source places
    assert repaired["quote-mark-dropped"] / total["quote-mark-dropped"] >= 0.25


def test_example_page_defects_are_flagged(capsys) -> None:  # type: ignore[no-untyped-def]
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    report = check_document([(None, line) for line in lines])
    by_line: dict[int, set[str]] = {}  # meaning warnings and errors
    form: dict[int, set[str]] = {}  # form, info
    for f in report.findings:
        if f.segment is not None:
            (by_line if f.counts_toward_verdict else form).setdefault(f.segment + 1, set()).add(
                f.code
            )
    show(
        capsys,
        "example page: "
        + "; ".join(f"line {n}: {', '.join(sorted(c))}" for n, c in sorted(by_line.items()))
        + "\nform (info): "
        + "; ".join(f"line {n}: {', '.join(sorted(c))}" for n, c in sorted(form.items())),
    )

    def line_of(text: str) -> int:
        exact = [n for n, line in enumerate(lines, start=1) if line.strip() == text]
        return (
            exact[0] if exact else next(n for n, line in enumerate(lines, start=1) if text in line)
        )

    # a quotation split by its attribution: meaning, the attribution lands inside the quote
    split = line_of("وقال بلينكين للصحفيين في واشنطن “الحق")
    assert "split-quote" in by_line[split]
    (f,) = [f for f in report.for_segment(split - 1) if f.code == "split-quote"]
    assert (f.kind, f.severity) == ("meaning", "error")
    # quotation marks that do not pair up: form, recorded, not held for
    assert "unbalanced-quote" in form[line_of("قال لافروف يوم الأربعاء “لا نريد حربا”")]
    # one first name spelt two ways
    (name,) = [f for f in report.findings if f.code == "inconsistent-name"]
    assert "سيرغي" in name.message and "سيرجي" in name.message
    # a stray paragraph holding only ".": form on its own (nothing says a sentence was lost)
    assert form[lines.index(".") + 1] == {"punctuation-only"}
    # site chrome: footer, ad labels, read also, tags, close, video label
    for chrome in ("الخبر من المصدر", "تمت ترجمة هذا الخبر", "مساحة إعلانية", "الكلمات الدلالية",
                   "إعلان", "إقرأ أيضاً", "إغلاق", "شاهد الحادثة"):  # fmt: skip
        assert by_line.get(line_of(chrome)) == {"chrome"}, chrome
    # no review step: it would not be published unseen
    assert report.verdict != "publish"
    # and nothing else of the story holds it
    story = {n for n in by_line if n < lines.index(".") + 1}
    assert story == {split, line_of("سيرجي شويغو")}
