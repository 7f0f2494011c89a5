"""Glossary entries as data: the checks take a list; where it is stored is not their business."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

KINDS = ("person", "place", "org", "other")


@dataclass(frozen=True)
class GlossaryEntry:
    """An English term and the Arabic form it must take."""

    english: str
    arabic: str
    kind: str = "other"
    note: str = ""


def parse_glossary_csv(text: str) -> list[GlossaryEntry]:
    """Entries from CSV text with columns english, arabic, kind, note (header row optional).

    Raises ValueError naming the line of a row without both an English term and an Arabic form.
    """
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["english", "arabic"]:
        header = [c.strip().lower() for c in rows[0]]
        body = [(i + 2, dict(zip(header, r, strict=False))) for i, r in enumerate(rows[1:])]
    else:
        names = ["english", "arabic", "kind", "note"]
        body = [(i + 1, dict(zip(names, r, strict=False))) for i, r in enumerate(rows)]
    entries = []
    for line, row in body:
        if not any((v or "").strip() for v in row.values()):
            continue
        english, arabic = (row.get("english") or "").strip(), (row.get("arabic") or "").strip()
        if not english or not arabic:
            raise ValueError(f"glossary line {line}: expected an English term and an Arabic form")
        kind = (row.get("kind") or "other").strip().lower() or "other"
        entries.append(GlossaryEntry(english, arabic, kind, (row.get("note") or "").strip()))
    return entries


def load_glossary(path: Path) -> list[GlossaryEntry]:
    return parse_glossary_csv(path.read_text(encoding="utf-8"))


def as_entries(glossary: Iterable[object] | None) -> list[GlossaryEntry]:
    """Entries from GlossaryEntry objects, (english, arabic[, kind[, note]]) tuples, dicts with
    those keys, or any object with `english` (or `term`) and `arabic` attributes."""
    out = []
    for item in glossary or ():
        if isinstance(item, GlossaryEntry):
            out.append(item)
        elif isinstance(item, dict):
            english = item.get("english") or item.get("term") or ""
            out.append(
                GlossaryEntry(
                    english, item["arabic"], item.get("kind") or "other", item.get("note") or ""
                )
            )
        elif isinstance(item, tuple | list):
            out.append(GlossaryEntry(*item))
        else:
            english = getattr(item, "english", None) or getattr(item, "term", None)
            arabic = getattr(item, "arabic", None)
            if not isinstance(english, str) or not isinstance(arabic, str):
                raise TypeError(f"not a glossary entry: {item!r}")
            kind = getattr(item, "kind", None) or "other"
            out.append(GlossaryEntry(english, arabic, kind, getattr(item, "note", None) or ""))
    return out
