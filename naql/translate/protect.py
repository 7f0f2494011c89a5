"""Protection of names around the engine, and Arabic post-editing of its output.

CTranslate2 has no lexical constraints, so glossary terms are protected with placeholders: each
term in the source is replaced by a bracketed number ("[101]"), which NMT models copy through like
the numbers and references they saw in training; after translation the placeholder is replaced by
the listed Arabic form. When the engine drops or mangles a placeholder, the sentence is translated
again unprotected and the names check flags the term if its listed form is missing: a glossary
term is never silently wrong.

Names the glossary does not list are kept consistent another way (protecting them would take
their context from the engine): each name is translated once on its own, that form is recorded
for the site, and spelling variants of it in later translations are replaced by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from naql.translate.glossary import Glossary, Term

FIRST_PLACEHOLDER = 101


@dataclass(frozen=True)
class Slot:
    placeholder: str
    number: int
    term: Term
    original: str  # the source text it replaced


@dataclass
class Protected:
    text: str
    slots: list[Slot] = field(default_factory=list)


def protect(sentence: str, glossary: Glossary) -> Protected:
    """Replace manual glossary terms in `sentence` with numbered placeholders.

    Only manual terms are matched (an engine-recorded name containing a term must not hide it).
    """
    manual = glossary if all(t.origin == "manual" for t in glossary.terms) else glossary.manual()
    matches = manual.find(sentence)
    if not matches:
        return Protected(sentence)
    # Every number `restore` would read as a placeholder ([n], (n), 【n】, with spaces) is taken.
    used = {int(n) for n in _BRACKETED.findall(sentence)}
    number = FIRST_PLACEHOLDER
    slots: list[Slot] = []
    pieces: list[str] = []
    pos = 0
    for m in matches:
        while number in used:
            number += 1
        placeholder = f"[{number}]"
        slots.append(Slot(placeholder, number, m.term, sentence[m.start : m.end]))
        pieces.append(sentence[pos : m.start] + placeholder)
        pos = m.end
        number += 1
    pieces.append(sentence[pos:])
    return Protected("".join(pieces), slots)


_BRACKETED = re.compile(r"[\[\(【]\s*(\d+)\s*[\]\)】]")


def restore(translation: str, slots: list[Slot]) -> tuple[str, bool]:
    """Put the Arabic forms back; returns (text, every placeholder found exactly once)."""
    complete = True
    for slot in slots:
        # Engines may rewrite the digits as Arabic-Indic, swap bracket styles or add spaces.
        pattern = re.compile(
            r"[\[\(【]\s*(" + "|".join(_digit_forms(slot.number)) + r")\s*[\]\)】]"
        )
        found = pattern.findall(translation)
        if len(found) != 1:
            complete = False
        # A function, not a template: a backslash in a glossary form is text, not an escape.
        translation = pattern.sub(lambda _m, form=slot.term.arabic: form, translation)
    return translation, complete


def _digit_forms(number: int) -> list[str]:
    latin = str(number)
    return [
        latin,
        latin.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
        latin.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
    ]


# -- names outside the glossary ---------------------------------------------------------------

_NOT_NAMES = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "For",
    "But",
    "And",
    "Or",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Its",
    "Their",
    "Our",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "Here",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "As",
    "By",
    "From",
    "With",
    "According",
    "However",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "What",
    "Who",
    "Why",
    "How",
    "Where",
    "Some",
    "Many",
    "Most",
    "All",
    "No",
    "Not",
    "One",
    "Two",
    "Three",
}
_WORD = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+|'(?!s\b)[A-Z]?[a-z]+)?"  # Jean-Luc, O'Brien; not Cameron's
_NAME_RE = re.compile(rf"\b{_WORD}(?:\s+{_WORD})*")


_TITLES = {
    "Minister",
    "President",
    "Secretary",
    "Chancellor",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "General",
    "Governor",
    "Senator",
    "Mayor",
    "Spokesman",
    "Spokeswoman",
    "Spokesperson",
    "Chief",
    "Director",
    "Ambassador",
    "Judge",
    "Pope",
    "Professor",
    "Leader",
    "Commander",
    "Sheikh",
    "Emir",
    "Chairman",
    "Premier",
}


def candidate_names(sentence: str) -> list[str]:
    """Multi-word capitalised names ("Sergei Lavrov", "Antony Blinken") in an English sentence.

    Leading function words and titles are dropped ("Foreign Minister Sergei Lavrov" gives
    "Sergei Lavrov"), so one person is one name however the sentence introduces them.
    """
    names = []
    for m in _NAME_RE.finditer(sentence):
        words = m.group(0).split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        titles = [i for i, w in enumerate(words) if w in _TITLES]
        if titles:
            words = words[titles[-1] + 1 :]
        if len(words) >= 2:
            names.append(" ".join(words))
    return names


_ALTERNATIONS = [
    set("غجگ"),
    set("كق"),
    set("تط"),
    set("يى"),
    set("هة"),
    set("اأإآ"),
    set("سص"),
    set("زذظ"),
    set("دض"),
]


def _same_letter(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _ALTERNATIONS)


def is_variant(word: str, form: str) -> bool:
    """`word` spells `form` with one letter swapped for a known alternation (سيرجي ~ سيرغي)."""
    if word == form or len(word) != len(form):
        return False
    diffs = [(a, b) for a, b in zip(word, form, strict=True) if a != b]
    return len(diffs) == 1 and _same_letter(*diffs[0])


def unify_names(translation: str, forms: list[Term]) -> tuple[str, list[tuple[str, str]]]:
    """Replace spelling variants of recorded name forms; returns the text and (variant, form) pairs."""
    replaced: list[tuple[str, str]] = []
    for term in forms:
        form_words = term.arabic.split()
        if len(form_words) < 1 or term.arabic in translation:
            continue
        words = translation.split(" ")
        n = len(form_words)
        for i in range(len(words) - n + 1):
            window = words[i : i + n]
            prefix = ""
            if window[0][:1] in "وبلف" and len(window[0]) == len(form_words[0]) + 1:
                prefix, window = window[0][0], [window[0][1:], *window[1:]]
            core = [w.strip('،.,؛:!؟?"“”«»()') for w in window]
            if (
                all(c == f or is_variant(c, f) for c, f in zip(core, form_words, strict=True))
                and core != form_words
            ):
                variant = " ".join(core)
                words[i : i + n] = [
                    w.replace(c, f, 1) if c != f else w
                    for w, c, f in zip(
                        [prefix + window[0], *window[1:]],
                        [prefix + core[0], *core[1:]],
                        [prefix + form_words[0], *form_words[1:]],
                        strict=True,
                    )
                ]
                replaced.append((variant, term.arabic))
        translation = " ".join(words)
    return translation, replaced


# -- Arabic post-editing ----------------------------------------------------------------------

_ARABIC = "\u0600-\u06ff"


def arabic_punctuation(text: str) -> str:
    """Arabic comma, semicolon and question mark in Arabic text; no doubled "؟?"."""
    text = re.sub(rf"(?<=[{_ARABIC}\s])\s*,(?!\d)", "،", text)
    text = re.sub(rf"(?<=[{_ARABIC}])\s*;", "؛", text)
    text = re.sub(rf"(?<=[{_ARABIC}])\s*\?", "؟", text)
    text = re.sub(r"[؟?]{2,}", "؟", text)
    text = re.sub(r"\s+([،؛؟])", r"\1", text)
    return text


QUOTE_STYLES = {"“”": ("“", "”"), "«»": ("«", "»")}
_QUOTE_CHARS = '"“”«»„‟'


def normalise_quotes(text: str, style: str = "“”") -> str:
    """Render quotation marks in the site's style (“…” or «…»), pairing them in order.

    Arabic MT output mixes ” as an opening mark with ", so direction is taken from position:
    odd marks open, even marks close. Unbalanced text stays unbalanced for the quotes check.
    """
    opening, closing = QUOTE_STYLES.get(style, QUOTE_STYLES["“”"])
    out = []
    inside = False
    for ch in text:
        if ch in _QUOTE_CHARS:
            out.append(closing if inside else opening)
            inside = not inside
        else:
            out.append(ch)
    return "".join(out)
