"""The store: schema, dedupe by hash, URL aliases, rejects, crawl log, lock handling."""

import json
import sqlite3
import threading
import time

import pytest

from crawler.items import ArticleRecord, RejectRecord
from crawler.store.archive import Archive
from crawler.store.search import fts_query
from crawler.text import content_hash

TEXT = "Chiều 23/7, Thường trực Tỉnh ủy Cà Mau tổ chức Hội nghị.\n\nĐại hội Đảng bộ các cấp."


def article(text=TEXT, url="https://baocamau.vn/a-a1.html", title="Đại hội Đảng", site="baocamau"):
    return ArticleRecord(hash=content_hash(text), urls=[url], site=site, fetched_at="2025-07-24T00:00:00+00:00", article={"title": title, "text": text, "published": "2025-07-23T17:05:00+07:00", "tags": ["Cà Mau"]})


def reject(url, reason="http-404", at="2025-07-24T00:00:00+00:00"):
    return RejectRecord(url=url, site="baocamau", reason=reason, status=404, fetched_at=at)


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as a:
        yield a


def test_schema_wal_and_fts(archive):
    assert {"articles", "urls", "rejects", "crawls", "articles_fts"} <= set(archive.db.table_names())
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "remove_diacritics 2" in archive.db["articles_fts"].schema


def test_same_content_at_two_urls_is_one_article_with_two_urls(archive):
    first = archive.store([article()])
    again = archive.store([article(url="https://baocamau.vn/b-a2.html")])
    assert (first.inserted, again.inserted, again.duplicates) == (1, 0, 1)
    assert archive.db["articles"].count == 1
    rows = archive.db.execute("SELECT url, hash FROM urls ORDER BY url").fetchall()
    assert [r[0] for r in rows] == ["https://baocamau.vn/a-a1.html", "https://baocamau.vn/b-a2.html"]
    assert {r[1] for r in rows} == {content_hash(TEXT)}
    row = archive.db["articles"].get(content_hash(TEXT))
    assert row["url"] == "https://baocamau.vn/a-a1.html"  # first seen wins
    assert json.loads(row["tags"]) == ["Cà Mau"]


def test_url_seen_again_keeps_first_seen_and_updates_last_seen(archive):
    archive.store([article()])
    rec = article()
    rec.fetched_at = "2025-08-01T00:00:00+00:00"
    rec.article = None
    archive.store([rec])
    first, last = archive.db.execute("SELECT first_seen, last_seen FROM urls").fetchone()
    assert first.startswith("2025-07-24") and last.startswith("2025-08-01")


def test_search_matches_folded_and_accented_queries(archive):
    archive.store([article()])
    for q in ["dai hoi dang", "Đại hội Đảng", "Ðại hội Ðảng", "tinh uy", "Tỉnh uỷ", "Tỉnh ủy"]:
        hits = archive.db.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [fts_query(q)]
        ).fetchone()[0]
        assert hits == 1, q


def test_rejects_count_attempts_and_clear_when_page_later_succeeds(archive):
    archive.store([reject("https://baocamau.vn/x-a9.html", "timeout")])
    archive.store([reject("https://baocamau.vn/x-a9.html", "timeout")])
    assert archive.db["rejects"].get("https://baocamau.vn/x-a9.html")["attempts"] == 2
    archive.store([article(url="https://baocamau.vn/x-a9.html")])
    assert archive.db["rejects"].count == 0


def test_known_urls_retries_transient_rejects_later_but_not_permanent_ones(archive):
    archive.store([
        article(),
        reject("https://baocamau.vn/gone-a1.html", "http-404", at="2020-01-01T00:00:00+00:00"),
        reject("https://baocamau.vn/slow-a2.html", "timeout", at="2020-01-01T00:00:00+00:00"),
        reject("https://baocamau.vn/slow-a3.html", "timeout", at="2999-01-01T00:00:00+00:00"),
    ])
    known = archive.known_urls("baocamau")
    assert "https://baocamau.vn/a-a1.html" in known
    assert "https://baocamau.vn/gone-a1.html" in known  # permanent: never again
    assert "https://baocamau.vn/slow-a2.html" not in known  # transient and old: retry
    assert "https://baocamau.vn/slow-a3.html" in known  # transient but recent: wait
    assert archive.known_urls("othersite") == set()


