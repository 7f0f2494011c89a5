"""Each check on small hand-made cases: what it must flag and what it must let through."""

from __future__ import annotations

import pytest

from naql.qa import (
    Check,
    Finding,
    GlossaryEntry,
    Thresholds,
    all_checks,
    check_document,
    check_segments,
    checks_for,
    parse_glossary_csv,
    register,
    unregister,
)
from naql.qa.align import align
from naql.qa.numerals import arabic_numbers, english_numbers, key


def codes(segments, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    """Codes of the warnings and errors on the document."""
    report = check_document(segments, **kwargs)
    return [f.code for f in report.findings if f.severity != "info"]


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "translation"),
    [
        ("More than 300,000 people marched.", "سار أكثر من 300 ألف شخص."),
        ("It raised $1.5 million.", "جمع مليون ونصف دولار."),
        ("It raised $1.5 million.", "جمع ١٫٥ مليون دولار."),
        ("He had 2 goals and 2 assists.", "سجّل هدفين ومرر تمريرتين."),
        ("It happened on October 7.", "حدث ذلك في السابع من أكتوبر."),
        ("It happened on October 7.", "حدث ذلك في ٧ تشرين الأول."),
        ("It was built in the 1970s.", "بُني في سبعينيات القرن العشرين."),
        ("It dates from the 19th century.", "يعود إلى القرن التاسع عشر."),
        ("The index fell 6.34 percent.", "انخفض المؤشر بنسبة 6,34 بالمئة."),
        ("The index fell 6.34 percent.", "انخفض المؤشر بنسبة ٦٫٣٤٪."),
        ("It crashed at 9:30 am (0230 UTC).", "تحطمت الساعة ٩:٣٠ صباحاً (٠٢٣٠ بالتوقيت العالمي)."),
        ("It landed at about 5am.", "هبطت حوالي الساعة الخامسة صباحاً."),
        ("He came first and she came 2nd.", "جاء الأول وجاءت الثانية."),
        ("The vote was 7-2 in 1995-96.", "كان التصويت 7-2 في موسم 1995-96."),
        ("A country of 783,562 square kilometres.", "بلد مساحته 783،562 كيلومتر مربع."),
        ("It has fourteen banks.", "لديه 14 مصرفاً."),
        ("They have 25 players.", "لديهم خمسة وعشرون لاعباً."),
    ],
)
def test_numbers_written_the_way_translators_write_them(source: str, translation: str) -> None:
    assert codes([(source, translation)]) == []


def test_a_changed_number_is_an_error_and_a_missing_one_a_warning() -> None:
    report = check_document([("More than 250,000 troops.", "أكثر من 260 ألف جندي.")])
    (f,) = report.findings
    assert (f.check, f.code, f.severity) == ("numbers", "number-changed", "error")
    assert "250,000" in f.message and "260 ألف" in f.message and "260 ألف" in f.message_ar
    assert codes([("It cost 2 million.", "كلّف 1 مليون.")]) == ["number-changed"]
    assert codes([("The 5 mm (1/5 inch) tread.", "نعل بعمق 1 مم (1/5 بوصة).")]) == [
        "number-changed"
    ]
    assert codes([("It happened on October 7.", "حدث ذلك في أكتوبر.")]) == ["number-missing"]
    assert codes([("He left.", "غادر عام 2020.")]) == ["number-added"]


def test_numerals_read_arabic_and_english_forms() -> None:
    assert key(300000.0) in arabic_numbers("٣٠٠ ألف").values
    assert key(21.0) in arabic_numbers("الحادي والعشرين").values
    assert key(15.0) in arabic_numbers("الخامس عشر").values
    assert key(70.0) in arabic_numbers("السبعينيات").values
    assert key(2300000000.0) in arabic_numbers("٢٫٣ مليار").values
    assert arabic_numbers("سجل هدفين").dual
    (n,) = [n for n in english_numbers("the 1970s") if not n.optional]
    assert n.values == {1970.0, 70.0}


# -- quotes -------------------------------------------------------------------------------------


def test_quotes_pair_up_with_mixed_marks() -> None:
    assert codes([(None, "قال: ”لا نريد حربا“. وأضاف: «سنرى».")]) == []
    assert codes([(None, 'قال "لا نريد حربا.')]) == ["unbalanced-quote"]
    # a quotation over two sentences, closed in the next one
    doc = [(None, 'قال: "لا نريد حربا.'), (None, 'لكننا سنضمن أمننا."')]
    assert codes(doc) == []


