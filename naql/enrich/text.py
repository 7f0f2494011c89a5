"""English text helpers shared by the enrich components: paragraphs, words, boilerplate, terms.

Everything here is deterministic across processes and Python versions (no `hash()`): the results
feed signatures and term vectors that are stored and compared later.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_DASHES = re.compile("[\u2010-\u2015\u2212]")

# Short paragraphs an outlet adds around wire copy: calls to subscribe, share or read on, credits,
# copyright lines. Only paragraphs of at most BOILERPLATE_MAX_WORDS words are tested, so a real
# paragraph that happens to mention a newsletter is kept.
BOILERPLATE_MAX_WORDS = 30
_BOILERPLATE = re.compile(
    r"""^\W*(?:
        (?:read|see|watch|listen)\s+(?:more|also|next|now)\b
      | (?:related|more|recommended|trending|top\s+stories|latest|also\s+read|further\s+reading)\s*[:|>»-]
      | (?:sign\s+up|subscribe|register)\b
      | (?:follow|like|join)\s+(?:us|our)\b
      | (?:share|click|tap)\s+(?:this|here|to)\b
      | (?:advertisement|sponsored|promoted|ad)\b\W*$
      | (?:copyright|©|\(c\))
      | all\s+rights\s+reserved
      | (?:get|receive)\s+(?:our|the\s+latest|breaking|daily)\b
      | (?:download|open)\s+(?:our|the)\s+app\b
      | this\s+(?:story|article)\s+(?:has\s+been|was|is)\s+(?:updated|corrected|amended|published)
      | (?:photo|image|video|file\s+photo)\s*(?:credit)?\s*:
      | (?:reporting|writing|editing|additional\s+reporting)\s+by\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE_ANYWHERE = re.compile(
    r"\b(?:newsletter|sign\s+up\s+for|subscribe\s+to|all\s+rights\s+reserved|cookie\s+policy"
    r"|terms\s+of\s+(?:use|service)|privacy\s+policy)\b",
    re.IGNORECASE,
)

#: English function words: dropped from term vectors (kept in shingles, where order matters).
_STOPWORDS = """
    a about above after again against all also am an and any are around as at be because been
    before being below between both but by can could did do does doing down during each even ever
    every few for from further had has have having he her here hers herself him himself his how
    however i if in into is it its itself just last like may me might more most much must my
    myself new no nor not now of off on once one only or other our ours ourselves out over own per
    said same say says she should since so some still such than that the their theirs them
    themselves then there these they this those though through to too two under until up upon us
    very was we were what when where whether which while who whom whose why will with within
    without would yet you your yours yourself yourselves told according year years week day
    monday tuesday wednesday thursday friday saturday sunday mr mrs ms dr"""
STOPWORDS = frozenset(_STOPWORDS.split())


def paragraphs(text: str | Sequence[str]) -> list[str]:
    """Non-empty paragraphs of `text`: a list as given, or a string split at blank lines.

    A string without blank lines is split at single newlines instead (one paragraph per line, as
    extractors often write them).
    """
    if isinstance(text, str):
        parts = _PARAGRAPH_BREAK.split(text)
        if len(parts) == 1:
            parts = text.splitlines()
    else:
        parts = list(text)
    return [p.strip() for p in parts if p and p.strip()]


def normalize(text: str) -> str:
    """Comparison form: NFKC, case-folded, curly apostrophes and dashes made ASCII."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _DASHES.sub("-", text.replace("’", "'").replace("‘", "'"))


def words(text: str) -> list[str]:
    """Word tokens of `text` in comparison form (letters and digits; apostrophes kept inside)."""
    return _WORD.findall(normalize(text))


def is_boilerplate(paragraph: str) -> bool:
    """True for a short paragraph that is site chrome rather than story ("Read more: ...")."""
    n = len(paragraph.split())
    if n == 0 or n > BOILERPLATE_MAX_WORDS:
        return False
    return bool(_BOILERPLATE.match(paragraph) or _BOILERPLATE_ANYWHERE.search(paragraph))


def strip_boilerplate(paras: Iterable[str]) -> list[str]:
    """`paras` without boilerplate paragraphs (see `is_boilerplate`)."""
    return [p for p in paras if not is_boilerplate(p)]


def stable_hash32(token: str) -> int:
    """A 32-bit hash of `token` that is the same in every process (CRC-32 of its UTF-8)."""
    return zlib.crc32(token.encode("utf-8"))


def _stem(word: str) -> str:
    """A light, conservative English suffix fold: possessives and regular plurals."""
    if word.endswith(("'s", "s'")):
        word = word[:-2] if word.endswith("'s") else word[:-1]
    if len(word) > 4 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    return word


def content_terms(text: str) -> list[str]:
    """Terms for similarity: words without stop words, pure numbers or one-letter tokens,
    lightly stemmed (plurals and possessives folded)."""
    out = []
    for w in words(text):
        if len(w) < 2 or w.isdigit() or w in STOPWORDS:
            continue
        w = _stem(w)
        if w not in STOPWORDS:
            out.append(w)
    return out
