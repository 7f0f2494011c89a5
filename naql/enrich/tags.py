"""Tags: the people, places, organisations and topics of an article, with their Arabic names.

Three sources, merged into one tag per entity:

- the site glossary (always on): a phrase matcher over the English title and paragraphs; an
  editor's entry gives the kind and the Arabic form. Entries the engine recorded ("origin" engine,
  kind "other") are name forms of unknown kind: they give Arabic forms, not tags;
- named-entity recognition with spaCy, when a pipeline is given (`nlp`, or `load_nlp(name)` for a
  setting): PERSON is a person, GPE/LOC/FAC a place, ORG an organisation. Any pipeline with an
  `ents` output works, a trained one or `rule_pipeline(patterns)` (spacy.blank + EntityRuler);
- topic keywords (YAKE): common-noun phrases of one or two words that the article repeats (or
  that its title has), without stopwords, numbers or reporting words.

Aliases merge: "U.S." = "US" = "United States" = "the United States of America", from a small
built-in table of news aliases plus the glossary (English terms that share one Arabic form are
aliases of each other), and within an article "Cook" is the "Tim Cook" it named. `canonical(name)`
is the stable key (a slug of the canonical English name) that tag pages and quotations use.

`arabic_names` fills in the Arabic: the glossary's form (an editor's before an engine-recorded
one), else the built-in table's, else the engine's, through a `translate` callback called once
with every name still missing; it returns which names went to the engine, as glossary terms of
origin "engine" to record so that the name keeps one spelling across the site.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from naql.enrich.entities import clean_entity_name, load_nlp, ner_mentions, rule_pipeline
from naql.errors import NaqlError
from naql.translate.glossary import Glossary, Term

__all__ = [
    "AliasTable",
    "ArabicNames",
    "Tag",
    "arabic_names",
    "canonical",
    "extract_tags",
    "load_nlp",
    "rule_pipeline",
    "slug",
]

log = logging.getLogger(__name__)

Kind = Literal["person", "place", "org", "topic"]
Source = Literal["glossary", "ner", "keywords"]
KINDS: tuple[Kind, ...] = ("person", "place", "org", "topic")
_ENTITY_KINDS: dict[str, Kind] = {"person": "person", "place": "place", "org": "org"}
MAX_TAGS = 12


@dataclass(frozen=True)
class Tag:
    """One tag of an article. `key` is `canonical(name_en)`; `score` (0..1] orders an article's
    tags: entities by their share of mentions (a title mention counts extra), topics by rank."""

    key: str
    name_en: str
    name_ar: str | None
    kind: Kind
    source: Source
    score: float
    mentions: int = 1


# -- names and aliases ------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Accents off, curly apostrophes straight, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def slug(name: str) -> str:
    """A URL-safe key: "Côte d'Ivoire" -> "cote-divoire", "الأمم المتحدة" -> "الأمم-المتحدة"."""
    text = _fold(name).casefold().replace("'", "").replace(".", "")
    return re.sub(r"[\W_]+", "-", text).strip("-")


_HONORIFICS = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|Prof|Sen|Gov|Rep|Gen|Sir|Dame)\.?\s+)+")


def _alias_form(name: str) -> str:
    """The form aliases are looked up by: no "the", no possessive, no dots in initials."""
    text = _fold(name).strip(" .,;:!?\"'()")
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"'s$", "", text)
    text = re.sub(r"\b([A-Za-z])\.(?=[A-Za-z]\b|[A-Za-z]\.)", r"\1", text)  # U.S.A. -> USA.
    text = re.sub(r"(?<=\b[A-Z])\.(?=\s|$)", "", text)
    return text


# canonical English name, kind, Arabic form, aliases
_BUILTIN: tuple[tuple[str, Kind, str, tuple[str, ...]], ...] = (
    ("United States", "place", "الولايات المتحدة", ("US", "USA", "U.S.", "U.S.A.", "United States of America", "America")),
    ("United Kingdom", "place", "المملكة المتحدة", ("UK", "U.K.", "Britain", "Great Britain")),
    ("United Nations", "org", "الأمم المتحدة", ("UN", "U.N.")),
    ("European Union", "org", "الاتحاد الأوروبي", ("EU", "E.U.")),
    ("United Arab Emirates", "place", "الإمارات العربية المتحدة", ("UAE", "U.A.E.", "the Emirates")),
    ("Saudi Arabia", "place", "السعودية", ("Kingdom of Saudi Arabia", "KSA")),
    ("Russia", "place", "روسيا", ("Russian Federation",)),
    ("China", "place", "الصين", ("People's Republic of China", "PRC", "mainland China")),
    ("North Korea", "place", "كوريا الشمالية", ("DPRK", "Democratic People's Republic of Korea")),
    ("South Korea", "place", "كوريا الجنوبية", ("Republic of Korea", "ROK")),
    ("Iran", "place", "إيران", ("Islamic Republic of Iran",)),
    ("Democratic Republic of the Congo", "place", "جمهورية الكونغو الديمقراطية", ("DRC", "DR Congo", "D.R. Congo")),
    ("Czech Republic", "place", "التشيك", ("Czechia",)),
    ("Myanmar", "place", "ميانمار", ("Burma",)),
    ("Ivory Coast", "place", "ساحل العاج", ("Côte d'Ivoire", "Cote d'Ivoire")),
    ("Netherlands", "place", "هولندا", ("Holland",)),
    ("Turkey", "place", "تركيا", ("Türkiye", "Turkiye")),
    ("Palestinian territories", "place", "الأراضي الفلسطينية", ("occupied Palestinian territories",)),
    ("Gaza Strip", "place", "قطاع غزة", ("Gaza",)),
    ("New York City", "place", "مدينة نيويورك", ("NYC", "New York city")),
    ("NATO", "org", "حلف شمال الأطلسي", ("North Atlantic Treaty Organization", "Nato", "N.A.T.O.")),
    ("World Health Organization", "org", "منظمة الصحة العالمية", ("WHO", "World Health Organisation")),
    ("International Monetary Fund", "org", "صندوق النقد الدولي", ("IMF",)),
    ("World Bank", "org", "البنك الدولي", ("World Bank Group",)),
    ("World Trade Organization", "org", "منظمة التجارة العالمية", ("WTO", "World Trade Organisation")),
    ("OPEC", "org", "أوبك", ("Organization of the Petroleum Exporting Countries",)),
    ("UNESCO", "org", "اليونسكو", ()),
    ("UNICEF", "org", "اليونيسف", ()),
    ("African Union", "org", "الاتحاد الأفريقي", ("AU",)),
    ("Arab League", "org", "جامعة الدول العربية", ("League of Arab States",)),
    ("Federal Reserve", "org", "الاحتياطي الفيدرالي", ("the Fed", "US Federal Reserve", "Federal Reserve Board")),
    ("FBI", "org", "مكتب التحقيقات الفيدرالي", ("Federal Bureau of Investigation",)),
    ("CIA", "org", "وكالة المخابرات المركزية", ("Central Intelligence Agency",)),
    ("NASA", "org", "ناسا", ("National Aeronautics and Space Administration",)),
    ("Pentagon", "org", "البنتاغون", ("US Department of Defense", "Department of Defense")),
    ("White House", "org", "البيت الأبيض", ()),
    ("Islamic State", "org", "تنظيم الدولة الإسلامية", ("ISIS", "ISIL", "Daesh", "Islamic State group")),
    ("Hezbollah", "org", "حزب الله", ("Hizbollah", "Hizballah")),
    ("Hamas", "org", "حماس", ()),
)  # fmt: skip


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: Kind | None
    arabic: str | None


class AliasTable:
    """Alias forms mapped to one canonical English name (and its kind and Arabic form if known).

    Short all-capital aliases ("US", "WHO") match only in capitals; others ignore case."""

    def __init__(self) -> None:
        self._exact: dict[str, _Entry] = {}
        self._folded: dict[str, _Entry] = {}
        self._forms: dict[str, list[str]] = {}  # canonical name -> every form

    @classmethod
    def builtin(cls) -> AliasTable:
        table = cls()
        for name, kind, arabic, aliases in _BUILTIN:
            table.add(name, aliases, kind=kind, arabic=arabic)
        return table

    @classmethod
    def from_glossary(cls, glossary: Glossary | None, *, builtin: bool = True) -> AliasTable:
        """The built-in table plus the glossary's groups of terms that share an Arabic form."""
        table = cls.builtin() if builtin else cls()
        if glossary is None:
            return table
        groups: dict[str, list[Term]] = {}
        for term in glossary.terms:
            groups.setdefault(_arabic_key(term.arabic), []).append(term)
        for terms in groups.values():
            if len(terms) < 2:
                continue
            known = [e for t in terms if (e := table.lookup(t.term)) is not None]
            if known:
                name = known[0].name
            else:
                manual = [t for t in terms if t.origin == "manual"] or terms
                name = max(manual, key=lambda t: (len(t.term.split()), len(t.term))).term
            kinds = [
                _ENTITY_KINDS[t.kind]
                for t in terms
                if t.origin == "manual" and t.kind in _ENTITY_KINDS
            ]
            table.add(name, [t.term for t in terms], kind=kinds[0] if kinds else None)
        return table

    def add(
        self,
        name: str,
        aliases: Iterable[str],
        *,
        kind: Kind | None = None,
        arabic: str | None = None,
    ) -> None:
        existing = self.lookup(name)
        if existing is not None:
            name = existing.name
            kind = kind or existing.kind
            arabic = arabic or existing.arabic
        entry = _Entry(name, kind, arabic)
        forms = self._forms.setdefault(name, [])
        for form in [name, *aliases]:
            if form not in forms:
                forms.append(form)
        for form in forms:
            key = _alias_form(form)
            if key.isupper() and len(key) <= 4:
                self._exact[key] = entry
            else:
                self._folded[key.casefold()] = entry

    def lookup(self, name: str) -> _Entry | None:
        key = _alias_form(name)
        if key in self._exact:
            return self._exact[key]
        return self._folded.get(key.casefold())

    def name(self, name: str) -> str:
        """The canonical English name of `name` (itself, tidied, when it has no alias)."""
        entry = self.lookup(name)
        if entry is not None:
            return entry.name
        return _HONORIFICS.sub("", _fold(name).strip(" .,;:!?\"'()"))

    def forms(self, name: str) -> list[str]:
        """Every known form of the entity `name` names, canonical name first."""
        canon = self.name(name)
        return self._forms.get(canon, [canon])


