"""Sentence alignment by length (Gale & Church, 1993), to find a sentence missing or added.

The sentences of a source segment and of its translation are aligned monotonically in beads:
1-1, 2-1 and 1-2 (a translator joined or split sentences), 1-0 (a source sentence with nothing
in the translation) and 0-1 (a translated sentence with nothing in the source). A bead's cost is
how unlikely its length ratio is under the human length model of naql.qa.checks.hallucination
(z² / 2) plus a fixed cost for its kind; 1-0 and 0-1 beads are costly, so the best alignment
uses one only when no way of joining sentences explains the lengths.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Log ratio of Arabic to English word characters in human translation (FLORES-200 dev).
LOG_RATIO_MEAN = -0.148
LOG_RATIO_VAR_BASE = 0.0039
LOG_RATIO_VAR_PER_CHAR = 2.08

# -ln of how often each kind of bead occurs in human translation (rough priors).
BEAD_COST = {(1, 1): 0.0, (2, 1): 3.0, (1, 2): 3.0, (2, 2): 4.5, (1, 0): 4.0, (0, 1): 4.0}


def word_chars(text: str) -> int:
    return len(re.findall(r"\w", text))


def length_z(n_source: int, n_target: int) -> float:
    """Standard deviations between a translation's length and a human one's (word characters)."""
    sd = math.sqrt(LOG_RATIO_VAR_BASE + LOG_RATIO_VAR_PER_CHAR / max(n_source, 1))
    return (math.log(max(n_target, 1) / max(n_source, 1)) - LOG_RATIO_MEAN) / sd


@dataclass(frozen=True)
class Bead:
    source: tuple[int, ...]  # indexes of the source sentences
    target: tuple[int, ...]  # indexes of the translated sentences


def align(source: list[str], target: list[str]) -> list[Bead]:
    """The cheapest monotone alignment of two lists of sentences."""
    ls = [word_chars(s) for s in source]
    lt = [word_chars(t) for t in target]
    n, m = len(ls), len(lt)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for (di, dj), prior in BEAD_COST.items():
                if i + di > n or j + dj > m:
                    continue
                if di and dj:
                    z = length_z(sum(ls[i : i + di]), sum(lt[j : j + dj]))
                    c = prior + z * z / 2
                else:
                    c = prior
                if cost[i][j] + c < cost[i + di][j + dj]:
                    cost[i + di][j + dj] = cost[i][j] + c
                    back[i + di][j + dj] = (di, dj)
    beads: list[Bead] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None
        di, dj = step
        beads.append(Bead(tuple(range(i - di, i)), tuple(range(j - dj, j))))
        i, j = i - di, j - dj
    beads.reverse()
    return beads
