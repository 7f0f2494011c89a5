"""Tags on real text: people, places and organisations from the glossary and from a small
rule-based spaCy pipeline (spacy.blank("en") + an EntityRuler, tests/fixtures/tags/entities.jsonl;
no trained model can be downloaded here), topics from YAKE, aliases merged, Arabic names from the
glossary, the built-in table or the engine callback.

Texts: the 50 extraction-dev article bodies and the FLORES-200 dev Wikinews documents (../shared).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from naql.enrich.quotes import extract_quotes
from naql.enrich.tags import (
    AliasTable,
    Tag,
    arabic_names,
    canonical,
    extract_tags,
    load_nlp,
    rule_pipeline,
    slug,
)
from naql.errors import NaqlError
from naql.translate.glossary import Glossary, read_csv

FIXTURES = Path(__file__).parent / "fixtures" / "tags"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GROUND_TRUTH = SHARED / "extraction-dev" / "ground-truth.json"
FLORES = SHARED / "parallel" / "flores200-dev"

needs_data = pytest.mark.skipif(not GROUND_TRUTH.exists(), reason="needs ../shared/data")

# Words no topic may be: function words and reporting words (a list of the test's own).
_FUNCTION_WORDS = """a an the and or but if of in on at to for from by with about as into than
    then that this these those it its he she they we you i is are was were be been has have had do
    does did not no said says told according also just very more most"""
FUNCTION_WORDS = set(_FUNCTION_WORDS.split())


# -- data -------------------------------------------------------------------------------------


def extraction_dev() -> dict[str, tuple[str, list[str]]]:
    """id prefix -> (title: the first paragraph, the other paragraphs)."""
    data = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    out = {}
    for key, value in data.items():
        paras = [p for p in value["articleBody"].split("\n") if p.strip()]
        out[key[:8]] = (paras[0], paras[1:])
    return out


def flores_documents() -> list[tuple[str, list[str]]]:
    """(URL, sentences) of each FLORES dev document (consecutive sentences of one URL)."""
    urls = [
        line.split("\t")[0]
        for line in (FLORES / "metadata_dev.tsv").read_text(encoding="utf-8").splitlines()[1:]
    ]
    sentences = (FLORES / "eng_Latn.dev").read_text(encoding="utf-8").splitlines()
    docs: list[tuple[str, list[str]]] = []
    for url, sentence in zip(urls, sentences, strict=True):
        if docs and docs[-1][0] == url:
            docs[-1][1].append(sentence)
        else:
            docs.append((url, [sentence]))
    return docs


def article(source: str) -> tuple[str | None, list[str]]:
    kind, ref = source.split()
    if kind == "flores":
        return None, [" ".join(flores_documents()[int(ref)][1])]
    return extraction_dev()[ref]


@pytest.fixture(scope="module")
def nlp() -> Any:
    try:
        import spacy  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("spaCy is missing: CI installs it with the test extra")
        pytest.skip("spaCy is not installed (pip install -e '.[test]')")
    lines = (FIXTURES / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    patterns = [json.loads(line) for line in lines if line.strip()]
    return rule_pipeline((p["label"], p["pattern"]) for p in patterns)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    with (FIXTURES / "glossary.csv").open(encoding="utf-8") as f:
        terms, errors = read_csv(f)
    assert not errors
    return Glossary(terms)


def by_name(tags: list[Tag]) -> dict[str, Tag]:
    return {t.name_en: t for t in tags}


# -- entities from real text ------------------------------------------------------------------

EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


@needs_data
@pytest.mark.parametrize("case", EXPECTED, ids=[c["source"] for c in EXPECTED])
def test_known_entities_get_their_kind(nlp: Any, case: dict[str, Any]) -> None:
    title, paragraphs = article(case["source"])
    tags = extract_tags(title, paragraphs, nlp=nlp)
    names = by_name(tags)
    for name, kind in case.get("expect", []):
        assert name in names, (name, sorted(names))
        assert names[name].kind == kind, names[name]
        assert names[name].source == "ner"
    for name in case.get("absent", []):
        assert name not in names
    topics = {t.name_en for t in tags if t.kind == "topic"}
    for topic in case.get("topics", []):
        assert topic in topics, (topic, topics)


@needs_data
def test_surname_mentions_count_for_the_full_name(nlp: Any) -> None:
    title, paragraphs = extraction_dev()["291a8bf3"]
    text = " ".join([title, *paragraphs])
    names = by_name(extract_tags(title, paragraphs, nlp=nlp))
    cook = len(re.findall(r"\bCook\b", text))
    assert names["Tim Cook"].mentions == cook  # "Tim Cook" once, "Cook" after that
    assert names["Tim Cook"].score == 1.0  # the most mentioned, and in the title


# -- aliases ----------------------------------------------------------------------------------


def test_canonical_keys_merge_aliases() -> None:
    keys = {canonical(n) for n in ("U.S.", "US", "USA", "United States", "the United States")}
    assert keys == {"united-states"}
    assert canonical("the United States of America") == "united-states"
    assert canonical("Britain") == canonical("U.K.") == "united-kingdom"
    assert canonical("WHO") == "world-health-organization"
    assert canonical("who") == "who"  # short capitals match only in capitals
    assert canonical("us") == "us"
    assert canonical("Mr. Keir Starmer") == canonical("Keir Starmer") == "keir-starmer"
    assert canonical("Côte d'Ivoire") == "ivory-coast"
    assert slug("Lopes’s lab") == "lopess-lab"


def test_glossary_entries_sharing_an_arabic_form_are_aliases(glossary: Glossary) -> None:
    aliases = AliasTable.from_glossary(glossary)
    assert canonical("MBS", aliases) == canonical("Mohammed bin Salman", aliases)
    assert canonical("MBS") == "mbs"  # without the glossary, no such alias
    tags = extract_tags(
        "Saudi crown prince MBS meets investors",
        ["Mohammed bin Salman told the investors that Saudi Arabia was open for business."],
        glossary=glossary,
    )
    people = [t for t in tags if t.kind == "person"]
    assert [(t.name_en, t.mentions, t.name_ar) for t in people] == [
        ("Mohammed bin Salman", 2, "محمد بن سلمان")
    ]


@needs_data
def test_one_tag_for_us_and_united_states(nlp: Any, glossary: Glossary) -> None:
    _, paragraphs = article("flores 39")  # "The United States embassy ... The U.S. says ..."
    for g in (None, glossary):
        tags = [
            t for t in extract_tags(None, paragraphs, nlp=nlp, glossary=g) if "nited" in t.name_en
        ]
        assert [(t.key, t.name_en, t.mentions) for t in tags] == [
            ("united-states", "United States", 2)
        ]
        assert tags[0].name_ar == "الولايات المتحدة"


# -- the glossary and Arabic names ------------------------------------------------------------


@needs_data
def test_glossary_terms_are_tags_with_their_arabic_form(nlp: Any, glossary: Glossary) -> None:
    title, paragraphs = extraction_dev()["16c30add"]
    names = by_name(extract_tags(title, paragraphs, nlp=nlp, glossary=glossary))
    assert (names["Delhi"].source, names["Delhi"].kind, names["Delhi"].name_ar) == (
        "glossary",
        "place",
        "دلهي",
    )
    topic = names["air pollution"]
    assert (topic.kind, topic.source, topic.name_ar) == ("topic", "glossary", "تلوث الهواء")
    assert len({t.key for t in names.values()}) == len(names)  # YAKE did not add it again


@needs_data
def test_translate_is_called_only_for_names_without_a_form(nlp: Any, glossary: Glossary) -> None:
    title, paragraphs = extraction_dev()["16c30add"]
    tags = extract_tags(title, paragraphs, nlp=nlp, glossary=glossary)
    calls: list[list[str]] = []

    def translate(names: list[str]) -> list[str]:
        calls.append(list(names))
        return [f"اسم {i}" for i in range(len(names))]

    result = arabic_names(tags, glossary, translate)
    assert len(calls) == 1
    known = {"Delhi", "air pollution", "United States", "China"} & {t.name_en for t in tags}
    assert known and not known & set(calls[0])  # glossary and built-in forms need no engine
    assert set(calls[0]) == {t.name_en for t in tags if t.name_ar is None}
    assert result.engine_names == calls[0]
    assert all(t.name_ar for t in result.tags)
    assert {t.term for t in result.engine_terms} == set(calls[0])
    kinds = {t.term: t.kind for t in result.engine_terms}
    assert kinds["Aseem Prakash"] == "person" and kinds["India"] == "place"
    assert all(t.origin == "engine" for t in result.engine_terms)
    assert all(
        kinds[t.name_en] == "other" for t in result.tags if t.kind == "topic" and t.name_en in kinds
    )

    # Nothing missing: the engine is not called at all.
    again = arabic_names(result.tags, glossary, translate)
    assert len(calls) == 1 and again.engine_names == []


def test_engine_answers_that_are_not_arabic_are_dropped(glossary: Glossary) -> None:
    tags = [
        Tag("india", "India", None, "place", "ner", 1.0),
        Tag("aseem-prakash", "Aseem Prakash", None, "person", "ner", 0.5),
        Tag("delhi", "Delhi", None, "place", "ner", 0.5),
    ]
    # The engine copies "India" through (Latin: no form) and answers the second name.
    result = arabic_names(tags, glossary, lambda names: ["India", " أسيم براكاش. "])
    assert [(t.name_en, t.name_ar) for t in result.tags] == [
        ("India", None),
        ("Aseem Prakash", "أسيم براكاش"),
        ("Delhi", "دلهي"),
    ]
    assert result.engine_names == ["India", "Aseem Prakash"]
    assert [t.term for t in result.engine_terms] == ["Aseem Prakash"]
    none = arabic_names(tags, glossary, None)
    assert none.engine_names == [] and none.tags[2].name_ar == "دلهي"
    with pytest.raises(NaqlError):
        arabic_names(tags, glossary, lambda names: [])


# -- topics and sanity over every text --------------------------------------------------------


def check_sane(tags: list[Tag]) -> None:
    assert len(tags) <= 12
    assert len({t.key for t in tags}) == len(tags)
    for t in tags:
        assert re.fullmatch(r"[\w-]+", t.key) and t.key == slug(t.name_en), t
        assert 0 < t.score <= 1 and t.mentions >= 1, t
        assert not re.search(r"\d{3,}", t.name_en), t
        if t.kind == "topic" and t.source == "keywords":
            words = t.name_en.split()
            assert 1 <= len(words) <= 2 and t.name_en == t.name_en.lower(), t
            assert not set(words) & FUNCTION_WORDS, t
            assert all(re.fullmatch(r"[a-z][a-z-]+", w) for w in words), t


@needs_data
def test_every_extraction_dev_article(nlp: Any, glossary: Glossary) -> None:
    topics_seen = 0
    for title, paragraphs in extraction_dev().values():
        tags = extract_tags(title, paragraphs, nlp=nlp, glossary=glossary)
        check_sane(tags)
        topics_seen += sum(t.kind == "topic" for t in tags)
    assert topics_seen >= 100


@needs_data
def test_every_flores_document(nlp: Any) -> None:
    for _url, sentences in flores_documents():
        check_sane(extract_tags(None, [" ".join(sentences)], nlp=nlp))


@needs_data
def test_yake_topics_without_spacy_or_glossary() -> None:
    title, paragraphs = extraction_dev()["3c5bf8db"]
    tags = extract_tags(title, paragraphs)
    assert tags and all(t.kind == "topic" and t.source == "keywords" for t in tags)
    assert "galaxies" in {t.name_en for t in tags}
    assert len(tags) <= 5
    assert extract_tags(title, paragraphs, max_topics=0) == []


def test_junk_entities_are_dropped(nlp: Any) -> None:
    junk = rule_pipeline([("ORG", "Reuters"), ("ORG", "2019"), ("GPE", "X"), ("PERSON", "Jobs")])
    tags = extract_tags(None, ["Jobs said in 2019, Reuters reported from X."], nlp=junk)
    assert [t.name_en for t in tags if t.kind != "topic"] == ["Jobs"]


def test_non_english_text_gets_no_topics() -> None:
    text = (
        "Il black Friday incombe su di noi: per chi non lo sapesse il venerdì nero è una "
        "consuetudine importata dagli USA, dove i negozi offrono sconti per il Natale."
    )
    assert [t for t in extract_tags(None, [text, text]) if t.kind == "topic"] == []


# -- loading a pipeline -----------------------------------------------------------------------


def test_load_nlp_from_a_setting(nlp: Any, tmp_path: Path) -> None:
    assert load_nlp(None) is None and load_nlp("") is None
    with pytest.raises(NaqlError, match="no_such_pipeline"):
        load_nlp("no_such_pipeline")
    nlp.to_disk(tmp_path / "ner")
    loaded = load_nlp(str(tmp_path / "ner"))
    tags = extract_tags(None, ["Tim Cook flew to San Francisco."], nlp=loaded)
    assert {(t.name_en, t.kind) for t in tags} == {
        ("Tim Cook", "person"),
        ("San Francisco", "place"),
    }


# -- quotations link to tags ------------------------------------------------------------------


@needs_data
def test_quote_speakers_link_to_person_tags(nlp: Any) -> None:
    title, paragraphs = extraction_dev()["291a8bf3"]
    tags = extract_tags(title, paragraphs, nlp=nlp)
    people = {t.key for t in tags if t.kind == "person"}
    quotes = extract_quotes([title, *paragraphs], people=people)
    keys = [q.speaker_key for q in quotes if q.named]
    assert keys and set(keys) <= people
    assert {"tim-cook", "marc-benioff"} <= set(keys)