def test_a_bad_record_becomes_an_unstorable_reject_and_its_batch_is_stored(archive):
    bad = article(text="Một bài khác hẳn, đủ dài để là một bài báo.", url="https://baocamau.vn/bad-a2.html")
    bad.article["text"] = None  # no text: cannot be hashed nor stored
    after = article(text="Bài thứ ba, sau bài hỏng.", url="https://baocamau.vn/c-a3.html")
    result = archive.store([article(), bad, after])
    assert result.outcomes == ("new", "unstorable", "new")
    assert archive.db["articles"].count == 2 and archive.db["urls"].count == 2
    row = archive.db["rejects"].get("https://baocamau.vn/bad-a2.html")
    assert row["reason"] == "unstorable" and row["detail"].split(":")[0].endswith("Error")  # the error, named


def test_failed_transaction_leaves_nothing_half_written(archive):
    """A batch is one transaction: the failing record's own earlier writes are rolled back too."""
    rec = article(url="https://baocamau.vn/a-a1.html")
    rec.urls.append(["not", "a", "url"])  # the second URL row fails after the article row was written
    assert archive.store([rec]).outcomes == ("unstorable",)
    assert archive.db["articles"].count == 0 and archive.db["urls"].count == 0
    assert archive.db["rejects"].get("https://baocamau.vn/a-a1.html")["reason"] == "unstorable"


def test_crawl_rows(archive):
    cid = archive.start_crawl("baocamau", {"since": "2025-07-01"})
    archive.finish_crawl(cid, finish_reason="finished",
                         figures={"requests": 10, "new_articles": 3, "duplicates": 1, "rejects": 2, "errors": 0},
                         stats={"x": 1})
    row = archive.db["crawls"].get(cid)
    assert row["finish_reason"] == "finished" and row["new_articles"] == 3
    assert json.loads(row["args"]) == {"since": "2025-07-01"}


def test_writer_waits_for_a_lock_instead_of_failing(tmp_path):
    path = tmp_path / "archive.db"
    Archive(path).close()
    blocker = sqlite3.connect(path, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("INSERT INTO crawls (site, started) VALUES ('x', 'now')")

    def release():
        time.sleep(1.0)
        blocker.commit()

    threading.Thread(target=release).start()
    with Archive(path, timeout=0.1) as a:  # short busy timeout: tenacity must carry it
        assert a.store([article()]).inserted == 1
    blocker.close()


def test_search_prefix_migration_rebuilds_an_existing_index(tmp_path):
    """m008 remakes articles_fts with prefix indexes over an archive that already has articles:
    they are all found again (words, prefixes of each indexed length and longer, d/đ), the
    title weight survives, and the triggers keep indexing what is stored afterwards."""
    import sqlite_utils

    from crawler.store.migrations import SEARCH_PREFIX_LENGTHS, migrations

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m008_search_prefix")
    assert "prefix" not in old["articles_fts"].schema
    old["articles"].insert_all([
        {"hash": "a1", "url": "https://baocamau.vn/a1.html", "site": "baocamau", "fetched_at": "2025-01-01",
         "title": "Khởi công cầu Đầm Cùng", "text": "Không có gì quý hơn độc lập, tự do."},
        {"hash": "a2", "url": "https://baocamau.vn/a2.html", "site": "baocamau", "fetched_at": "2025-01-02",
         "title": "Nuôi tôm", "text": "Người dân khởi nghiệp với nước mặn."},
    ])
    old.conn.close()

    def found(a, query):
        return sorted(r[0] for r in a.db.execute(
            "SELECT a.hash FROM articles_fts f JOIN articles a ON a.rowid = f.rowid "
            "WHERE articles_fts MATCH ?", [fts_query(query)]))

    with Archive(path) as a:
        assert "m008_search_prefix" not in {m.name for m in migrations.pending(a.db)}
        schema = a.db["articles_fts"].schema
        assert f"prefix='{' '.join(map(str, SEARCH_PREFIX_LENGTHS))}'" in schema
        assert 'content="articles"' in schema and "remove_diacritics 2" in schema
        assert a.db.execute("SELECT v FROM articles_fts_config WHERE k = 'rank'").fetchone()[0] == "bm25(5.0, 1.0)"
        assert found(a, "kh*") == ["a1", "a2"]
        assert found(a, "khơ*") == found(a, "khoi*") == ["a1", "a2"]
        assert found(a, "khong*") == ["a1"]
        assert found(a, "dam cung") == ["a1"]
        assert found(a, "nước") == ["a2"]
        assert found(a, "độc lập") == ["a1"]
        assert found(a, "ngu*") == ["a2"]
        a.store([article()])
        assert found(a, "thuo*") == [content_hash(TEXT)]  # Thường trực: indexed by the trigger
        a.db.execute("DELETE FROM articles WHERE hash = 'a2'")
        assert found(a, "nuô*") == []
