"""Leftovers: paragraphs that are not article text.

- punctuation-only: a paragraph holding only "." or "*" (a stray line the extraction kept): form
  (info) on its own, meaning (a warning: the sentence is gone) where the source has words;
- chrome (meaning, warning: the reader is given text the article does not have): the site's furniture in the body: ad labels (مساحة إعلانية، إعلان), "read also" (اقرأ
  أيضا، إقرأ أيضاً), tags (الكلمات الدلالية), "close" (إغلاق), video labels (شاهد الحادثة:), source
  and translation notices (الخبر من المصدر، تمت ترجمة هذا الخبر), share and follow prompts.
Both need only the Arabic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from naql.qa.checks.base import Check, CheckContext, finding
from naql.qa.findings import Document, Finding
from naql.qa.text import normalize_arabic

NAME = "leftovers"


def comparable(text: str) -> str:
    """Normalised Arabic with hamza seats and final ى/ة folded, for matching fixed phrases."""
    text = re.sub("[أإآٱ]", "ا", normalize_arabic(text))
    return text.replace("ى", "ي").replace("ة", "ه")


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(comparable(pattern))


# Chrome that may sit anywhere in a paragraph: unmistakable notices.
CHROME_ANYWHERE = [
    _c("مساحة اعلانية"),
    _c("ضع اعلانك هنا"),
    _c("تمت? ترجمة (هذا|هذه) (الخبر|المقال|المادة|النص)"),
    _c("ادوات الترجمة (الفورية|الالية)"),
    _c("(باستخدام|بواسطة) (خدمة |ادوات )?(ترجمة|الترجمة) (جوجل|غوغل|Google)"),
    _c("جميع الحقوق محفوظة"),
    _c("الكلمات الدلالية"),
]
# Chrome that is the whole (short) paragraph.
CHROME_LINE = [
    _c("(اقرا|إقرأ) (ايضا|المزيد)"),
    _c("(شاهد|شاهدوا|تابع) (ايضا|المزيد|الفيديو)"),
    _c("(عرض|تحميل) المزيد"),
    _c("(اعلان|اعلانات|اغلاق|اخفاء|اعلان ممول|محتوى ممول|مشاركة|شارك|طباعة|تعليقات|التعليقات)"),
    _c("(الخبر|الخبر الاصلي|رابط الخبر|مصدر الخبر) (من|في|على)? ?المصدر"),
    _c(
        "(المصدر|مصدر الخبر|رابط المصدر|الوسوم|وسوم|كلمات دلالية|مواضيع ذات صلة|اخبار ذات صلة|الاكثر قراءه|اقرا ايضا)"
    ),
    _c("(تابعونا|تابعنا) (علي|عبر) .*"),
    _c("(اشترك|اشتركوا) (في|ب) .*"),
    _c("(انقر|اضغط) هنا.*"),
    _c("شارك (هذا|هذه|المقال|الخبر).*"),
]
_VIDEO_LABEL = re.compile(comparable("^(شاهد|شاهدوا|فيديو|بالفيديو|صور|بالصور)\\b"))

#: Phrases an engine or scraper adds, with what the English source would say if it had them
#: (the hallucination check flags them when the source does not).
ADDED_PHRASES = [
    ("عرض المزيد", r"\b(show|see|view|load) more\b"),
    ("اقرا المزيد", r"\bread more\b"),
    ("اقرا ايضا", r"\b(read|see) (also|more)\b|\balso read\b"),
    ("شاهد ايضا", r"\b(see|watch) also\b|\balso (see|watch)\b"),
    ("انقر هنا", r"\bclick here\b"),
    ("اضغط هنا", r"\b(click|press|tap) here\b"),
    ("تمت الترجمه", r"\btranslat"),
    ("تمت ترجمه", r"\btranslat"),
    ("اشترك في", r"\bsubscribe\b"),
]


def chrome(text: str) -> str | None:
    """The chrome phrase a paragraph is or holds (in comparable form), or None."""
    c = comparable(text).strip()
    for pat in CHROME_ANYWHERE:
        m = pat.search(c)
        if m:
            return m.group()
    bare = re.sub(r"[\W_]+", " ", c).strip()
    if len(bare.split()) <= 8:
        for pat in CHROME_LINE:
            if pat.fullmatch(bare):
                return bare
        if c.rstrip().endswith(":") and len(bare.split()) <= 4 and _VIDEO_LABEL.search(bare):
            return bare  # شاهد الحادثة:
    return None


def check_leftovers(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    for i, (source, target) in enumerate(doc):
        stripped = target.strip()
        if not stripped:
            continue
        if not any(c.isalnum() for c in stripped):
            if source is not None and not any(c.isalnum() for c in source) and source.strip():
                continue  # the source has the same separator (* * *)
            lost = source is not None and any(c.isalnum() for c in source)
            yield finding(
                NAME,
                "punctuation-only",
                "warning" if lost else "info",
                i,
                f"paragraph holds only punctuation: {stripped[:10]}",
                f"فقرة لا تحوي إلا علامات ترقيم: {stripped[:10]}",
                kind="meaning" if lost else "form",
            )
            continue
        found = chrome(stripped)
        if found:
            yield finding(
                NAME,
                "chrome",
                "warning",
                i,
                f"site chrome in the article text: {stripped[:40]}",
                f"عناصر من واجهة الموقع داخل نص الخبر: {stripped[:40]}",
            )


CHECKS = [
    Check("leftovers", check_leftovers, False, "no stray punctuation or site chrome in the text"),
]
