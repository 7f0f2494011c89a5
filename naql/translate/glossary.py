"""The site glossary: source terms and their one Arabic form, with CSV import and export.

A phrase matcher finds glossary terms in English text: longest match first, on word boundaries,
case-insensitive except for short all-capital terms ("US" must not match "us").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from naql.errors import NaqlError
from naql.store.models import GlossaryEntry

KINDS = ("person", "place", "org", "other")
CSV_COLUMNS = ("english", "arabic", "kind", "note")


def term_key(term: str) -> str:
    return " ".join(term.split()).casefold()


@dataclass(frozen=True)
class Term:
    term: str
    arabic: str
    kind: str = "other"
    note: str | None = None
    origin: str = "manual"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: Term


class Glossary:
    """Terms with a compiled matcher; manual entries win over engine-recorded ones."""

    def __init__(self, terms: Iterable[Term]):
        by_key: dict[str, Term] = {}
        for t in terms:
            key = term_key(t.term)
            if key not in by_key or (t.origin == "manual" and by_key[key].origin != "manual"):
                by_key[key] = t
        self.terms = list(by_key.values())
        self._by_key = by_key
        self._manual: Glossary | None = None
        self._exact = {t.term for t in self.terms if t.term.isupper() and len(t.term) <= 3}
        # Terms indexed by their first token: matching costs a dict lookup per word of the text,
        # however large the glossary (one alternation regex of every term grew linearly with it).
        self._by_first: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
        for t in self.terms:
            tokens = tuple(tok.casefold() for tok, _, _ in _tokens(t.term))
            if tokens:
                self._by_first.setdefault(tokens[0], []).append((tokens, t))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda c: len(c[0]), reverse=True)

    def __len__(self) -> int:
        return len(self.terms)

    def manual(self) -> Glossary:
        """The entries editors chose (imports and edits), without engine-recorded name forms."""
        if self._manual is None:
            self._manual = Glossary(t for t in self.terms if t.origin == "manual")
        return self._manual

    def get(self, term: str) -> Term | None:
        return self._by_key.get(term_key(term))

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, leftmost then longest, on word boundaries ("nato-style" is no match)."""
        if not self._by_first:
            return []
        tokens = _tokens(text)
        folded = [tok.casefold() for tok, _, _ in tokens]
        found = []
        i = 0
        while i < len(tokens):
            match = None
            for cand, term in self._by_first.get(folded[i], ()):
                n = len(cand)
                if tuple(folded[i : i + n]) != cand:
                    continue
                start, end = tokens[i][1], tokens[i + n - 1][2]
                if _joined(text, start, end) and not (
                    term.term in self._exact and text[start:end] != term.term
                ):
                    match = Match(start, end, term)
                    i += n
                    break
            if match is None:
                i += 1
            else:
                found.append(match)
        return found


_TOKEN = re.compile(r"\w+|[^\w\s]")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _joined(text: str, start: int, end: int) -> bool:
    """The span is not part of a longer word or hyphenated compound."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "-_") and not (after.isalnum() or after in "-_")


def load_glossary(session: Session) -> Glossary:
    rows = session.execute(
        select(
            GlossaryEntry.term,
            GlossaryEntry.arabic,
            GlossaryEntry.kind,
            GlossaryEntry.note,
            GlossaryEntry.origin,
        )
    )
    return Glossary(Term(*row) for row in rows)


def upsert(session: Session, term: Term) -> bool:
    """Add or replace an entry; returns True when it is new. Manual entries replace engine ones."""
    if not term.term.strip() or not term.arabic.strip():
        raise NaqlError("a glossary entry needs both an English term and an Arabic form")
    if term.kind not in KINDS:
        raise NaqlError(f"kind {term.kind!r} is invalid: expected one of {', '.join(KINDS)}")
    key = term_key(term.term)
    row = session.scalar(select(GlossaryEntry).where(GlossaryEntry.key == key))
    if row is None:
        session.add(
            GlossaryEntry(
                term=" ".join(term.term.split()),
                key=key,
                arabic=term.arabic.strip(),
                kind=term.kind,
                note=term.note,
                origin=term.origin,
            )
        )
        session.flush()
        return True
    if term.origin != "manual":
        return False  # the first recorded form stays, and an editor's choice is never overwritten
    row.arabic, row.kind, row.note, row.origin = (
        term.arabic.strip(),
        term.kind,
        term.note,
        term.origin,
    )
    return False


def read_csv(stream: TextIO) -> tuple[list[Term], list[str]]:
    """Terms from CSV (english, arabic, kind, note; header optional) and one error per bad line."""
    terms: list[Term] = []
    errors: list[str] = []
    for lineno, row in enumerate(csv.reader(stream), start=1):
        if not row or all(not c.strip() for c in row):
            continue
        if lineno == 1 and [c.strip().lower() for c in row[:2]] == ["english", "arabic"]:
            continue
        cells = [c.strip() for c in row] + [""] * 4
        english, arabic, kind, note = cells[:4]
        kind = kind.lower() or "other"
        if not english or not arabic:
            errors.append(f"line {lineno}: needs an English term and an Arabic form")
        elif kind not in KINDS:
            errors.append(f"line {lineno}: kind {kind!r} is not one of {', '.join(KINDS)}")
        elif not any("\u0600" <= c <= "\u06ff" for c in arabic):
            errors.append(f"line {lineno}: {arabic!r} is not Arabic script")
        else:
            terms.append(Term(english, arabic, kind, note or None))
    return terms, errors


def import_csv(session: Session, path: Path) -> tuple[int, int, list[str]]:
    """Import a CSV file; valid lines are stored even when others are bad. (added, updated, errors)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            terms, errors = read_csv(f)
    except (OSError, UnicodeDecodeError) as exc:
        raise NaqlError(f"cannot read {path}: {exc}") from exc
    added = updated = 0
    for term in terms:
        if upsert(session, term):
            added += 1
        else:
            updated += 1
    return added, updated, errors


def export_csv(session: Session, *, include_engine: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    query = select(GlossaryEntry).order_by(GlossaryEntry.key)
    if not include_engine:
        query = query.where(GlossaryEntry.origin == "manual")
    for row in session.scalars(query):
        writer.writerow([row.term, row.arabic, row.kind, row.note or ""])
    return out.getvalue()
