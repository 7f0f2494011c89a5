"""Language identification of extracted article text (py3langid)."""

from __future__ import annotations

import re

# Fewer letters than this and langid's answer is a guess; report "unknown" instead.
MIN_LETTERS = 20
# langid's answer is stable long before this; bounding the input keeps huge bodies cheap.
MAX_CHARS = 20_000

_SPACE_RE = re.compile(r"\s+")
_langid = None


def _identifier():
    global _langid
    if _langid is None:
        import py3langid  # loads the model on first import; keep module import cheap

        _langid = py3langid
    return _langid


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the dominant language of ``text``, or None when it has too few letters."""
    if not text:
        return None
    sample = _SPACE_RE.sub(" ", text[:MAX_CHARS]).strip()
    if sum(1 for ch in sample if ch.isalpha()) < MIN_LETTERS:
        return None
    code, _score = _identifier().classify(sample)
    code = str(code).lower()
    # py3langid's model speaks ISO 639-1 already; guard against anything else it might emit.
    if len(code) != 2 or not code.isalpha():
        return None
    return code
