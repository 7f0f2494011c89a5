"""Quotation marks: which mark opens and which closes, and how deep, over a whole document.

Marks are read in order over the segments of a document, with a stack of open quotations, so a
quotation may run over several sentences and paragraphs. A mark's role comes from the characters
around it (a space before and a word after: it opens) and, when those do not say, from the stack.
Arabic text mixes ” and " as openers, so the double marks are one family (“ ” " « » „ ‟); ‘ ’ and
' are the other, except as apostrophes (King’s, don't). A mark that opens while a quotation of its
family is open nests (`“A “B” C”`), except at the start of a segment: there it is news style for
a paragraph that goes on with the quotation (the previous paragraph did not close it), and the
quotation continues. A quotation re-opened after a verb of saying, the first never closed, is
recorded: in the middle of a clause (`“... لا يملك وقال بلينكين “...`) the attribution landed
inside the quotation; after punctuation it is likely a closing mark left out.

The quote repair (naql.qa.quote_repair) and the quotes check (naql.qa.checks.quotes) read marks
this way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from naql.qa.text import fold_letters, strip_marks

DOUBLE_MARKS = '"“”«»„‟″'
SINGLE_MARKS = "‘’'‚‛"
_CLEAR_OPENERS = "«„‚“‘"  # in English “ and ‘ always open; in Arabic only « „ ‚ do
_CLEAR_CLOSERS = "»"
_ENGLISH_OPENERS, _ENGLISH_CLOSERS = "“‘", "”’"
#: و"نحن، بـ"الجيش: a letter attached to the opening mark
PROCLITICS = set("وفبلكـ")

#: The site's quote styles: (outer open, outer close, inner open, inner close).
STYLES = {"“”": ("“", "”", "‘", "’"), "«»": ("«", "»", "“", "”")}

Role = Literal["open", "close", "either"]
EventRole = Literal["open", "close", "continue"]

ATTRIBUTION_VERBS = {
    fold_letters(v)
    for v in (
        "قال", "قالت", "يقول", "تقول", "أضاف", "أضافت", "يضيف", "تضيف", "صرح", "صرحت", "أوضح",
        "أوضحت", "تابع", "تابعت", "أكد", "أكدت", "ذكر", "ذكرت", "أشار", "أشارت", "أعلن",
        "أعلنت", "أفاد", "أفادت", "أخبر", "أخبرت", "أردف", "أردفت", "قائلا", "قائلة", "مضيفا",
        "مضيفة", "متابعا", "متابعة", "موضحا", "موضحة", "مؤكدا", "مؤكدة", "أبلغ", "أبلغت",
    )
}  # fmt: skip
ENGLISH_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|added|asked|explained|wrote|stated|according to|continued|noted)\b"
)


def is_attribution(word: str) -> bool:
    """An Arabic verb of saying (قال، وأضاف، قائلا), with an attached و or ف."""
    w = fold_letters(strip_marks(word))
    return w in ATTRIBUTION_VERBS or (w[:1] in "وف" and w[1:] in ATTRIBUTION_VERBS)


def has_attribution(text: str) -> bool:
    return any(is_attribution(w) for w in re.findall(r"\w+", text))


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    pos: int
    char: str
    family: Literal["double", "single"]
    role: Role  # what the characters around it say


@dataclass(frozen=True)
class Event:
    """A mark as the document reading understood it."""

    pos: int
    char: str
    family: Literal["double", "single"]
    role: EventRole  # continue: re-opens a quotation at the start of a paragraph
    depth: int  # 0: an outer quotation, 1: nested in one, ...
    seen: Role = "either"  # what the characters around it said


@dataclass
class SegmentQuotes:
    """What reading the marks found in one segment."""

    events: list[Event] = field(default_factory=list)
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (open, close, depth)
    problems: set[str] = field(default_factory=set)  # stray-close, unclosed
    #: positions of quotations re-opened after a verb of saying in the middle of their sentence
    #: (`“... لا يملك وقال بلينكين “...`), the first never closed
    splits: list[int] = field(default_factory=list)
    #: ... after a verb of saying that follows punctuation (`“... جادون. وقال بلينكين “...`): a
    #: closing mark left out, unless the source has no quotation that closes there
    reopens: list[int] = field(default_factory=list)
    quoted: int = 0  # word characters inside a quotation
    words: int = 0  # word characters in all
    quoted_words: int = 0  # words inside a quotation
    depth_at_start: int = 0

    @property
    def share(self) -> float:
        return self.quoted / self.words if self.words else 0.0


def word_char(ch: str) -> bool:
    """A letter or digit of any script."""
    return ch.isalnum()


def marks(text: str, *, english: bool = False) -> list[Mark]:
    """The quotation marks of `text` (apostrophes left out) with the role their surroundings give."""
    out = []
    for i, ch in enumerate(text):
        if ch in DOUBLE_MARKS:
            family: Literal["double", "single"] = "double"
        elif ch in SINGLE_MARKS:
            family = "single"
        else:
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if family == "single" and _apostrophe(text, i, prev, nxt):
            continue
        out.append(Mark(i, ch, family, _role(text, i, prev, nxt, english)))
    return out


def _apostrophe(text: str, i: int, prev: str, nxt: str) -> bool:
    if word_char(prev) and word_char(nxt):
        return True  # don't, King’s, O'Brien
    if prev.isascii() and prev.isalpha() and not (nxt.isspace() or nxt in '.,;:!?"”)'):
        return True
    return bool(re.match(r"['’]\d\ds?\b", text[i:]))  # '90s


def _role(text: str, i: int, prev: str, nxt: str, english: bool) -> Role:
    ch = text[i]
    if english and ch in _ENGLISH_OPENERS:
        return "open"
    if english and ch in _ENGLISH_CLOSERS:
        return "close"
    if ch in _CLEAR_OPENERS and (english or ch not in "“‘"):
        return "open"
    if ch in _CLEAR_CLOSERS:
        return "close"
    before_space = prev.isspace() or prev in "([{:—-–،,;؛/" or prev in DOUBLE_MARKS + SINGLE_MARKS
    after_word = word_char(nxt) or nxt in "(«[" or nxt in DOUBLE_MARKS + SINGLE_MARKS
    if before_space and after_word and not nxt.isspace():
        return "open"
    if prev in PROCLITICS and (i < 2 or not word_char(text[i - 2])) and after_word:
        return "open"  # و"نحن: a conjunction attached to the quote
    if (word_char(prev) or prev in ".!?؟،,;:)…%") and (nxt.isspace() or not after_word):
        return "close"
    if before_space and nxt in ".،,!?؟؛;:)":
        return "close"  # ضرورية “. (a machine's space before the closing mark)
    return "either"  # spaces on both sides: the stack decides


@dataclass(eq=False)
class _Open:
    family: str
    segment: int
    pos: int


def read_document(texts: Sequence[str], *, english: bool = False) -> list[SegmentQuotes]:
    """Read the marks of a document's segments in order: a quotation may span segments."""
    stack: list[_Open] = []
    out = []
    for i, text in enumerate(texts):
        seg, after = _read_segment(text, i, list(stack), english)
        ignored = {e.pos for e in seg.events if e.family == "single" and e.role != "close"} & {
            o.pos for o in after if o.segment == i and o.family == "single"
        }
        if ignored:  # a single mark that never closed in its segment was an apostrophe
            seg, after = _read_segment(text, i, list(stack), english, ignored)
        stack = after
        out.append(seg)
    for o in stack:
        out[o.segment].problems.add("unclosed")
    return out