def test_quote_split_by_its_attribution() -> None:
    split = "“لقد كان الرئيس واضحا وأن بلدا ما لا يملك وقال بلينكين للصحفيين في واشنطن “الحق في إملاء سياسات غيره”."
    assert "split-quote" in codes([(None, split)])
    inside = "“لا نريد حربا، قال المتحدث للصحفيين، لكننا سنضمن أمننا”."
    assert codes([(None, inside)]) == ["split-quote"]
    assert codes([(None, "“قال لي أبي إنه سيعود”، قال الطفل.")]) == []


def test_quotes_against_the_source() -> None:
    # the source's quotation runs over two sentences: so may the translation's
    doc = [
        ('He said, "We do not want war.', 'قال: "لا نريد حربا.'),
        ('But we will ensure our security."', 'لكننا سنضمن أمننا."'),
    ]
    assert codes(doc) == []
    assert codes([('He said "we do not want war".', 'قال "لا نريد حربا.')]) == ["unbalanced-quote"]
    dropped = [('He said "we do not want a war now" today.', "قال اليوم إننا لا نريد حربا الآن.")]
    assert codes(dropped) == ["quote-dropped"]
    # translators add quotes around names: not counted
    assert codes([("The Guardian reported it.", 'ذكرت صحيفة "الغارديان" ذلك.')]) == []


# -- names --------------------------------------------------------------------------------------

GLOSSARY = [
    GlossaryEntry("Sergei Lavrov", "سيرغي لافروف", "person"),
    GlossaryEntry("NATO", "الناتو", "org"),
]


def test_glossary_terms_in_their_listed_form() -> None:
    ok = [("Sergei Lavrov met NATO.", "والتقى سيرغي لافروف بالناتو.")]
    assert codes(ok, glossary=GLOSSARY) == []
    bad = [("Sergei Lavrov met NATO.", "التقى سيرجي لافروف بحلف الناتو.")]
    report = check_document(bad, glossary=GLOSSARY)
    (f,) = report.findings
    assert (f.code, f.severity) == ("glossary", "error") and "سيرغي لافروف" in f.message
    # tuples and dicts are accepted as entries; alternatives with |
    assert codes(bad, glossary=[("Sergei Lavrov", "سيرغي لافروف|سيرجي لافروف")]) == []
    assert codes(bad, glossary=[{"english": "NATO", "arabic": "الناتو"}]) == []

    # any object with english (or term) and arabic attributes, like the site glossary's terms
    class Term:
        term, arabic, kind = "NATO", "الناتو", "org"

    assert codes(bad, glossary=[Term()]) == []
    # the listed form once, another spelling elsewhere: the variant is flagged
    japan = [GlossaryEntry("Japan", "اليابان", "place")]
    twice = [("Now for Japan. Japan was an island.", "الآن بالنسبة لليابان. كانت اليابن جزيرة.")]
    (f,) = check_document(twice, glossary=japan).findings
    assert f.code == "glossary" and "اليابن" in f.message
    # derived words are no variants: روسي (Russian), الألماني (German)
    derived = [
        ("Russia and Germany met.", "اجتمعت روسيا وألمانيا، وقال الروسي والألماني إنهما اتفقا.")
    ]
    assert codes(derived, glossary=[("Russia", "روسيا"), ("Germany", "ألمانيا")]) == []


def test_glossary_csv() -> None:
    entries = parse_glossary_csv("english,arabic,kind,note\nSergei Lavrov,سيرغي لافروف,person,\n")
    assert entries == [GlossaryEntry("Sergei Lavrov", "سيرغي لافروف", "person", "")]
    assert parse_glossary_csv("Kyiv,كييف\n") == [GlossaryEntry("Kyiv", "كييف")]
    with pytest.raises(ValueError, match="line 2"):
        parse_glossary_csv("english,arabic\nKyiv,\n")


def test_name_left_in_latin_script() -> None:
    assert codes([("Lavrov said no.", "وقال Lavrov إن الجواب لا.")]) == ["latin-name"]
    # acronyms, brands, glosses and publications after their category noun are fine
    assert codes([("NATO met.", "اجتمع حلف الناتو NATO.")]) == []
    assert codes([("Use Google to find it.", "استخدم Google للعثور عليه.")]) == []
    gloss = "حي القناة (Grachtengordel) منطقة شهيرة تعود إلى القرن السابع عشر."
    assert codes([("The Grachtengordel is a famous district.", gloss)]) == []
    assert codes([("The Atlanta Journal reported.", "نشرت صحيفة Atlanta Journal تقريرا.")]) == []


