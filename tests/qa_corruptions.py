"""Seeded corruptions of human translations, to measure what naql's checks catch.

Test infrastructure (imported by tests/test_qa_measurements.py). Each corruption imitates a way
machine translation fails, applied to one segment of a good (human) document:

| kind | what is done to the Arabic |
|---|---|
| number | a number that is in the source gets another value (one digit changed, any digit script) |
| quote-drop | both marks of a quotation of 4+ words removed (the quotation became narration) |
| quote-split | attribution text put inside a quotation (`“... وقال المتحدث للصحفيين “...`) |
| name | a glossary name respelt (ج/غ/ق/ك, ت/ط, س/ص, ة/ه swaps; a long vowel dropped or added) |
| untranslated | the Arabic replaced by its English, or one sentence of several left in English |
| repetition | a phrase of 1-4 words repeated in a loop |
| omission | one sentence dropped from a segment of 2-3 sentences |
| addition | a sentence from another document added to a segment |

A corruption is *caught* when the corrupted document gets a warning or error on that segment, from
the checks meant for that kind, that the clean document does not get.

Corruptions of form (`form_corruptions`, FORM_KINDS: one quotation mark dropped, or a mark put on
the wrong side of its space as in `وقال" إننا`) are not to be caught but repaired: the quote repair
gives the corrupted segment what it gives the clean one, and no meaning finding is raised.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from naql.qa import GlossaryEntry

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FLORES = SHARED_DATA / "parallel" / "flores200-dev"
TICO = SHARED_DATA / "parallel" / "tico19-test"

Doc = list[tuple[str, str]]

#: Names as the human translators of FLORES-200 dev wrote them, every time they occur there.
GLOSSARY = [
    GlossaryEntry(en, ar, kind)
    for en, ar, kind in [
        ("Whitehall", "وايتهول", "place"), ("Vidal", "فيدال", "person"),
        ("Nadal", "نادال", "person"), ("Disney", "ديزني", "org"),
        ("Tutankhamun", "توت عنخ آمون", "person"), ("Florida", "فلوريدا", "place"),
        ("Charlotte", "شارلوت", "place"), ("Washington", "واشنطن", "place"),
        ("Stanford", "ستانفورد", "org"), ("Harvard", "هارفارد", "org"),
        ("Guinness", "غينيس", "org"), ("Vancouver", "فانكوفر", "place"),
        ("Texas", "تكساس", "place"), ("London", "لندن", "place"), ("Kyoto", "كيوتو", "place"),
        ("Australia", "أستراليا", "place"), ("Russia", "روسيا", "place"),
        ("France", "فرنسا", "place"), ("Belgium", "بلجيكا", "place"), ("Chile", "تشيلي", "place"),
        ("Provenzano", "بروفنزانو", "person"), ("Costello", "كوستيلو", "person"),
        ("Singapore", "سنغافورة", "place"), ("Poland", "بولندا", "place"),
        ("Virginia", "فرجينيا", "place"), ("Olaf", "أولاف", "person"), ("Lenz", "لينز", "person"),
        ("Saito", "سايتو", "person"), ("Reid", "ريد", "person"), ("Mara", "مارا", "place"),
        ("Pittman", "بيتمان", "person"), ("Iceland", "آيسلندا", "place"),
        ("Pakistan", "باكستان", "place"), ("Brazil", "البرازيل", "place"),
        ("Canada", "كندا", "place"), ("Japan", "اليابان", "place"),
        ("Germany", "ألمانيا", "place"), ("Africa", "أفريقيا", "place"),
        ("Europe", "أوروبا", "place"),
    ]
]  # fmt: skip

#: The checks (Finding.check) meant to catch each kind.
EXPECTED = {
    "number": {"numbers"},
    "quote-drop": {"quotes"},
    "quote-split": {"quotes"},
    "name": {"names"},
    "untranslated": {"untranslated", "hallucination"},
    "repetition": {"hallucination"},
    "omission": {"hallucination", "numbers"},
    "addition": {"hallucination", "numbers"},
}
KINDS = tuple(EXPECTED)
#: Corruptions of form: the quote repair must undo them and no meaning finding may follow.
FORM_KINDS = ("quote-mark-dropped", "quote-mark-misplaced")


@dataclass
class Corruption:
    kind: str
    clean: Doc
    corrupted: Doc
    segment: int
    description: str
    glossary: list[GlossaryEntry] = field(default_factory=list)


def flores_documents() -> list[Doc]:
    """The 997 FLORES-200 dev pairs grouped into documents by consecutive equal source URL."""
    en = (FLORES / "eng_Latn.dev").read_text(encoding="utf-8").split("\n")
    ar = (FLORES / "arb_Arab.dev").read_text(encoding="utf-8").split("\n")
    urls = [
        row.split("\t")[0]
        for row in (FLORES / "metadata_dev.tsv").read_text(encoding="utf-8").split("\n")[1:]
        if row.strip()
    ]
    docs: list[Doc] = []
    previous = None
    for source, target, url in zip(en, ar, urls, strict=False):
        if url != previous:
            docs.append([])
            previous = url
        docs[-1].append((source, target))
    return docs


def tico_documents(group: int = 10, translation: str = "ara.txt") -> list[Doc]:
    """TICO-19 test (English, and the human Arabic or the file `translation` names, e.g.
    "mt/opus-mt-tc-big-2022-02-25.txt"): its lines are in the order of their source documents
    but carry no document ids here, so runs of `group` consecutive lines form a document."""
    en = (TICO / "eng.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
    ar = (TICO / translation).read_text(encoding="utf-8").rstrip("\n").split("\n")
    pairs = list(zip(en, ar, strict=True))
    return [pairs[k : k + group] for k in range(0, len(pairs), group)]


def merged(doc: Doc, rng: random.Random) -> Doc:
    """The document with runs of 2-3 consecutive sentences joined into one segment (paragraphs)."""
    out: Doc = []
    i = 0
    while i < len(doc):
        n = min(len(doc) - i, rng.choice((2, 3)))
        out.append((" ".join(s for s, _ in doc[i : i + n]), " ".join(t for _, t in doc[i : i + n])))
        i += n
    return out


# -- corruptions of one segment -----------------------------------------------------------------

_DIGITS_AR = "٠١٢٣٤٥٦٧٨٩"


def _change_number(source: str, target: str, rng: random.Random) -> tuple[str, str] | None:
    source_digits = set(re.findall(r"\d+", source.replace(",", "")))
    runs = [
        m
        for m in re.finditer(r"[0-9٠-٩]+", target)
        if m.group().translate(str.maketrans(_DIGITS_AR, "0123456789")) in source_digits
    ]
    if not runs:
        return None
    m = rng.choice(runs)
    digits = list(m.group())
    k = rng.randrange(len(digits))
    arabic = digits[k] in _DIGITS_AR
    old = int(digits[k].translate(str.maketrans(_DIGITS_AR, "0123456789")))
    choices = [d for d in range(10) if d != old and not (d == 0 and k == 0 and len(digits) > 1)]
    new = str(rng.choice(choices))
    digits[k] = _DIGITS_AR[int(new)] if arabic else new
    new_run = "".join(digits)
    return target[: m.start()] + new_run + target[m.end() :], f"{m.group()} -> {new_run}"


_QUOTE = re.compile('["“”«»]')


def _drop_quote(source: str, target: str, rng: random.Random) -> tuple[str, str] | None:
    """Both marks of a quotation of four words or more: the quotation became narration."""
    marks = [m.start() for m in _QUOTE.finditer(target)]
    if len(marks) < 2 or len(marks) % 2 or not re.search(r"[\"“][^\"”]{20,}[\"”]", source):
        return None
    passages = [
        (a, b) for a, b in zip(marks[::2], marks[1::2], strict=True)
        if len(target[a + 1 : b].split()) >= 4
    ]  # fmt: skip
    if not passages:
        return None
    a, b = rng.choice(passages)
    return target[:a] + target[a + 1 : b] + target[b + 1 :], "both marks of a quotation"


# -- form corruptions: what the quote repair must put right, never a meaning finding ------------


def _drop_one_mark(source: str, target: str, rng: random.Random) -> tuple[str, str] | None:
    """One mark of a quotation the source has (the translation has as many marks as the source:
    quotes a translator put around a name show nowhere in the source)."""
    marks = [m.start() for m in _QUOTE.finditer(target)]
    if len(marks) < 2 or len(marks) % 2 or len(marks) != len(_QUOTE.findall(source)):
        return None
    k = rng.choice(marks)
    return target[:k] + target[k + 1 :], f"one mark at {k} dropped"


def _misplace_mark(source: str, target: str, rng: random.Random) -> tuple[str, str] | None:
    """An opening mark put after the word before it (`وقال" إننا`), or a closing one before the
    word after it (`حربا “.`)."""
    opening = list(re.finditer(r"(\w) ([\"“«])(?=\w)", target))
    closing = list(re.finditer(r"(?<=\w)([\"”»])([.،,]?)( |$)", target))
    if not opening and not closing:
        return None
    if opening and (not closing or rng.random() < 0.5):
        m = rng.choice(opening)
        return target[: m.start()] + m.group(1) + m.group(2) + " " + target[
            m.end() :
        ], "opening mark after the word before"
    m = rng.choice(closing)
    return target[: m.start()] + " " + m.group(1) + m.group(2) + m.group(3) + target[
        m.end() :
    ], "closing mark before a space"


_SPEAKERS = ["المتحدث", "الوزير", "المسؤول", "الرئيس", "بلينكين", "المدير", "الباحث", "الشاهد"]
_VERBS = ["قال", "أضاف", "تابع", "أوضح", "صرح", "أكد", "قالت", "أضافت"]
_VENUES = ["للصحفيين", "في بيان", "لوكالة رويترز", "خلال مؤتمر صحفي", "في مقابلة", ""]


def _split_quote(source: str, target: str, rng: random.Random) -> tuple[str, str] | None:
    marks = [m.start() for m in _QUOTE.finditer(target)]
    if len(marks) % 2:
        return None
    spans = [
        (a, b) for a, b in zip(marks[::2], marks[1::2], strict=True)
        if len(target[a + 1 : b].split()) >= 4
    ]  # fmt: skip
    if not spans:
        return None
    a, b = rng.choice(spans)
    words = list(re.finditer(r"\S+", target[a + 1 : b]))
    cut = a + 1 + words[rng.randrange(2, len(words) - 1)].start()
    verb, speaker, venue = rng.choice(_VERBS), rng.choice(_SPEAKERS), rng.choice(_VENUES)
    attribution = " ".join(w for w in (verb, speaker, venue) if w)
    # the machine's way (attribution, then the quote opened again), or inside one quotation
    inserted = f"و{attribution} “" if rng.random() < 0.5 else f"، {attribution}، "
    return target[:cut] + inserted + target[cut:], inserted.strip()


_SWAPS = {"غ": "ج", "ج": "غ", "ق": "ك", "ك": "ق", "ت": "ط", "ط": "ت", "س": "ص", "ص": "س", "ة": "ه"}


def respell(name: str, rng: random.Random) -> str:
    """Another plausible spelling of an Arabic name: a letter swap, a long vowel dropped or added."""
    options = []
    for k, ch in enumerate(name):
        if ch in _SWAPS and (ch != "ة" or k == len(name) - 1):
            options.append(name[:k] + _SWAPS[ch] + name[k + 1 :])
        if ch in "اوي" and 0 < k < len(name) - 1 and name[k - 1] != " " and name[k + 1] != " ":
            options.append(name[:k] + name[k + 1 :])
    for k in range(1, len(name) - 1):
        if name[k - 1] not in "اوي " and name[k] not in "اوي ":
            options.append(name[:k] + rng.choice("اوي") + name[k:])
    options = [o for o in options if o != name]
    return rng.choice(options)


def _respell_name(source: str, target: str, rng: random.Random) -> tuple[str, str] | None:
    entries = [
        e for e in GLOSSARY
        if re.search(rf"(?<!\w){re.escape(e.english)}(?!\w)", source) and e.arabic in target
    ]  # fmt: skip
    if not entries:
        return None
    entry = rng.choice(entries)
    other = respell(entry.arabic, rng)
    return target.replace(entry.arabic, other), f"{entry.arabic} -> {other}"


def _untranslated(source: str, target: str, rng: random.Random) -> tuple[str, str] | None:
    en = _sentences(source)
    ar = _arabic_split(target)
    if len(en) >= 2 and len(en) == len(ar) and rng.random() < 0.5:
        k = rng.randrange(len(en))
        ar[k] = en[k]
        return " ".join(ar), f"sentence {k + 1} of {len(en)} left in English"
    return source, "the whole segment left in English"


def _repeat(source: str, target: str, rng: random.Random) -> tuple[str, str] | None:
    words = target.split()
    if len(words) < 4:
        return None
    n = rng.choice((1, 1, 2, 3, 4))
    k = rng.randrange(0, len(words) - n + 1)
    phrase = words[k : k + n]
    times = rng.randint(3, 6) if n <= 2 else rng.randint(2, 4)
    looped = words[: k + n] + phrase * (times - 1) + words[k + n :]
    return " ".join(looped), f"{' '.join(phrase)} x{times}"


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", text) if s]


def _arabic_split(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!؟])\s+", text) if s]


# -- the generator ------------------------------------------------------------------------------


def corruptions(docs: list[Doc], seed: int = 7) -> Iterator[Corruption]:
    """At most one corruption of each kind per document, on a randomly chosen segment."""
    rng = random.Random(seed)
    simple = {
        "number": _change_number,
        "quote-drop": _drop_quote,
        "quote-split": _split_quote,
        "name": _respell_name,
        "untranslated": _untranslated,
        "repetition": _repeat,
    }
    for d, doc in enumerate(docs):
        for kind, corrupt in simple.items():
            base = merged(doc, rng) if kind == "untranslated" and rng.random() < 0.5 else doc
            order = list(range(len(base)))
            rng.shuffle(order)
            for i in order:
                source, target = base[i]
                done = corrupt(source, target, rng)
                if done:
                    new, what = done
                    bad = list(base)
                    bad[i] = (source, new)
                    glossary = GLOSSARY if kind == "name" else []
                    yield Corruption(kind, base, bad, i, f"doc {d}: {what}", glossary)
                    break
        paragraphs = merged(doc, rng)
        several = [
            i for i, (s, t) in enumerate(paragraphs)
            if len(_arabic_split(t)) >= 2 and len(_arabic_split(t)) == len(_sentences(s))
        ]  # fmt: skip
        if several:
            i = rng.choice(several)
            source, target = paragraphs[i]
            parts = _arabic_split(target)
            k = rng.randrange(len(parts))
            bad = list(paragraphs)
            bad[i] = (source, " ".join(parts[:k] + parts[k + 1 :]))
            yield Corruption(
                "omission", paragraphs, bad, i, f"doc {d}: sentence {k + 1} of {len(parts)} dropped"
            )
        others = [t for e, other in enumerate(docs) if e != d for _, t in other]
        i = rng.randrange(len(paragraphs))
        source, target = paragraphs[i]
        extra = rng.choice(others)
        bad = list(paragraphs)
        bad[i] = (source, f"{target} {extra}" if rng.random() < 0.7 else f"{extra} {target}")
        yield Corruption("addition", paragraphs, bad, i, f"doc {d}: added {extra[:30]}...")


def form_corruptions(docs: list[Doc], seed: int = 11) -> Iterator[Corruption]:
    """At most one corruption of each form kind per document (FORM_KINDS)."""
    rng = random.Random(seed)
    kinds = {"quote-mark-dropped": _drop_one_mark, "quote-mark-misplaced": _misplace_mark}
    for d, doc in enumerate(docs):
        for kind, corrupt in kinds.items():
            order = list(range(len(doc)))
            rng.shuffle(order)
            for i in order:
                source, target = doc[i]
                done = corrupt(source, target, rng)
                if done:
                    new, what = done
                    bad = list(doc)
                    bad[i] = (source, new)
                    yield Corruption(kind, doc, bad, i, f"doc {d}: {what}")
                    break
