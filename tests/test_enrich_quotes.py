"""Attributed quotations: the patterns news uses, and precision and recall of (speaker, quote)
pairs on hand-labelled real paragraphs (tests/fixtures/quotes/, rules in news.yaml's header).

A pair matches a gold pair when it is in the same paragraph, the speakers match after
normalisation (case, punctuation, a leading a/an/the/one dropped; equal, or one is a surname or
head noun of the other: "Cook" ~ "Tim Cook", "spokesperson" ~ "WeWork spokesperson") and the
quotes match (equal after normalising marks and whitespace, or sharing >= 80% of the longer one's
word tokens). Matching is one-to-one. The figures are printed (always) and asserted.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from naql.enrich.quotes import Quote, extract_quotes, quoted_spans
from naql.enrich.tags import canonical

FIXTURES = Path(__file__).parent / "fixtures" / "quotes"


def show(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print("\n" + text)


def load(name: str) -> list[dict]:
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


def tokens(text: str) -> list[str]:
    text = text.replace("’", "'").replace("‘", "'").casefold()
    return re.findall(r"[^\W_]+(?:'[^\W_]+)*", text)


def speaker_tokens(name: str) -> list[str]:
    toks = tokens(name)
    while toks and toks[0] in {"a", "an", "the", "one"}:
        toks = toks[1:]
    return toks


def same_speaker(a: str, b: str) -> bool:
    x, y = speaker_tokens(a), speaker_tokens(b)
    if x == y:
        return True
    if not x or not y:
        return False
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    return short[-1] == long[-1] and set(short) <= set(long)


def same_quote(a: str, b: str) -> bool:
    x, y = tokens(a), tokens(b)
    if x == y:
        return True
    shared = sum((Counter(x) & Counter(y)).values())
    return shared / max(len(x), len(y), 1) >= 0.8


def score(documents: list[dict]) -> tuple[int, int, int, list[str]]:
    """(true positives, false positives, false negatives, one line per error)."""
    tp = fp = fn = 0
    errors: list[str] = []
    for doc in documents:
        gold = doc["quotes"]
        used: set[int] = set()
        for q in extract_quotes(doc["paragraphs"]):
            hit = next(
                (
                    k
                    for k, g in enumerate(gold)
                    if k not in used
                    and g["paragraph"] == q.paragraph
                    and same_speaker(g["speaker"], q.speaker)
                    and same_quote(g["quote"], q.quote)
                ),
                None,
            )
            if hit is None:
                fp += 1
                errors.append(f"  extra   {doc['id']} [{q.speaker}] {q.quote[:60]!r}")
            else:
                used.add(hit)
                tp += 1
        for k, g in enumerate(gold):
            if k not in used:
                fn += 1
                errors.append(f"  missed  {doc['id']} [{g['speaker']}] {g['quote'][:60]!r}")
    return tp, fp, fn, errors


def report(name: str, tp: int, fp: int, fn: int, errors: list[str]) -> tuple[float, float, str]:
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    head = (
        f"quotes {name}: precision {precision:.3f}, recall {recall:.3f} "
        f"({tp} correct, {fp} extra, {fn} missed)"
    )
    return precision, recall, "\n".join([head, *errors])


# -- the fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["news.yaml", "heldout.yaml"])
def test_fixture_is_consistent(name: str) -> None:
    documents = load(name)
    ids = [d["id"] for d in documents]
    assert len(ids) == len(set(ids))
    for doc in documents:
        for g in doc["quotes"]:
            assert g["quote"] in doc["paragraphs"][g["paragraph"]], (doc["id"], g)
            assert g["speaker"].strip()
    if name == "news.yaml":
        assert sum(len(d["paragraphs"]) for d in documents) >= 40
        assert sum(len(d["quotes"]) for d in documents) >= 40
        assert sum(not d["quotes"] for d in documents) >= 10  # negatives: no pair at all


def test_precision_and_recall_on_labelled_news(capsys: pytest.CaptureFixture[str]) -> None:
    precision, recall, text = report("news.yaml", *score(load("news.yaml")))
    show(capsys, text)
    assert precision >= 0.95
    assert recall >= 0.95


def test_precision_and_recall_on_held_out_news(capsys: pytest.CaptureFixture[str]) -> None:
    precision, recall, text = report("heldout.yaml", *score(load("heldout.yaml")))
    show(capsys, text)
    assert precision >= 0.9
    assert recall >= 0.85


def test_scoring_rules() -> None:
    assert same_speaker("Tim Cook", "Cook")
    assert same_speaker("a WeWork spokesperson", "WeWork spokesperson")
    assert not same_speaker("Tim Cook", "Tim")
    assert not same_speaker("he", "Cook")
    assert same_quote("We will win,", "We will win")
    assert same_quote("It’s over", "It's over")
    assert not same_quote("We will win the war", "We will")


# -- patterns ---------------------------------------------------------------------------------


def one(paragraphs: list[str]) -> Quote:
    quotes = extract_quotes(paragraphs)
    assert len(quotes) == 1, quotes
    return quotes[0]


def test_quote_then_speaker_then_verb() -> None:
    q = one(["“We will not back down,” Blinken said on Tuesday."])
    assert (q.speaker, q.quote, q.verb, q.resolved) == (
        "Blinken",
        "We will not back down",
        "said",
        True,
    )


def test_speaker_colon_quote() -> None:
    q = one(['Macron said: "Europe must be able to defend itself."'])
    assert (q.speaker, q.quote, q.verb) == (
        "Macron",
        "Europe must be able to defend itself.",
        "said",
    )


def test_inverted_attribution_with_apposition() -> None:
    q = one(["“The situation is dire,” said Martin Griffiths, the UN aid chief, in Geneva."])
    assert (q.speaker, q.verb) == ("Martin Griffiths", "said")


def test_told_reporters() -> None:
    q = one(['Defence Minister Lloyd Austin told reporters "this is not the end."'])
    assert (q.speaker, q.verb, q.quote) == (
        "Lloyd Austin",
        "told reporters",
        "this is not the end.",
    )
    q = one(["“We are ready,” the general told reporters at the base."])
    assert (q.speaker, q.verb) == ("the general", "told reporters")


def test_other_reporting_verbs() -> None:
    for verb in ("warned", "added", "wrote", "tweeted", "insisted"):
        q = one([f"“Prices will keep rising next year,” Lagarde {verb}."])
        assert (q.speaker, q.verb) == ("Lagarde", verb)
    q = one(["The ceasefire “will hold if both sides respect it,” according to a senior official."])
    assert (q.speaker, q.verb) == ("a senior official", "according to")


def test_organisations_and_described_speakers() -> None:
    q = one(["“Rates will stay high,” the Bank of England said."])
    assert (q.speaker, q.named, q.speaker_key) == ("Bank of England", True, "bank-of-england")
    q = one(["A spokesman for the University of Washington said: “No comment.”"])
    assert (q.speaker, q.named, q.speaker_key) == ("a spokesman", False, None)


def test_titles_are_dropped_and_surnames_completed() -> None:
    quotes = extract_quotes(
        [
            "Prime Minister Keir Starmer visited the plant on Monday.",
            "“Jobs come first,” Starmer said.",
            "“We will protect this industry,” said Prime Minister Keir Starmer.",
        ]
    )
    assert [q.speaker for q in quotes] == ["Keir Starmer", "Keir Starmer"]
    assert {q.speaker_key for q in quotes} == {canonical("Keir Starmer")} == {"keir-starmer"}


def test_multi_sentence_and_split_quotes() -> None:
    text = (
        "“The talks were hard. Nobody got everything,” the envoy said. “But we have a deal, "
        "and it will hold.”"
    )
    quotes = extract_quotes([text])
    assert [(q.speaker, q.quote) for q in quotes] == [
        ("the envoy", "The talks were hard. Nobody got everything"),
        ("the envoy", "But we have a deal, and it will hold."),
    ]
    for q in quotes:
        assert text[q.start] == "“" and text[q.end - 1] == "”"
        assert q.quote.rstrip(",") in text[q.start : q.end]


def test_pronoun_resolved_to_the_last_named_person() -> None:
    quotes = extract_quotes(
        [
            "Fatima Hassan, 42, fled the town with her three children.",
            "“We left everything behind,” she said.",
        ]
    )
    assert [(q.speaker, q.resolved) for q in quotes] == [("Fatima Hassan", True)]


def test_unresolvable_pronoun_is_kept_and_marked() -> None:
    q = one(["“I have never seen anything like it,” she said."])
    assert (q.speaker, q.resolved, q.named, q.speaker_key) == ("she", False, False, None)


def test_curly_straight_and_single_marks() -> None:
    for text in (
        '"It is over," Smith said.',
        "“It is over,” Smith said.",
        "«It is over,» Smith said.",
        "‘It is over,’ Smith said.",
    ):
        q = one([text])
        assert (q.speaker, q.quote) == ("Smith", "It is over"), text


def test_quotation_running_on_into_the_next_paragraph() -> None:
    quotes = extract_quotes(
        [
            "“The first thing we saw was smoke,” said Ahmed Saleh, a fisherman. “Then the fire.",
            "“We ran, all of us, without looking back.”",
        ]
    )
    assert [(q.paragraph, q.speaker) for q in quotes] == [(0, "Ahmed Saleh")] * 2 + [
        (1, "Ahmed Saleh")
    ]
    assert quotes[1].end == len(
        "“The first thing we saw was smoke,” said Ahmed Saleh, a fisherman. “Then the fire."
    )


@pytest.mark.parametrize(
    "text",
    [
        "The so-called “peace plan” has been criticised by both sides.",
        "The film “Oppenheimer” won seven awards, and its director called the night “unforgettable.”",
        "“Enough is enough”: thousands march in the capital as fuel prices soar",
        'The 65" TV is now $549 with code "SAVE50".',
        "Reporters asked him about the “secret deal,” but he declined to comment.",
        "Disney+ has “Star Wars,” Marvel and classic fare, including “Mary Poppins” and “Bambi.”",
    ],
)
def test_not_quotations(text: str) -> None:
    assert extract_quotes([text]) == []


def test_quoted_spans_for_the_fidelity_checks() -> None:
    text = "“Yes,” he said, “we will.” The “plan” stays."
    assert [text[a:b] for a, b in quoted_spans(text)] == ["“Yes,”", "“we will.”", "“plan”"]


def test_people_hint_limits_pronoun_antecedents() -> None:
    paragraphs = ["Apple raised its forecast on Monday.", "“We are pleased,” he said."]
    assert one(paragraphs).resolved is True  # Apple starts a sentence: taken for a person
    q = extract_quotes(paragraphs, people={"tim-cook"})[0]
    assert (q.speaker, q.resolved) == ("he", False)


def test_odd_text_never_breaks_it() -> None:
    """Stray, unbalanced and mixed marks, empty paragraphs: quotes stay inside their paragraph."""
    rng = random.Random(5)
    pieces = [*'"“”‘’«» ,.:;!?-—()', "said", "he", "she", "Smith", "John Smith", "the", "al-",
              "told reporters", "a spokesman", "According to", "U.S.", "Mr.", "…", "adding", '65"']  # fmt: skip
    for _ in range(3000):
        paragraphs = [
            rng.choice(["", " "]).join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
            for _ in range(rng.randint(0, 3))
        ]
        for q in extract_quotes(paragraphs):
            assert 0 <= q.start < q.end <= len(paragraphs[q.paragraph])
            assert q.quote and q.speaker and q.verb
        for p in paragraphs:
            assert all(0 <= a < b <= len(p) for a, b in quoted_spans(p))
