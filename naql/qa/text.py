"""Text helpers shared by the checks: Arabic letters and digits, words, sentences, quote marks."""

from __future__ import annotations

import re
import unicodedata

# Arabic-Indic (U+0660..) and Extended Arabic-Indic (Persian/Urdu, U+06F0..) digits to ASCII.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# Harakat, shadda, sukun, superscript alef, Quranic marks and the tatweel: dropped for comparison.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

ARABIC_LETTER = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff"
URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|\b[\w-]+\.(?:com|org|net|gov|int|edu)\b\S*")

#: Every character used as a quotation mark, English or Arabic, straight or curly.
QUOTE_CHARS = '"“”«»„‟″'


def strip_marks(text: str) -> str:
    """Text without harakat and tatweel (كَتَبَ → كتب)."""
    return _MARKS.sub("", text)


def ascii_digits(text: str) -> str:
    """Arabic-Indic digits as ASCII digits, everything else unchanged."""
    return text.translate(DIGITS)


def normalize_arabic(text: str) -> str:
    """Comparison form: NFKC (presentation forms), no marks, ASCII digits."""
    return ascii_digits(strip_marks(unicodedata.normalize("NFKC", text)))


def fold_letters(word: str) -> str:
    """Loose spelling key: hamza seats folded onto alef, final ى→ي and ة→ه."""
    word = re.sub("[أإآٱ]", "ا", word)
    return word.replace("ى", "ي").replace("ة", "ه")


def is_arabic_char(ch: str) -> bool:
    return "ARABIC" in unicodedata.name(ch, "")


def letter_counts(text: str) -> tuple[int, int]:
    """(Arabic letters, Latin letters) in `text`."""
    arabic = latin = 0
    for ch in text:
        if ch.isalpha():
            if is_arabic_char(ch):
                arabic += 1
            elif ch.isascii() or "LATIN" in unicodedata.name(ch, ""):
                latin += 1
    return arabic, latin


def arabic_ratio(text: str) -> float:
    """Share of letters in `text` that are Arabic script."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if is_arabic_char(c)) / len(letters)


def stem_variants(word: str) -> list[str]:
    """`word` and the forms left after removing attached conjunction, preposition and article.

    Ambiguous on purpose (ولد is a word, not و + لد): callers look each variant up in a lexicon.
    """
    out = [word]
    for prefix in ("و", "ف"):
        if word.startswith(prefix) and len(word) > 2:
            out.append(word[1:])
    for w in list(out):
        for prefix in ("بال", "وال", "فال", "كال", "لل", "ال", "ب", "ل", "ك"):
            if w.startswith(prefix) and len(w) - len(prefix) >= 2:
                out.append(w[len(prefix) :])
    return list(dict.fromkeys(out))


_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "col", "lt", "sgt", "capt", "gov",
    "sen", "rep", "rev", "vs", "etc", "inc", "ltd", "co", "corp", "no", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "u.s", "u.k",
    "e.g", "i.e", "a.m", "p.m", "approx", "est", "dept", "univ", "ave",
}  # fmt: skip


def english_sentences(text: str) -> list[str]:
    """Split English text into sentences (a light rule set: abbreviations, initials, decimals)."""
    out: list[str] = []
    start = 0
    # a full stop then a space and a capital; or, as pasted text joins them, a full stop right
    # after a lower-case word and right before a capitalised one ("present.Further")
    for m in re.finditer(
        r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])|(?<=[a-z]{2})[.!?][\"”’)]?(?=[A-Z][a-zA-Z])",
        text,
    ):
        before = text[start : m.start()]
        last = re.search(r"([\w.]+)$", before)
        word = last.group(1).lower() if last else ""
        if m.group().startswith(".") and (
            word in _ABBREVIATIONS
            or (len(word) == 1 and word.isalpha())
            or re.fullmatch(r"(\w\.)+\w", word)
        ):
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def arabic_sentences(text: str) -> list[str]:
    """Split Arabic text at sentence-final . ! ؟ ? (not inside numbers or Latin abbreviations)."""
    parts = re.split(r"(?<=[^\d\sA-Z][.!؟?])\s+|(?<=[.!؟?][\"”“»)])\s+", text.strip())
    return [p.strip() for p in parts if p and re.search(r"\w", p)]