def _arabic_key(text: str) -> str:
    text = re.sub("[\u0610-\u061a\u064b-\u065f\u0670\u0640]", "", text)
    return " ".join(re.sub("[أإآٱ]", "ا", text).split())


_DEFAULT_ALIASES = AliasTable.builtin()


def canonical(name: str, aliases: AliasTable | None = None) -> str:
    """The tag key of a name: a slug of its canonical English name ("U.S." -> "united-states")."""
    return slug((aliases or _DEFAULT_ALIASES).name(name))


# -- extraction -------------------------------------------------------------------------------


@dataclass
class _Candidate:
    name: str
    kind: Kind
    source: Source
    mentions: int = 0
    in_title: bool = False
    first: int = 10**9
    forms: set[str] = field(default_factory=set)


def _glossary_mentions(texts: Sequence[str], glossary: Glossary) -> list[tuple[int, int, Term]]:
    out = []
    for i, text in enumerate(texts):
        for m in glossary.find(text):
            term = m.term
            if term.origin != "manual" and term.kind not in ("person", "place", "org"):
                continue  # an engine-recorded name form: Arabic only, kind unknown
            out.append((i, m.start, term))
    return out


class _Collector:
    """Mentions of entities gathered under their canonical key."""

    def __init__(self, aliases: AliasTable) -> None:
        self.aliases = aliases
        self.found: dict[str, _Candidate] = {}

    def add(self, name: str, kind: Kind, source: Source, text: int, pos: int) -> _Candidate | None:
        entry = self.aliases.lookup(name)
        canon = entry.name if entry is not None else self.aliases.name(name)
        if entry is not None and entry.kind is not None and source != "glossary":
            kind = entry.kind  # the alias table knows the UN is an organisation
        key = slug(canon)
        if not key:
            return None
        cand = self.found.get(key)
        if cand is None:
            cand = self.found[key] = _Candidate(canon, kind, source)
        elif source == "glossary" and cand.source != "glossary":
            cand.kind, cand.source = kind, source  # an editor's kind wins
        cand.forms.add(name)
        cand.first = min(cand.first, text * 100_000 + pos)
        cand.in_title |= text == 0
        return cand

    def glossary(self, texts: Sequence[str], glossary: Glossary) -> None:
        for i, pos, term in _glossary_mentions(texts, glossary):
            cand = self.add(term.term, _ENTITY_KINDS.get(term.kind, "topic"), "glossary", i, pos)
            if cand is not None:
                cand.mentions += 1

    def ner(self, texts: Sequence[str], nlp: Any) -> None:
        counts: dict[int, int] = {}
        for i, pos, text, kind in ner_mentions(texts, nlp):
            name = clean_entity_name(text, kind)
            cand = self.add(name, kind, "ner", i, pos) if name is not None else None
            if cand is not None:
                # The glossary may have counted the same mentions: keep the larger count.
                counts[id(cand)] = counts.get(id(cand), 0) + 1
                cand.mentions = max(cand.mentions, counts[id(cand)])


