"""Names: glossary terms in their listed form, no name left in Latin script, one spelling per name.

- glossary: every entry whose English term is in the source must be in the translation in its
  listed Arabic form (hamza seats on alef and harakat aside; an attached و ب ل ك ف or the article
  may precede it). An entry's Arabic form may list alternatives separated by "|".
- latin-name: a capitalised Latin word (Lavrov) in the Arabic where a transliteration is expected:
  not an acronym (NATO), a URL, a brand-like token (eBay, A1GP), a gloss in parentheses, a quoted
  title, or a product/publication after its category noun (صحيفة Atlanta Journal-Constitution).
- inconsistent-name: two spellings of one name in one text, which a machine produces when it
  transliterates each sentence on its own (سيرغي لافروف ... سيرجي شويغو): words one letter apart
  where the letters are known alternatives (غ/ج/ق/ك/گ, ت/ط, س/ص, ي/ى, ه/ة), both used as a first
  name (followed by another name, not by a particle). Arabic side only, so it runs without source.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache

from naql.qa.checks.base import Check, CheckContext, finding, paired
from naql.qa.findings import Document, Finding
from naql.qa.glossary import GlossaryEntry
from naql.qa.text import ARABIC_LETTER, QUOTE_CHARS, normalize_arabic, stem_variants

NAME = "names"

# -- glossary ---------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _english_pattern(term: str) -> re.Pattern[str]:
    """Where the term is in English text: on word boundaries, case-insensitive except for short
    all-capital terms ("US" must not match "us"), as the translation's glossary matcher does."""
    body = r"\s+".join(re.escape(w) for w in term.split())
    flags = 0 if term.isupper() and len(term) <= 3 else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", flags)


def _hamza_free(text: str) -> str:
    return re.sub("[أإآٱ]", "ا", text)


@lru_cache(maxsize=8192)
def _arabic_pattern(form: str) -> re.Pattern[str]:
    form = normalize_arabic(form).strip()
    body = r"\s+".join(re.escape(w) for w in _hamza_free(form).split())
    if form.startswith("ال"):  # للجارديان، بالجارديان (not ألمانيا، لألمانيا)
        prefix = "(?:[وف]?(?:[بك]?ال|لل)|ال)"
        body = body[2:]
    else:
        prefix = "(?:[وف]?[بلك]?(?:ال)?)?"
    return re.compile(rf"(?<![{ARABIC_LETTER}]){prefix}{body}(?![{ARABIC_LETTER}])")


