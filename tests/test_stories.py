"""Stories (crawler/stories/): entities, copies, placement, the ``stories`` pass, consistency.

Real SQLite archives (``Archive``), real texts: the seeds and the labelled set in
``tests/fixtures/stories/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.store.archive import Archive
from crawler.stories import copies, entities, evaluate, similarity
from crawler.stories.features import compute
from crawler.stories.placement import Placer, forget, place_unplaced, reextracted, unplaced
from crawler.stories.tokens import syllables
from crawler.text import content_hash

FIXTURES = Path(__file__).parent / "fixtures" / "stories" / "articles"


@pytest.fixture(scope="module")
def labelled() -> dict[str, evaluate.Labelled]:
    return {a.name: a for a in evaluate.load(FIXTURES)}


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as a:
        yield a


def store(archive: Archive, *arts: evaluate.Labelled) -> None:
    evaluate.store(archive, arts)


def member(archive: Archive, art: evaluate.Labelled) -> dict | None:
    rows = list(archive.db.query("SELECT * FROM story_members WHERE article = ?", [art.hash]))
    return rows[0] if rows else None


def story_of(archive: Archive, art: evaluate.Labelled) -> int | None:
    m = member(archive, art)
    return m["story"] if m else None


# -- entities ---------------------------------------------------------------------------------


def test_entities_people_places_dates_numbers():
    e = entities.extract("Chiều 23/7, Bí thư Tỉnh ủy Cà Mau Nguyễn Hồ Hải làm việc tại phường Vĩnh Trạch, "
                         "tỉnh Bạc Liêu (trước hợp nhất). Tỉnh bố trí 3.420 biên chế; đạt 98,6%; ngày 5 tháng 8 "
                         "họp tiếp. Ông Huỳnh Quốc Việt dự. Năm 2025 có 126 đại biểu.")
    assert {"Nguyễn Hồ Hải", "Huỳnh Quốc Việt"} <= e.people
    assert {"Cà Mau", "Vĩnh Trạch", "Bạc Liêu"} <= e.names
    assert e.dates == {"23/7", "5/8"}
    assert {"3.420", "98,6", "126"} <= e.numbers
    assert "2025" not in e.numbers  # a year alone is not evidence
    assert not any(n in e.names for n in ("Bí thư", "Tỉnh ủy", "Chiều"))


def test_entities_leave_out_the_closing_byline():
    text = "Sáng 2/8, tỉnh Đồng Tháp khánh thành cầu Tân Mỹ.\n\nNgọc Hân (Báo Đồng Tháp)"
    e = entities.extract(text)
    assert "Tân Mỹ" in e.names and "Ngọc Hân" not in e.people | e.names


def test_syllables_ignore_tone_convention_and_unicode_form():
    import unicodedata

    a = syllables("Thường trực Tỉnh uỷ, hoà giải")
    b = syllables(unicodedata.normalize("NFD", "Thường trực Tỉnh ủy, hòa giải"))
    assert a == b == ["thường", "trực", "tỉnh", "ủy", "hòa", "giải"]


# -- copies -----------------------------------------------------------------------------------


def test_minhash_estimates_jaccard_and_bands_find_copies(labelled):
    a, b = compute(None, labelled["e2-original"].text), compute(None, labelled["e2-copy-dateline"].text)
    other = compute(None, labelled["e4-original"].text)
    assert copies.jaccard(a.signature, b.signature) > 0.85
    assert copies.jaccard(a.signature, other.signature) < 0.1
    assert set(copies.band_keys(a.signature)) & set(copies.band_keys(b.signature))
    assert not set(copies.band_keys(a.signature)) & set(copies.band_keys(other.signature))
    blob = copies.to_blob(a.signature)
    assert len(blob) == 4 * copies.NUM_PERM and (copies.from_blob(blob) == a.signature).all()


def test_containment_makes_a_text_inside_a_noisy_page_a_copy():
    assert copies.copy_score(0.7, 100, 100) == 0.7
    assert copies.copy_score(0.47, 1700, 850) == pytest.approx(0.96, abs=0.01)  # clean text in a page with chrome
    assert copies.copy_score(0.3, 1000, 400) is None  # below the Jaccard floor
    assert copies.copy_score(0.45, 100, 100) is None  # same size, half shared: not a copy


def test_template_reports_are_not_copies(labelled):
    a, b = (compute(None, labelled[n].text) for n in ("n3-template-tan-hung", "n3-template-phu-tan"))
    assert copies.jaccard(a.signature, b.signature) >= copies.COPY_THRESHOLD - 0.1  # the words are the template's
    assert copies.own_facts(a.facts, b.facts) > copies.MAX_OWN_FACTS  # the facts are the communes' own


def test_story_gate_needs_a_shared_fact():
    assert similarity.same_story(0.5, {"p:nguyễn_hồ_hải", "n:cà_mau"}, {"p:nguyễn_hồ_hải"})
    assert not similarity.same_story(0.5, {"n:cà_mau", "d:10/8"}, {"n:cà_mau", "d:12/8"})
    assert not similarity.same_story(0.1, {"d:10/8"}, {"d:10/8"})


# -- placement --------------------------------------------------------------------------------


def test_seeds_000_001_002_are_one_story_and_003_004_are_not(archive, labelled):
    seeds = [labelled[f"seed-00{i}"] for i in range(5)]
    store(archive, *seeds)
    counts = place_unplaced(archive.db)
    assert counts["placed"] == 5
    story = story_of(archive, seeds[1])
    assert story is not None
    assert story_of(archive, seeds[0]) == story_of(archive, seeds[2]) == story
    assert story_of(archive, seeds[3]) != story and story_of(archive, seeds[4]) != story
    row = archive.db["stories"].get(story)
    # Báo Cà Mau published first: its article is the source and gives the story its title.
    assert row["source"] == seeds[1].hash and row["title"] == seeds[1].title
    assert row["members"] == 3 and row["papers"] == 3
    assert row["first_published"] == seeds[1].published
    assert member(archive, seeds[1])["earliest"] == 1
    assert {member(archive, s)["kind"] for s in seeds[:3]} == {"rewrite"}


def test_the_shared_seed_texts_behave_the_same():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # ../shared beside the project
    if not shared.is_dir():
        pytest.skip(f"no {shared} beside the project on this machine")
    ours = Path(__file__).parent / "fixtures" / "seeds"
    for f in shared.glob("*.txt"):
        assert (ours / f.name).read_text(encoding="utf-8") == f.read_text(encoding="utf-8")


def test_a_copy_points_at_the_earliest_even_when_placed_first(archive, labelled):
    original, copy1, copy2 = (labelled[n] for n in ("e2-original", "e2-copy-dateline", "e2-copy-cut-typo"))
    store(archive, original, copy1, copy2)
    placer = Placer(archive.db)
    with archive.db.atomic():
        placer.place(copy2.hash)  # the latest copy is placed first (an import, a late crawl)
        placer.place(copy1.hash)
    # copy1 was published before copy2: placed second, it heads the group at once
    assert (member(archive, copy2)["kind"], member(archive, copy2)["copy_of"]) == ("copy", copy1.hash)
    assert member(archive, copy1)["copy_of"] is None
    with archive.db.atomic():
        placer.place(original.hash)  # published first, placed last: it becomes the head
    assert member(archive, original)["kind"] == "rewrite" and member(archive, original)["copy_of"] is None
    assert member(archive, original)["earliest"] == 1
    for c in (copy1, copy2):
        m = member(archive, c)
        assert (m["kind"], m["copy_of"]) == ("copy", original.hash)
        assert m["similarity"] >= copies.COPY_THRESHOLD


def test_placing_touches_only_new_articles(archive, labelled):
    first = [labelled[n] for n in ("e2-original", "e2-paraphrase", "e4-original")]
    store(archive, *first)
    place_unplaced(archive.db)
    before = {r["article"]: r["placed_at"] for r in archive.db.query("SELECT article, placed_at FROM story_index")}
    assert set(before) == {a.hash for a in first}
    assert unplaced(archive.db) == []
    later = [labelled[n] for n in ("e2-shortening", "e4-reordered")]
    store(archive, *later)
    assert set(unplaced(archive.db)) == {a.hash for a in later}
    counts = place_unplaced(archive.db)
    assert counts["placed"] == 2
    after = {r["article"]: r["placed_at"] for r in archive.db.query("SELECT article, placed_at FROM story_index")}
    assert {k: after[k] for k in before} == before  # the placed ones were not placed again
    assert story_of(archive, later[0]) == story_of(archive, first[0]) == story_of(archive, first[1])
    assert story_of(archive, later[1]) == story_of(archive, first[2])
    assert place_unplaced(archive.db)["placed"] == 0


def test_articles_outside_the_date_window_are_not_candidates(archive, labelled):
    july, august = labelled["n2-thuongky-thang-7"], labelled["n2-thuongky-thang-8"]
    store(archive, july, august)
    place_unplaced(archive.db)
    assert story_of(archive, july) is None and story_of(archive, august) is None
    # It is the window that keeps them apart: the same chair, the same deadline and the same
    # wording would make them one story if the window spanned a month.
    with Archive(archive.path.parent / "wide.db") as wide:
        store(wide, july, august)
        place_unplaced(wide.db, placer=Placer(wide.db, window_days=40))
        assert wide.db["story_members"].count == 2


def test_a_text_borrowing_from_two_reports_does_not_chain_them(archive, labelled):
    """A round-up holding two whole reports (a copy of each by containment) joins one story
    and does not pull the other report into it."""
    one, two = labelled["e3-original"], labelled["n1-camau-same-week"]
    bridge = evaluate.Labelled("bridge", "Tin tổng hợp", one.text + "\n\n" + two.text, "tonghop",
                               "2025-08-07T08:00:00+07:00", "x", "x", "chimera")
    store(archive, one, labelled["e3-paraphrase"], two)
    place_unplaced(archive.db)
    assert story_of(archive, two) is None
    store(archive, bridge)
    place_unplaced(archive.db)
    assert story_of(archive, bridge) == story_of(archive, one) is not None
    assert story_of(archive, two) is None


def test_forget_takes_an_article_out_and_the_story_stays_right(archive, labelled):
    arts = [labelled[n] for n in ("e5-original", "e5-copy", "e5-paraphrase")]
    store(archive, *arts)
    place_unplaced(archive.db)
    story = story_of(archive, arts[0])
    assert archive.db["stories"].get(story)["members"] == 3
    with archive.db.atomic():
        forget(archive.db, [arts[0].hash])  # the source goes
    assert member(archive, arts[0]) is None
    assert archive.db.execute("SELECT count(*) FROM story_lsh WHERE doc NOT IN (SELECT doc FROM story_index)"
                              ).fetchone()[0] == 0
    row = archive.db["stories"].get(story)
    # the paraphrase, published next, is the source now; the copy has no group head left
    assert row["members"] == 2 and row["source"] == arts[2].hash
    assert member(archive, arts[1])["kind"] == "rewrite" and member(archive, arts[1])["copy_of"] is None
    assert arts[0].hash in unplaced(archive.db)
    place_unplaced(archive.db)
    assert archive.db["stories"].get(story)["source"] == arts[0].hash
    assert member(archive, arts[1])["copy_of"] == arts[0].hash


def test_a_story_left_with_one_member_is_dissolved(archive, labelled):
    a, b = labelled["e4-original"], labelled["e4-reordered"]
    store(archive, a, b)
    place_unplaced(archive.db)
    assert archive.db["stories"].count == 1
    with archive.db.atomic():
        forget(archive.db, [b.hash])
    assert archive.db["stories"].count == 0 and archive.db["story_members"].count == 0


def test_deleted_articles_are_removed_by_the_pass(archive, labelled):
    a, b, c = labelled["e4-original"], labelled["e4-reordered"], labelled["e4-shortening"]
    store(archive, a, b, c)
    place_unplaced(archive.db)
    with archive.db.atomic():
        archive.db.execute("DELETE FROM urls WHERE hash = ?", [c.hash])
        archive.db.execute("DELETE FROM articles WHERE hash = ?", [c.hash])
    counts = place_unplaced(archive.db)
    assert counts["orphans"] == 1
    assert member(archive, c) is None
    assert archive.db["stories"].get(story_of(archive, a))["members"] == 2


def test_reextracted_rekeys_and_replaces(archive, labelled):
    """What ``crawler.jobs.reextract`` does when a text changes: the row is re-keyed, then
    ``reextracted`` moves the story along (the e2e test runs the real re-extraction)."""
    a, b = labelled["e3-original"], labelled["e3-paraphrase"]
    store(archive, a, b)
    place_unplaced(archive.db)
    story = story_of(archive, a)
    new_text = a.text + "\n\nTheo dõi Báo Cà Mau trên Google News"
    new = content_hash(new_text)
    with archive.db.atomic():
        archive.db.execute("PRAGMA defer_foreign_keys = ON")
        archive.db.execute("UPDATE articles SET hash = ?, text = ? WHERE hash = ?", [new, new_text, a.hash])
        archive.db.execute("UPDATE urls SET hash = ? WHERE hash = ?", [new, a.hash])
        reextracted(archive.db, [(a.hash, new)])
    assert archive.db.execute("SELECT count(*) FROM story_index WHERE article = ?", [a.hash]).fetchone()[0] == 0
    assert archive.db.execute("SELECT story FROM story_members WHERE article = ?", [new]).fetchone()[0] == story
    assert archive.db["stories"].get(story)["source"] == new


def test_stories_command_places_and_reports(tmp_path, labelled):
    from click.testing import CliRunner

    from crawler.__main__ import cli

    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        store(archive, *labelled.values())
    runner = CliRunner()
    r = runner.invoke(cli, ["stories", "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["placed"] == len(labelled) and out["copies"] >= 1 and out["stories"] >= 5
    r = runner.invoke(cli, ["--db", str(db), "stories"])  # --db before the verb, like every verb
    assert r.exit_code == 0 and r.output.startswith("placed 0 articles")
    r = runner.invoke(cli, ["stories", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 2 and not (tmp_path / "none.db").exists()


def test_texts_without_words_are_placed_alone(archive):
    blank = [evaluate.Labelled(f"blank-{i}", None, text, "x", "2025-08-01T08:00:00+07:00", f"b{i}", f"b{i}", "")
             for i, text in enumerate(["…", "— —", "Ảnh: Minh Khoa"])]
    store(archive, *blank)
    assert place_unplaced(archive.db)["placed"] == 3
    assert archive.db["story_members"].count == 0


def test_a_placement_that_cannot_write_is_logged_and_counted_never_fails_the_crawl(tmp_path, labelled, caplog):
    """Stories are an addition to the archive: another writer holding the lock past every retry
    at spider close costs the placement (counted, logged once), not the crawl."""
    import sqlite3

    from scrapy.utils.test import get_crawler

    from crawler.extensions.stories import StoriesExtension
    from spiders.baocamau import BaoCaMauSpider

    db = tmp_path / "archive.db"
    with Archive(db) as a:
        store(a, *list(labelled.values())[:2])
    crawler = get_crawler(BaoCaMauSpider, {"ARCHIVE_DB": str(db), "ARCHIVE_DB_TIMEOUT": 0.1,
                                           "ARCHIVE_DB_LOCK_ATTEMPTS": 1, "ARCHIVE_STORIES_ENABLED": True})
    crawler.stats.open_spider()
    ext = StoriesExtension.from_crawler(crawler)
    spider = BaoCaMauSpider.from_crawler(crawler)
    blocker = sqlite3.connect(db, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        ext.spider_closed(spider, "finished")  # must not raise
    finally:
        blocker.rollback()
        blocker.close()
    assert crawler.stats.get_value("stories/errors") == 1
    assert "could not place" in caplog.text
    with Archive(db) as a:  # nothing half-written: the articles simply wait to be placed
        assert a.db["story_members"].count == 0 and a.db["articles"].count == 2
        assert not a.db.conn.in_transaction