def extract_tags(
    title: str | None,
    paragraphs: Sequence[str],
    *,
    glossary: Glossary | None = None,
    nlp: Any = None,
    aliases: AliasTable | None = None,
    max_topics: int = 5,
    max_tags: int = MAX_TAGS,
) -> list[Tag]:
    """The tags of an English article, best first (entities, then topics), at most `max_tags`.

    Arabic names are filled in where the glossary or the alias table has them; `arabic_names`
    does the rest. Pass `aliases` (`AliasTable.from_glossary`) when tagging many articles with
    one glossary, so that it is built once.
    """
    aliases = aliases or AliasTable.from_glossary(glossary)
    texts = [title or "", *(p for p in paragraphs if p and not _boilerplate(p))]
    collector = _Collector(aliases)
    if glossary is not None and len(glossary):
        collector.glossary(texts, glossary)
    if nlp is not None:
        collector.ner(texts, nlp)
    _merge_surnames(sorted(collector.found.values(), key=lambda c: c.first), collector.found)
    entities = sorted(collector.found.values(), key=lambda c: c.first)
    top = max((c.mentions for c in entities), default=1) or 1
    tags = [
        Tag(
            slug(c.name),
            c.name,
            _builtin_arabic(c.name, aliases, glossary),
            c.kind,
            c.source,
            _score(c, top),
            c.mentions,
        )
        for c in entities
    ]
    tags.sort(key=lambda t: -t.score)  # stable: ties keep the order of first mention
    forms = [f for c in entities for f in c.forms]
    topics = _topics(texts, {t.key for t in tags}, forms, max_topics, aliases, glossary)
    room = max(0, max_tags - len(topics))
    return (tags[:room] + topics)[:max_tags]