def test_one_name_spelt_two_ways() -> None:
    doc = [
        (None, "قال وزير الخارجية الروسي سيرغي لافروف إن المحادثات ستبدأ."),
        (None, "وقال وزير الدفاع سيرجي شويغو إن القوات مستعدة."),
    ]
    report = check_document(doc)
    (f,) = report.findings
    assert (f.code, f.segment) == ("inconsistent-name", 1)
    assert "سيرغي" in f.message and "سيرجي" in f.message
    # a possessive or a final ى/ي in ordinary words is no second spelling
    assert (
        codes([(None, "عن طريقه وصلنا. هذه طريقة جديدة للعمل."), (None, "توفي لاحقا. توفى الرجل")])
        == []
    )
    # with the source: two different English names are two people
    two = [
        ("Sergei Lavrov spoke.", "تحدث سيرغي لافروف."),
        ("Sergio Ramos played.", "لعب سيرجي راموس."),
    ]
    assert codes(two) == []


# -- untranslated -------------------------------------------------------------------------------


def test_untranslated_sentences_and_spans() -> None:
    assert codes([("The talks begin today.", "The talks begin today.")]) == ["copied", "script"]
    doc = [("Talks will begin next month.", "The talks will begin next month.")]
    assert codes(doc) == ["not-translated", "script"]
    two = [
        (
            "Talks begin today. The ministers will meet in Geneva next week.",
            "تبدأ المحادثات اليوم. The ministers will meet in Geneva next week.",
        )
    ]
    assert "untranslated-sentence" in codes(two)
    span = [
        (
            "He said the ministers will meet in Geneva next week to talk.",
            "وقال إن the ministers will meet في جنيف الأسبوع المقبل للحديث عن القضايا المطروحة.",
        )
    ]
    assert codes(span) == ["untranslated-span"]
    assert (
        codes([("Bonjour le monde", "Bonjour le monde, ceci est un test.")])[0] == "not-translated"
    )


# -- hallucination ------------------------------------------------------------------------------


def test_repetition_loops() -> None:
    assert codes([("He left.", "غادر غادر غادر غادر المكان.")]) == ["repetition"]
    assert codes([(None, "قال إن المحادثات ستبدأ قال إن المحادثات ستبدأ غدا.")]) == ["repetition"]
    assert codes([(None, "جاء الرجل شيئا فشيئا إلى البيت.")]) == []


def test_omission_and_addition_by_sentence_alignment() -> None:
    source = (
        "The aircraft was headed to Irkutsk and was being operated by interior troops. "
        "An inquiry was established to investigate the crash. "
        "The plane had seen a serious accident in Russia last month."
    )
    full = (
        "كانت الطائرة متجهة إلى إيركوتسك وكانت تشغلها القوات الداخلية. "
        "وفُتح تحقيق للتحقيق في الحادث. "
        "وكانت الطائرة قد تعرضت لحادث خطير في روسيا الشهر الماضي."
    )
    assert codes([(source, full)]) == []
    dropped = full.replace("وفُتح تحقيق للتحقيق في الحادث. ", "")
    assert codes([(source, dropped)]) == ["omission"]
    added = full + " ويُعتقد أن الطاقم كان يضم عشرات الجنود والضباط من مختلف الرتب العسكرية."
    assert codes([(source, added)]) == ["addition"]
    beads = align(["a" * 40, "b" * 40], ["ج" * 34])
    assert [(len(b.source), len(b.target)) for b in beads] in ([(1, 1), (1, 0)], [(1, 0), (1, 1)])


def test_empty_copied_and_added_text() -> None:
    assert set(codes([("Hello world.", "")])) == {"empty"}
    assert codes([("NATO", "NATO"), ("NATO met.", "اجتمع الحلف.")]) == []  # a name is no copy
    assert codes([("The vote was held.", "أجري التصويت. عرض المزيد")]) == ["added-text"]
    # in the source too: no addition (still a leftover of the page, though)
    assert codes([("Show more", "عرض المزيد")]) == ["chrome"]


