"""Properties of the text parsers and transformers that take outside input (Hypothesis).

Each test's name states its property. Extraction turns any bytes into plain-text paragraphs or a
clean ExtractionError; placeholder protection changes nothing but the glossary terms and restoring
puts each term's Arabic form back exactly once, or says it could not; the checks give a verdict and
well-formed findings for any pair of texts; the number readers never raise and read back any number
written with Latin or Arabic-Indic digits and either language's separators.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from naql.errors import ExtractionError, NaqlError
from naql.extract import extract_article
from naql.qa.check import check_document
from naql.qa.findings import KINDS
from naql.qa.numerals import arabic_numbers, english_numbers, key, source_numbers
from naql.translate.glossary import Glossary, Term
from naql.translate.protect import protect, restore

MODEST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- extraction -------------------------------------------------------------------------------

SCRIPT_MARK = "XSSMARK"  # inside <script>/<style> bodies and event-handler attributes only

WORDS = [
    "The", "minister", "said", "on", "Tuesday", "that", "talks", "would", "resume", "in",
    "Geneva", "élection", "président", "Straße", "مرحبا", "بالعالم", "Москва", "2024", "3.5",
    "٣٬٥", "1,200", "&", "\"quoted\"", "—", "it's", "x<y", ">", "\u200b", "\u00a0", "\ufeff",
    "\U0001f600", "\u202e", "a=b",
]  # fmt: skip
ENTITIES = [
    "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&nbsp;", "&eacute;", "&#1575;", "&#x627;",
    "&#0;", "&#xD800;", "&#99999999;", "&bogus;", "&", "&#", "&#x;",
]  # fmt: skip

sentences = st.lists(
    st.sampled_from(WORDS) | st.sampled_from(ENTITIES), min_size=3, max_size=40
).map(" ".join)
# A long, article-like paragraph, so that some pages do give an article.
prose = st.lists(
    st.sampled_from(
        [
            "The minister said on Tuesday that talks with the neighbouring states would resume "
            "in Geneva next week, after months of deadlock over the border and trade.",
            "Officials told reporters that 1,200 people had been evacuated from the coastal "
            "towns, and that emergency crews were working through the night.",
            "Critics of the plan argue that it does little to address the underlying causes of "
            "the crisis, which has displaced thousands of families since the spring.",
        ]
    ),
    min_size=1,
    max_size=4,
).map(" ".join)
texts = st.one_of(sentences, prose, st.text(max_size=40))

HOSTILE = [
    f"<script>alert('{SCRIPT_MARK}')</script>",
    f"<script type=text/javascript><!-- document.write('<p>{SCRIPT_MARK}</p>') --></script>",
    f"<style>p::after {{content: '{SCRIPT_MARK}'}}</style>",
    f"<img src=x onerror=\"alert('{SCRIPT_MARK}')\">",
    f'<a href="javascript:alert(\'{SCRIPT_MARK}\')" onclick="{SCRIPT_MARK}()">link</a>',
    f"<svg onload={SCRIPT_MARK}()><script>{SCRIPT_MARK}</script></svg>",
    f'<iframe srcdoc="<script>{SCRIPT_MARK}</script>"></iframe>',
    f"<noscript><script>{SCRIPT_MARK}</script></noscript>",
    f'<body onload="{SCRIPT_MARK}()">',
    f"<div onmouseover='{SCRIPT_MARK}'>",
    f"<template><script>{SCRIPT_MARK}</script></template>",
    f'<object data="javascript:{SCRIPT_MARK}"></object>',
    "<!-- comment <p>hidden</p> -->",
    "<![CDATA[ cdata ]]>",
    "<?xml version='1.0' encoding='utf-16'?>",
    "<!DOCTYPE html>",
    '<meta charset="windows-1256">',
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-16">',
    '<meta charset="no-such-charset">',
    '<meta property="og:image" content="javascript:alert(1)">',
    '<link rel="canonical" href="file:///etc/passwd">',
    "<title>",
    "</title>",
    "<h1>",
    "</h1>",
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<article>",
    "</article>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<br>",
    "<b>",
    "</i>",
    "<",
    ">",
    "</",
    '<p class="x" ',
    "<html>",
    "</html>",
]


@st.composite
def pages(draw: st.DrawFn) -> str:
    """HTML-ish text: well- and ill-formed tags, hostile markup, entities and prose, mixed."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(HOSTILE),
                texts.map(lambda t: f"<p>{t}</p>"),
                texts.map(lambda t: f"<title>{t}</title>"),
                texts.map(lambda t: f"<h1>{t}</h1>"),
                texts,
            ),
            min_size=1,
            max_size=25,
        )
    )
    if draw(st.booleans()):
        pieces = ["<html><head><title>Story</title></head><body><article>", *pieces]
        pieces.append("</article></body></html>")
    return "".join(pieces)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1256",
             "iso-8859-1", "cp1252", "koi8-r", "shift_jis"]  # fmt: skip


