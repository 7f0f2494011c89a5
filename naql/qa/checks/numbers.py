"""Numbers, dates, times, percentages and amounts: the source's values are in the translation.

A human translator writes 300,000 as 300 ألف, 2 goals as a dual, October 7 as السابع من أكتوبر and
the 1970s as سبعينيات القرن العشرين; all of those count as present (see naql.qa.numerals). A value
that is missing while the translation shows a number the source does not have is an error (the
value was changed); a value that is simply missing is a warning (dropped, or written in a way this
check does not know).
"""

from __future__ import annotations

from collections.abc import Iterator

from naql.qa.checks.base import Check, CheckContext, finding, locate, paired
from naql.qa.findings import Document, Finding
from naql.qa.numerals import ArabicNumbers, SourceNumber, Value, arabic_numbers, source_numbers

NAME = "numbers"


def _in_words(num: SourceNumber, ar: ArabicNumbers, lenient: bool) -> bool:
    """The value written in words, as an ordinal, a decade, a time of day or a dual."""
    if num.values & ar.word_values:
        return True
    if num.time is not None:  # 9:30 as التاسعة والنصف, 11:00 as الحادية عشرة
        hour, minute = num.time
        hours = {float(hour), float(hour % 12 or 12)}
        minute_ok = (
            minute == 0
            or float(minute) in ar.values
            or (minute == 30 and ar.half)
            or (minute in (15, 45) and 0.25 in ar.values)
        )
        return bool(hours & ar.values) and minute_ok
    if not lenient:
        return False
    if num.base == 2 and len(num.values) == 1 and ar.dual:
        return True  # 2 goals: هدفين
    return num.base == 1 and len(num.values) == 1  # 1 hour: ساعة


def _match(numbers: list[SourceNumber], runs: list[set[Value]]) -> dict[int, int]:
    """Most source numbers matched to distinct digit runs of the translation (run -> number);
    required numbers first, so an optional one never takes a run a required one needs."""
    owner: dict[int, int] = {}

    def augment(n: int, seen: set[int]) -> bool:
        for r, run in enumerate(runs):
            if r in seen or not run & numbers[n].values:
                continue
            seen.add(r)
            if r not in owner or augment(owner[r], seen):
                owner[r] = n
                return True
        return False

    for n in sorted(range(len(numbers)), key=lambda k: numbers[k].optional):
        augment(n, set())
    return owner


def check_numbers(doc: Document, ctx: CheckContext) -> Iterator[Finding]:
    for i, source, target in paired(doc):
        numbers = source_numbers(source, ctx.source_language)
        ar = arabic_numbers(target)
        owner = _match(numbers, ar.digit_runs)
        matched = set(owner.values())
        unexplained = [ar.digit_texts[r] for r in range(len(ar.digit_runs)) if r not in owner]
        missing = [
            n
            for k, n in enumerate(numbers)
            if not n.optional and k not in matched and not _in_words(n, ar, not unexplained)
        ]
        src = ", ".join(dict.fromkeys(n.text for n in missing))
        got = "، ".join(dict.fromkeys(unexplained))
        if missing and unexplained:
            yield finding(
                NAME,
                "number-changed",
                "error",
                i,
                f"number changed: the source has {src}, the translation has {got}",
                f"رقم مختلف: في الأصل {src} وفي الترجمة {got}",
                source_span=locate(source, missing[0].text),
                target_span=locate(target, unexplained[0]),
            )
        elif missing:
            yield finding(
                NAME,
                "number-missing",
                "warning",
                i,
                f"number missing from the translation: {src}",
                f"رقم غائب عن الترجمة: {src}",
                source_span=locate(source, missing[0].text),
            )
        elif unexplained:
            yield finding(
                NAME,
                "number-added",
                "warning",
                i,
                f"number not in the source: {got}",
                f"رقم ليس في الأصل: {got}",
                target_span=locate(target, unexplained[0]),
            )


CHECKS = [
    Check(NAME, check_numbers, True, "the source's numbers, dates and times keep their values"),
]
