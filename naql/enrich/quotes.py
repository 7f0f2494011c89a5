"""Attributed quotations in English news text: who said what, with which reporting verb, and where.

Quotation marks are paired per paragraph (curly, straight and angle marks; British single marks
in a paragraph without double ones; an inch mark after a number is not a quotation mark), then
each quoted span is attributed from the words around it, in this order:

- after it, in its sentence: `"…," X said.`, `"…," said X, the …`, `"…," X told reporters.`,
  `"…," X, the …, warned on Monday.`, `"…," according to X.`;
- before it, in its sentence: `X said: "…"`, `X told reporters "…"`, `X said the deal was "…"`,
  `According to X, "…"`, `…, adding "…"` (the speaker of the sentence's previous quotation);
- by continuation: the next quoted sentence after an attributed one (`"…," X said. "…"`), the rest
  of a quotation split by its attribution (`"…," X said, "…"`), a quotation that runs on into the
  next paragraph (no closing mark before the paragraph ends, as news style does), and a paragraph
  that is all quotation right after a paragraph that ends with the same speaker's attribution.

A speaker is a name without its titles ("CEO Tim Cook" is "Tim Cook"), a description as written up
to its head noun ("a WeWork spokesperson"), or a pronoun. "he"/"she" stands for the most recent
person named in the previous sentences (a quotation's speaker, or a name that is a sentence's
subject) within three paragraphs, passing over one the other pronoun already stood for; right
after a described speaker ("the mother" stated ...) it stands for that description. Otherwise the
pronoun is kept and the quote marked unresolved. A surname is completed with the full name the
text gave ("Mayer" is "Kevin Mayer"), preferring the article's people when `people` is given.

Partial quotations of one or two words (scare quotes, labels) are not quotations; neither are
titles, slogans and other quoted text that no reporting verb attributes to anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from naql.enrich.entities import (
    ABBREVIATIONS,
    CAPITAL_STOP,
    INTRODUCERS,
    NAME_HEADS_BEFORE_OF,
    PARTICLES,
    TITLES,
    full_names,
    is_name_token,
    is_possessive,
)
from naql.enrich.tags import canonical

__all__ = ["Quote", "extract_quotes", "quoted_spans"]

# -- quotation marks --------------------------------------------------------------------------

_OPENERS = "“„«‟"
_CLOSERS = "”»"
_DOUBLE = _OPENERS + _CLOSERS + '"'
_SPACE_BEFORE = " \t\n([{—–-:;,/"


@dataclass(frozen=True)
class _Span:
    open: int  # index of the opening mark
    close: int | None  # index of the closing mark; None: runs on to the end of the paragraph

    def end(self, text: str) -> int:
        return len(text) if self.close is None else self.close + 1

    def inner(self, text: str) -> str:
        return text[self.open + 1 : len(text) if self.close is None else self.close]


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _double_spans(text: str) -> list[_Span]:
    spans: list[_Span] = []
    open_at: int | None = None
    for i, ch in enumerate(text):
        if ch not in _DOUBLE:
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if ch == '"':
            inch = prev.isdigit() and (nxt in " +-x" or nxt.isalnum())
            if inch and not (open_at is not None and '"' not in text[i + 1 :]):
                continue  # 34" 3440x1440, a 65" TV
            if open_at is None:
                if prev in _SPACE_BEFORE or not _is_word(prev) or _is_word(nxt):
                    open_at = i
            else:
                spans.append(_Span(open_at, i))
                open_at = None
        elif ch in _OPENERS:
            open_at = i  # an opener inside an open quotation: the first one was never closed
        elif open_at is not None:
            spans.append(_Span(open_at, i))
            open_at = None
        elif prev in _SPACE_BEFORE and _is_word(nxt):
            open_at = i  # ” used as an opening mark
    if open_at is not None and _opens_sentence(text, open_at):
        spans.append(_Span(open_at, None))
    return spans


def _opens_sentence(text: str, pos: int) -> bool:
    """A mark at `pos` opens a sentence: the paragraph's start, or after . ! ? (and a mark)."""
    return not text[:pos].strip() or bool(re.search(r"[.!?…][\"”’»]?\s+$", text[:pos]))