@st.composite
def page_bytes(draw: st.DrawFn) -> bytes:
    """A page encoded in one of many encodings (lossily), perhaps with bytes spliced in."""
    text = draw(pages())
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    return data


any_page = st.one_of(pages(), page_bytes(), st.binary(max_size=200), st.text(max_size=200))
page_urls = st.sampled_from(
    [None, "https://example.com/news/1", "http://[::1", "javascript:alert(1)", "", "//x", "ftp://a"]
)

_HANDLER = re.compile(r"\bon[a-z]+\s*=", re.I)


def _article_text(article) -> list[str]:
    return [*article.paragraphs, article.title or ""]


@FEW
@given(page=any_page, url=page_urls)
@example(
    page="<html><body><article>"
    + "<p>The minister said on Tuesday that talks would resume in Geneva next week after "
    "months of deadlock over the border.</p>"
    * 3
    + f"<script>alert('{SCRIPT_MARK}')</script><p onclick=\"{SCRIPT_MARK}()\">Officials said "
    "that 1,200 people had been evacuated from the coastal towns overnight.</p>"
    "</article></body></html>",
    url="https://example.com/a",
)
def test_extraction_gives_plain_text_paragraphs_or_an_extraction_error(page, url) -> None:
    try:
        article = extract_article(page, url=url)
    except ExtractionError:
        return
    except NaqlError as exc:  # any of naql's own errors is still a clean, one-line failure
        pytest.fail(f"expected ExtractionError, got {type(exc).__name__}: {exc}")
    assert article.paragraphs, "an article has at least one paragraph"
    for text in _article_text(article):
        assert isinstance(text, str)
        assert SCRIPT_MARK not in text, "script, style or handler content leaked into the text"
        assert "<script" not in text.lower()
        assert not _HANDLER.search(text)
    for p in article.paragraphs:
        assert p and p == p.strip(), "paragraphs are non-empty and trimmed"
        assert not re.search(r"\s\s|[\n\r\t]", p), "whitespace is collapsed to single spaces"


@FEW
@given(page=pages())
def test_extraction_never_raises_anything_but_extraction_error_on_str_pages(page) -> None:
    with contextlib.suppress(ExtractionError):
        extract_article(page, url="https://example.com/story")


# -- placeholder protection and restoration ---------------------------------------------------

# Glossary terms and their Arabic forms: the forms are distinct words none of which contains
# another (nor can one appear across two adjacent ones), so each can be counted.
TERM_POOL = [
    "Obama",
    "Barack Obama",
    "US",
    "United States",
    "New York",
    "NATO",
    "Sergei Lavrov",
    "Lavrov",
    "Kyiv",
    "al-Assad",
    "EU",
    "O'Brien",
]
ARABIC_FORMS = [f"ك{ch}ك" for ch in "بتثجحخدذرزسشصضطظعغفقلمنهوي"]

FILLER = [
    "said", "the", "us", "and", "met", "in", "nato-style", "natoist", "Obamas", "US-led",
    "york", ",", ".", "(", ")", '"', "—", "[101]", "[102]", "[103]", "[7]",
    "2024", "\u00a0", "\n", "العاصمة", "ó",
]  # fmt: skip


@st.composite
def glossaries(draw: st.DrawFn) -> Glossary:
    terms = draw(st.lists(st.sampled_from(TERM_POOL), min_size=1, max_size=6, unique=True))
    forms = draw(st.permutations(ARABIC_FORMS))
    return Glossary(Term(t, forms[i]) for i, t in enumerate(terms))


@st.composite
def sentences_with_terms(draw: st.DrawFn, glossary: Glossary) -> str:
    """Filler and glossary terms (in any case), joined by spaces or nothing at all."""
    term_texts = [t.term for t in glossary.terms]
    cased = st.sampled_from(term_texts).flatmap(
        lambda t: st.sampled_from([t, t.upper(), t.lower(), t.title()])
    )
    tokens = draw(st.lists(st.one_of(cased, st.sampled_from(FILLER)), min_size=0, max_size=15))
    seps = draw(
        st.lists(
            st.sampled_from([" ", " ", "  ", "", ", "]), min_size=len(tokens), max_size=len(tokens)
        )
    )
    return "".join(tok + sep for tok, sep in zip(tokens, seps, strict=True))


