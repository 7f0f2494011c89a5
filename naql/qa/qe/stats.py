"""A scorer's running distribution on this site, so its threshold calibrates itself.

Raw quality-estimation scores mean little on their own: a length-normalised log-probability of
-1.2 is good under one model and poor under another, and a translation by another engine (DeepL,
an LLM) scores lower under a local model than that model's own output. So each score is compared
with the scores the same scorer gave before on this site, for the same model, source language and
translating engine (one `QEStat` row each): a segment is an outlier when it falls in the lowest
`tail` of that distribution, and only once `min_scores` scores are known (before that nothing is
flagged, and the segment's record says the scorer is still calibrating).

The distribution is kept as Welford's running mean and variance (exact, O(1)) and a uniform
reservoir sample of at most `RESERVOIR` scores (Vitter's algorithm R) for the quantiles and ranks.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from naql.store.models import QEStat

#: scores kept for the quantiles: a 1% tail is estimated from about 20 of them
RESERVOIR = 2000


@dataclass
class Distribution:
    """Running mean/variance of every score seen, and a bounded uniform sample of them."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0  # sum of squared deviations from the mean (Welford)
    sample: list[float] = field(default_factory=list)  # kept sorted
    size: int = RESERVOIR

    def add(self, x: float) -> None:
        self.count += 1
        delta = x - self.mean
        self.mean += delta / self.count
        self.m2 += delta * (x - self.mean)
        value = round(x, 4)
        if len(self.sample) < self.size:
            bisect.insort(self.sample, value)
            return
        # Algorithm R: the new score replaces a kept one with probability size/count. Seeded by
        # the count, so one site's history always keeps the same sample.
        j = random.Random(self.count).randrange(self.count)
        if j < self.size:
            del self.sample[j]
            bisect.insort(self.sample, value)

    @property
    def std(self) -> float:
        return math.sqrt(self.m2 / (self.count - 1)) if self.count > 1 else 0.0

    def quantile(self, q: float) -> float | None:
        """The q-quantile of the sample (linear interpolation); None when empty."""
        if not self.sample:
            return None
        pos = q * (len(self.sample) - 1)
        lo = math.floor(pos)
        hi = min(lo + 1, len(self.sample) - 1)
        return self.sample[lo] + (self.sample[hi] - self.sample[lo]) * (pos - lo)

    def rank(self, x: float) -> float | None:
        """The share of known scores below x (ties count half), in [0, 1]; None when empty."""
        if not self.sample:
            return None
        below = bisect.bisect_left(self.sample, x)
        ties = bisect.bisect_right(self.sample, x) - below
        return (below + ties / 2) / len(self.sample)

    def z(self, x: float) -> float | None:
        return (x - self.mean) / self.std if self.std > 0 else None


@dataclass(frozen=True)
class StatKey:
    """Whose scores one distribution holds."""

    scorer: str  # confidence | roundtrip
    model: str  # the scoring model (the reverse model for a round trip)
    language: str  # the article's source language
    engine: str = ""  # the engine (and model) that translated: "CTranslate2:opus-mt-en-ar"


def load(session: Session, key: StatKey) -> tuple[QEStat, Distribution]:
    """The stored row for `key` (added to the session when new) and its distribution."""
    row = session.scalar(
        select(QEStat).where(
            QEStat.scorer == key.scorer,
            QEStat.model == key.model,
            QEStat.language == key.language,
            QEStat.engine == key.engine,
        )
    )
    if row is None:
        row = QEStat(
            scorer=key.scorer,
            model=key.model,
            language=key.language,
            engine=key.engine,
            count=0,
            mean=0.0,
            m2=0.0,
            sample=[],
        )
        session.add(row)
        return row, Distribution()
    sample = sorted(float(v) for v in (row.sample or []))
    return row, Distribution(row.count, row.mean, row.m2, sample)


def store(row: QEStat, dist: Distribution) -> None:
    row.count, row.mean, row.m2 = dist.count, dist.mean, dist.m2
    row.sample = list(dist.sample)  # a new list: the JSON column sees the change
