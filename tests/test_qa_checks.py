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
from naql.qa.findings import kind_of
from naql.qa.numerals import arabic_numbers, english_numbers, key
from naql.qa.quote_repair import repair_document, repair_quotes


def codes(segments, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    """Codes of the warnings and errors on the document."""
    report = check_document(segments, **kwargs)
    return [f.code for f in report.findings if f.severity != "info"]


def infos(segments, **kwargs) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(code, kind) of the info findings on the document."""
    report = check_document(segments, **kwargs)
    return [(f.code, f.kind) for f in report.findings if f.severity == "info"]


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
    # what it points at, for the editor to highlight
    assert "More than 250,000 troops."[slice(*f.source_span)] == "250,000"
    assert "أكثر من 260 ألف جندي."[slice(*f.target_span)] == "260 ألف"
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
    # marks that do not pair up are form: recorded as info, never a hold
    assert codes([(None, 'قال "لا نريد حربا.')]) == []
    assert infos([(None, 'قال "لا نريد حربا.')]) == [("unbalanced-quote", "form")]
    # a quotation over two sentences, closed in the next one
    doc = [(None, 'قال: "لا نريد حربا.'), (None, 'لكننا سنضمن أمننا."')]
    assert codes(doc) == [] and infos(doc) == []


def test_quote_split_by_its_attribution() -> None:
    split = "“لقد كان الرئيس واضحا وأن بلدا ما لا يملك وقال بلينكين للصحفيين في واشنطن “الحق في إملاء سياسات غيره”."
    report = check_document([(None, split)])
    (f,) = [f for f in report.findings if f.code == "split-quote"]
    assert (f.severity, f.kind) == ("error", "meaning") and split[f.target_span[0]] == "“"
    inside = "“لا نريد حربا، قال المتحدث للصحفيين، لكننا سنضمن أمننا”."
    assert codes([(None, inside)]) == ["split-quote"]
    assert codes([(None, "“قال لي أبي إنه سيعود”، قال الطفل.")]) == []
    # a quotation within a quotation, its speaker named inside the outer one: no split
    assert codes([(None, "قال: “أخبرني أبي “سأعود غدا” ثم رحل”.")]) == []
    # the attribution after a full stop: a closing mark left out (form), not a split
    missing = "“نحن جادون في المحادثات. وقال بلينكين للصحفيين “لن نتراجع”."
    assert codes([(None, missing)]) == []
    assert infos([(None, missing)]) == [("unbalanced-quote", "form")]
    # ... unless the source quotes on without a break there: the attribution was added inside
    source = '"We are serious about the talks. We will not back down," Blinken said.'
    assert codes([(source, missing)]) == ["split-quote"]


def test_quotes_against_the_source() -> None:
    # the source's quotation runs over two sentences: so may the translation's
    doc = [
        ('He said, "We do not want war.', 'قال: "لا نريد حربا.'),
        ('But we will ensure our security."', 'لكننا سنضمن أمننا."'),
    ]
    assert codes(doc) == [] and infos(doc) == []
    # a closing mark left out at the end, where the source has it: repaired, info
    report = check_document([('He said "we do not want war".', 'قال "لا نريد حربا.')])
    (f,) = report.findings
    assert (f.code, f.severity, f.kind) == ("quote-repaired", "info", "form")
    assert report.verdict == "publish"
    dropped = [('He said "we do not want a war now" today.', "قال اليوم إننا لا نريد حربا الآن.")]
    report = check_document(dropped)
    (f,) = report.findings
    assert (f.code, f.severity, f.kind) == ("quote-dropped", "warning", "meaning")
    assert dropped[0][0][slice(*f.source_span)] == "we do not want a war now"
    # translators add quotes around names: not counted
    assert codes([("The Guardian reported it.", 'ذكرت صحيفة "الغارديان" ذلك.')]) == []
    # two quotations of one speaker merged into one: not a dropped quotation
    merged = [
        (
            '"We do not want war," Lavrov said. "But we will ensure our security."',
            "وقال لافروف: “لا نريد حربا، لكننا سنضمن أمننا”.",
        )
    ]
    assert codes(merged) == []


def test_quotations_over_paragraphs_are_tracked_per_document() -> None:
    """News style: a paragraph that goes on with a quotation opens with a mark, and the one
    before it does not close."""
    doc = [
        ("He said:", "وقال:"),
        ('"We do not want war. We have said so many times.', "“لا نريد حربا. قلنا ذلك مرارا."),
        ('"But we will ensure our security by every means."', "“لكننا سنضمن أمننا بكل الوسائل”."),
        ("The talks begin in January.", "تبدأ المحادثات في يناير."),
    ]
    report = check_document(doc)
    assert report.findings == [] and report.verdict == "publish"
    # the Arabic alone reads the same
    assert check_document([(None, t) for _, t in doc]).findings == []


# -- quote repair -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "translation", "style", "repaired"),
    [
        # a mark put after the verb
        ('He said, "We do not want war."', 'وقال" إننا لا نريد حربا".', "“”", "وقال “إننا لا نريد حربا”."),
        # a closing mark left out where the source has one at the end
        ('He said "we do not want war".', 'قال "لا نريد حربا.', "«»", "قال «لا نريد حربا»."),
        # nested quotes in the site's style; one mark standing for two ("' for "')
        (
            'Trump offered CureVac "\'large sums of money\' for exclusive access to a vaccine", which',
            'عرض ترامب على CureVac "مبالغ كبيرة من المال" للوصول الحصري إلى لقاح" ، وهو ما',
            "“”",
            "عرض ترامب على CureVac “‘مبالغ كبيرة من المال’ للوصول الحصري إلى لقاح” ، وهو ما",
        ),
        (
            'He warned of "a struggle for influence and the \'politics of generosity\'".',
            'وحذر من "صراع على النفوذ و"سياسة الكرم".',
            "«»",
            "وحذر من «صراع على النفوذ و“سياسة الكرم”».",
        ),
        # a closing mark left out where the next quotation opens
        (
            '"We want peace. We will not accept this," he said. "We are ready."',
            'وقال: "نريد السلام. لن نقبل بهذا. "نحن مستعدون".',
            "“”",
            "وقال: “نريد السلام. لن نقبل بهذا”. “نحن مستعدون”.",
        ),
        # quotes around a name the translator added stay; the quotation is set in the style
        (
            'It was named Hunmin Jeongeum, which means "the correct sounds".',
            'سميت "هانمن جيونجوم"، أي "الأصوات الصحيحة".',
            "«»",
            "سميت «هانمن جيونجوم»، أي «الأصوات الصحيحة».",
        ),
    ],
)  # fmt: skip
def test_repair_quotes(source: str, translation: str, style: str, repaired: str) -> None:
    text, findings = repair_quotes(source, translation, style)
    assert text == repaired
    assert all((f.code, f.severity, f.kind) == ("quote-repaired", "info", "form") for f in findings)
    assert repair_quotes(source, text, style) == (text, [])  # nothing left to repair


def test_repair_quotes_leaves_alone_what_the_source_does_not_show() -> None:
    # no quotation in the source: the translator's quoted name stays as it is
    assert repair_quotes("Zayat was unhurt.", 'ولم يصب "الزيات" بأذى.', "“”")[1] == []
    # the source's marks do not pair up: it shows nothing
    odd = "the scanner he called the ”Indomitable”."
    assert repair_quotes(odd, 'الماسح الذي سماه "الذي لا يقهر.', "“”")[1] == []
    # a split quotation is not papered over
    source = '"The right to dictate," Blinken told reporters. "No country has it."'
    split = "“الحق في إملاء وقال بلينكين للصحفيين “السياسات. لا يحق لأي دولة ذلك”."
    assert repair_quotes(source, split, "“”")[0] == split
    # a style change alone is no finding
    assert repair_quotes('He said "no".', 'قال "لا".', "“”") == ("قال “لا”.", [])


def test_repair_document_reads_quotations_over_segments() -> None:
    doc = [
        ('He said, "We do not want war.', 'قال: "لا نريد حربا.'),
        ('But we will ensure our security."', "لكننا سنضمن أمننا."),
    ]
    texts, findings = repair_document(doc, "«»")
    # the source closes after its full stop: so does the translation
    assert texts == ["قال: «لا نريد حربا.", "لكننا سنضمن أمننا.»"]
    assert [f.segment for f in findings] == [1]


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


def test_punctuation_is_form() -> None:
    # a stray "." paragraph: form on its own, a lost sentence where the source has words
    assert codes([(None, ".")]) == [] and infos([(None, ".")]) == [("punctuation-only", "form")]
    assert codes([("The talks begin today.", ".")]) == ["punctuation-only"]
    assert codes([("* * *", "* * *")]) == []
    assert infos([(None, "هل هذا صحيح؟?")]) == [("doubled-question-mark", "form")]
    report = check_document([(None, "قال الوزير , إن المحادثات ستبدأ ?")])
    assert [(f.code, f.severity, f.kind) for f in report.findings] == [
        ("latin-punctuation", "info", "form")
    ]
    spaced = "قال الوزير إن المحادثات ستبدأ غدا ."
    (f,) = check_document([(None, spaced)]).findings
    assert f.code == "space-before-punctuation" and spaced[slice(*f.target_span)] == " ."
    assert check_document([(None, spaced)]).verdict == "publish"


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
    # one setting for the share of Arabic letters: check.min_arabic_ratio
    with pytest.raises(ValueError, match="its own setting, check.min_arabic_ratio"):
        Thresholds.from_mapping({"min_arabic_ratio": 0.4})
    mixed = [("Talks begin today.", "تبدأ المحادثات مع الوزراء today")]
    assert "script" not in codes(mixed)
    assert "script" in codes(mixed, min_arabic_ratio=0.9)


def test_only_meaning_counts_towards_the_verdict() -> None:
    form_only = [
        ('He said "we do not want war".', 'قال "لا نريد حربا .'),
        (None, "هل هذا صحيح؟?"),
        (None, "قال الوزير , إن المحادثات ستبدأ ?"),
    ]
    report = check_document(form_only)
    assert report.findings and {f.kind for f in report.findings} == {"form"}
    assert {f.severity for f in report.findings} == {"info"}
    assert report.verdict == "publish" and report.reason == ""
    assert report.kinds()["form"] == len(report.findings)
    # a nested quotation and a mark put after the verb: repaired, info
    repaired = [
        ("He said, \"We will not accept 'any deal' now.\"", 'وقال" لن نقبل "أي صفقة" الآن".'),
    ]
    report = check_document(repaired)
    assert [(f.code, f.severity, f.kind) for f in report.findings] == [
        ("quote-repaired", "info", "form")
    ]
    assert report.verdict == "publish"
    assert repair_quotes(*repaired[0], "“”")[0] == "وقال “لن نقبل ‘أي صفقة’ الآن”."
    with pytest.raises(ValueError, match="a form finding is info"):
        Finding("quotes", "warning", "x", 0, code="unbalanced-quote", kind="form")
    # a site's own check that says nothing of kind is meaning, as before
    assert Finding("style", "warning", "tab in text", 0).kind == "meaning"


def test_stored_findings_keep_their_format() -> None:
    f = check_document([("More than 250,000 troops.", "أكثر من 260 ألف جندي.")]).findings[0]
    stored = f.as_dict()
    assert stored == {
        "check": "numbers",
        "code": "number-changed",
        "severity": "error",
        "message": f.message,
        "message_ar": f.message_ar,
        "kind": "meaning",
        "source_span": [10, 17],
        "target_span": [8, 15],
    }
    assert Finding.from_dict(stored, 0) == f
    spans = Finding("quotes", "error", "m", 2, code="split-quote", target_span=(3, 4)).as_dict()
    assert spans["target_span"] == [3, 4] and "source_span" not in spans
    # findings stored before kinds existed read back with the kind their code has
    old = {"check": "quotes", "code": "unbalanced-quote", "severity": "warning", "message": "m"}
    assert (Finding.from_dict(old).kind, Finding.from_dict(old).severity) == ("form", "info")
    assert kind_of(old) == "form" and kind_of({"code": "number-changed"}) == "meaning"


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


@pytest.mark.parametrize(
    "language, source, arabic",
    [
        (
            "fr",
            "Le séisme a fait 3,5 millions de sinistrés et 1 200 morts.",
            "خلف الزلزال 3.5 مليون منكوب و1200 قتيل.",
        ),
        (
            "es",
            "Más de 1.200 personas murieron, un 3,4 por ciento.",
            "توفي أكثر من 1200 شخص، 3.4 بالمئة.",
        ),
        ("de", "Der Index fiel um 6,34 Prozent.", "انخفض المؤشر 6.34 بالمئة."),
        ("en", "More than 1,200 people died, 3.4 percent.", "توفي أكثر من 1200 شخص، 3.4 بالمئة."),
    ],
)
def test_numbers_are_read_in_the_source_language(language: str, source: str, arabic: str) -> None:
    """A French or German article's "3,5" is 3.5 and "1 200" / "1.200" is 1200, not two numbers."""
    report = check_document([(source, arabic)], source_language=language)
    assert not [f for f in report.findings if f.check == "numbers"]
    changed = arabic.replace("3.5", "35").replace("3.4", "34").replace("6.34", "634")
    report = check_document([(source, changed)], source_language=language)
    assert any(f.code == "number-changed" for f in report.findings)
