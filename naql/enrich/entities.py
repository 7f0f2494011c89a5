"""Names in English news text: people's names written by rule, and named entities by spaCy.

Rules (used by the quotation extractor, no model needed): capitalised words that form a name,
titles that are not part of it ("Prime Minister Keir Starmer" is "Keir Starmer"), role acronyms
("Browns DL Sheldon Richardson"), possessives, and sentence ends inside a run of capitals.

spaCy (an optional extra, `pip install 'naql[ner]'`): `load_nlp` loads the pipeline a setting
names, `rule_pipeline` builds spacy.blank("en") + an EntityRuler from (label, phrase) patterns, and
`ner_mentions` reads PERSON, GPE/LOC/FAC and ORG entities, dropping wire-service credits and junk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from naql.errors import NaqlError

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "ABBREVIATIONS",
    "CAPITAL_STOP",
    "EntityKind",
    "INTRODUCERS",
    "NAME_HEADS_BEFORE_OF",
    "NER_KINDS",
    "PARTICLES",
    "TITLES",
    "clean_entity_name",
    "full_names",
    "is_name_token",
    "is_possessive",
    "load_nlp",
    "ner_mentions",
    "rule_pipeline",
    "strip_possessive",
]

EntityKind = Literal["person", "place", "org"]

# -- names by rule ----------------------------------------------------------------------------

#: Words a period follows without ending a sentence (lower case, without the final period).
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "col", "lt", "sgt", "capt", "gov",
    "sen", "rep", "rev", "cmdr", "adm", "maj", "vs", "inc", "ltd", "co", "corp", "no", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft",
    "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "dept", "ave", "pres",
}  # fmt: skip


#: Titles and roles before a name, never part of it (royal ones such as King and Prince are).
TITLES = {
    "President", "Vice", "Gov", "Gov.", "Governor", "Sen", "Sen.", "Senator", "Rep", "Rep.",
    "Representative", "Dr", "Dr.", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Miss", "Prof",
    "Prof.", "Professor", "Gen", "Gen.", "General", "Col", "Col.", "Colonel", "Capt", "Capt.",
    "Captain", "Lt", "Lt.", "Lieutenant", "Sgt", "Sgt.", "Sergeant", "Cmdr", "Cmdr.", "Commander",
    "Adm", "Adm.", "Admiral", "Maj", "Maj.", "Minister", "Secretary", "Chancellor", "Chief",
    "CEO", "CFO", "COO", "CTO", "Chairman", "Chairwoman", "Chair", "Director", "Attorney",
    "Judge", "Justice", "Mayor", "Ambassador", "Spokesman", "Spokeswoman", "Spokesperson",
    "Deputy", "Assistant", "Associate", "Senior", "Founder", "Co-founder", "Speaker", "Leader",
    "Premier", "Sheriff", "Detective", "Inspector", "Superintendent", "Coach", "Officer",
    "Executive", "Head", "Rev", "Rev.", "Reverend", "Father", "Brother", "Sister", "Rabbi",
    "Imam", "Ayatollah", "Marshal", "Field", "President-elect", "Dame", "Sir", "Lord",
    "Lady", "Baroness", "Congressman", "Congresswoman", "Councilman", "Councilwoman",
}  # fmt: skip
#: Capitalised words that are not names (sentence starts, pronouns, days, months, modals).
CAPITAL_STOP = {
    "The", "A", "An", "And", "But", "So", "Then", "Later", "Also", "This", "That", "These",
    "Those", "His", "Her", "Their", "Its", "Our", "My", "Your", "One", "Another", "Some", "In",
    "On", "At", "For", "With", "From", "As", "After", "Before", "When", "While", "Meanwhile",
    "However", "Still", "Yet", "Former", "Many", "Most", "Several", "Both", "Even", "Asked",
    "Speaking", "Noting", "If", "Although", "Though", "Because", "During", "Earlier", "Now",
    "Here", "There", "What", "Who", "Why", "How", "Where", "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday", "He", "She", "It", "They", "We", "I", "You",
    "Not", "No", "Yes", "Oh", "Hey", "Well", "Must", "Can", "Could", "Would", "Should", "Will",
    "Might", "Shall", "Do", "Does", "Did", "Is", "Are", "Was", "Were", "Has", "Have", "Had",
    "Let", "Please", "Thanks", "January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December",
}  # fmt: skip
#: Lower-case words inside names ("Ursula von der Leyen", "Mohammed bin Salman").
PARTICLES = {
    "de", "da", "di", "du", "del", "della", "van", "von", "der", "den", "ter", "bin", "ibn",
    "al", "el", "la", "le", "dos", "y", "abu",
}  # fmt: skip


#: Capitalised words after which "of" continues a name ("Bank of England", "King of Clay").
NAME_HEADS_BEFORE_OF = {
    "Bank", "University", "Ministry", "Department", "Council", "Institute", "Office", "Centre",
    "Center", "College", "School", "Board", "Court", "Church", "League", "Republic", "Museum",
    "Federation", "Association", "Union", "Organization", "Organisation", "Society", "Academy",
    "Commission", "Committee", "Agency", "Bureau", "Chamber", "House", "Party", "King", "Queen",
    "Prince", "Princess", "Duke", "Duchess", "Archbishop", "Bishop", "Emir", "Sultan", "Port",
    "City", "State", "Province", "Gulf", "Isle", "Sea", "Cape", "Lake", "Mount", "Statue",
}  # fmt: skip


def is_name_token(tok: str) -> bool:
    """A capitalised word that can be part of a name: not a title, not a sentence-start word."""
    core = tok.strip(',.;:!?"“”‘’()')
    if tok.endswith(".") and core + "." in TITLES:
        return False
    if not core or core in TITLES or core in CAPITAL_STOP:
        return False
    core = re.sub(r"^(?:al|el|ad|as|an|ash|at|az)-", "", core)
    return bool(core) and core[0].isupper() and any(c.isalpha() for c in core)


def is_possessive(tok: str) -> bool:
    """Ends with a possessive: "Disney's", "players’"."""
    return tok.endswith(("'s", "’s", "s'", "s’"))


def strip_possessive(tok: str) -> str:
    """The word without its possessive ending."""
    return re.sub(r"(?:['’]s|(?<=s)['’])$", "", tok)


_NAME_RUN = re.compile(
    r"(?<![\w’'-])(?:[A-Z][\w’'.-]*|(?:al|el)-[A-Z][\w’'-]*)"
    r"(?:\s+(?:(?:de|da|di|du|del|van|von|der|den|bin|ibn|al|la|le|dos)\s+){0,2}"
    r"(?:[A-Z][\w’'.-]*|(?:al|el)-[A-Z][\w’'-]*))+"
)


def full_names(text: str) -> list[str]:
    """Names of two words or more in unquoted text, without titles ("Prime Minister Keir Starmer"
    gives "Keir Starmer") or a possessive ending."""
    out = []
    for m in _NAME_RUN.finditer(text):
        for toks in _split_at_periods(m.group(0).split()):
            name = _full_name(toks)
            if name is not None:
                out.append(name)
    return out


def _split_at_periods(toks: list[str]) -> list[list[str]]:
    """A run of capitalised words split where a sentence ends ("the Central Division. Boudreau"),
    not after an initial or an abbreviation ("J. Smith", "Gov. Noem", "U.S. Attorney")."""
    parts: list[list[str]] = [[]]
    for tok in toks:
        parts[-1].append(tok)
        core = tok.rstrip(".").lower()
        if tok.endswith(".") and len(core) > 1 and core not in ABBREVIATIONS and "." not in core:
            parts.append([])
    return [p for p in parts if p]


def _full_name(toks: list[str]) -> str | None:
    """A person's full name from a run of capitalised words, or None: no titles, no possessive,
    no role acronym before it ("Browns DL Sheldon Richardson" is "Sheldon Richardson")."""
    for k, tok in enumerate(toks):
        if is_possessive(tok):
            toks = toks[: k + 1]
            toks[-1] = strip_possessive(toks[-1])
            break
    cut = [k for k, t in enumerate(toks) if t in TITLES or t.rstrip(".") in TITLES]
    cut += [k for k, t in enumerate(toks[:-2]) if re.fullmatch(r"[A-Z]{2,5}", t)]
    if cut:
        toks = toks[max(cut) + 1 :]
    while toks and (toks[0] in CAPITAL_STOP or toks[0] in INTRODUCERS or toks[0].endswith("ing")):
        toks = toks[1:]  # "Hosting Cook at ...", "After Trump ..."
    toks = [t.rstrip(".,") if not re.fullmatch(r"(?:[A-Z]\.)+", t) else t for t in toks]
    return " ".join(toks) if len(toks) >= 2 else None


#: Capitalised words that open a sentence before its subject ("As it turned out, Steenburgen ...").
INTRODUCERS = {
    "As", "After", "When", "While", "In", "On", "At", "During", "Since", "Although", "Though",
    "If", "Because", "Before", "Despite", "Following", "Meanwhile", "However", "But", "And",
    "Still", "Yet", "So", "Later", "Earlier", "Now", "Then", "Even", "Regarding", "Like",
    "Unlike", "With", "Without", "For", "From", "By", "Under", "Accompanied", "Asked", "Born",
    "Speaking", "Once", "Until", "Last", "This", "Today", "Yesterday",
}  # fmt: skip


# -- spaCy ------------------------------------------------------------------------------------

NER_KINDS: dict[str, EntityKind] = {
    "PERSON": "person",
    "PER": "person",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "ORG": "org",
}


def load_nlp(name: str | None) -> Language | None:
    """The spaCy pipeline a setting names (an installed package such as "en_core_web_sm", or a
    folder written by `nlp.to_disk`); None when the setting is empty."""
    if not name:
        return None
    try:
        import spacy
    except ImportError as exc:
        raise NaqlError(
            f"a spaCy pipeline ({name!r}) is configured but spaCy is not installed: "
            "pip install 'naql[ner]'"
        ) from exc
    try:
        return spacy.load(name)
    except (OSError, ValueError) as exc:
        raise NaqlError(f"cannot load the spaCy pipeline {name!r}: {exc}") from exc


def rule_pipeline(patterns: Iterable[tuple[str, str]]) -> Language:
    """A small rule-based English pipeline: spacy.blank("en") + an EntityRuler with
    (label, phrase) patterns such as ("PERSON", "Tim Cook"), ("GPE", "Delhi")."""
    try:
        import spacy
    except ImportError as exc:
        raise NaqlError("spaCy is not installed: pip install 'naql[ner]'") from exc
    nlp = spacy.blank("en")
    ruler: Any = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": label, "pattern": phrase} for label, phrase in patterns])
    return nlp


_NOT_ENTITIES = {
    "reuters", "ap", "afp", "associated press", "agence france-presse", "getty images", "epa",
    "upi", "pa media", "bloomberg news", "cnn wire",
}  # fmt: skip
_TITLE_WORDS = re.compile(
    r"^(?:(?:President|Prime Minister|Minister|Secretary|Senator|Sen\.|Gov\.|Governor|Mayor|"
    r"Chancellor|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Prof\.?|Gen\.?|General|Judge|Chief|CEO|Rep\.?)\s+)+"
)


def clean_entity_name(text: str, kind: EntityKind) -> str | None:
    """An entity's name as a tag shows it ("the U.S." -> "U.S", "President Joe Biden" -> "Joe
    Biden"), or None for junk: numbers, single letters, lower case, wire-service credits."""
    name = " ".join(text.split()).strip(" .,;:!?\"'“”‘’()[]-–—")
    name = re.sub(r"^(?:the|The)\s+", "", name)
    name = re.sub(r"['’]s$", "", name)
    if kind == "person":
        name = _TITLE_WORDS.sub("", name)
    if len(name) < 2 or not re.search(r"[^\W\d_]", name) or re.search(r"\d{3,}", name):
        return None
    if name.casefold() in _NOT_ENTITIES or name[:1].islower():
        return None
    return name


def ner_mentions(texts: Sequence[str], nlp: Any) -> list[tuple[int, int, str, EntityKind]]:
    """(text index, offset, surface text, kind) of each person, place and organisation that
    `nlp` finds in `texts` (one `nlp.pipe` pass); other labels (dates, nationalities) are left."""
    out = []
    for i, doc in enumerate(nlp.pipe(texts)):
        for ent in doc.ents:
            kind = NER_KINDS.get(ent.label_)
            if kind is not None:
                out.append((i, ent.start_char, ent.text, kind))
    return out
