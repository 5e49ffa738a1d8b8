"""Measuring placement on a labelled set: load it, place it, count pairwise agreement.

The labelled set's format is described in ``tests/fixtures/stories/README.md``. Pairwise
precision and recall: every pair of articles that placement puts together (in one copy group,
or in one story) is checked against the labels; recall counts the labelled pairs it found.
Used by ``bench/stories.py`` and the tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from crawler.items import ArticleRecord
from crawler.store.archive import Archive
from crawler.text import clean, content_hash


@dataclass
class Labelled:
    name: str
    title: str | None
    text: str
    site: str
    published: str | None
    story: str
    copy: str
    kind: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        return content_hash(self.text)


def load(folder: Path) -> list[Labelled]:
    out = []
    for path in sorted(Path(folder).glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        head, sep, body = raw.partition("\n---\n")
        meta = {}
        for line in head.splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
        if not sep:
            body = (path.parent / meta["text-file"]).read_text(encoding="utf-8")
        out.append(Labelled(path.stem, meta.get("title") or None, clean(body), meta["site"],
                            meta.get("published") or None, meta["story"], meta["copy"], meta.get("kind", ""), meta))
    return out


def store(archive: Archive, articles: Iterable[Labelled], fetched_at: str = "2025-09-01T00:00:00+00:00") -> None:
    """Write labelled articles into an archive as a crawl would (one URL each)."""
    recs = [ArticleRecord(hash=a.hash, urls=[f"https://{a.site}.example/{a.name}.html"], site=a.site,
                          fetched_at=fetched_at, article={"title": a.title, "text": a.text, "published": a.published})
            for a in articles]
    archive.store(recs)


def _pairs(groups: dict[Any, set[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for members in groups.values() for p in combinations(sorted(members), 2)}


def predicted_groups(db: Any) -> tuple[dict[Any, set[str]], dict[Any, set[str]]]:
    """(copy groups, stories) as placed: article hashes by group."""
    copies: dict[Any, set[str]] = defaultdict(set)
    stories: dict[Any, set[str]] = defaultdict(set)
    for article, story, copy_of in db.execute("SELECT article, story, copy_of FROM story_members"):
        copies[copy_of or article].add(article)
        stories[story].add(article)
    return copies, stories


@dataclass
class Score:
    true_pairs: int
    predicted_pairs: int
    correct: int
    false_pairs: list[tuple[str, str]] = field(default_factory=list)
    missed_pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_pairs if self.true_pairs else 1.0


def score(articles: list[Labelled], db: Any) -> dict[str, Score]:
    names = {a.hash: a.name for a in articles}
    truth = {"copies": defaultdict(set), "stories": defaultdict(set)}
    for a in articles:
        truth["copies"][a.copy].add(a.hash)
        truth["stories"][a.story].add(a.hash)
    pred_copies, pred_stories = predicted_groups(db)
    out = {}
    for level, pred in (("copies", pred_copies), ("stories", pred_stories)):
        t, p = _pairs(truth[level]), _pairs(pred)
        out[level] = Score(len(t), len(p), len(t & p),
                           sorted(tuple(sorted(names.get(h, h) for h in pair)) for pair in p - t),
                           sorted(tuple(sorted(names.get(h, h) for h in pair)) for pair in t - p))
    return out


def place_in_order(archive: Archive, articles: list[Labelled], shuffle: int = 0) -> dict[str, Score]:
    """Store the labelled articles, place them one by one (by publication time, or in the order
    ``random.Random(shuffle)`` makes of it when ``shuffle`` > 0) and score the result: the
    order-independence check shared by the tests and ``bench/stories.py``."""
    import random

    from crawler.stories.placement import Placer, sort_key

    store(archive, articles)
    order = sorted(articles, key=lambda a: sort_key(a.published))
    if shuffle:
        random.Random(shuffle).shuffle(order)
    placer = Placer(archive.db)
    with archive.db.atomic():
        for a in order:
            placer.place(a.hash)
    return score(articles, archive.db)
