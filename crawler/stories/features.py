"""What placement needs to know about one article, computed once from its title and text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np  # the sketch's type

from crawler.stories import copies, entities
from crawler.stories.tokens import shingles, syllables, terms

# The opening of a report carries its event (who, what, where, when): candidates come from the
# title and this many first syllables of the text.
LEAD_SYLLABLES = 80
# Body bigrams kept as keys besides the lead's: the most frequent ones, which name the subject.
BODY_BIGRAMS = 30
# Entity and fact keys kept per article (the most specific first: people, dates, numbers, names).
MAX_FACTS = 40

FACT_PREFIXES = ("p:", "d:", "x:", "n:")


@dataclass
class Features:
    words: list[str]
    signature: np.ndarray
    shingles: int
    facts: set[str]  # entity keys: p: people, n: names, d: dates, x: numbers
    keys: list[str] = field(default_factory=list)  # facts + lead and body bigrams, FTS tokens

    @property
    def keys_text(self) -> str:
        return " ".join(self.keys)


def _key(entity_key: str) -> str:
    # One FTS token per entity: spaces joined (the tokenizer keeps ``_ : / . ,`` in tokens).
    return entity_key.replace(" ", "_")


def _content_bigram(gram: str) -> bool:
    a, _, b = gram.partition("_")
    return bool(b) and not a.isdigit() and not b.isdigit() and len(a) > 1 and len(b) > 1


def compute(title: str | None, text: str) -> Features:
    body = syllables(text)
    head = syllables(title or "")
    sh = shingles(body, copies.SHINGLE_WORDS)
    sig = copies.signature(sh)
    ents = entities.extract(f"{title}\n{text}" if title else text)
    facts = {_key(k) for k in ents.keys()}
    order = {"p": 0, "d": 1, "x": 2, "n": 3}
    facts_sorted = sorted(facts, key=lambda k: (order[k[0]], k))[:MAX_FACTS]
    lead = [g for g in terms(head + ["|"] + body[:LEAD_SYLLABLES]) if "_" in g and "|" not in g]
    lead = [g for g in dict.fromkeys(lead) if _content_bigram(g)]
    counts = Counter({g: c for g, c in terms(body).items() if "_" in g and _content_bigram(g)})
    seen = set(lead)
    body_top = [g for g, _ in counts.most_common(BODY_BIGRAMS * 2) if g not in seen][:BODY_BIGRAMS]
    keys = list(dict.fromkeys([*facts_sorted, *lead, *body_top]))
    return Features(words=body, signature=sig, shingles=len(sh), facts=set(facts_sorted), keys=keys)


def facts_of(keys: list[str]) -> set[str]:
    return {k for k in keys if k.startswith(FACT_PREFIXES)}