@st.composite
def protected_cases(draw: st.DrawFn):
    glossary = draw(glossaries())
    sentence = draw(sentences_with_terms(glossary))
    return glossary, sentence, protect(sentence, glossary)


def _rebuild(protected, sentence: str, with_arabic: bool) -> str:
    """`protected.text` with each placeholder replaced by its original (or its Arabic form)."""
    out = protected.text
    for slot in protected.slots:
        assert out.count(slot.placeholder) == 1
        out = out.replace(slot.placeholder, slot.term.arabic if with_arabic else slot.original)
    return out


ARABIC_FILLER = ["قال", "إن", "في", "العاصمة", "،", ".", "وزير", "الخارجية", "«", "»"]


@st.composite
def engine_outputs(draw: st.DrawFn, slots) -> str:
    """What an engine may make of a protected sentence: every placeholder kept once, in any order,
    its digits perhaps Arabic-Indic or Persian, its brackets swapped, spaces added, Arabic around."""
    order = draw(st.permutations(slots))
    out = []
    for slot in order:
        out.extend(draw(st.lists(st.sampled_from(ARABIC_FILLER), max_size=3)))
        digits = str(slot.number)
        digits = digits.translate(
            str.maketrans(
                "0123456789", draw(st.sampled_from(["0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"]))
            )
        )
        opening, closing = draw(st.sampled_from([("[", "]"), ("(", ")"), ("【", "】")]))
        pad = draw(st.sampled_from(["", " "]))
        out.append(f"{opening}{pad}{digits}{pad}{closing}")
    out.extend(draw(st.lists(st.sampled_from(ARABIC_FILLER), max_size=3)))
    return " ".join(out)


@MODEST
@given(case=protected_cases())
@example(
    case=(lambda g, s: (g, s, protect(s, g)))(
        Glossary([Term("Obama", "كبك"), Term("US", "كتك")]), "[101] Obama met the US [102] us"
    )
)
def test_protect_changes_nothing_but_the_matched_terms(case) -> None:
    glossary, sentence, protected = case
    # each placeholder is in the protected text exactly once, and putting the originals back
    # gives the sentence, character for character
    assert _rebuild(protected, sentence, with_arabic=False) == sentence
    for slot in protected.slots:
        assert slot.original.casefold().split() == slot.term.term.casefold().split() or (
            "".join(slot.original.casefold().split()) == "".join(slot.term.term.casefold().split())
        )
    if not protected.slots:
        assert protected.text == sentence


@MODEST
@given(case=protected_cases())
def test_placeholders_are_numbered_past_any_bracketed_number_already_in_the_source(case) -> None:
    glossary, sentence, protected = case
    existing = {int(n) for n in re.findall(r"\[(\d+)\]", sentence)}
    numbers = [slot.number for slot in protected.slots]
    assert len(set(numbers)) == len(numbers)
    assert not existing & set(numbers), "a placeholder reuses a number the source already holds"
    # restoring the unchanged protected text leaves the source's own "[n]" alone
    restored, complete = restore(protected.text, protected.slots)
    assert complete
    assert restored == _rebuild(protected, sentence, with_arabic=True)


@MODEST
@given(data=st.data(), case=protected_cases())
def test_restore_puts_each_term_back_once_whatever_the_engine_kept(data, case) -> None:
    glossary, sentence, protected = case
    translation = data.draw(engine_outputs(protected.slots))
    restored, complete = restore(translation, protected.slots)
    assert complete, f"every placeholder was kept once: {translation!r}"
    for form in ARABIC_FORMS:
        expected = sum(1 for slot in protected.slots if slot.term.arabic == form)
        assert restored.count(form) == expected
    assert not re.search(r"[\[(【]\s*[0-9٠-٩۰-۹]+\s*[\])】]", restored), "a placeholder is left"


