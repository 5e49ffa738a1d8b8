"""How alike two reports are, from their keys (``features``): a weighted overlap in [0, 1].

Each shared key counts by its kind and its rarity in the archive: a person's name, a date or a
specific number says much more than a common bigram, and a key found in few articles more than
one found in many. ``idf = ln((N + 1 + PRIOR_DOCS) / (df + 1))``; ``PRIOR_DOCS`` keeps a
small archive (where every key is rare) from treating every shared word as evidence.

The score is the shared weight over the smaller text's weight (an overlap coefficient, so a
shortened rewrite or a brief still matches its long source), damped by ``LENGTH_DAMPING`` when
the smaller side has few keys (a three-line brief shares its few words by chance more easily).

``STORY_THRESHOLD`` 0.30 is the confirmation threshold (README, Stories), chosen on the
labelled set in ``tests/fixtures/stories/`` (``bench/stories.py`` prints precision and recall).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

STORY_THRESHOLD = 0.30
PRIOR_DOCS = 200
KIND_WEIGHTS = {"p": 3.0, "d": 2.5, "x": 2.5, "n": 2.0}
BIGRAM_WEIGHT = 1.0
# Keys the smaller side needs before its overlap counts in full.
LENGTH_DAMPING = 20


def kind_weight(key: str) -> float:
    if len(key) > 2 and key[1] == ":":
        return KIND_WEIGHTS.get(key[0], 1.0)
    return BIGRAM_WEIGHT


def idf(df: int, total: int) -> float:
    return math.log((total + 1 + PRIOR_DOCS) / (df + 1))


def weights(keys: Iterable[str], df: Mapping[str, int], total: int) -> dict[str, float]:
    return {k: kind_weight(k) * idf(df.get(k, 0), total) for k in keys}


def score(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Weighted overlap of two keyed texts (``weights`` of each)."""
    if not a or not b:
        return 0.0
    shared = sum(min(a[k], b[k]) for k in a.keys() & b.keys())
    small = a if sum(a.values()) <= sum(b.values()) else b
    overlap = shared / sum(small.values())
    return overlap * min(1.0, len(small) / LENGTH_DAMPING)
