"""`naql check` (naql.qa.cli.check_command): the command-line contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from naql.qa.cli import check_command

REPO = Path(__file__).resolve().parents[1]

EN = """Russia says more than 250,000 troops have gathered.
Lavrov said "We do not want war".

Hello world, this is a test of the system.
"""
AR = """تقول روسيا إن أكثر من 260 ألف جندي احتشدوا.
وقال لافروف "لا نريد حربا.

Hello world, this is a test of the system.
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    en, ar = tmp_path / "en.txt", tmp_path / "ar.txt"
    en.write_text(EN, encoding="utf-8")
    ar.write_text(AR, encoding="utf-8")
    return en, ar


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(check_command, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_one_object_per_segment_line_then_the_document(files: tuple[Path, Path]) -> None:
    en, ar = files
    code, out, _ = run("--source", str(en), "--translation", str(ar), "--format", "json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r.get("line", ("doc", r.get("document"))) for r in records] == [
        1,
        2,
        ("doc", 1),
        4,
        ("doc", 2),
    ]
    line1, line2, doc1, line4, doc2 = records
    assert [(f["check"], f["severity"], f["kind"]) for f in line1["findings"]] == [
        ("numbers", "error", "meaning")
    ]
    assert "250,000" in line1["findings"][0]["message"]
    assert line1["findings"][0]["message_ar"]
    # the closing mark left out where the source has it: repaired (form, info)
    assert [(f["check"], f["code"], f["severity"], f["kind"]) for f in line2["findings"]] == [
        ("quotes", "quote-repaired", "info", "form")
    ]
    # The span is the source's quotation; the translation's would be in a text not shown here.
    assert "source_span" in line2["findings"][0] and "target_span" not in line2["findings"][0]
    assert doc1 == {**doc1, "document": 1, "verdict": "review"}
    assert doc1["kinds"] == {"meaning": 1, "form": 1}
    assert "copied" in [f["code"] for f in line4["findings"]]
    assert doc2["verdict"] == "reject"
    for r in records:
        assert ("line" in r) != ("document" in r) and ("findings" in r) == ("line" in r)
        for f in r.get("findings", []) + r.get("document_findings", []):
            assert set(f) >= {"check", "severity", "message", "kind"} and f["severity"] in (
                "info",
                "warning",
                "error",
            )
            assert f["kind"] in ("meaning", "form") and (
                f["kind"] == "meaning" or f["severity"] == "info"
            )


def test_without_source_only_the_arabic_checks_run(files: tuple[Path, Path]) -> None:
    _, ar = files
    code, out, _ = run("--translation", str(ar), "--format", "json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    found = {(f["check"], f["kind"]) for r in records for f in r.get("findings", [])}
    assert "numbers" not in {c for c, _ in found} and ("quotes", "form") in found
    # an unclosed quotation is form: without the number check nothing holds document 1
    assert [r["verdict"] for r in records if "verdict" in r] == ["publish", "reject"]


def test_readable_report(files: tuple[Path, Path]) -> None:
    en, ar = files
    code, out, _ = run("--source", str(en), "--translation", str(ar))
    assert code == 0
    assert "document 1 (lines 1-2): review" in out
    assert "line 1: error [numbers/number-changed]" in out
    assert "line 2: info (form) [quotes/quote-repaired]" in out
    assert "رقم مختلف" in out
    assert out.rstrip().endswith("2 documents: 0 publish, 1 review, 1 reject")


def test_glossary_file(files: tuple[Path, Path], tmp_path: Path) -> None:
    en, ar = files
    glossary = tmp_path / "glossary.csv"
    glossary.write_text("english,arabic,kind,note\nLavrov,سيرغي لافروف,person,\n", encoding="utf-8")
    code, out, _ = run(
        "--source",
        str(en),
        "--translation",
        str(ar),
        "--glossary",
        str(glossary),
        "--format",
        "json",
    )
    assert code == 0
    line2 = json.loads(out.splitlines()[1])
    assert "glossary" in [f["code"] for f in line2["findings"]]
    glossary.write_text("english,arabic\nLavrov,\n", encoding="utf-8")
    code, _, err = run("--source", str(en), "--translation", str(ar), "--glossary", str(glossary))
    assert code == 1 and "glossary line 2" in err


def test_errors_are_one_line_and_exit_1(files: tuple[Path, Path], tmp_path: Path) -> None:
    en, ar = files
    code, _, err = run("--source", str(tmp_path / "missing.txt"), "--translation", str(ar))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "not found" in err
    short = tmp_path / "short.txt"
    short.write_text("one line\n", encoding="utf-8")
    code, _, err = run("--source", str(short), "--translation", str(ar))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "line counts differ" in err
    code, _, err = run("--source", str(en))
    assert code == 1 and "--translation" in err
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    code, _, err = run("--translation", str(latin1))
    assert code == 1 and "not UTF-8" in err


def test_documents_are_checked_together(tmp_path: Path) -> None:
    ar = tmp_path / "ar.txt"
    ar.write_text(
        "قال وزير الخارجية سيرغي لافروف إن المحادثات ستبدأ.\n"
        "وقال وزير الدفاع سيرجي شويغو إن القوات مستعدة.\n\n\n"
        "قال وزير الخارجية سيرغي لافروف إن المحادثات ستبدأ.\n\n"
        "وقال وزير الدفاع سيرجي شويغو إن القوات مستعدة.\n",
        encoding="utf-8",
    )
    code, out, _ = run("--translation", str(ar), "--format", "json")
    records = [json.loads(line) for line in out.splitlines()]
    lines = {r["line"]: r["findings"] for r in records if "line" in r}
    assert set(lines) == {1, 2, 5, 7}
    assert [f["code"] for f in lines[2]] == ["inconsistent-name"]
    assert lines[5] == lines[7] == []  # other documents: nothing to compare with
    assert [r["document"] for r in records if "verdict" in r] == [1, 2, 3]


def test_python_dash_m(files: tuple[Path, Path]) -> None:
    en, ar = files
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "naql.qa.cli",
            "--source",
            str(en),
            "--translation",
            str(ar),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == {
        **json.loads(proc.stdout.splitlines()[-1]),
        "verdict": "reject",
    }


def test_a_page_as_one_document() -> None:
    page = REPO.parent / "shared" / "data" / "examples" / "000_ada74c54324190cc.txt"
    code, out, _ = run("--translation", str(page), "--single-document", "--format", "json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    (verdict,) = [r for r in records if "verdict" in r]
    assert verdict["document"] == 1 and verdict["verdict"] == "review"
    flagged = {r["line"]: {f["code"] for f in r["findings"]} for r in records if r.get("findings")}
    assert "inconsistent-name" in flagged[41] and flagged[57] == {"punctuation-only"}
    assert flagged[27] >= {"split-quote"} and flagged[73] == {"chrome"}


def test_exported_members() -> None:
    import naql.qa

    for name in naql.qa.__all__:
        assert hasattr(naql.qa, name), name