@MODEST
@given(data=st.data(), case=protected_cases())
def test_restore_reports_a_dropped_or_duplicated_placeholder_as_incomplete(data, case) -> None:
    glossary, sentence, protected = case
    assume(protected.slots)
    victim = data.draw(st.sampled_from(protected.slots))
    translation = protected.text
    if data.draw(st.booleans()):
        translation = translation.replace(victim.placeholder, "")  # dropped
    else:
        translation = translation.replace(  # duplicated, perhaps in another digit style
            victim.placeholder,
            victim.placeholder
            + " "
            + data.draw(
                st.sampled_from(
                    [
                        victim.placeholder,
                        f"({victim.number})",
                        victim.placeholder.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
                    ]
                )
            ),
        )
    restored, complete = restore(translation, protected.slots)
    assert not complete, f"{translation!r} was reported completely restored"


# Numbers the source already holds in a form restore() also accepts as a placeholder: round
# brackets, Arabic-Indic digits, inner spaces.
PLACEHOLDER_LIKE = ["(101)", "[١٠١]", "[ 101 ]", "【101】", "(102)", "[۱۰۲]"]


@MODEST
@given(
    data=st.data(),
    glossary=glossaries(),
    existing=st.lists(st.sampled_from(PLACEHOLDER_LIKE), min_size=1, max_size=3),
)
def test_source_text_like_a_placeholder_never_collides_with_one(data, glossary, existing) -> None:
    sentence = " ".join([*existing, data.draw(sentences_with_terms(glossary))])
    protected = protect(sentence, glossary)
    restored, complete = restore(protected.text, protected.slots)
    assert complete
    assert restored == _rebuild(protected, sentence, with_arabic=True)


@FEW
@given(
    form=st.text(st.sampled_from("أوباما \\1g<0>\\n&\\\\ءy"), min_size=1, max_size=12).filter(
        lambda f: "\\" in f
    )
)
@example(form="أو\\باما")
def test_restore_puts_the_arabic_form_back_verbatim_whatever_characters_it_holds(form) -> None:
    glossary = Glossary([Term("Obama", form)])
    protected = protect("Obama met", glossary)
    restored, complete = restore(protected.text, protected.slots)
    assert complete
    assert restored == form + " met"


# -- the checks -------------------------------------------------------------------------------

CHECK_ALPHABET = (
    "aZ09 .,;:!?\"'«»“”„()[]-–—/%$€\n\t\u00a0\u200b\u200f\u202e\ufeff\u0640"
    "قال الوزير إن ٣٤٥٦٫٬،؛؟ ًٌٍَُِّْ ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى"
    "ﻻﷲ۰۱۲Привет中文\U0001f600\x00\ud800"
)
check_texts = st.one_of(
    st.text(st.sampled_from(CHECK_ALPHABET), max_size=120),
    st.text(max_size=60),
    st.lists(
        st.sampled_from(WORDS + ARABIC_FILLER + ["1,200", "٣٤", "fourteen", "ثلاثة"]), max_size=20
    ).map(" ".join),
)
check_documents = st.lists(
    st.tuples(st.none() | check_texts, check_texts | st.none()), min_size=1, max_size=4
)


@MODEST
@given(
    doc=check_documents,
    language=st.sampled_from(["en", "fr", "de", "ru", "xx", ""]),
    with_glossary=st.booleans(),
)
# Found in CI: a quote repair's target span pointed into the repaired text, past the translation.
@example(doc=[('""', "«")], language="en", with_glossary=False)
def test_checks_give_a_verdict_and_well_formed_findings_on_any_texts(
    doc, language, with_glossary
) -> None:
    glossary = [("Obama", "أوباما"), ("US", "الولايات المتحدة")] if with_glossary else None
    report = check_document(doc, glossary=glossary, source_language=language)
    assert report.verdict in {"publish", "review", "reject"}
    assert report.segments == len(doc)
    for f in report.findings:
        assert f.kind in KINDS
        assert isinstance(f.message, str) and f.message.strip()
        assert isinstance(f.message_ar, str) and f.message_ar.strip()
        if f.kind == "form":
            assert f.severity == "info"
        assert f.segment is None or 0 <= f.segment < len(doc)
        if f.segment is None:
            continue
        source, translation = doc[f.segment]
        if f.source_span is not None:
            assert source is not None
            start, end = f.source_span
            assert 0 <= start <= end <= len(source), (f, source)
        if f.target_span is not None:
            start, end = f.target_span
            assert 0 <= start <= end <= len(translation or ""), (f, translation)


@MODEST
@given(doc=check_documents)
def test_a_document_with_only_form_findings_is_published(doc) -> None:
    report = check_document(doc)
    if all(f.kind == "form" or f.severity == "info" for f in report.findings):
        assert report.verdict == "publish"


# -- the number readers -----------------------------------------------------------------------

