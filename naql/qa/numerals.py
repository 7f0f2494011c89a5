"""Numbers in English and Arabic text, as values that can be compared across the two.

A value is a float rounded to 6 significant digits, or a clock time ``("time", hour % 12, minute)``.
English: digits with thousands separators, decimals, magnitude words (2.3 billion), ordinals
(60th), decades (1970s, '90s), centuries (19th century), times (9:30 am, 0230 UTC), ranges
(1995-96) and number words (fourteen, ten million), the latter marked as optional.
Arabic: Arabic-Indic digits, ٬ and ٫ separators, a decimal comma, ألف/مليون/مليار magnitudes, number
words and their compounds (خمسة وعشرون، الخامس عشر), ordinals, decades (السبعينيات), halves
(مليون ونصف), and whether a dual noun (هدفين) is present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from naql.qa.text import ascii_digits, fold_letters, stem_variants, strip_marks

Value = float | tuple[str, int, int]


def key(v: float) -> float:
    """Compare floats at 6 significant digits (2.3e9 == 2300 million)."""
    return float(f"{v:.6g}")


# -- English ----------------------------------------------------------------------------------

_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "dozen": 12, "half": 0.5, "quarter": 0.25, "third": 3, "both": 2, "twice": 2,
    "single": 1, "double": 2, "triple": 3, "pair": 2, "couple": 2,
    "first": 1, "second": 2, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20,
}  # fmt: skip
_EN_MAGNITUDES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "bn": 1e9, "mn": 1e6, "mln": 1e6,
}  # fmt: skip
_MONTHS_EN = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)


@dataclass
class SourceNumber:
    """A number in the English source: its text and the values a faithful translation may show."""

    text: str
    values: set[Value]
    base: float | None  # the plain value of its digits, None for a time or a number word
    optional: bool = False  # a number word: a translation may drop it (one of them, a couple)
    time: tuple[int, int] | None = None


_EN_RUN = re.compile(r"(?<![\d.,])\d+(?:[.,:]\d+)*")
# Languages whose numbers write the decimal mark as a comma and group thousands with a dot or a
# (narrow) space: 3,5 millions; 1.200 Menschen; 1 200 personnes. English and the languages that
# follow its convention (zh, ja, ko, he, th, ...) keep the default reading.
DECIMAL_COMMA = frozenset(
    [
        "fr",
        "es",
        "de",
        "it",
        "pt",
        "ru",
        "tr",
        "nl",
        "pl",
        "ro",
        "ca",
        "gl",
        "uk",
        "cs",
        "sk",
        "sl",
        "hr",
        "sr",
        "bs",
        "bg",
        "el",
        "da",
        "sv",
        "nb",
        "no",
        "fi",
        "et",
        "lv",
        "lt",
        "hu",
        "id",
        "vi",
        "fa",
        "az",
        "kk",
        "uz",
    ]
)
_GROUPED_SPACE = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])")


def _parse_digits(run: str, decimal_comma: bool = False) -> list[float]:
    """Values of a digit run; a run like 1.2.3 or 7,8 gives its parts."""
    group, point = (".", ",") if decimal_comma else (",", ".")
    g, p = re.escape(group), re.escape(point)
    if re.fullmatch(rf"\d{{1,3}}(?:{g}\d{{3}})+(?:{p}\d+)?", run):
        return [float(run.replace(group, "").replace(point, "."))]
    if re.fullmatch(rf"\d+(?:{p}\d+)?", run):
        return [float(run.replace(point, "."))]
    return [float(p) for p in re.split(r"[.,:]", run) if p]


def source_numbers(text: str, language: str = "en") -> list[SourceNumber]:
    """The numbers of a source sentence in `language` (ISO 639-1).

    Digits are read with the language's decimal and grouping marks; number words are read for
    English only (elsewhere a translation's number words still match the digits they spell).
    """
    if language == "en" or language not in DECIMAL_COMMA:
        return english_numbers(text)
    # "1 200" is one number: join space-grouped thousands before reading the runs.
    joined = _GROUPED_SPACE.sub(lambda m: re.sub(r"[ \u00a0\u202f]", ".", m.group()), text)
    return [n for n in english_numbers(joined, decimal_comma=True, words=False)]


def english_numbers(
    text: str, *, decimal_comma: bool = False, words: bool = True
) -> list[SourceNumber]:
    out: list[SourceNumber] = []
    prev_end, prev_val = -10, None
    for m in _EN_RUN.finditer(text):
        run = m.group()
        before, after = text[max(0, m.start() - 12) : m.start()], text[m.end() : m.end() + 24]
        low_after = after.lower()
        tm = re.fullmatch(r"(\d{1,2}):(\d{2})", run)
        if tm:
            h, mi = int(tm.group(1)), int(tm.group(2))
            pm = re.match(r"\s*p\.?m\b", low_after) is not None
            out.append(_time_number(run, h + (12 if pm and h < 12 else 0), mi))
            prev_end, prev_val = m.end(), None
            continue
        values = _parse_digits(run, decimal_comma)
        for v in values:
            alts: set[Value] = {key(v)}
            base: float | None = v
            if len(values) == 1:
                mag = re.match(
                    r"\s?-?(hundred|thousand|million|billion|trillion|bn|mn|mln)\b", low_after
                )
                if not mag and re.search(r"[$€£¥]\s?$", before):
                    mag = re.match(r"(k|m|b)\b", low_after)
                if mag:
                    factor = _EN_MAGNITUDES.get(
                        mag.group(1), {"k": 1e3, "m": 1e6, "b": 1e9}.get(mag.group(1), 1.0)
                    )
                    alts.add(key(v * factor))
                if re.match(r"'?s\b", after) and v % 10 == 0:  # 1970s, 90s: السبعينيات
                    alts.add(key(v % 100))
                if re.match(r"(?:\s?[ap]\.?m\b)", low_after) and v <= 12:
                    alts.add(("time", int(v) % 12, 0))
                if (
                    len(run) == 4
                    and run.isdigit()
                    and (run.startswith("0") or re.match(r"\s?(utc|gmt|hours|hrs|z\b)", low_after))
                ):
                    alts.add(("time", int(run[:2]) % 12, int(run[2:])))  # 0230 UTC
                if (
                    m.start() == prev_end + 1
                    and text[prev_end] in "-–/"
                    and prev_val
                    and v < 100 <= prev_val
                ):
                    alts.add(key(prev_val // 100 * 100 + v))  # 1995-96
            # Digits glued to letters (km2, CO2, A1GP) belong to a unit or a name: optional.
            glued = m.start() > 0 and text[m.start() - 1].isalpha()
            out.append(SourceNumber(run, alts, base, optional=glued))
            prev_val = v
        prev_end = m.end()
    if words:
        out.extend(_english_words(text))
    return out


def _time_number(text: str, hour: int, minute: int) -> SourceNumber:
    return SourceNumber(text, {("time", hour % 12, minute)}, None, time=(hour, minute))


def _english_words(text: str) -> list[SourceNumber]:
    """Number words (fourteen, ten million, twenty-five, first), all optional."""
    out = []
    # "2.3 billion" is one number, read with its digits
    text = re.sub(
        r"(\d)\s?-?(?:hundred|thousand|million|billion|trillion)\b", r"\1", text, flags=re.I
    )
    words = re.findall(r"[a-z]+", text.lower())
    i = 0
    while i < len(words):
        w = words[i]
        if w in _EN_UNITS or (w in _EN_MAGNITUDES and w not in ("bn", "mn", "mln")):
            value = float(_EN_UNITS.get(w, 1))
            j = i + 1
            if w in _EN_MAGNITUDES:
                value = _EN_MAGNITUDES[w]
            elif (
                j < len(words)
                and words[j] in _EN_UNITS
                and value >= 20
                and _EN_UNITS[words[j]] < 10
            ):
                value += _EN_UNITS[words[j]]  # twenty-five
                j += 1
            while j < len(words) and (words[j] in _EN_MAGNITUDES or words[j] == "dozen"):
                value *= _EN_MAGNITUDES.get(words[j], 12)
                j += 1
            out.append(SourceNumber(" ".join(words[i:j]), {key(value)}, None, optional=True))
            i = j
        else:
            i += 1
    return out


# -- Arabic -----------------------------------------------------------------------------------


def _lex(table: dict[str, float]) -> dict[str, float]:
    return {fold_letters(k): v for k, v in table.items()}


AR_CARDINALS = _lex({
    "صفر": 0, "واحد": 1, "واحدة": 1, "أحد": 1, "إحدى": 1,
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "اثنا": 2, "اثني": 2, "اثنتا": 2,
    "اثنتي": 2, "ثنتين": 2, "كلا": 2, "كلتا": 2,
    "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6,
    "سبع": 7, "سبعة": 7, "ثمان": 8, "ثماني": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9,
    "عشر": 10, "عشرة": 10,
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "أربعون": 40, "أربعين": 40,
    "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70,
    "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
    "مئة": 100, "مائة": 100, "مئات": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200,
    "مائتين": 200, "مئتا": 200, "مائتا": 200,
    "نصف": 0.5, "ربع": 0.25, "ثلث": 1 / 3, "ثلثي": 2 / 3, "ثلثا": 2 / 3, "ثلثين": 2 / 3,
    "أرباع": 0.25, "عشرات": 10, "عقد": 10, "عقدين": 20, "عقود": 10,
})  # fmt: skip
_HUNDREDS = {"ثلاث": 3, "أربع": 4, "خمس": 5, "ست": 6, "سبع": 7, "ثمان": 8, "تسع": 9}
for _unit, _value in _HUNDREDS.items():
    for _hundred in ("مئة", "مائة"):
        AR_CARDINALS[fold_letters(_unit + _hundred)] = _value * 100  # ثلاثمائة

AR_MAGNITUDES = _lex({
    "ألف": 1e3, "آلاف": 1e3, "ألفا": 1e3, "الاف": 1e3, "ألوف": 1e3,
    "مليون": 1e6, "ملايين": 1e6, "مليونا": 1e6,
    "مليار": 1e9, "مليارات": 1e9, "مليارا": 1e9, "بليون": 1e9, "بلايين": 1e9, "بليونا": 1e9,
    "تريليون": 1e12, "تريليونات": 1e12, "تريليونا": 1e12,
})  # fmt: skip
AR_DUAL_MAGNITUDES = _lex({
    "ألفان": 2e3, "ألفين": 2e3, "ألفي": 2e3, "مليونان": 2e6, "مليونين": 2e6, "مليوني": 2e6,
    "ملياران": 2e9, "مليارين": 2e9, "مليارَي": 2e9,
})  # fmt: skip

AR_ORDINALS = _lex({
    "أول": 1, "أولى": 1, "حادي": 1, "حادية": 1, "ثاني": 2, "ثانية": 2, "ثالث": 3, "ثالثة": 3,
    "رابع": 4, "رابعة": 4, "خامس": 5, "خامسة": 5, "سادس": 6, "سادسة": 6, "سابع": 7,
    "سابعة": 7, "ثامن": 8, "ثامنة": 8, "تاسع": 9, "تاسعة": 9, "عاشر": 10, "عاشرة": 10,
})  # fmt: skip

_DECADE_STEMS = _lex({
    "عشر": 20, "ثلاث": 30, "أربع": 40, "خمس": 50, "ست": 60, "سبع": 70, "ثمان": 80, "تسع": 90,
})  # fmt: skip
_TEENS = {fold_letters(w) for w in ("عشر", "عشرة")}
_HALF = {fold_letters(w) for w in ("نصف", "النصف")}
_DUAL_END = re.compile("(?:ان|ين|تان|تين)$")


@dataclass
class ArabicNumbers:
    """The numbers found in an Arabic text."""

    digit_runs: list[set[Value]] = field(default_factory=list)  # each run's possible values
    digit_texts: list[str] = field(default_factory=list)  # each run as written (with ألف...)
    values: set[Value] = field(default_factory=set)  # everything: digits, words, ordinals...
    word_values: set[Value] = field(default_factory=set)  # what number words and ordinals say
    dual: bool = False  # a word that may be a dual noun (هدفين، ساعتين)
    half: bool = False  # ونصف


def _arabic_run_values(run: str) -> list[set[float]]:
    """Possible values of a digit run in Arabic text, separators read both ways when ambiguous;
    a run like 5:2 or 1.2.3 that is no single number gives one set per part."""
    run = run.replace("٬", "").replace("٫", ".")
    if re.fullmatch(r"\d{1,3}(?:،\d{3})+", run):
        return [{float(run.replace("،", ""))}]  # 783،562
    out: set[float] = set()
    if re.fullmatch(r"\d+(?:\.\d+)?", run):
        out.add(float(run))
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", run):
        out.add(float(re.sub(r"[,.]", "", run)))  # 1,200 or 1.200.000
    if re.fullmatch(r"\d+,\d+", run):
        out.add(float(run.replace(",", ".")))  # decimal comma: 6,34
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+", run):
        out.add(float(run.replace(",", "")))
    if out:
        return [out]
    return [{float(p)} for p in re.split(r"[.,:]", run) if p]


def _word_values(word: str) -> tuple[set[float], str]:
    """Values of one Arabic word and its role: card, ord, mag, decade, or ''."""
    for w in stem_variants(word):
        f = fold_letters(w)
        if f in AR_MAGNITUDES:
            return {AR_MAGNITUDES[f]}, "mag"
        if f in AR_DUAL_MAGNITUDES:
            return {AR_DUAL_MAGNITUDES[f]}, "card"
        if f in AR_CARDINALS:
            return {AR_CARDINALS[f]}, "card"
        if f in AR_ORDINALS:
            return {AR_ORDINALS[f]}, "ord"
        dec = re.fullmatch("(.+?)(?:ينيات|ينات|ينيه)", f)
        if dec and dec.group(1) in _DECADE_STEMS:
            return {_DECADE_STEMS[dec.group(1)]}, "decade"
    return set(), ""


_TOKEN = re.compile(r"\d{1,3}(?:،\d{3})+(?!\d)|\d+(?:[.,٫٬:]\d+)*|[\u0621-\u064a\u0671-\u06d3]+")


class _Reader:
    """Reads the numbers of an Arabic text token by token, keeping the phrase being read."""

    def __init__(self) -> None:
        self.found = ArabicNumbers()
        self.phrase: set[float] = set()  # values of the number phrase ending at the last token
        self.role = ""  # what that token was: digits, card, ord, decade, or "" (no number)
        self.unit = 1.0  # the phrase's magnitude (مليون ونصف: half a million)
        self.digits = False  # the phrase started with digits (its values belong to that run)

    def add(self, values: set[float]) -> None:
        keys = {key(v) for v in values}
        self.found.values |= keys
        if self.digits:
            self.found.digit_runs[-1] |= keys
        else:
            self.found.word_values |= keys

    def digit_run(self, tok: str) -> None:
        parts = _arabic_run_values(tok)
        tm = re.fullmatch(r"(\d{1,2})[:.](\d{2})", tok)
        if tm and int(tm.group(1)) < 25 and int(tm.group(2)) < 60:
            # a clock time: one run, its parts included (9:30 is 9 and 30 too)
            parts = [set().union(*parts)]
            time: Value | None = ("time", int(tm.group(1)) % 12, int(tm.group(2)))
        elif re.fullmatch(r"\d{4}", tok):
            time = ("time", int(tok[:2]) % 12, int(tok[2:]))  # ٠٢٣٠ بالتوقيت العالمي
        else:
            time = None
        for vals in parts:
            run: set[Value] = {key(v) for v in vals}
            if time is not None:
                run.add(time)
            self.found.digit_runs.append(run)
            self.found.digit_texts.append(tok)
            self.found.values |= run
        self.phrase, self.role, self.unit, self.digits = parts[-1], "digits", 1.0, True

    def word(self, tok: str) -> None:
        vals, role = _word_values(tok)
        conj = tok.startswith("و") and len(tok) > 2
        folded = fold_letters(tok[1:] if conj else tok)
        if folded in _HALF or fold_letters(tok) in _HALF:
            self.found.half = True
            self.add({v + 0.5 * self.unit for v in self.phrase | {self.unit}})
            return  # مليون ونصف: the phrase goes on
        if role == "mag":
            factor = next(iter(vals))
            base = self.phrase if self.role in ("digits", "card") else {1.0}
            product = {b * factor for b in base}
            self.add(product)
            if self.digits:
                self.found.digit_texts[-1] += " " + tok  # 300 ألف is 300,000
            self.phrase, self.role, self.unit = product, "card", factor
            return
        self.digits = self.digits and role in ("card", "ord") and conj
        if folded in _TEENS and self.role in ("card", "ord") and not conj:
            teens = {10 + v for v in self.phrase if 1 <= v <= 9}
            self.add(teens)
            self.phrase = teens
            return
        if role in ("card", "ord") and conj and self.role in ("card", "ord", "digits"):
            combined = {p + v for p in self.phrase for v in vals if v < p or (p < 10 and v >= 20)}
            self.add(combined)
            self.digits = False
            self.add(vals)
            self.phrase, self.role = combined | vals, role
            return
        self.digits = False
        if role:
            self.add(vals)
            self.phrase, self.role, self.unit = vals, role, 1.0
            return
        if len(tok) >= 4 and _DUAL_END.search(tok):
            self.found.dual = True
        self.phrase, self.role, self.unit = set(), "", 1.0


def arabic_numbers(text: str) -> ArabicNumbers:
    reader = _Reader()
    for tok in _TOKEN.findall(ascii_digits(strip_marks(text))):
        if tok[0].isdigit():
            reader.digit_run(tok)
        else:
            reader.word(tok)
    found = reader.found
    if found.half:
        halves = {key(v + 0.5) for v in found.values if isinstance(v, float)}
        found.values |= halves
        found.word_values |= halves
    return found