def _read_segment(
    text: str, index: int, stack: list[_Open], english: bool, ignored: set[int] | None = None
) -> tuple[SegmentQuotes, list[_Open]]:
    seg = SegmentQuotes(depth_at_start=len(stack))
    last = 0
    # (open quotation, position of a mark re-opening it, after a bare or punctuated attribution)
    reopened: list[tuple[_Open, int, str]] = []

    def advance(to: int) -> None:
        nonlocal last
        chunk = text[last:to]
        n = sum(1 for c in chunk if word_char(c))
        seg.words += n
        if stack:
            seg.quoted += n
            seg.quoted_words += len(re.findall(r"\w+", chunk))
        last = to

    for mark in marks(text, english=english):
        if ignored and mark.pos in ignored:
            continue
        advance(mark.pos)
        top = stack[-1] if stack else None
        role = mark.role
        if role == "either":
            role = "close" if top is not None and top.family == mark.family else "open"
        if role == "close":
            if top is None or mark.family not in {o.family for o in stack}:
                if mark.family == "double":
                    seg.problems.add("stray-close")
                    seg.events.append(
                        Event(mark.pos, mark.char, mark.family, "close", 0, mark.role)
                    )
                continue  # a single one: an apostrophe after all (students')
            while stack[-1].family != mark.family:  # an inner quotation never closed
                stack.pop()
                if mark.family == "double":
                    seg.problems.add("unclosed")
            opened = stack.pop()
            depth = len(stack)
            if opened.segment == index:
                seg.spans.append((opened.pos, mark.pos, depth))
            seg.events.append(Event(mark.pos, mark.char, mark.family, "close", depth, mark.role))
            continue
        at_start = not re.search(r"\w", text[: mark.pos])
        if stack and at_start and stack[0].family == mark.family and stack[-1].segment < index:
            # a paragraph that goes on with the quotation opens with a mark again
            del stack[1:]
            stack[0] = _Open(mark.family, index, mark.pos)
            seg.events.append(Event(mark.pos, mark.char, mark.family, "continue", 0, mark.role))
            continue
        attribution = (
            _attribution_before(text, top.pos + 1, mark.pos)
            if not english and top is not None and top.family == mark.family
            and top.segment == index
            else None
        )  # fmt: skip
        if top is not None and attribution:
            reopened.append((top, mark.pos, attribution))  # nested, unless never closed
        stack.append(_Open(mark.family, index, mark.pos))
        seg.events.append(
            Event(mark.pos, mark.char, mark.family, "open", len(stack) - 1, mark.role)
        )
    advance(len(text))
    for outer, pos, attribution in reopened:
        if any(o is outer for o in stack):
            # “... وقال بلينكين “...”: the quotation re-opened after its attribution and the
            # first one never closed: the attribution landed inside the quotation
            if attribution == "bare":
                seg.splits.append(pos)
            else:
                seg.reopens.append(pos)
                seg.problems.add("unclosed")
            stack = [o for o in stack if o is not outer]
    return seg, stack