def one_edit(a: str, b: str) -> bool:
    """`a` and `b` differ by one substitution, insertion, deletion or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:k] + long[k + 1 :] == short for k in range(len(long)))


def _variant_of(word: str, form: str) -> bool:
    """`word` is another spelling of the name `form`, not a form derived from it (روسي، ألماني)."""
    if not one_edit(word, form):
        return False
    if len(word) != len(form):
        return word != form[:-1] and form != word[:-1]  # not a suffix added or dropped
    return not (word[:-1] == form[:-1] and word[-1] in "يةه" and form[-1] in "اي")


def _variants(text: str, form: str) -> list[str]:
    """Words of `text` that spell a word of `form` (4 letters or more) another way."""
    found = []
    form_words = [w for w in _hamza_free(normalize_arabic(form)).split() if len(w) >= 4]
    # compare without the article: للبرازيل is البرازيل with ل
    form_words = [w[2:] if w.startswith("ال") and len(w) >= 6 else w for w in form_words]
    for token in re.findall(f"[{ARABIC_LETTER}]+", text):
        stems = stem_variants(token)
        for fw in form_words:
            if fw in stems:
                break
            if any(_variant_of(stem, fw) for stem in stems):
                found.append(token)
                break
    return found


def check_glossary(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    if not ctx.glossary:
        return
    compiled = [
        (
            e,
            _english_pattern(e.english),
            [_arabic_pattern(a) for a in e.arabic.split("|") if a.strip()],
        )
        for e in ctx.glossary
    ]
    forms = {
        w
        for e in ctx.glossary
        for w in _hamza_free(normalize_arabic(e.arabic.replace("|", " "))).split()
    }
    for i, source, target in paired(doc):
        text = _hamza_free(normalize_arabic(target))
        for entry, en_pat, ar_pats in compiled:
            if not en_pat.search(source):
                continue
            variants = [
                v
                for form in entry.arabic.split("|")
                for v in _variants(text, form)
                if v not in forms
            ]
            if not any(p.search(text) for p in ar_pats) or variants:
                yield _glossary_finding(i, entry, variants)


def _glossary_finding(i: int, entry: GlossaryEntry, variants: list[str]) -> Finding:
    form = entry.arabic.split("|")[0].strip()
    seen = f" (found {', '.join(dict.fromkeys(variants))})" if variants else ""
    seen_ar = f" (وردت {'، '.join(dict.fromkeys(variants))})" if variants else ""
    return finding(
        NAME,
        "glossary",
        "error",
        i,
        f"glossary: {entry.english!r} must be translated as {form}{seen}",
        f"المسرد: يجب أن يُترجم {entry.english!r} بالصيغة {form}{seen_ar}",
    )


# -- names left in Latin script ----------------------------------------------------------------

_CATEGORY_NOUNS = {
    normalize_arabic(w)
    for w in (
        "صحيفة", "جريدة", "مجلة", "موقع", "شركة", "منصة", "تطبيق", "برنامج", "قناة", "شبكة",
        "فريق", "نادي", "مقهى", "فندق", "مطعم", "علامة", "ماركة", "متصفح", "نظام", "لعبة", "فيلم",
        "كتاب", "رواية", "أغنية", "ألبوم", "صفحة", "حساب", "وسم", "هاشتاغ", "خدمة", "ممر",
        "مجموعة", "طراز", "سلسلة", "مسلسل", "وكالة", "مؤسسة", "مشروع", "عملية", "مهرجان", "جائزة",
        "ترجمة", "محرك", "مواقع", "شركات", "تطبيقات", "منصات", "صحف", "مجلات", "برامج", "حزب",
        "بطولة", "دوري", "كأس", "سفينة", "طائرة", "صاروخ", "فرقة", "جامعة", "مدرسة", "معهد",
    )
}  # fmt: skip
_BRANDS = {
    "google", "facebook", "twitter", "youtube", "instagram", "whatsapp", "tiktok", "telegram",
    "microsoft", "apple", "amazon", "netflix", "android", "windows", "linux", "skype", "zoom",
    "wikipedia", "wikinews", "reddit", "snapchat", "uber", "airbnb", "tesla", "samsung", "huawei",
    "nokia", "sony", "intel", "nvidia", "boeing", "airbus", "toyota", "bitcoin", "ethereum",
}  # fmt: skip
_LATIN_RUN = re.compile(r"[A-Za-z][\w'’.&-]*(?:\s+[A-Za-z][\w'’.&-]*)*")
_TITLE_WORD = re.compile(r"[A-Z][a-z]+(?:[-'’][A-Za-z]+)*\.?")


def _inside(text: str, start: int, end: int, left: str, right: str) -> bool:
    before, after = text[:start], text[end:]
    return before.rfind(left) > before.rfind(right) and right in after


def _quoted(text: str, start: int) -> bool:
    return sum(text[:start].count(q) for q in QUOTE_CHARS) % 2 == 1


def latin_names(text: str) -> Iterator[re.Match[str]]:
    """Capitalised Latin names in Arabic text where a transliteration is expected."""
    if not re.search(f"[{ARABIC_LETTER}]", text):
        return
    for m in _LATIN_RUN.finditer(text):
        words = m.group().split()
        if len(words) > 2 or not all(_TITLE_WORD.fullmatch(w) for w in words):
            continue  # acronyms, brand-like tokens (eBay, A1GP), titles and untranslated runs
        if words[0].lower().rstrip(".") in _BRANDS:
            continue
        if _inside(text, m.start(), m.end(), "(", ")") or _quoted(text, m.start()):
            continue
        if re.search(r"[A-Za-z0-9][^A-Za-z0-9\u0600-\u06ff]*$", text[: m.start()]):
            continue  # part of a longer Latin run (A1GP New Zealand)
        before = re.findall(f"[{ARABIC_LETTER}]+", normalize_arabic(text[: m.start()]))
        if before and before[-1] in _CATEGORY_NOUNS:
            continue
        if (
            before
            and before[-1] in ("و", "أو", "او")
            and re.search(r"[A-Za-z]\S*\s+\S+\s*$", text[: m.start()])
        ):
            continue  # eBay أو Craiglist: a list of Latin names
        yield m


def check_latin_names(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    for i, source, target in paired(doc):
        for m in latin_names(target):
            if m.group().split()[0].rstrip(".") not in source:
                continue  # not a name taken from the source: the untranslated check's business
            yield finding(
                NAME,
                "latin-name",
                "warning",
                i,
                f"name left in Latin script: {m.group()}",
                f"اسم بقي بالحروف اللاتينية: {m.group()}",
            )


# -- one spelling per name -----------------------------------------------------------------------

_ALTERNATIONS = [set("غجقكگ"), set("تط"), set("سص"), set("يى"), set("هة")]
_PARTICLES = {
    normalize_arabic(w)
    for w in (
        "في", "من", "إلى", "على", "عن", "أن", "إن", "أنه", "إنه", "التي", "الذي", "الذين", "مع",
        "هذا", "هذه", "ذلك", "تلك", "كان", "كانت", "قد", "لقد", "لم", "لن", "لا", "ما", "هو",
        "هي", "بعد", "قبل", "عند", "حتى", "أو", "ثم", "بين", "حول", "خلال", "منذ", "لدى", "وقد",
        "كما", "يوم", "أمس", "اليوم", "أيضا", "إذا", "إذ", "لكن", "بل", "سوف", "كل", "بعض",
        "غير", "عبر", "ضد", "نحو", "دون", "وفي", "ومن", "وإن", "وأن", "الثلاثاء", "الأربعاء",
        "الخميس", "الجمعة", "السبت", "الأحد", "الاثنين", "إنها", "أنها", "له", "لها", "به", "بها",
    )
}  # fmt: skip
_STOPWORDS = _PARTICLES | {
    normalize_arabic(w) for w in ("علي", "الي", "حتي", "لدي", "مدي", "سوي", "اخري", "أخري")
}


def _alternation(a: str, b: str) -> tuple[str, str] | None:
    """The differing letters when `a` and `b` differ by one known alternation, else None."""
    if len(a) != len(b) or a == b:
        return None
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if len(diff) != 1:
        return None
    x, y = diff[0]
    if any(x in group and y in group for group in _ALTERNATIONS):
        return x, y
    return None


def _first_names(doc: Document) -> dict[str, list[tuple[int, str]]]:
    """Words used like a first name: followed by another word that is neither a particle nor an
    article-prefixed word (سيرغي لافروف, not وزير الخارجية)."""
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, (_, target) in enumerate(doc):
        words = re.findall(f"[{ARABIC_LETTER}]+|[^\\s{ARABIC_LETTER}]+", normalize_arabic(target))
        for w, nxt in zip(words, words[1:], strict=False):
            if not re.fullmatch(f"[{ARABIC_LETTER}]+", nxt) or not re.fullmatch(
                f"[{ARABIC_LETTER}]+", w
            ):
                continue
            if len(w) < 4 or w.startswith("ال") or w in _STOPWORDS:
                continue
            if nxt.startswith(("ال", "وال", "بال", "لل")) or nxt in _STOPWORDS or len(nxt) < 3:
                continue
            found[w].append((i, nxt))
    return found


_WEAK = set("يىهة")  # word-final spelling variants, also possessive -ه: need the same surname


def _capitalised(source: str | None) -> set[str]:
    """Capitalised English words of a source that are not its first word."""
    if not source:
        return set()
    words = re.findall(r"[A-Za-z]+", source)
    return {w for w in words[1:] if w[0].isupper() and not w.isupper()}


def check_name_consistency(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    names = _first_names(doc)
    by_len: dict[int, list[str]] = defaultdict(list)
    for w in names:
        by_len[len(w)].append(w)
    for words in by_len.values():
        for k, a in enumerate(words):
            for b in words[k + 1 :]:
                letters = _alternation(a, b)
                if not letters:
                    continue
                if set(letters) <= _WEAK and not {n for _, n in names[a]} & {
                    n for _, n in names[b]
                }:
                    continue
                (i_a, _), (i_b, _) = names[a][0], names[b][0]
                src_a, src_b = doc[i_a][0], doc[i_b][0]
                if (
                    src_a is not None
                    and src_b is not None
                    and i_a != i_b
                    and not _capitalised(src_a) & _capitalised(src_b)
                ):
                    continue  # with the source: only the same English name rendered two ways
                earlier, later = (a, b) if i_a <= i_b else (b, a)
                yield finding(
                    NAME,
                    "inconsistent-name",
                    "warning",
                    max(i_a, i_b),
                    f"one name spelt two ways: {earlier} and {later}",
                    f"اسم واحد بكتابتين مختلفتين: {earlier} و{later}",
                )


CHECKS = [
    Check("glossary", check_glossary, True, "glossary terms come out in their listed Arabic form"),
    Check("latin-names", check_latin_names, True, "no name left in Latin script"),
    Check("name-consistency", check_name_consistency, False, "one spelling per name within a text"),
]
