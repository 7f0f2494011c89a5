"""The quality-estimation settings ([check] qe, qe_model, qe_judge, qe_tail, qe_min_scores)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from naql.errors import ConfigError

if TYPE_CHECKING:
    from naql.config import Config

#: the scorers `check.qe` may list
SCORERS = ("confidence", "roundtrip", "llm")


@dataclass(frozen=True)
class QESettings:
    """Which scorers run, with what, and when a score is an outlier."""

    #: check.qe: scorers to run, among SCORERS; empty = none
    scorers: tuple[str, ...] = ("confidence",)
    #: check.qe_model: installed model for the confidence scorer; "" = the installed model for
    #: the article's language
    model: str = ""
    #: check.qe_judge: the `openai` engine that judges; "" = the first one configured
    judge: str = ""
    #: check.qe_tail: a score in this lowest share of the site's scores is flagged
    tail: float = 0.01
    #: check.qe_min_scores: scores known before any is flagged (the distribution is learnt first)
    min_scores: int = 200

    def __post_init__(self) -> None:
        unknown = [s for s in self.scorers if s not in SCORERS]
        if unknown:
            raise ConfigError(
                f"check.qe = {list(self.scorers)!r} is invalid: {', '.join(map(repr, unknown))} "
                f"is not a scorer (expected some of {', '.join(SCORERS)})"
            )
        if not 0 < self.tail < 0.5:
            raise ConfigError(
                f"check.qe_tail = {self.tail!r} is invalid: expected a share between 0 and 0.5"
            )
        if self.min_scores < 1:
            raise ConfigError(
                f"check.qe_min_scores = {self.min_scores!r} is invalid: expected at least 1"
            )

    @classmethod
    def from_config(cls, config: Config) -> QESettings:
        """The settings of a site; a setting the site's config table does not have (yet) takes
        its default here."""
        defaults = cls()

        def get(key: str, default: Any) -> Any:
            try:
                return config[f"check.{key}"]
            except KeyError:
                return default

        scorers = get("qe", list(defaults.scorers))
        if not isinstance(scorers, list | tuple) or not all(isinstance(s, str) for s in scorers):
            raise ConfigError(
                f"check.qe = {scorers!r} is invalid: expected a list of scorers ({', '.join(SCORERS)})"
            )
        return cls(
            scorers=tuple(dict.fromkeys(scorers)),
            model=get("qe_model", defaults.model),
            judge=get("qe_judge", defaults.judge),
            tail=float(get("qe_tail", defaults.tail)),
            min_scores=int(get("qe_min_scores", defaults.min_scores)),
        )