def _single_spans(text: str) -> list[_Span]:
    """‘British’ quotation marks, told apart from apostrophes (don’t, Reuters’ report)."""
    spans: list[_Span] = []
    open_at: int | None = None
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if (
            ch == "‘"
            and open_at is None
            and prev in _SPACE_BEFORE
            and (_is_word(nxt) or nxt in "….")
        ):
            open_at = i
        elif (
            ch == "’"
            and open_at is not None
            and not _is_word(nxt)
            and not prev.isspace()
            and (prev in ".,!?…" or nxt in " ,.;:!?)—–-" or i + 1 == len(text))
        ):
            spans.append(_Span(open_at, i))
            open_at = None
    if open_at is not None and _opens_sentence(text, open_at):
        spans.append(_Span(open_at, None))
    return spans


def _spans(text: str) -> list[_Span]:
    if any(ch in _DOUBLE for ch in text):
        return _double_spans(text)
    return _single_spans(text)


def quoted_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each quoted span of `paragraph`, marks included; a quotation that runs on
    into the next paragraph ends at the end of this one."""
    return [(s.open, s.end(paragraph)) for s in _spans(paragraph)]


# -- sentences --------------------------------------------------------------------------------


def _sentence_breaks(text: str) -> list[int]:
    """Offsets just past each sentence-final . ! ? in unquoted text."""
    out = []
    for m in re.finditer(r"[.!?]+(?=\s|$)", text):
        if m.group().startswith("."):
            last = re.search(r"([\w.]+)$", text[: m.start()])
            word = last.group(1).lower() if last else ""
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        out.append(m.end())
    return out


# -- words ------------------------------------------------------------------------------------

_VERBS = (
    "said|says|say|told|tells|added|adds|asked|asks|wrote|writes|tweeted|tweets|posted|warned|"
    "warns|explained|explains|noted|stated|declared|announced|continued|continues|acknowledged|"
    "admitted|recalled|recalls|remembered|laughed|joked|quipped|claimed|claims|insisted|insists|"
    "argued|argues|replied|responded|answered|urged|cautioned|stressed|emphasi[sz]ed|conceded|"
    "complained|agreed|confirmed|concluded|predicted|vowed|promised|testified|shouted|yelled|"
    "whispered|observed|pointed out|weighed in|went on|reads|read|quoted as saying"
)
_PARTICIPLES = (
    "saying|adding|telling|noting|warning|explaining|writing|insisting|arguing|declaring|asking|"
    "stressing|recalling|tweeting"
)
_VERB_RE = re.compile(rf"\b(?:(?P<part>{_PARTICIPLES})|(?P<verb>{_VERBS}))\b")
_ACCORDING = re.compile(r"\b[Aa]ccording to\s+")
_AUDIENCE = re.compile(r"\s+(reporters|journalists|the media|the press)\b")

_PRONOUNS = {"he", "she", "they", "it", "i", "we", "you"}
_RESOLVABLE = {"he", "she"}
_DETERMINERS = {
    "a", "an", "the", "one", "another", "his", "her", "their", "its", "our", "some", "two",
    "three", "several", "many", "this", "that", "each",
}  # fmt: skip
_BARE_SPEAKERS = {
    "officials", "officers", "police", "witnesses", "residents", "protesters", "analysts",
    "experts", "critics", "sources", "researchers", "scientists", "doctors", "authorities",
    "investigators", "prosecutors", "lawmakers", "diplomats", "activists", "organisers",
    "organizers", "campaigners", "survivors", "rescuers", "medics", "paramedics", "troops",
}  # fmt: skip
_PREPOSITIONS = {
    "of", "for", "at", "in", "on", "from", "with", "by", "to", "via", "about", "near", "inside",
    "outside", "under", "over", "across", "behind", "after", "before", "during",
}  # fmt: skip
_CUT = re.compile(
    r"\s(?:who|which|whose|whom|when|while|as|because|if|since|though|although|during|via|"
    r"standing|speaking|sitting|walking|according)\b|\s*\("
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:and|but|so|then|later|also|still|again|now|even|yet|meanwhile|however|finally|"
    r"instead|separately)\b[\s,]*)+",
    re.IGNORECASE,
)
_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:\w+ly|also|later|then|instead|further|again|once|still|previously|earlier|"
    r"has|have|had|was|is|would|will|could|had|also|then|himself|herself|simply|just|"
    r"on\s+\w+day|last\s+\w+|this\s+\w+))+\s*$"
)
_VERBISH = {
    "said", "says", "told", "gave", "took", "made", "had", "has", "have", "was", "is", "were",
    "went", "saw", "sent", "got", "came", "began", "left", "won", "lost", "met", "ran", "wrote",
    "spoke", "knew", "thought", "felt", "found", "kept", "held", "led", "put", "set", "let",
    "wasn't", "isn't", "didn't", "doesn't", "hasn't", "won't", "can't", "will", "would", "could",
    "can", "may", "might", "must", "should", "did", "does", "became", "brought", "bought",
    "sang", "sings", "drew", "grew", "stood", "sat", "fled", "hit", "cut", "quit", "agreed",
}  # fmt: skip


@dataclass(frozen=True)
class _Speaker:
    text: str
    kind: str  # "name" | "description" | "pronoun"


def _clean(chunk: str) -> str:
    chunk = chunk.strip(' \t\n,;:—–-"“”‘’')
    m = _CUT.search(chunk)
    if m:
        chunk = chunk[: m.start()]
    chunk = _LEADING_FILLER.sub("", chunk.strip())
    return chunk.strip(" ,;:—–-")


def _speaker_of(chunk: str, *, at_end: bool = False) -> _Speaker | None:
    """The speaker a noun phrase names: a name (its head run of capitalised words), a pronoun or a
    description. With `at_end`, the phrase must end with the speaker (it stands before a verb)."""
    chunk = _clean(chunk)
    if not chunk or chunk.split()[0] in _PREPOSITIONS:
        return None
    if chunk.lower() in _PRONOUNS:
        return _Speaker(chunk.lower(), "pronoun")
    toks = chunk.split()
    if len(toks) > 14:
        return None
    i = 0
    seen_lower = False
    while i < len(toks):
        tok = toks[i]
        if is_name_token(tok):
            j = i + 1
            while j < len(toks) and (
                is_name_token(toks[j])
                or (
                    (
                        toks[j] in PARTICLES
                        or (toks[j] == "of" and toks[j - 1] in NAME_HEADS_BEFORE_OF)
                    )
                    and j + 1 < len(toks)
                    and is_name_token(toks[j + 1])
                    and not is_possessive(toks[j - 1])
                )
            ):
                if is_possessive(toks[j - 1]):
                    break
                j += 1
            run = toks[i:j]
            nxt = toks[j] if j < len(toks) else None
            head = not is_possessive(run[-1]) and (
                nxt is None or nxt in _PREPOSITIONS or nxt in {"and", "&"} or nxt.startswith(",")
            )
            if head and (not at_end or nxt is None):
                name = " ".join(run).strip(',.;:!?"“”‘’()')
                if name.endswith(".") and not re.search(r"\b\w\.$|[A-Z]\.[A-Z]\.$", name):
                    name = name[:-1]
                return _Speaker(name, "name")
            i = j
            continue
        if tok in _PREPOSITIONS and seen_lower:
            break
        if tok[:1].islower() or tok[:1].isdigit():
            seen_lower = True
        i += 1
    words = toks[:i]
    if at_end and i < len(toks):
        return None
    return _description(words)


def _description(words: list[str]) -> _Speaker | None:
    if not words or len(words) > 10:
        return None
    if any(re.search(r"\d|^(?:percent|per|cent|%)$", w) for w in words):
        return None  # "51 percent (of Americans) say": a poll figure, not a speaker
    first = words[0].lower()
    last = words[-1].strip(",.;:").lower()
    if last in _PRONOUNS or last.endswith("ly") or last in _DETERMINERS or last in _PREPOSITIONS:
        return None
    if first in _DETERMINERS and len(words) >= 2:
        text = " ".join([first, *words[1:]]).strip(",.;:")
        return _Speaker(text, "description")
    if len(words) == 1 and first in _BARE_SPEAKERS:
        return _Speaker(first, "description")
    if len(words) >= 2 and is_possessive(words[0]) and words[0][:1].isupper():
        return _Speaker(" ".join(words).strip(",.;:"), "description")
    return None


def _chunks(text: str) -> list[str]:
    return text.split(",")


def _lead_speaker(region: str) -> _Speaker | None:
    """The speaker at the start of `region` (the words between a quotation and its verb): the
    first name among its comma-separated parts (an apposition may come first), else the first
    description or pronoun."""
    found: list[_Speaker] = []
    for k, chunk in enumerate(_chunks(region)):
        sp = _speaker_of(chunk)
        if sp is None or (k > 0 and sp.kind == "name" and not chunk.strip()[:1].isupper()):
            continue
        found.append(sp)
        if sp.kind != "description":
            return sp
    return found[0] if found else None


def _subject_before(region: str) -> _Speaker | None:
    """The subject that ends `region` (the words before a verb): `X`, `..., X`, `X, the ...,`."""
    region = _TRAILING_FILLER.sub("", region.rstrip())
    region = re.sub(r"\s*\([^()]*\)\s*$", " ", region).rstrip()  # "X (of Y)" said
    chunks = _chunks(region)
    if chunks and chunks[-1].strip():
        tail = re.split(
            r"\b(?:that|which|who|whom|where|when|while|because|after|before|if|than|but|so|as|"
            r"then)\b",
            chunks[-1],
        )[-1]
        words = tail.split()
        if not words:
            return None
        if words[-1].lower() in _PRONOUNS:
            return _Speaker(words[-1].lower(), "pronoun")  # "During his speech he said"
        if words[0].lower() not in _PREPOSITIONS:
            sp = _speaker_of(tail, at_end=True)
            if sp is None and words[0].lower() in _DETERMINERS:
                sp = _speaker_of(tail)  # "A spokesman for the University of Washington said"
                return sp if sp is not None and sp.kind == "description" else None
            return sp
        chunks = [*chunks[:-1], ""]  # "X, from Y said": the last part is an apposition
    parts = [c for c in chunks if c.strip()]
    for k in range(len(parts) - 1, -1, -1):
        chunk = parts[k].strip()
        if k > 0 and (chunk[:1].islower() or chunk.split()[0].lower() in _DETERMINERS):
            continue  # an apposition: ", a senior analyst at ...,", ", who ...,"
        return _speaker_of(chunk, at_end=True) or _speaker_of(chunk)
    return None


# -- attribution ------------------------------------------------------------------------------


@dataclass
class _Attribution:
    speaker: _Speaker
    verb: str
    inherited: bool = False


def _verb_text(m: re.Match[str], after: str) -> str:
    verb = m.group(0)
    if verb in {"told", "tells"}:
        aud = _AUDIENCE.match(after)
        if aud:
            verb = f"{verb} {aud.group(1)}"
    return verb


def _after(text: str) -> _Attribution | None:
    """Attribution in the words after a quotation, up to the end of its sentence."""
    body = text.lstrip(" \t,;:—–-")
    if not body.strip():
        return None
    m = re.match(r"(?:[Aa]ccording to)\s+(.+)", body)
    if m:
        sp = _lead_speaker(m.group(1))
        return _Attribution(sp, "according to") if sp else None
    for v in _VERB_RE.finditer(body):
        if v.group("part"):
            continue
        region = body[: v.start()]
        if len(region.split()) > 25:
            break
        rest = body[v.end() :]
        verb = _verb_text(v, rest)
        if region.strip():
            sp = _lead_speaker(_TRAILING_FILLER.sub("", region))
            if sp is not None:
                return _Attribution(sp, verb)
        if not region.strip() or region.rstrip().endswith(","):
            rest = re.sub(r"^\s+(?:on\s+\w+day|\w+day|last\s+\w+)\b", "", rest)
            lead = rest.split()[0].lower() if rest.split() else ""
            sp = _lead_speaker(rest) if lead not in _PREPOSITIONS else None
            if sp is not None:
                return _Attribution(sp, verb)
    return None


def _before(text: str) -> tuple[_Attribution | None, bool, bool]:
    """Attribution in the words before a quotation, from the start of its sentence.

    Returns (attribution, participle: the verb is "adding"/"saying" and the speaker is the
    previous one, gap: words stand between the verb and the quotation)."""
    according = list(_ACCORDING.finditer(text))
    m = according[-1] if according else None
    if m is not None and not re.search(r"[.!?]", text[m.end() :]):
        phrase = text[m.end() :].split(",")[0]
        sp = _speaker_of(phrase)
        if sp is not None:
            gap = text[m.end() + len(phrase) :].strip(" ,:")
            return _Attribution(sp, "according to"), False, bool(gap)
    verbs = list(_VERB_RE.finditer(text))
    participle = False
    first_gap = False
    for v in reversed(verbs):
        gap = text[v.end() :]
        if len(gap.split()) > 20:
            break
        verb = _verb_text(v, gap)
        gap_words = gap.strip(" ,:;—–-")
        gap_words = re.sub(r"^(?:reporters|journalists)\b", "", gap_words).strip(" ,:")
        has_gap = bool(gap_words) and gap_words != "that"
        first_gap = first_gap or has_gap
        if v.group("part"):
            participle = True
            continue  # "X continued by saying that": the speaker is the subject of X
        region = text[: v.start()]
        if not region.strip():
            continue
        sp = _subject_before(region)
        if sp is not None:
            return _Attribution(sp, verb), False, has_gap or first_gap
    return None, participle, first_gap


# -- resolution -------------------------------------------------------------------------------


def _sentence_subject(sentence: str) -> str | None:
    """The name that is the subject of a sentence: "Trump sent ...", "Fatima Hassan, 42, fled",
    "As it turned out, Steenburgen had ...", "Steenburgen's son, filmmaker Charlie McDowell, ..."."""
    parts = sentence.split(",")
    name = _subject_run(parts[0])
    if name is not None or len(parts) < 2:
        return name
    toks = parts[0].split()
    if toks and toks[0] in INTRODUCERS:
        return _subject_run(parts[1])
    if toks and (is_possessive(toks[0]) or toks[0].lower() in _DETERMINERS):
        sp = _speaker_of(parts[1])
        if sp is not None and sp.kind == "name":
            return sp.text
    return None


_ADVERBS = {
    "still", "also", "never", "then", "later", "now", "just", "even", "often", "always", "again",
    "already", "once", "soon", "first", "too", "instead",
}  # fmt: skip


def _subject_run(text: str) -> str | None:
    toks = _LEADING_FILLER.sub("", text.strip()).split()
    i = 0
    while i < len(toks):
        if is_name_token(toks[i]):
            j = i + 1
            while j < len(toks) and is_name_token(toks[j]) and not is_possessive(toks[j - 1]):
                j += 1
            run = toks[i:j]
            if is_possessive(run[-1]):
                return None
            nxt = toks[j] if j < len(toks) else None
            if nxt is None:
                return " ".join(run).rstrip(".")
            nxt_word = nxt.strip(",.").lower()
            verb = (
                nxt_word in _VERBISH
                or nxt_word.endswith("ed")
                or _VERB_RE.fullmatch(nxt_word) is not None
            )
            if (nxt_word.endswith("ly") or nxt_word in _ADVERBS) and j + 1 < len(toks):
                after = toks[j + 1].lower()  # "McDowell still laughs", "Cook also said"
                verb = after in _VERBISH or after.endswith(("ed", "s"))
            if verb:
                return " ".join(run).rstrip(".")
            i = j
            continue
        if toks[i][:1].isupper() and toks[i] not in TITLES and toks[i] not in CAPITAL_STOP:
            return None
        if i > 4:
            return None
        i += 1
    return None


@dataclass
class _Context:
    """What a document has said so far: the names it gave, the people it mentioned or quoted
    (most recent last), and which pronoun stood for whom."""

    people: set[str] | None
    names: list[tuple[int, str]] = field(default_factory=list)  # (paragraph, full name)
    recent: list[tuple[int, str, str]] = field(default_factory=list)  # (paragraph, who, kind)
    pronoun_of: dict[str, str] = field(default_factory=dict)  # name -> "he" | "she"

    def mention(self, paragraph: int, name: str) -> None:
        """A name that is the subject of a sentence."""
        if self.people is not None and not _known_person(name, self.people):
            return
        self.recent.append((paragraph, self.complete(name, paragraph), "name"))

    def spoke(self, paragraph: int, speaker: str, kind: str) -> None:
        """The speaker of a quotation: a name, or one person described ("the mother")."""
        if kind == "name" or (kind == "description" and not re.search(r"[^s]s$", speaker)):
            self.recent.append((paragraph, speaker, kind))

    def antecedent(self, paragraph: int, pronoun: str) -> str | None:
        """Who "he"/"she" stands for: the last person described as a quotation's speaker if
        they were the last one named at all ("the mother" stated; she answered), else the last
        named person within three paragraphs whom the other pronoun did not stand for."""
        for k, (p, who, kind) in enumerate(reversed(self.recent)):
            if paragraph - p > 3:
                break
            if kind == "description":
                if k == 0:
                    return who
                continue
            if self.pronoun_of.get(who, pronoun) == pronoun:
                self.pronoun_of[who] = pronoun
                return who
        return None

    def complete(self, name: str, paragraph: int) -> str:
        """The full name a surname stands for: one of the article's people when known, the
        latest given up to this paragraph, else the first given after it."""
        if " " in name:
            return name
        fulls = [(p, full) for p, full in self.names if full.split()[-1] == name]
        if self.people is not None:
            fulls = [(p, full) for p, full in fulls if canonical(full) in self.people]
        before = [full for p, full in fulls if p <= paragraph]
        if before:
            return before[-1]
        return fulls[0][1] if fulls else name


def _known_person(name: str, people: set[str]) -> bool:
    key = canonical(name)
    last = key.rsplit("-", 1)[-1]
    return key in people or any(p == key or p.rsplit("-", 1)[-1] == last for p in people)


# -- extraction -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """One attributed quotation of the source text.

    `start`/`end` are character offsets in paragraph `paragraph`, quotation marks included (a
    quotation that runs on into the next paragraph ends at the end of this one); `quote` is the
    text between the marks, without the comma that precedes an attribution. `resolved` is False
    only for a pronoun ("he") that no earlier named person could stand for.
    """

    speaker: str
    quote: str
    verb: str
    paragraph: int
    start: int
    end: int
    resolved: bool

    @property
    def named(self) -> bool:
        """The speaker is a name (not a description such as "a spokesperson", nor a pronoun)."""
        return self.resolved and self.speaker[:1].isupper()

    @property
    def speaker_key(self) -> str | None:
        """The tag key of a named speaker (`naql.enrich.tags.canonical`), else None."""
        return canonical(self.speaker) if self.named else None


def _clean_quote(inner: str) -> str:
    text = " ".join(inner.split())
    return re.sub(r"\s*,$", "", text)


def _words(text: str) -> int:
    return len(re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", text))


@dataclass
class _Found:
    span: _Span
    attribution: _Attribution | None
    starts_sentence: bool


def _paragraph_quotes(text: str) -> list[_Found]:
    spans = _spans(text)
    found: list[_Found] = []
    for k, span in enumerate(spans):
        prev_end = spans[k - 1].end(text) if k else 0
        next_open = spans[k + 1].open if k + 1 < len(spans) else len(text)
        before = text[prev_end : span.open]
        breaks = _sentence_breaks(before)
        before_sent = before[breaks[-1] :] if breaks else before
        same_sentence = not breaks and k > 0
        if breaks or k == 0:
            starts = not before_sent.strip()
        else:  # right after another quotation: a new sentence if that one ended one
            starts = not before.strip() and _complete(spans[k - 1].inner(text))
        after = text[span.end(text) : next_open] if span.close is not None else ""
        after_breaks = _sentence_breaks(after)
        after_sent = after[: after_breaks[0]] if after_breaks else after

        inner = span.inner(text).strip()
        n_words = _words(inner)
        complete = _complete(inner)
        full_sentence = inner[:1].isupper() and (starts or complete)
        attribution = None
        if after_sent.strip() and not (complete and _new_sentence(after_sent)):
            attribution = _after(after_sent)
        participle = has_gap = False
        if attribution is None:
            attribution, participle, has_gap = _before(before_sent)
            connective = re.fullmatch(r"[\s,;:—–-]*(?:(?:and|but|or)\s+)?(?:that\s*)?", before_sent)
            if attribution is None and (participle or (connective and same_sentence)):
                prev = found[-1].attribution if found and same_sentence else None
                if prev is not None:
                    attribution = _Attribution(prev.speaker, prev.verb, inherited=True)
                elif participle and (subject := _sentence_subject(before_sent.lstrip())):
                    # "Boudreau gave his players a pep talk, telling them to \"...\""
                    verb = [v.group(0) for v in _VERB_RE.finditer(before_sent)][-1]
                    attribution = _Attribution(_Speaker(subject, "name"), verb)
        if attribution is not None and n_words < 3 and not full_sentence:
            attribution = None  # a scare quote or a label, not a quotation
        if attribution is not None and has_gap and n_words < 3:
            attribution = None
        found.append(_Found(span, attribution, starts))
    # The next quoted sentence after an attributed quotation, or after a sentence of reported
    # speech ("X told the ABC that ... . \"...\""), continues it.
    last: _Attribution | None = None
    for k, f in enumerate(found):
        if f.attribution is not None and not f.attribution.inherited:
            last = f.attribution
        elif f.attribution is None and f.starts_sentence and last is not None:
            f.attribution = _Attribution(last.speaker, last.verb, inherited=True)
        elif f.attribution is None and f.starts_sentence and f.span.inner(text)[:1].isupper():
            prev_end = found[k - 1].span.end(text) if k else 0
            reported = _reported_speech(_last_sentence(text[prev_end : f.span.open]))
            if reported is not None:
                f.attribution = last = reported
    return found


def _complete(inner: str) -> bool:
    """The quoted text ends a sentence."""
    return bool(re.search(r"[.!?…][\"”’)\]]*$", inner.strip()))


def _last_sentence(text: str) -> str:
    breaks = _sentence_breaks(text.rstrip())
    if not breaks:
        return ""
    start = breaks[-2] if len(breaks) > 1 else 0
    return text[start : breaks[-1]]


def _reported_speech(sentence: str) -> _Attribution | None:
    """The speaker of a sentence of reported speech: "X told the ABC that ...", "X said ..."."""
    for v in _VERB_RE.finditer(sentence):
        if v.group("part") or v.group(0) in {"read", "reads"}:
            continue
        region = sentence[: v.start()]
        sp = _subject_before(region) if region.strip() else None
        if sp is not None:
            return _Attribution(sp, _verb_text(v, sentence[v.end() :]), inherited=True)
        return None
    return None


def _new_sentence(after: str) -> bool:
    """The words after a complete quoted sentence start a sentence of their own ("And 70 percent
    say ..."), or introduce the next quotation ("Smith agreed: ...")."""
    first = after.split()[0] if after.split() else ""
    return first.strip(",") in CAPITAL_STOP or after.rstrip().endswith(":")


def _ends_with_attribution(text: str, found: list[_Found]) -> bool:
    if not found or found[-1].attribution is None or found[-1].span.close is None:
        return False
    tail = text[found[-1].span.end(text) :]
    return len(_sentence_breaks(tail)) <= 1


def extract_quotes(
    paragraphs: Sequence[str], *, people: Iterable[str] | None = None
) -> list[Quote]:
    """Attributed quotations of an English article, in text order.

    `people`, when given, are tag keys (`canonical`) of the article's known people: only they can
    stand for a later "he"/"she" when they start a sentence (any named speaker still can).
    """
    ctx = _Context(set(people) if people is not None else None)
    for index, p in enumerate(paragraphs):
        outside = p
        for s in reversed(_spans(p)):
            outside = outside[: s.open] + " | " + outside[s.end(p) :]
        ctx.names.extend((index, name) for name in full_names(outside))
    quotes: list[Quote] = []
    run_on: _Attribution | None = None  # speaker of a quotation running on into this paragraph
    prev_tail: _Attribution | None = None  # attribution that ended the previous paragraph
    for index, text in enumerate(paragraphs):
        found = _paragraph_quotes(text)
        events = _subjects(text)
        _continue_previous_paragraph(text, found, run_on, prev_tail)
        for f in found:
            for _pos, name in [e for e in events if e[0] < f.span.open]:
                ctx.mention(index, name)
            events = [e for e in events if e[0] >= f.span.open]
            if f.attribution is None:
                continue
            speaker, resolved = _resolve(f.attribution.speaker, ctx, index)
            kind = f.attribution.speaker.kind
            ctx.spoke(index, speaker, "name" if kind == "pronoun" and resolved else kind)
            quote = _clean_quote(f.span.inner(text))
            if not quote:
                continue
            quotes.append(
                Quote(
                    speaker,
                    quote,
                    f.attribution.verb,
                    index,
                    f.span.open,
                    f.span.end(text),
                    resolved,
                )
            )
            f.attribution = _Attribution(
                _Speaker(speaker, "pronoun" if not resolved else _resolved_kind(f.attribution)),
                f.attribution.verb,
                f.attribution.inherited,
            )
        for _pos, name in events:
            ctx.mention(index, name)
        last = found[-1] if found else None
        run_on = last.attribution if last is not None and last.span.close is None else None
        prev_tail = (
            last.attribution if last is not None and _ends_with_attribution(text, found) else None
        )
    return quotes


def _continue_previous_paragraph(
    text: str, found: list[_Found], run_on: _Attribution | None, tail: _Attribution | None
) -> None:
    """A paragraph that opens with an unattributed quotation continues the previous one's: the
    quotation ran on into it (`run_on`), or the previous paragraph ended with an attribution
    (`tail`) and this one is all quotation, of full sentences."""
    if not found or found[0].attribution is not None or text[: found[0].span.open].strip():
        return
    first = found[0]
    inner = first.span.inner(text).lstrip()
    if run_on is not None:
        first.attribution = _Attribution(run_on.speaker, run_on.verb, inherited=True)
    elif (
        tail is not None
        and all(f.attribution is None for f in found)
        and _words(inner) >= 8
        and inner[:1].isupper()
    ):
        first.attribution = _Attribution(tail.speaker, tail.verb, inherited=True)
    if first.attribution is not None:
        for later in found[1:]:
            if later.attribution is None and later.starts_sentence:
                later.attribution = first.attribution


def _resolved_kind(attribution: _Attribution) -> str:
    kind = attribution.speaker.kind
    return "name" if kind == "pronoun" else kind


def _resolve(speaker: _Speaker, ctx: _Context, paragraph: int) -> tuple[str, bool]:
    if speaker.kind == "name":
        return ctx.complete(speaker.text, paragraph), True
    if speaker.kind == "pronoun" and speaker.text in _RESOLVABLE:
        antecedent = ctx.antecedent(paragraph, speaker.text)
        if antecedent is not None:
            return antecedent, True
        return speaker.text, False
    return speaker.text, speaker.kind != "pronoun"


def _subjects(text: str) -> list[tuple[int, str]]:
    """(offset, name) of the names that are subjects in the unquoted parts of a paragraph: at the
    start of a sentence, or of a clause after a comma (", Steenburgen approached the task")."""
    out = []
    for start, sentence in _unquoted_sentences(text):
        subject = _sentence_subject(sentence)
        if subject:
            out.append((start, subject))
    for seg_start, seg in _unquoted_segments(text):
        for m in re.finditer(r"[,;:]\s+(?=[A-Z])", seg):
            subject = _subject_run(seg[m.end() :].split(",")[0])
            if subject:
                out.append((seg_start + m.end(), subject))
    return sorted(out)


def _unquoted_segments(text: str) -> list[tuple[int, str]]:
    out = []
    pos = 0
    for span in _spans(text):
        out.append((pos, text[pos : span.open]))
        pos = span.end(text)
    out.append((pos, text[pos:]))
    return out


def _unquoted_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each sentence start in the unquoted parts of a paragraph."""
    out: list[tuple[int, str]] = []
    pos = 0
    for span in [*_spans(text), None]:
        stop = span.open if span is not None else len(text)
        seg = text[pos:stop]
        starts = (
            [0, *_sentence_breaks(seg)]
            if pos == 0 or _sentence_end_before(text, pos)
            else _sentence_breaks(seg)
        )
        for s in starts:
            sentence = seg[s:].lstrip()
            if sentence:
                out.append((pos + s, sentence))
        if span is None:
            break
        pos = span.end(text)
    return out


def _sentence_end_before(text: str, pos: int) -> bool:
    return bool(re.search(r"[.!?][\"”’»]?\s*$", text[:pos]))
