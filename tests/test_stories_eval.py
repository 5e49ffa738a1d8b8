"""The labelled evaluation set (tests/fixtures/stories/): quality floors for both levels, the
issue's targets, in publication order and in shuffled orders (placement must not depend on
the order articles arrive in). ``make bench`` prints the same figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.store.archive import Archive
from crawler.stories import evaluate

FIXTURES = Path(__file__).parent / "fixtures" / "stories" / "articles"


@pytest.fixture(scope="module")
def labelled():
    return evaluate.load(FIXTURES)


def test_the_set_has_every_kind_the_issue_asks_for(labelled):
    kinds = " ".join(a.kind for a in labelled)
    for kind in ("copy-dateline", "credit", "cut-paragraph", "typo", "rewrite-paraphrase", "rewrite-shortening",
                 "rewrite-reordering", "headline", "rewrite-merged", "negative-same-place-week",
                 "negative-recurring-meeting", "negative-press-release-template"):
        assert kind in kinds, kind
    assert len({a.hash for a in labelled}) == len(labelled)  # no two files hold the same text


@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_pairwise_precision_and_recall_meet_the_targets(tmp_path, labelled, order):
    with Archive(tmp_path / "archive.db") as archive:
        scores = evaluate.place_in_order(archive, labelled, shuffle=order)
    c, s = scores["copies"], scores["stories"]
    assert c.precision >= 0.95 and c.recall >= 0.90, (c.false_pairs, c.missed_pairs)
    assert s.precision >= 0.90 and s.recall >= 0.80, (s.false_pairs, s.missed_pairs)


def test_the_scorer_counts_wrong_and_missing_pairs(tmp_path, labelled):
    """The measure itself can fail: a placement that lumps everything together, or places
    nothing, scores badly."""
    with Archive(tmp_path / "archive.db") as archive:
        evaluate.store(archive, labelled)
        assert evaluate.score(labelled, archive.db)["stories"].recall == 0.0
        with archive.db.atomic():
            archive.db.execute("INSERT INTO stories (id) VALUES (1)")
            for a in labelled:
                archive.db.execute("INSERT INTO story_members (article, story, kind) VALUES (?, 1, 'rewrite')", [a.hash])
        lumped = evaluate.score(labelled, archive.db)["stories"]
        assert lumped.recall == 1.0 and lumped.precision < 0.2