def quotations(
    text: str, quotes: SegmentQuotes, *, continued: bool = True
) -> list[tuple[int, int]]:
    """The outer quotations of a segment as [start, end) spans: those that open and close in it,
    the part quoted to its end and (`continued`) the part still quoted from its start, which
    opened in an earlier segment."""
    out = []
    start = 0 if quotes.depth_at_start and continued else None
    for e in quotes.events:
        if e.depth != 0:
            continue
        if e.role == "close":
            if start is not None:
                out.append((start, e.pos))
            start = None
        else:
            if start is not None and e.role == "continue":
                out.append((start, e.pos))
            start = e.pos + 1
    if start is not None:
        out.append((start, len(text)))
    return [(a, b) for a, b in out if re.search(r"\w", text[a:b])]


def _attribution_before(text: str, start: int, end: int) -> str | None:
    """A verb of saying between `start` and `end`: "bare" in the middle of a clause
    (`“... لا يملك وقال بلينكين “`), "punctuated" after the end of a sentence or clause
    (`“... جادون. وقال بلينكين “`, likely a closing mark left out), or None."""
    found = None
    for m in re.finditer(r"\w+", text[start:end]):
        if is_attribution(m.group()):
            before = text[start : start + m.start()].rstrip()
            if before and before[-1] not in ".!?؟،,:؛;…" + DOUBLE_MARKS + SINGLE_MARKS:
                return "bare"  # (after a closing mark, a quotation has ended: not bare)
            found = "punctuated"
    return found
