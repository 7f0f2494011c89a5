"""Quote repair: a translation's quotation marks re-placed where its source shows what is right.

The marks of source and translation are read per document (naql.qa.quoting) and grouped in
clusters: marks with nothing but spaces between them (`"'` opens two quotations at once). When
the translation has as many clusters as the source, after setting aside short quoted names and
titles the translator added, each of its clusters takes the roles and depths of the source's:

- the marks are set in the site's style (outer “” or «», nested ‘’ or “” inside), and a mark that
  stands for two (`"` for `"'`) becomes two;
- each is attached to its word: an opening mark to the word after it (`وقال" إننا` becomes
  `وقال “إننا`), a closing one to the word before (`ضرورية “.` becomes `ضرورية”.`).

One mark the translation left out is restored where the source shows where it goes: at the very
start or end of the segment where the source has it there; a closing mark right before the next
quotation opens (an opening one right after the previous closes); else where the quotation gets
the length the source's has under the length model of human translation (naql.qa.align), a
clause boundary preferred and never with a verb of saying inside; when two places fit about as
well, nothing is restored.

Nothing is repaired when the source's own marks do not pair up, or when the translation has an
attribution inside a quotation (that is meaning: the quotes check reports it), and a repair that
leaves a segment's quoted share further from the source's is not made. Marks are otherwise never
moved across a word. Where nothing maps, the marks stay where they are, set in the site's style by
the role their reading gives them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from naql.qa.align import length_z, word_chars
from naql.qa.findings import Finding
from naql.qa.quoting import (
    DOUBLE_MARKS,
    ENGLISH_ATTRIBUTION,
    PROCLITICS,
    SINGLE_MARKS,
    STYLES,
    Event,
    EventRole,
    SegmentQuotes,
    has_attribution,
    is_attribution,
    read_document,
    word_char,
)


def _clusters(events: Sequence[Event], text: str) -> list[list[Event]]:
    """Events with nothing but spaces between them, grouped."""
    out: list[list[Event]] = []
    for e in events:
        if out and not text[out[-1][-1].pos + 1 : e.pos].strip():
            out[-1].append(e)
        else:
            out.append([e])
    return out


def _opens(cluster: Sequence[Event]) -> bool:
    return all(e.role != "close" for e in cluster)


def _closes(cluster: Sequence[Event]) -> bool:
    return all(e.role == "close" for e in cluster)


def _render(roles: Sequence[tuple[EventRole, int]], style: str) -> str:
    o, c, io, ic = STYLES.get(style, STYLES["“”"])
    out = []
    for k, (role, depth) in enumerate(roles):
        if k and role != "close" and roles[k - 1][0] == "close":
            out.append(" ")  # ” “: a quotation closes, the next opens
        if role == "close":
            out.append(c if depth % 2 == 0 else ic)
        else:
            out.append(o if depth % 2 == 0 else io)
    return "".join(out)


def _edge_after(text: str, pos: int) -> bool:
    """Only punctuation and spaces after `pos`."""
    return not re.search(r"\w", text[pos + 1 :])


def _edge_before(text: str, pos: int) -> bool:
    return not re.search(r"\w", text[:pos])


def _short_pair(text: str, a: list[Event], b: list[Event]) -> int | None:
    """Words between two single-mark clusters that look like quotes around a name or title the
    translator added (an opening, then a closing mark, at most four words, no sentence end)."""
    if len(a) != 1 or len(b) != 1 or a[0].role == "close" or b[0].role != "close":
        return None
    inside = text[a[0].pos + 1 : b[0].pos]
    words = re.findall(r"\w+", inside)
    if not words or len(words) > 4 or re.search(r"[.!?؟:؛]", inside):
        return None
    return len(words)


@dataclass(frozen=True)
class _Plan:
    """How the translation's mark clusters map to the source's."""

    pairs: list[tuple[list[Event], list[Event]]]  # (target cluster, source cluster)
    extras: list[list[Event]]  # target clusters kept as they are (quoted names), restyled
    inserts: list[tuple[int, list[Event]]]  # (target position, source cluster restored there)


def _contradictions(pairs: Sequence[tuple[list[Event], list[Event]]]) -> int:
    """Target marks whose surroundings say the opposite of the role the source gives them."""
    n = 0
    for t, s in pairs:
        if len(t) == 1 and (
            (t[0].seen == "open" and _closes(s)) or (t[0].seen == "close" and _opens(s))
        ):
            n += 1
    return n


_CLAUSE_END = ".،,:؛;!؟?…"


def _boundary(target: str, p: int, hi: int, closing: bool) -> bool:
    """A clause boundary: before punctuation or a verb of saying (for a closing mark), after
    punctuation (for an opening one)."""
    if closing:
        follows = re.match(r"\s+(\w+)", target[p:hi])
        return bool(
            re.match(rf"\s*[{_CLAUSE_END}]", target[p:hi])
            or (follows and is_attribution(follows.group(1)))
        )
    return bool(re.search(rf"[{_CLAUSE_END}]\s*$", target[:p]))


def _insertion_point(
    source: str, sc: list[list[Event]], j: int, target: str, lo: int, hi: int
) -> int | None:
    """Where the mark(s) of source cluster `j`, left out of the translation, go between `lo` and
    `hi` (the translation's neighbouring marks). Where the source shows it: at the very start or
    end of the segment where the source has them there; else where the quotation it closes (or
    opens) gets the length the source's has, by the length model of human translation
    (naql.qa.align), a clause boundary (punctuation, a verb of saying) preferred; else at the one
    clause boundary between the neighbours."""
    cluster, closing = sc[j], _closes(sc[j])
    if not closing and not _opens(cluster):
        return None
    if closing and j == len(sc) - 1 and _edge_after(source, cluster[-1].pos):
        m = re.search(rf"[\s{_CLAUSE_END}]*$", target[lo:hi])
        end = lo + m.start() if m else hi
        return end if re.search(r"\w", target[lo:end]) else None
    if not closing and j == 0 and _edge_before(source, cluster[0].pos):
        m = re.match(r"[\s\W]*", target[lo:hi])
        start = lo + (m.end() if m else 0)
        return start if re.search(r"\w", target[start:hi]) else None
    if closing:
        points = [lo + m.start() for m in re.finditer(r"(?<=\w)(?!\w)", target[lo:hi])]
        partner = j > 0 and _opens(sc[j - 1])
        quoted = source[sc[j - 1][-1].pos + 1 : cluster[0].pos] if partner else ""
    else:
        points = [lo + m.start() for m in re.finditer(r"(?<!\w)(?=\w)", target[lo:hi])]
        partner = j + 1 < len(sc) and _closes(sc[j + 1])
        quoted = source[cluster[-1].pos + 1 : sc[j + 1][0].pos] if partner else ""
    if partner and word_chars(quoted):
        scored = []
        for p in points:
            inside = target[lo:p] if closing else target[p:hi]
            if not word_chars(inside) or (
                has_attribution(inside) and not ENGLISH_ATTRIBUTION.search(quoted)
            ):
                continue  # no attribution may land inside the quotation
            z = length_z(word_chars(quoted), word_chars(inside))
            bonus = (1.0 if closing else 0.5) if _boundary(target, p, hi, closing) else 0.0
            scored.append((z * z - bonus, p))
        scored.sort()
        if (
            scored
            and scored[0][0] <= 4.0
            and (len(scored) == 1 or scored[1][0] - scored[0][0] >= 1.0)
        ):
            return scored[0][1]
        return None
    found = [p for p in points if _boundary(target, p, hi, closing)]
    return found[0] if len(found) == 1 else None


def _attachable(target: str, t: list[Event], s: list[Event]) -> bool:
    """The target cluster can take the source's roles: an opening mark needs a word after it
    (across spaces), a closing one a word or punctuation before it (`أنسا"،` cannot open)."""
    if _opens(s):
        return bool(re.match(r"\s*[\w(\[«“‘\"']", target[t[-1].pos + 1 :]))
    if _closes(s):
        return bool(re.search(rf"[\w{_CLAUSE_END})\]»”’\"']\s*$", target[: t[0].pos]))
    return True


def _plan(source: str, src: SegmentQuotes, target: str, tgt: SegmentQuotes) -> _Plan | None:
    if src.problems:
        return None  # the source's own marks do not pair up: it shows nothing
    sc, tc = _clusters(src.events, source), _clusters(tgt.events, target)
    extras: list[list[Event]] = []
    while len(tc) > len(sc) and (len(tc) - len(sc)) % 2 == 0:
        candidates = [
            (n, k)
            for k in range(len(tc) - 1)
            if (n := _short_pair(target, tc[k], tc[k + 1])) is not None
        ]
        if not candidates:
            return None
        _, k = min(candidates)
        extras += [tc[k], tc[k + 1]]
        del tc[k : k + 2]
    inserts: list[tuple[int, list[Event]]] = []
    if len(tc) == len(sc) - 1:
        options = []
        for j in range(len(sc)):
            rest = sc[:j] + sc[j + 1 :]
            if any(len(t) > len(s) for t, s in zip(tc, rest, strict=True)):
                continue
            lo = tc[j - 1][-1].pos + 1 if j > 0 else 0
            hi = tc[j][0].pos if j < len(tc) else len(target)
            pos = _insertion_point(source, sc, j, target, lo, hi)
            if pos is not None:
                options.append((_contradictions(list(zip(tc, rest, strict=True))), j, pos))
        options.sort()
        if not options or (len(options) > 1 and options[0][0] == options[1][0]):
            return None
        _, j, pos = options[0]
        inserts.append((pos, sc.pop(j)))
    if len(tc) != len(sc) or any(len(t) > len(s) for t, s in zip(tc, sc, strict=True)):
        return None
    if not tc and not inserts:
        return None
    if not all(_attachable(target, t, s) for t, s in zip(tc, sc, strict=True)):
        return None
    return _Plan(list(zip(tc, sc, strict=True)), extras, inserts)


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str
    attach: Literal["right", "left", "none"]


def _apply(target: str, edits: list[_Edit]) -> str:
    """Replace each cluster by its marks, attached to their word; edits in text order."""
    out = []
    last = 0
    for e in sorted(edits, key=lambda e: e.start):
        before = target[last : e.start]
        after_start = e.end
        if e.attach == "left":
            before = before.rstrip()
        out.append(before)
        if e.attach == "right":
            prev = "".join(out)[-2:]
            lone_proclitic = (
                len(prev) >= 1
                and prev[-1] in PROCLITICS
                and (len(prev) < 2 or not word_char(prev[-2]))
            )
            if prev and not prev[-1].isspace() and prev[-1] not in "([{/—-–" and not lone_proclitic:
                out.append(" ")
        out.append(e.text)
        rest = target[after_start:]
        if e.attach == "right":
            after_start += len(rest) - len(rest.lstrip())
        elif e.attach == "left" and rest[:1] and word_char(rest[0]):
            out.append(" ")
        last = after_start
    out.append(target[last:])
    return "".join(out)


def _edits(source: str, target: str, plan: _Plan, style: str) -> list[_Edit]:
    edits = []
    depth_of: dict[int, int] = {}  # target position -> open depth after it
    for t, s in plan.pairs:
        roles = [(e.role, e.depth) for e in s]
        attach: Literal["right", "left", "none"] = (
            "right" if _opens(s) else "left" if _closes(s) else "none"
        )
        edits.append(_Edit(t[0].pos, t[-1].pos + 1, _render(roles, style), attach))
        last = s[-1]
        depth_of[t[-1].pos] = last.depth + (0 if last.role == "close" else 1)
    # quoted names the translator added: outer style, or nested style inside a quotation
    for cluster in plan.extras:
        depth = 0
        for pos in sorted(depth_of):
            if pos < cluster[0].pos:
                depth = depth_of[pos]
        for e in cluster:
            edits.append(_Edit(e.pos, e.pos + 1, _render([(e.role, depth)], style), "none"))
    for pos, cluster in plan.inserts:
        roles = [(e.role, e.depth) for e in cluster]
        if _closes(cluster) and not source[cluster[-1].pos + 1 :].strip():
            # the source closes after its full stop: so does the translation
            pos = len(target.rstrip()) if not re.search(r"\w", target[pos:]) else pos
        edits.append(
            _Edit(pos, pos, _render(roles, style), "left" if _closes(cluster) else "right")
        )
    return edits


_REPAIRED_EN = "quotation marks set as in the source"
_REPAIRED_AR = "ضُبطت علامات التنصيص كما في الأصل"


def _repair_segment(
    source: str, src: SegmentQuotes, target: str, tgt: SegmentQuotes, style: str
) -> str:
    if tgt.splits:
        return target  # an attribution inside the quotation is meaning: left for the check
    plan = _plan(source, src, target, tgt)
    if plan is None:
        return restyle(target, tgt, style)
    return _apply(target, _edits(source, target, plan, style))


def restyle(text: str, quotes: SegmentQuotes, style: str) -> str:
    """The marks of `text` in the site's style by the role and depth its reading gave them
    (nothing moved): what is left when the source shows nothing better."""
    chars = list(text)
    for e in quotes.events:
        chars[e.pos] = _render([(e.role, e.depth)], style)
    return "".join(chars)


def _repaired_finding(index: int, src: SegmentQuotes, before: str, after: str) -> Finding:
    """The info finding on a repaired segment; its target span is the part of the repaired text
    that changed, its source span the source's marks."""
    n = min(len(before), len(after))
    first = next((k for k in range(n) if before[k] != after[k]), n)
    tail = 0
    while tail < n - first and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    return Finding(
        "quotes",
        "info",
        _REPAIRED_EN,
        index,
        message_ar=_REPAIRED_AR,
        code="quote-repaired",
        kind="form",
        source_span=(src.events[0].pos, src.events[-1].pos + 1) if src.events else None,
        target_span=(first, len(after) - tail),
    )


_PLAIN = str.maketrans({c: '"' for c in DOUBLE_MARKS} | {c: "'" for c in SINGLE_MARKS})


def _plain(text: str) -> str:
    """The text with one character per family of marks: a change of style alone is no repair."""
    return text.translate(_PLAIN)


def repair_document(
    segments: Sequence[tuple[str | None, str]], style: str = "“”"
) -> tuple[list[str], list[Finding]]:
    """The translations of a document's segments with their quotation marks repaired where the
    source shows what is right, and one info (form) finding per segment changed.

    Segments whose marks do not map onto the source's keep their marks where they are, set in
    the site's style by the role their reading gives them (the quotes check reports what is
    still wrong); without a source nothing is changed. A repair that would leave the
    quoted share of a segment further from the source's than it was is not made.
    """
    targets = [t for _, t in segments]
    if not all(s is not None for s, _ in segments):
        return list(targets), []
    sources = [s or "" for s, _ in segments]
    src_read = read_document(sources, english=True)
    tgt_read = read_document(targets)
    repaired = [
        _repair_segment(s, sq, t, tq, style) if (sq.events or tq.events) else t
        for s, sq, t, tq in zip(sources, src_read, targets, tgt_read, strict=True)
    ]
    if repaired != targets:
        after = read_document(repaired)
        for i, (sq, old, new) in enumerate(zip(src_read, tgt_read, after, strict=True)):
            if abs(new.share - sq.share) > abs(old.share - sq.share) + 0.1:
                repaired[i] = targets[i]
    findings = [
        _repaired_finding(i, src_read[i], targets[i], repaired[i])
        for i in range(len(targets))
        if _plain(repaired[i]) != _plain(targets[i])
    ]
    return repaired, findings


def repair_quotes(source: str, translation: str, style: str = "“”") -> tuple[str, list[Finding]]:
    """One segment's translation with its quotation marks repaired where the source shows what
    is right (see the module's docstring), in the site's `style` ("“”" or "«»"), and the info
    (form) finding that says so, or no finding when nothing changed. The finding's segment is 0,
    its target_span the changed part of the repaired text.

    The pipeline calls it on each translated sentence after the engine's output is post-edited;
    it sets every mark in the site's style, so it replaces a style-only normalisation.
    A quotation that spans sentences is read from each sentence's own marks (an opening mark
    without its closing one in the source leaves the translation's quotation open too);
    `repair_document` reads a whole article at once.
    """
    texts, findings = repair_document([(source, translation)], style)
    return texts[0], findings