# -- leftovers and punctuation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    ["مساحة إعلانية - ضع إعلانك هنا", "إقرأ أيضاً:", "اقرأ أيضا", "الكلمات الدلالية", "إغلاق",
     "إعلان", "شاهد الحادثة:", "الخبر من المصدر",
     "تمت ترجمة هذا الخبر باستخدام ادوات الترجمة الفورية من Google"],
)  # fmt: skip
def test_site_chrome(line: str) -> None:
    assert codes([(None, "نص الخبر هنا."), (None, line)]) == ["chrome"]


def test_chrome_words_inside_article_text_are_fine() -> None:
    assert codes([(None, "أعلن الوزير إغلاق المعبر، وقال إن الإعلان سيصدر غدا.")]) == []


def test_punctuation() -> None:
    assert codes([(None, ".")]) == ["punctuation-only"]
    assert codes([("* * *", "* * *")]) == []
    assert codes([(None, "هل هذا صحيح؟?")]) == ["doubled-question-mark"]
    report = check_document([(None, "قال الوزير , إن المحادثات ستبدأ ?")])
    assert [(f.code, f.severity) for f in report.findings] == [("latin-punctuation", "info")]


# -- verdict and registry -----------------------------------------------------------------------


def test_verdict_thresholds() -> None:
    assert check_document([("Hello world.", "مرحبا بالعالم.")]).verdict == "publish"
    assert check_document([("It cost 2 million.", "كلّف 1 مليون.")]).verdict == "review"
    assert check_document([("Hello world.", "")]).verdict == "reject"
    lenient = Thresholds(review_warnings=2)
    missing = [("It happened on October 7.", "حدث ذلك في أكتوبر.")]
    assert check_document(missing).verdict == "review"
    assert check_document(missing, thresholds=lenient).verdict == "publish"
    many = [("It cost 2 million.", "كلّف 1 مليون.")] * 3
    assert check_document(many).verdict == "reject"  # errors on every segment
    assert Thresholds.from_mapping({"review_warnings": 3}).review_warnings == 3
    with pytest.raises(ValueError, match="unknown check threshold 'nope'"):
        Thresholds.from_mapping({"nope": 1})


def test_check_segments_policy() -> None:
    pairs = [("It happened on October 7.", "حدث ذلك في أكتوبر.")]
    assert check_segments(pairs).verdict == "publish"  # unattended: published, findings kept
    assert [f.code for f in check_segments(pairs).findings] == ["number-missing"]
    assert check_segments(pairs, policy="hold").verdict == "review"
    assert check_segments([("Hello world.", "Hello world.")]).verdict == "reject"
    report = check_segments([("Hello world.", "Bonjour le monde")], min_arabic_ratio=0.5)
    assert report.verdict == "reject" and "not in Arabic script" in report.reason


def test_checks_without_a_source_read_the_arabic_alone() -> None:
    names = {c.name for c in checks_for(with_source=False)}
    assert {"quotes", "leftovers", "repetition", "punctuation", "name-consistency"} <= names
    assert not names & {"numbers", "glossary", "length", "empty-copied", "untranslated-spans"}
    # a source-less document gets no numbers finding
    assert codes([(None, "أكثر من 260 ألف جندي.")]) == []


def test_registering_a_check() -> None:
    def no_tabs(doc, ctx):  # type: ignore[no-untyped-def]
        for i, (_, target) in enumerate(doc):
            if "\t" in target:
                yield Finding(
                    "style", "warning", "tab in text", i, message_ar="مسافة جدولة", code="tab"
                )

    register(Check("tabs", no_tabs, False, "no tabs"))
    try:
        assert codes([(None, "نص\tهنا")]) == ["tab"]
        assert "tabs" in {c.name for c in all_checks()}
    finally:
        unregister("tabs")
    assert codes([(None, "نص\tهنا")]) == []


def test_every_finding_has_both_languages() -> None:
    doc = [
        ("More than 250,000 troops.", "أكثر من 260 ألف جندي."),
        ("He said, “we will see”.", "قال “سنرى. عرض المزيد"),
        ("Lavrov left.", "غادر Lavrov غادر غادر غادر."),
        (None, "."),
        (None, "إقرأ أيضاً:"),
    ]
    findings = check_document(doc).findings
    assert len({f.check for f in findings}) >= 5
    for f in findings:
        assert f.message and f.message_ar and f.code, f
        assert any("\u0600" <= c <= "\u06ff" for c in f.message_ar), f
