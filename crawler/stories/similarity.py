"""Are two differently written texts one report? A text score, gated by shared facts.

- **Text score**: cosine similarity of the two texts' syllable-bigram vectors (title and whole
  text; sublinear counts ``1 + ln(tf)``). Rewrites of one report keep many of its two-syllable
  words ("tháo gỡ", "vướng mắc", "chính quyền", "cấp xã") even when every sentence is redone,
  and word order inside a bigram is what a paraphrase keeps. No corpus weights (IDF): the
  score means the same in a fresh archive and in one of a million articles, and the gate below
  does the work IDF would (telling the event's own facts from the province's vocabulary).
- **Fact gate**: the two must share at least ``MIN_SHARED_FACTS`` specific facts (a person's
  name, a date, a number; ``entities``). Two reports from one place and week, one recurring
  meeting, or two communes' releases from one template share vocabulary, often a lot of it,
  but not the people, the date and the figures.

``STORY_THRESHOLD`` 0.24 (README, Stories) was chosen on the labelled set in
``tests/fixtures/stories/`` (``bench/stories.py`` prints precision and recall); it sits above
the same-province, same-week pairs without shared facts (≤ 0.23) and below the aggregator
rewrite in the seeds (0.25–0.37).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

STORY_THRESHOLD = 0.24
MIN_SHARED_FACTS = 1
SPECIFIC = ("p:", "d:", "x:")


# How much a shared key counts when looking for candidates (``placement``): facts most.
KIND_WEIGHTS = {"p": 3.0, "d": 2.5, "x": 2.5, "n": 2.0}


def kind_weight(key: str) -> float:
    return KIND_WEIGHTS.get(key[0], 1.0) if len(key) > 2 and key[1] == ":" else 1.0


def text_vector(words: list[str]) -> dict[str, float]:
    """Sublinear bigram counts of a syllable list, normalised to unit length."""
    counts = Counter(f"{a} {b}" for a, b in zip(words, words[1:]))
    vec = {k: 1.0 + math.log(v) for k, v in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {k: v / norm for k, v in vec.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[k] for k, v in a.items() if k in b)


def shared_facts(facts_a: set[str], facts_b: set[str]) -> int:
    return sum(1 for f in facts_a & facts_b if f.startswith(SPECIFIC))


def same_story(text_score: float, facts_a: set[str], facts_b: set[str], *,
               threshold: float = STORY_THRESHOLD) -> bool:
    return text_score >= threshold and shared_facts(facts_a, facts_b) >= MIN_SHARED_FACTS
