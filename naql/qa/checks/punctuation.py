"""Punctuation: Arabic marks in Arabic text, and no doubled question mark.

All form (info, never holds an article; the pipeline's post-editing repairs them):
- doubled-question-mark: "؟?" (or "?؟", "؟؟"), an engine's artefact;
- latin-punctuation: "?", "," or ";" written against Arabic words where ؟ ، ؛ belong;
- space-before-punctuation: a space before a comma or full stop ("القضية ،").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from naql.qa.checks.base import Check, CheckContext, finding
from naql.qa.findings import Document, Finding
from naql.qa.text import ARABIC_LETTER

NAME = "punctuation"

_DOUBLED = re.compile(r"[؟?]\s*[؟?]")
_LATIN = re.compile(
    f"(?<=[{ARABIC_LETTER}])\\s?([?,;])(?!\\d)|(?<!\\d)([?,;])\\s?(?=[{ARABIC_LETTER}])"
)
_SPACE_BEFORE = re.compile(f"[{ARABIC_LETTER}] +[،.؛](?:\\s|$)")
_ARABIC_FOR = {"?": "؟", ",": "،", ";": "؛"}


def check_punctuation(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    for i, (_, target) in enumerate(doc):
        m = _DOUBLED.search(target)
        if m:
            yield finding(
                NAME,
                "doubled-question-mark",
                "info",
                i,
                f"doubled question mark: {m.group()}",
                f"علامة استفهام مكررة: {m.group()}",
                kind="form",
                target_span=m.span(),
            )
        latin = sorted({a or b for a, b in _LATIN.findall(target)})
        if latin:
            want = " ".join(_ARABIC_FOR[c] for c in latin)
            yield finding(
                NAME,
                "latin-punctuation",
                "info",
                i,
                f"Latin punctuation {' '.join(latin)} in Arabic text (use {want})",
                f"علامات ترقيم لاتينية {' '.join(latin)} في نص عربي (الصواب {want})",
                kind="form",
            )
        space = _SPACE_BEFORE.search(target)
        if space:
            yield finding(
                NAME,
                "space-before-punctuation",
                "info",
                i,
                "space before a comma or full stop",
                "مسافة قبل الفاصلة أو النقطة",
                kind="form",
                target_span=(space.start() + 1, space.end()),
            )


CHECKS = [
    Check(
        "punctuation",
        check_punctuation,
        False,
        "Arabic punctuation, no doubled question mark (form, info)",
    ),
]