def _score(c: _Candidate, top: int) -> float:
    """Share of the most mentioned entity's mentions; a title mention counts for 0.3."""
    if c.in_title:
        return round(min(1.0, 0.3 + c.mentions / top), 3)
    return round(0.7 * c.mentions / top, 3)


def _merge_surnames(entities: list[_Candidate], found: dict[str, _Candidate]) -> None:
    """Within the article, a one-word person is the longer person name ending with it."""
    people = [c for c in entities if c.kind == "person" and len(c.name.split()) >= 2]
    for c in entities:
        if c.kind != "person" or len(c.name.split()) != 1:
            continue
        longer = [p for p in people if p.name.split()[-1] == c.name]
        if len(longer) == 1:
            target = longer[0]
            target.mentions += c.mentions
            target.in_title |= c.in_title
            target.first = min(target.first, c.first)
            target.forms |= c.forms
            found.pop(slug(c.name), None)


def _builtin_arabic(name: str, aliases: AliasTable, glossary: Glossary | None) -> str | None:
    return _glossary_arabic(name, aliases, glossary) or (
        entry.arabic if (entry := aliases.lookup(name)) is not None else None
    )


def _glossary_arabic(name: str, aliases: AliasTable, glossary: Glossary | None) -> str | None:
    if glossary is None:
        return None
    engine = None
    for form in aliases.forms(name):
        term = glossary.get(form)
        if term is None:
            continue
        if term.origin == "manual":
            return term.arabic
        engine = engine or term.arabic
    return engine


# -- topics -----------------------------------------------------------------------------------

