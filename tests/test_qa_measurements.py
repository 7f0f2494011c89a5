"""What the checks are worth, measured: false alarms on human translations, recall on seeded
corruptions of them, and the defects of a real machine-translated page.

The figures are printed (run with -s to see them) and asserted.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from naql.qa import DocumentReport, check_document

sys.path.insert(0, str(Path(__file__).parent))
from qa_corruptions import EXPECTED, GLOSSARY, KINDS, SHARED_DATA, corruptions, flores_documents  # noqa: E402

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


def _flagged_lines(documents, reports) -> tuple[int, Counter[str]]:  # type: ignore[no-untyped-def]
    lines, causes = 0, Counter()
    for doc, report in zip(documents, reports, strict=True):
        for i in range(len(doc)):
            bad = [f for f in report.for_segment(i) if f.severity != "info"]
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


def test_recall_on_corruptions(documents, capsys) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    cache: dict[tuple[object, ...], DocumentReport] = {}

    def report(doc, glossary):  # type: ignore[no-untyped-def]
        key = (tuple(doc), bool(glossary))
        if key not in cache:
            cache[key] = check_document(doc, glossary=glossary)
        return cache[key]

    total, caught, caught_any = Counter(), Counter(), Counter()
    for c in corruptions(documents):
        before = {
            f.code
            for f in report(c.clean, c.glossary).for_segment(c.segment)
            if f.severity != "info"
        }
        new = [
            f for f in report(c.corrupted, c.glossary).for_segment(c.segment)
            if f.severity != "info" and f.code not in before
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
    show(capsys, "recall on corrupted FLORES-200 dev documents\n" + "\n".join(rows)
         + f"\n({time.perf_counter() - started:.1f} s)")  # fmt: skip
    assert overall >= 0.95
    for kind in KINDS:
        assert total[kind] >= 20, kind
        assert caught[kind] / total[kind] >= 0.85, kind


def test_example_page_defects_are_flagged(capsys) -> None:  # type: ignore[no-untyped-def]
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    report = check_document([(None, line) for line in lines])
    by_line: dict[int, set[str]] = {}
    for f in report.findings:
        if f.segment is not None and f.severity != "info":
            by_line.setdefault(f.segment + 1, set()).add(f.code)
    show(
        capsys,
        "example page: "
        + "; ".join(f"line {n}: {', '.join(sorted(c))}" for n, c in sorted(by_line.items())),
    )

    def line_of(text: str) -> int:
        exact = [n for n, line in enumerate(lines, start=1) if line.strip() == text]
        return (
            exact[0] if exact else next(n for n, line in enumerate(lines, start=1) if text in line)
        )

    # a quotation split by its attribution
    assert "split-quote" in by_line[line_of("وقال بلينكين للصحفيين في واشنطن “الحق")]
    # quotation marks that do not pair up
    assert "unbalanced-quote" in by_line[line_of("قال لافروف يوم الأربعاء “لا نريد حربا”")]
    # one first name spelt two ways
    (name,) = [f for f in report.findings if f.code == "inconsistent-name"]
    assert "سيرغي" in name.message and "سيرجي" in name.message
    # a stray paragraph holding only "."
    assert by_line[lines.index(".") + 1] == {"punctuation-only"}
    # site chrome: footer, ad labels, read also, tags, close, video label
    for chrome in ("الخبر من المصدر", "تمت ترجمة هذا الخبر", "مساحة إعلانية", "الكلمات الدلالية",
                   "إعلان", "إقرأ أيضاً", "إغلاق", "شاهد الحادثة"):  # fmt: skip
        assert by_line.get(line_of(chrome)) == {"chrome"}, chrome
    # no review step: it would not be published unseen
    assert report.verdict != "publish"
    # and nothing else of the story is flagged
    story = {n for n in by_line if n < lines.index(".") + 1}
    assert story == {line_of("“لا نريد حربا”"), line_of("وقال بلينكين"), line_of("سيرجي شويغو")}
