"""Check stage: findings on translations and the article verdict.

One module per defect class in naql.qa.checks (numbers, quotes, names, untranslated,
hallucination, leftovers, punctuation); `check_document` runs them all and decides. Each finding
is meaning (counts towards the verdict) or form (info only); `repair_quotes` re-places a
translation's quotation marks where its source shows what is right.
"""

from naql.qa.check import arabic_ratio, check_document, check_segments
from naql.qa.checks.base import Check, CheckContext
from naql.qa.findings import (
    Document,
    DocumentReport,
    Finding,
    Kind,
    Report,
    Segment,
    Severity,
    Verdict,
)
from naql.qa.glossary import GlossaryEntry, load_glossary, parse_glossary_csv
from naql.qa.quote_repair import repair_document, repair_quotes
from naql.qa.registry import all_checks, checks_for, register, unregister
from naql.qa.verdict import Thresholds

__all__ = [
    "Check",
    "CheckContext",
    "Document",
    "DocumentReport",
    "Finding",
    "GlossaryEntry",
    "Kind",
    "Report",
    "Segment",
    "Severity",
    "Thresholds",
    "Verdict",
    "all_checks",
    "arabic_ratio",
    "check_document",
    "check_segments",
    "checks_for",
    "load_glossary",
    "parse_glossary_csv",
    "register",
    "repair_document",
    "repair_quotes",
    "unregister",
]