_BOILERPLATE = re.compile(
    r"^\W*(?:(?:read|see|watch)\s+(?:more|also)\b|(?:sign\s+up|subscribe)\b|(?:follow|like)\s+us\b"
    r"|(?:copyright|©)|all\s+rights\s+reserved|advertisement\W*$|(?:reporting|editing)\s+by\b)",
    re.IGNORECASE,
)
_JUNK_WORDS = frozenset(
    """said says say told tell according added adds asked year years month months week weeks day
    days time times today yesterday tomorrow people percent per cent million billion thousand
    hundred number lot lots way thing things part kind sort place point case fact something
    anything everything nothing someone anyone everyone statement report reports news story
    article mr mrs ms dr including include includes just also many much more most less least
    like well even still last next first second third new old good great big small high low
    long short able likely unlikely recent recently monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october november
    december morning evening night city country world area areas group groups member members
    official officials spokesperson spokesman spokeswoman told photo image video click share
    subscribe newsletter company companies firm state states version matter side front end top
    bottom rest result results reason issue issues question problem way ways lot kind
    make makes take takes get gets come comes see sees use uses want wants need needs show shows
    give gives keep keeps set put run runs move moves raise change live start starts look looks
    find help work works call calls try seem know think feel become leave play turn bring begin
    hold write provide stand lose pay meet continue learn lead understand watch follow stop create
    speak read allow add spend grow open walk win offer remember love consider appear buy wait
    serve die send expect build stay fall cut reach remain suggest pass sell require decide pull
    going getting making taking coming""".split()  # noqa: SIM905
)
# Adjective endings: a one-word topic is a noun ("pollution"), not "electric" or "dangerous".
_ADJECTIVE = re.compile(r"(?:ous|ive|ful|less|able|ible|ic|ical|ish|est)$")
_NOUN_WORDS = """music traffic republic clinic logic topic panic plastic fabric mechanic critic
    objective executive relative representative detective initiative incentive motive cable table
    vegetable timetable variable interest protest forest harvest request contest quest test vest
    chest manifest arrest conquest"""
_NOUNS_LIKE_ADJECTIVES = frozenset(_NOUN_WORDS.split())
_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    me my myself no nor not of off on once only or other our ours out over own same she should so
    some such than that the their theirs them themselves then there these they this those through
    to too under until up very was we were what when where which while who whom why will with
    would you your yours isn aren wasn weren don doesn didn won wouldn couldn shouldn hasn haven
    hadn can ll ve re""".split()  # noqa: SIM905
)


def _boilerplate(paragraph: str) -> bool:
    return len(paragraph.split()) <= 30 and bool(_BOILERPLATE.search(paragraph))


@lru_cache(maxsize=4)
def _yake(n: int, top: int) -> Any:
    try:
        import yake  # type: ignore[import-untyped]
    except ImportError:
        log.warning("yake is not installed: no topic tags")
        return None
    return yake.KeywordExtractor(lan="en", n=n, top=top, dedup_lim=0.7)


def _stem(word: str) -> str:
    word = word.casefold()
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _topics(
    texts: Sequence[str],
    entity_keys: set[str],
    entity_forms: Sequence[str],
    max_topics: int,
    aliases: AliasTable,
    glossary: Glossary | None,
) -> list[Tag]:
    if max_topics <= 0:
        return []
    extractor = _yake(2, 25)
    body = "\n".join(t for t in texts if t)
    if extractor is None or not _english(body):
        return []
    lowered = body.casefold()
    title = texts[0].casefold() if texts and texts[0] else ""
    entity_words = {_stem(w) for f in entity_forms for w in re.findall(r"\w+", f)}
    chosen: list[tuple[str, list[str]]] = []
    for phrase, _score in extractor.extract_keywords(body):
        words = phrase.split()
        if not _topic_phrase(words, entity_words):
            continue
        stems = [_stem(w) for w in words]
        occurrences = len(
            re.findall(rf"(?<![\w-]){re.escape(phrase.casefold())}(?![\w-])", lowered)
        )
        if occurrences < 2 and phrase.casefold() not in title:
            continue
        if slug(aliases.name(phrase)) in entity_keys:
            continue
        if any(set(stems) <= set(s) or set(s) <= set(stems) for _, s in chosen):
            continue  # "air" after "air pollution"
        chosen.append((phrase, stems))
        if len(chosen) == max_topics:
            break
    tags = []
    for rank, (phrase, _stems) in enumerate(chosen):
        name = phrase.casefold()
        tags.append(
            Tag(
                slug(name),
                name,
                _glossary_arabic(name, aliases, glossary),
                "topic",
                "keywords",
                round(0.8 * (1 - rank / (max_topics + 1)), 3),
                len(re.findall(rf"(?<![\w-]){re.escape(name)}(?![\w-])", lowered)),
            )
        )
    return tags


def _topic_phrase(words: list[str], entity_words: set[str]) -> bool:
    """A common-noun phrase: lower case, letters only, no stopword or reporting word at either end,
    not part of a name the article's entities use."""
    if not words or len(words) > 2:
        return False
    for w in words:
        if not re.fullmatch(r"[a-z][a-z-]*[a-z]", w) or len(w) < 3:
            return False
    if words[0] in _STOPWORDS or words[-1] in _STOPWORDS:
        return False
    if any(w in _JUNK_WORDS for w in words):
        return False
    if any(w.endswith("ed") and not w.endswith("eed") and len(w) > 4 for w in words):
        return False  # "raised interest", "giant launched", "reported"
    if words[0].startswith("all-"):
        return False
    if words[0].endswith("ly") or (len(words) == 1 and len(words[0]) < 4):
        return False  # "absolutely stunning", "air"
    head = words[-1]
    if _ADJECTIVE.search(head) and head not in _NOUNS_LIKE_ADJECTIVES:
        return False  # "electric", "global geological": the head of a topic is a noun
    return not all(_stem(w) in entity_words for w in words)


