"""From findings to a verdict: publish, review or reject, by thresholds a site can override."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

from naql.qa.findings import Finding, Verdict

#: "hold": articles judged review or reject are held; "publish": an unattended site publishes
#: everything usable, with its findings kept.
Policy = Literal["hold", "publish"]


@dataclass(frozen=True)
class Thresholds:
    """When an article is held for review or rejected, and the knobs of the checks.

    `review`: an editor must look before it is published; `reject`: retranslate, do not publish.
    Only meaning findings count (see naql.qa.findings.Kind): form findings are info.
    The share of Arabic letters is the site setting `check.min_arabic_ratio`, not a threshold here.
    """

    #: this many meaning warnings (any check) send the article to review
    review_warnings: int = 1
    #: this many errors send it to review (an error is never published unseen)
    review_errors: int = 1
    #: this many errors reject it...
    reject_errors: int = 5
    #: ...or errors on at least this share of its segments (when it has 3 segments or more)
    reject_error_share: float = 0.34
    #: a single error with one of these codes rejects it (nothing usable was produced)
    reject_codes: frozenset[str] = field(
        default_factory=lambda: frozenset({"empty", "copied", "script", "not-translated"})
    )
    #: length-ratio outliers: z-score (log length ratio, see hallucination.py) for a warning
    length_z: float = 3.5

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> Thresholds:
        """Thresholds from a settings table ([check] in naql.toml): unknown keys and values of
        the wrong type are errors that name the key."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, object] = {}
        for name, value in values.items():
            if name not in fields:
                hint = (
                    "; the share of Arabic letters is its own setting, check.min_arabic_ratio"
                    if name == "min_arabic_ratio"
                    else ""
                )
                raise ValueError(
                    f"unknown check threshold {name!r} (known: {', '.join(fields)}){hint}"
                )
            default = getattr(cls(), name)
            if isinstance(default, frozenset):
                if not isinstance(value, list | tuple | set | frozenset) or not all(
                    isinstance(v, str) for v in value
                ):
                    raise ValueError(
                        f"check threshold {name!r}: expected a list of codes, got {value!r}"
                    )
                value = frozenset(value)
            elif isinstance(default, float):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"check threshold {name!r}: expected a number, got {value!r}")
                value = float(value)
            elif isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"check threshold {name!r}: expected an integer, got {value!r}")
            kwargs[name] = value
        return cls(**kwargs)  # type: ignore[arg-type]


def decide(findings: list[Finding], segments: int, thresholds: Thresholds) -> Verdict:
    """The verdict from the meaning findings; form findings (info) never hold an article."""
    meaning = [f for f in findings if f.counts_toward_verdict]
    errors = [f for f in meaning if f.severity == "error"]
    warnings = [f for f in meaning if f.severity == "warning"]
    if any(f.code in thresholds.reject_codes for f in errors):
        return "reject"
    if len(errors) >= thresholds.reject_errors:
        return "reject"
    error_segments = {f.segment for f in errors if f.segment is not None}
    if segments >= 3 and len(error_segments) >= thresholds.reject_error_share * segments:
        return "reject"
    if len(errors) >= thresholds.review_errors or len(warnings) >= thresholds.review_warnings:
        return "review"
    return "publish"
