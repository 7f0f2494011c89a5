"""`naql check`: check translations in line-aligned files, outside any site.

    naql check --source EN.txt --translation AR.txt [--glossary G.csv] [--format json]

One segment per line, an empty line between documents; a document's lines are checked together
(`--single-document`: the whole file is one document, as for a page saved with blank lines
between its paragraphs). Each finding has a kind: meaning (counts towards the verdict) or form
(info: quote-mark placement, punctuation, spacing; never holds a document).
Also runs as `python -m naql.qa.cli ...`. Exit code 0 whatever the findings; 1 with one line on
stderr when the files cannot be read or do not line up.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from naql.qa.check import check_document
from naql.qa.findings import DocumentReport, Finding
from naql.qa.glossary import GlossaryEntry, parse_glossary_csv


@dataclass(frozen=True)
class InputDocument:
    """A document of the input: its segments and the 1-based line number of each."""

    number: int
    lines: list[int]
    segments: list[tuple[str | None, str]]


def _read_lines(path: Path, what: str) -> list[str]:
    try:
        if str(path) == "-":
            text = click.get_text_stream("stdin", encoding="utf-8").read()
        else:
            text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"{what} file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{what} file {path} is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise click.ClickException(
            f"cannot read {what} file {path}: {exc.strerror or exc}"
        ) from exc
    lines = [line.rstrip("\r") for line in text.lstrip("\ufeff").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def read_documents(
    translation: list[str], source: list[str] | None, *, single: bool = False
) -> Iterator[InputDocument]:
    """Group aligned lines into documents at the lines empty on both sides (with `single`, the
    empty lines are skipped and the whole file is one document)."""
    number = 0
    lines: list[int] = []
    segments: list[tuple[str | None, str]] = []
    for n, target in enumerate(translation, start=1):
        src = source[n - 1] if source is not None else None
        if not target.strip() and not (src or "").strip():
            if segments and not single:
                number += 1
                yield InputDocument(number, lines, segments)
                lines, segments = [], []
            continue
        lines.append(n)
        segments.append((src, target))
    if segments:
        yield InputDocument(number + 1, lines, segments)


def _finding_json(f: Finding) -> dict[str, object]:
    return f.as_dict()


def _print_json(doc: InputDocument, report: DocumentReport) -> None:
    for index, line in enumerate(doc.lines):
        # only "line" and "findings" here, only "document" and "verdict" (and extras not named
        # like either) on the document's record: a reader tells them apart by their keys
        record = {"line": line, "findings": [_finding_json(f) for f in report.for_segment(index)]}
        click.echo(json.dumps(record, ensure_ascii=False))
    click.echo(
        json.dumps(
            {
                "document": doc.number,
                "verdict": report.verdict,
                "lines": [doc.lines[0], doc.lines[-1]],
                "counts": {s: report.counts().get(s, 0) for s in ("error", "warning", "info")},
                "kinds": {k: report.kinds().get(k, 0) for k in ("meaning", "form")},
                "document_findings": [_finding_json(f) for f in report.document_findings],
            },
            ensure_ascii=False,
        )
    )


def _print_text(doc: InputDocument, report: DocumentReport) -> None:
    span = (
        f"line {doc.lines[0]}" if len(doc.lines) == 1 else f"lines {doc.lines[0]}-{doc.lines[-1]}"
    )
    click.echo(f"document {doc.number} ({span}): {report.verdict}")
    for f in report.findings:
        where = "document" if f.segment is None else f"line {doc.lines[f.segment]}"
        kind = " (form)" if f.kind == "form" else ""
        click.echo(f"  {where}: {f.severity}{kind} [{f.check}/{f.code}] {f.message}")
        if f.message_ar:
            click.echo(f"  {' ' * len(where)}  {f.message_ar}")


@click.command("check")
@click.option(
    "--source",
    "source_path",
    type=click.Path(path_type=Path),
    default=None,
    help="English source, one segment per line. Without it only the checks that read the "
    "Arabic alone run (quotes, leftovers, repetition, punctuation, name consistency).",
)
@click.option(
    "--translation",
    "translation_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Arabic translation, line-aligned with the source; an empty line between documents.",
)
@click.option(
    "--glossary",
    "glossary_path",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV with columns english, arabic, kind, note: terms that must take their listed form.",
)
@click.option(
    "--single-document",
    "single",
    is_flag=True,
    help="The whole file is one document, its empty lines only separate paragraphs "
    "(a page saved as text).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object per segment line, then one per document with its verdict; each "
    'finding has "kind": "meaning" or "form".',
)
def check_command(
    source_path: Path | None,
    translation_path: Path | None,
    glossary_path: Path | None,
    single: bool,
    fmt: str,
) -> None:
    """Check Arabic translations (numbers, quotes, names, untranslated text, loops, leftovers)
    and give each document a verdict: publish, review or reject."""
    if translation_path is None:
        raise click.ClickException("missing --translation FILE (the Arabic text to check)")
    translation = _read_lines(translation_path, "translation")
    source = _read_lines(source_path, "source") if source_path is not None else None
    if source is not None and len(source) != len(translation):
        raise click.ClickException(
            f"line counts differ: {len(source)} lines in {source_path}, "
            f"{len(translation)} in {translation_path}; the files must be line-aligned"
        )
    glossary: list[GlossaryEntry] = []
    if glossary_path is not None:
        try:
            glossary = parse_glossary_csv("\n".join(_read_lines(glossary_path, "glossary")))
        except ValueError as exc:
            raise click.ClickException(f"{glossary_path}: {exc}") from exc
    verdicts: Counter[str] = Counter()
    for doc in read_documents(translation, source, single=single):
        report = check_document(doc.segments, glossary=glossary)
        verdicts[report.verdict] += 1
        (_print_json if fmt == "json" else _print_text)(doc, report)
    if fmt == "text":
        total = sum(verdicts.values())
        summary = ", ".join(f"{verdicts[v]} {v}" for v in ("publish", "review", "reject"))
        click.echo(f"{total} document{'s' if total != 1 else ''}: {summary}")


def main() -> None:
    check_command(prog_name="naql check")


if __name__ == "__main__":
    main()
