"""Check stage: findings on translations and the article verdict.

One module per defect class in naql.qa.checks (numbers, quotes, names, untranslated,
hallucination, leftovers, punctuation); `check_document` runs them all and decides.
"""

from naql.qa.check import arabic_ratio, check_document, check_segments
from naql.qa.checks.base import Check, CheckContext
from naql.qa.findings import Document, DocumentReport, Finding, Report, Segment, Severity, Verdict
from naql.qa.glossary import GlossaryEntry, load_glossary, parse_glossary_csv
from naql.qa.registry import all_checks, checks_for, register, unregister
from naql.qa.verdict import Thresholds

__all__ = [
    "Check",
    "CheckContext",
    "Document",
    "DocumentReport",
    "Finding",
    "GlossaryEntry",
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
    "unregister",
]
