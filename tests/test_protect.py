"""Glossary matching, placeholder protection, name consistency, Arabic post-editing."""

from __future__ import annotations

import io
from collections.abc import Sequence

from naql.translate.glossary import Glossary, Term, read_csv
from naql.translate.protect import (
    arabic_punctuation,
    candidate_names,
    is_variant,
    normalise_quotes,
    protect,
    restore,
    unify_names,
)
from naql.translate.relay import SegmentTranslator, memory_key
from naql.translate.segment import split_sentences

GLOSSARY = Glossary(
    [
        Term("Sergei Lavrov", "سيرغي لافروف", "person"),
        Term("NATO", "حلف شمال الأطلسي", "org"),
        Term("US", "الولايات المتحدة", "place"),
        Term("United States", "الولايات المتحدة", "place"),
    ]
)


def test_glossary_matching() -> None:
    found = GLOSSARY.find("Sergei  Lavrov said the US and NATO; the United States told us.")
    assert [m.term.term for m in found] == ["Sergei Lavrov", "US", "NATO", "United States"]
    assert GLOSSARY.find("nato-style talks, natoist") == []  # word boundaries, no partial words
    assert [m.term.term for m in GLOSSARY.find("Nato met")] == [
        "NATO"
    ]  # case-insensitive for longer terms


def test_csv_reports_bad_lines_and_keeps_good_ones() -> None:
    terms, errors = read_csv(
        io.StringIO("english,arabic,kind,note\nNATO,الناتو,org,\n,x,person,\nUS,أمريكا,moon,\n")
    )
    assert [t.term for t in terms] == ["NATO"]
    assert errors == [
        "line 3: needs an English term and an Arabic form",
        "line 4: kind 'moon' is not one of person, place, org, other",
    ]


def test_protect_and_restore_round_trip() -> None:
    p = protect("Sergei Lavrov met US officials, see [101].", GLOSSARY)
    assert p.text == "[102] met [103] officials, see [101]."  # an existing [101] is left alone
    text, complete = restore("التقى [١٠٢] مسؤولين من ( 103 )، انظر [101].", p.slots)
    assert complete and text == "التقى سيرغي لافروف مسؤولين من الولايات المتحدة، انظر [101]."
    text, complete = restore("التقى مسؤولين", p.slots)
    assert not complete


def test_names_and_variants() -> None:
    assert candidate_names(
        "Foreign Minister Sergei Lavrov and Defence Minister Sergei Shoigu met President Joe Biden."
    ) == ["Sergei Lavrov", "Sergei Shoigu", "Joe Biden"]
    assert (
        is_variant("سيرجي", "سيرغي")
        and not is_variant("سيرجي", "سيرجي")
        and not is_variant("لافروف", "شويغو")
    )
    text, fixed = unify_names(
        "وقال سيرجي شويغو إن", [Term("Sergei Shoigu", "سيرغي شويغو", origin="engine")]
    )
    assert text == "وقال سيرغي شويغو إن" and fixed == [("سيرجي شويغو", "سيرغي شويغو")]


def test_punctuation_and_quotes() -> None:
    assert (
        arabic_punctuation("قال, إن 1,500 شخص ; هل هذا صحيح؟?") == "قال، إن 1,500 شخص؛ هل هذا صحيح؟"
    )
    assert normalise_quotes('قال ”لا نريد حربا” و"نعم"', "«»") == "قال «لا نريد حربا» و«نعم»"
    assert (
        normalise_quotes("“أ” ثم “", "“”").count("“") == 2
    )  # unbalanced stays visible to the checks


def test_quote_and_attribution_stay_one_segment() -> None:
    sentences = split_sentences(
        '"We do not want war. We want talks now," Lavrov said. Talks begin in January.'
    )
    assert sentences == [
        '"We do not want war. We want talks now," Lavrov said.',
        "Talks begin in January.",
    ]


class Echo:
    """A real Engine: returns a fixed Arabic rendering, keeping or dropping placeholders on request."""

    name, model = "Echo", "echo-1"

    def __init__(self, keep_placeholders: bool = True, names: dict[str, str] | None = None):
        self.keep = keep_placeholders
        self.names = names or {}
        self.batches: list[list[str]] = []

    def translate(self, sentences: Sequence[str]) -> list[str]:
        self.batches.append(list(sentences))
        out = []
        for s in sentences:
            if s in self.names:
                out.append(self.names[s])
                continue
            tokens = [t for t in s.split() if t.startswith("[")] if self.keep else []
            out.append("قال " + " ".join(tokens) + " للصحفيين, هل?")
        return out

    def close(self) -> None:
        pass


def test_segment_translator_protects_records_names_and_uses_memory() -> None:
    engine = Echo(names={"Antony Blinken": "أنتوني بلينكن"})
    memory = {memory_key("Talks  begin in January."): "تبدأ المحادثات في يناير."}
    t = SegmentTranslator(engine, GLOSSARY, memory=memory, quote_style="«»")
    out = t.translate(["Sergei Lavrov and Antony Blinken met.", "talks begin in january."])
    assert out[0].text == "قال سيرغي لافروف للصحفيين، هل؟" and out[0].origin == "engine"
    assert out[1].text == "تبدأ المحادثات في يناير." and out[1].origin == "memory"
    assert [n.term for n in t.new_names] == ["Antony Blinken"] and t.new_names[0].origin == "engine"
    assert t.stats.protected == t.stats.restored == 1
    # One engine call: the sentences, then the new names to record (it keeps every replica busy).
    assert engine.batches == [["[101] and Antony Blinken met.", "Antony Blinken"]]


def test_lost_placeholder_falls_back_with_a_finding() -> None:
    t = SegmentTranslator(Echo(keep_placeholders=False), GLOSSARY, unify=False)
    out = t.translate(["NATO met on Monday."])
    assert t.stats.protected == 1 and t.stats.restored == 0
    assert out[0].findings[0]["check"] == "glossary-protection"