any_text = st.one_of(
    st.text(max_size=80),
    st.text(
        st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲.,:٫٬، '-–/sthamp" + "ألفمليونونصفعشرثلاثةخمسة"),
        max_size=60,
    ),
)


@MODEST
@given(text=any_text)
def test_arabic_number_reader_never_raises_on_any_text(text) -> None:
    found = arabic_numbers(text)
    assert len(found.digit_runs) == len(found.digit_texts)


@MODEST
@given(text=any_text, language=st.sampled_from(["en", "fr", "de", "es", "ja", "xx", ""]))
def test_source_number_readers_never_raise_on_any_text(text, language) -> None:
    english_numbers(text)
    for n in source_numbers(text, language):
        assert n.values


INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
AR_BEFORE = ["قتل", "وصل عدد القتلى إلى", "قال إن", "بلغت الخسائر"]
AR_AFTER = ["شخصا", "دولارا", "في المدينة", "، حسب المسؤولين", ""]

integers = st.integers(min_value=0, max_value=10**12)
fractions = st.text("0123456789", min_size=1, max_size=3)


@st.composite
def arabic_written_numbers(draw: st.DrawFn) -> tuple[float, str]:
    """(n, n as an Arabic text may write it): Latin, Arabic-Indic or Persian digits; no grouping
    or ٬ (or Latin comma) grouping; a ٫ or Latin decimal point."""
    n = draw(integers)
    frac = draw(st.none() | fractions)
    grouping = draw(st.sampled_from(["", "٬", ","] if frac is None else ["", "٬"]))
    written = f"{n:,}".replace(",", grouping) if grouping else str(n)
    if frac is not None:
        written += draw(st.sampled_from(["٫", "."])) + frac
    value = float(f"{n}.{frac}") if frac is not None else float(n)
    written = written.translate(draw(st.sampled_from([str.maketrans("", ""), INDIC, PERSIAN])))
    return value, written


@MODEST
@given(
    number=arabic_written_numbers(),
    before=st.sampled_from(AR_BEFORE),
    after=st.sampled_from(AR_AFTER),
)
@example(number=(1200.0, "١٬٢٠٠"), before="قتل", after="شخصا")
@example(number=(3.5, "٣٫٥"), before="قتل", after="شخصا")
def test_arabic_reader_reads_back_any_number_in_latin_or_arabic_indic_digits(
    number, before, after
) -> None:
    value, written = number
    found = arabic_numbers(f"{before} {written} {after}")
    assert key(value) in found.values, (written, found.values)
    assert any(key(value) in run for run in found.digit_runs)


EN_BEFORE = ["About", "The police said", "Officials counted", "At least"]
EN_AFTER = ["people were there.", "dollars", "in the city", ""]


@MODEST
@given(
    n=integers,
    frac=st.none() | fractions,
    before=st.sampled_from(EN_BEFORE),
    after=st.sampled_from(EN_AFTER),
)
@example(n=1200, frac=None, before="About", after="people were there.")
@example(n=1234567, frac="5", before="About", after="")
def test_english_reader_reads_back_integers_and_decimals_with_thousands_commas(
    n, frac, before, after
) -> None:
    written = f"{n:,}" + (f".{frac}" if frac is not None else "")
    value = float(f"{n}.{frac}") if frac is not None else float(n)
    found = english_numbers(f"{before} {written} {after}")
    assert any(key(value) in num.values for num in found), (written, found)


@MODEST
@given(
    n=integers,
    frac=st.none() | fractions,
    space=st.sampled_from([" ", "\u00a0", "\u202f", "."]),
    language=st.sampled_from(["fr", "de", "es", "ru"]),
)
@example(n=3, frac="5", space=" ", language="fr")
@example(n=1200, frac=None, space=" ", language="fr")
def test_decimal_comma_reader_reads_back_space_or_dot_grouped_numbers_with_a_decimal_comma(
    n, frac, space, language
) -> None:
    written = f"{n:,}".replace(",", space) + (f",{frac}" if frac is not None else "")
    value = float(f"{n}.{frac}") if frac is not None else float(n)
    found = source_numbers(f"Environ {written} personnes", language)
    assert any(key(value) in num.values for num in found), (written, found)


def test_decimal_comma_reader_examples() -> None:
    assert [n.base for n in source_numbers("3,5 millions", "fr")] == [3.5]
    assert [n.base for n in source_numbers("1 200 personnes", "fr")] == [1200.0]
