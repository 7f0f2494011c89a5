"""Glossary entries as data: the checks take a list; where it is stored is not their business."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GlossaryEntry:
    """An English term and the Arabic form it must take."""

    english: str
    arabic: str
    kind: str = "other"
    note: str = ""


def parse_glossary_csv(text: str) -> list[GlossaryEntry]:
    """Entries from CSV text with columns english, arabic, kind, note (header row optional).

    The site glossary's own parser reads it (one format, one set of rules); the first bad row
    raises ValueError naming its line.
    """
    from naql.translate.glossary import read_csv

    terms, errors = read_csv(io.StringIO(text.lstrip("\ufeff")))
    if errors:
        raise ValueError(f"glossary {errors[0]}")
    return [GlossaryEntry(t.term, t.arabic, t.kind, t.note or "") for t in terms]


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