def _english(text: str) -> bool:
    """Enough English function words to be English prose (YAKE's topics of other languages are
    noise, and such articles are not translated by an English model anyway)."""
    words = re.findall(r"[a-z]+", text.casefold())
    return len(words) >= 12 and sum(w in _STOPWORDS for w in words) >= 0.2 * len(words)


# -- Arabic names -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArabicNames:
    """Tags with their Arabic names, and the names that took the engine: `engine_terms` are
    glossary terms (origin "engine") to record so the name keeps one spelling on the site."""

    tags: list[Tag]
    engine_names: list[str]
    engine_terms: list[Term]


_GLOSSARY_KINDS = {"person": "person", "place": "place", "org": "org", "topic": "other"}
_ARABIC = re.compile("[\u0600-\u06ff]")


def arabic_names(
    tags: Sequence[Tag],
    glossary: Glossary | None,
    translate: Callable[[list[str]], list[str]] | None = None,
    *,
    aliases: AliasTable | None = None,
) -> ArabicNames:
    """Give each tag its Arabic name: the glossary's form (of the name or any alias), else the
    built-in alias table's, else the engine's (`translate`, called once with every missing English
    name, only when there is one); a tag the engine cannot name (no callback, or an empty or
    non-Arabic answer) keeps name_ar None."""
    aliases = aliases or AliasTable.from_glossary(glossary)
    out: list[Tag] = []
    missing: list[int] = []
    for tag in tags:
        arabic = _glossary_arabic(tag.name_en, aliases, glossary)
        if arabic is None:
            entry = aliases.lookup(tag.name_en)
            arabic = entry.arabic if entry is not None else None
        if arabic is None:
            arabic = tag.name_ar
        out.append(replace(tag, name_ar=arabic))
        if arabic is None:
            missing.append(len(out) - 1)
    names = list(dict.fromkeys(out[i].name_en for i in missing))
    if not names or translate is None:
        return ArabicNames(out, [], [])
    forms = translate(names)
    if len(forms) != len(names):
        raise NaqlError(f"the engine returned {len(forms)} translations for {len(names)} names")
    by_name: dict[str, str] = {}
    for name, answer in zip(names, forms, strict=True):
        form = " ".join((answer or "").strip(" .،,;:!?\"'“”«»()").split())
        if form and _ARABIC.search(form):
            by_name[name] = form
    terms: list[Term] = []
    for i in missing:
        if out[i].name_en in by_name:
            out[i] = replace(out[i], name_ar=by_name[out[i].name_en])
    for name, form in by_name.items():
        kind = next(t.kind for t in out if t.name_en == name)
        terms.append(Term(name, form, _GLOSSARY_KINDS[kind], None, "engine"))
    return ArabicNames(out, names, terms)
