"""The check stage's verdict on a translated article.

Minimal for now: a translation that is empty, identical to its source, or not in Arabic script is
held with the reason stored. The fidelity checks (numbers, names, quotes...) plug in here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["publish", "review", "reject"]


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Literal["info", "warning", "error"]
    message: str
    segment: int | None = None  # index of the segment, None for the whole article


@dataclass(frozen=True)
class Report:
    verdict: Verdict
    findings: list[Finding] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(f.message for f in self.findings if f.severity == "error")


def arabic_ratio(text: str) -> float:
    """Share of letters in `text` that are Arabic script."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    arabic = sum(1 for c in letters if "ARABIC" in unicodedata.name(c, ""))
    return arabic / len(letters)


def check_segments(pairs: list[tuple[str, str]], *, min_arabic_ratio: float = 0.5) -> Report:
    """Check (source, translation) pairs of one article and give its verdict."""
    findings: list[Finding] = []
    for i, (source, target) in enumerate(pairs):
        if source.strip() and not target.strip():
            findings.append(Finding("empty", "error", "empty translation", i))
        elif target.strip() == source.strip() and any(c.isalpha() for c in source):
            findings.append(Finding("copied", "error", "translation identical to the source", i))
    text = " ".join(t for _, t in pairs)
    if text.strip() and arabic_ratio(text) < min_arabic_ratio:
        findings.append(
            Finding(
                "script",
                "error",
                f"translation is not in Arabic script ({arabic_ratio(text):.0%} Arabic letters)",
            )
        )
    if not any(t.strip() for _, t in pairs):
        findings.append(Finding("empty", "error", "the article has no translated text"))
    errors = [f for f in findings if f.severity == "error"]
    # Collapse per-segment errors into a readable reason.
    if errors:
        counts: dict[str, int] = {}
        for f in errors:
            counts[f.message] = counts.get(f.message, 0) + 1
        summary = [
            Finding(
                f.check,
                "error",
                f"{f.message}"
                + (f" ({counts[f.message]} segments)" if counts[f.message] > 1 else ""),
                f.segment,
            )
            for f in {f.message: f for f in errors}.values()
        ]
        return Report("reject", summary + [f for f in findings if f.severity != "error"])
    return Report("publish", findings)
