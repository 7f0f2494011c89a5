"""Arabic presentation: digit style, Gregorian and Hijri (Umm al-Qura) dates, bidi isolation.

All functions take plain text and return plain text, except `isolate`, which returns escaped
markup (Latin runs wrapped in <bdi>), so templates can use it directly.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from markupsafe import Markup, escape

GREGORIAN_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
HIJRI_MONTHS = (
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الآخر",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
)
DIGIT_STYLES = ("latin", "arabic")
_TO_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# A run of left-to-right text: Latin letters and digits, with the spaces and punctuation between
# them ("Joe Biden", "COVID-19", "3.5", "BBC News"), but not punctuation at its edges.
_LTR_RUN = re.compile(
    r"[A-Za-z0-9\u00C0-\u024F](?:[A-Za-z0-9\u00C0-\u024F .,'’&:/_+%-]*[A-Za-z0-9\u00C0-\u024F%])?"
)


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def digits(text: str, style: str = "latin") -> str:
    """Text with its numbers in the site's style: "arabic" writes ٠-٩ with the Arabic decimal
    separator and thousands separator (3.5 → ٣٫٥, 12,000 → ١٢٬٠٠٠); "latin" leaves them."""
    if style != "arabic":
        return text
    text = _THOUSANDS.sub("٬", _DECIMAL_POINT.sub("٫", text))
    return text.translate(_TO_ARABIC_DIGITS)


def as_datetime(value: datetime | date | str | None) -> datetime | None:
    """A datetime (naive = UTC) from a datetime, a date or an ISO string; None if not a date."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def iso(value: datetime | date | str | None) -> str:
    """Machine-readable form for <time datetime>: a date, or a date and time with its offset."""
    when = as_datetime(value)
    if when is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return when.date().isoformat()
    if isinstance(value, str) and len(value.strip()) <= 10:
        return when.date().isoformat()
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.isoformat(timespec="seconds")


def gregorian_date(value: datetime | date | str | None, style: str = "latin") -> str:
    when = as_datetime(value)
    if when is None:
        return ""
    return digits(f"{when.day} {GREGORIAN_MONTHS[when.month - 1]} {when.year}", style)


def hijri_date(value: datetime | date | str | None, style: str = "latin") -> str:
    """The Umm al-Qura date ("9 ذو القعدة 1445 هـ"), or "" outside the calendar's range."""
    from hijridate import Gregorian

    when = as_datetime(value)
    if when is None:
        return ""
    try:
        h = Gregorian(when.year, when.month, when.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    return digits(f"{h.day} {HIJRI_MONTHS[h.month - 1]} {h.year} هـ", style)


def both_dates(value: datetime | date | str | None, style: str = "latin") -> str:
    """Gregorian date, then the Hijri one: "17 مايو 2024 (9 ذو القعدة 1445 هـ)"."""
    gregorian = gregorian_date(value, style)
    hijri = hijri_date(value, style)
    return f"{gregorian} ({hijri})" if gregorian and hijri else gregorian


def isolate(text: str | None, style: str = "latin") -> Markup:
    """Escaped text with each left-to-right run (Latin names, numbers) isolated in <bdi>.

    Without isolation a Latin name or a number beside neutral punctuation in Arabic text can be
    reordered by the bidi algorithm ("(BBC)" shown as ")BBC(", "2024-05" flipped).
    """
    if not text:
        return Markup("")
    out: list[str] = []
    last = 0
    for m in _LTR_RUN.finditer(text):
        run = m.group(0)
        out.append(str(escape(digits(text[last : m.start()], style))))
        if style == "arabic" and run.replace(",", "").replace(".", "").isdigit():
            out.append(str(escape(digits(run, style))))  # Arabic-Indic digits need no isolation
        else:
            out.append(f"<bdi>{escape(run)}</bdi>")
        last = m.end()
    out.append(str(escape(digits(text[last:], style))))
    return Markup("".join(out))


_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def normalise(text: str) -> str:
    """Search form of Arabic text: no diacritics or tatweel; alef forms, ya and ta marbuta folded.

    The same folding is done in static/search.js on the reader's query.
    """
    return _DIACRITICS.sub("", text).translate(_FOLD)
