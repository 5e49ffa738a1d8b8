"""Revisions (refetching archived URLs), refresh selection, re-extraction in place, and the
Datasette revisions page."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

import crawler.jobs.reextract as rx
from crawler.items import ArticleRecord
from crawler.store.archive import Archive
from crawler.spiders.refresh import parse_days, refresh_urls
from crawler.store.revisions import text_diff
from crawler.text import content_hash
from crawler.middlewares.warc import WarcMiddleware

ROOT = Path(__file__).resolve().parent.parent
A1 = "https://bao.test/hoi-nghi-a1.html"
A2 = "https://bao.test/hoi-nghi-a2.html"
V1 = "Sáng 23/7, Tỉnh ủy Cà Mau tổ chức hội nghị.\n\nCác đại biểu thảo luận văn kiện."
V2 = V1 + "\n\nCập nhật: hội nghị kết thúc lúc 17 giờ."


def rec(text, url=A1, at="2025-07-24T00:00:00+00:00", article=True, **extra):
    return ArticleRecord(hash=content_hash(text), urls=[url], site="baotest", fetched_at=at,
                         article={"title": text.split(".")[0], "text": text, "published": "2025-07-23T08:00:00+07:00"}
                         if article else None, **extra)


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db") as a:
        yield a


def revisions(archive, article):
    return [dict(r) for r in archive.db.query(
        "SELECT revision, hash, url, text FROM revisions WHERE article = ? ORDER BY revision", [article])]


# -- refetching a URL the archive holds ---------------------------------------------------------


def test_unchanged_refetch_is_one_row_update(archive):
    archive.store([rec(V1, warc_file="s/a.warc.gz", warc_offset=10)])
    before = archive.db.conn.total_changes
    result = archive.store([rec(V1, at="2025-08-01T00:00:00+00:00", article=False, warc_file="s/b.warc.gz",
                                warc_offset=99)])
    assert archive.db.conn.total_changes - before == 1
    assert (result.inserted, result.unchanged, result.revised) == (0, 1, 0)
    row = archive.db["urls"].get(A1)
    assert row["last_seen"].startswith("2025-08-01") and row["first_seen"].startswith("2025-07-24")
    assert (row["warc_file"], row["warc_offset"]) == ("s/b.warc.gz", 99)
    assert archive.db["revisions"].count == 0


def test_changed_refetch_is_a_revision_not_a_new_article(archive):
    archive.store([rec(V1, warc_file="s/a.warc.gz", warc_offset=10)])
    result = archive.store([rec(V2, at="2025-08-01T00:00:00+00:00", warc_file="s/b.warc.gz", warc_offset=50)])
    assert (result.inserted, result.revised) == (0, 1)
    assert archive.db["articles"].count == 1
    art = archive.db["articles"].get(content_hash(V1))
    assert art["text"] == V1  # the first text stays; hash = content_hash(text) holds
    revs = revisions(archive, content_hash(V1))
    assert [(r["revision"], r["hash"], r["text"]) for r in revs] == [(1, content_hash(V1), V1), (2, content_hash(V2), V2)]
    row = archive.db["revisions"].get((content_hash(V1), 2))
    assert (row["warc_file"], row["warc_offset"], row["fetched_at"]) == ("s/b.warc.gz", 50, "2025-08-01T00:00:00+00:00")
    assert archive.db["urls"].get(A1)["text_hash"] == content_hash(V2)
    assert archive.db["urls"].get(A1)["hash"] == content_hash(V1)

    # Fetched again, still V2: unchanged.
    result = archive.store([rec(V2, at="2025-08-02T00:00:00+00:00", article=False)])
    assert result.unchanged == 1 and len(revisions(archive, content_hash(V1))) == 2
    # V2 at a new URL is an alias of the article (it is a known text), not a new article.
    result = archive.store([rec(V2, url=A2, at="2025-08-03T00:00:00+00:00")])
    assert (result.inserted, result.duplicates) == (0, 1)
    assert archive.db["urls"].get(A2)["hash"] == content_hash(V1) and archive.db["articles"].count == 1
    # Changed back: a third revision (the timeline is kept), the URL shows the original again.
    result = archive.store([rec(V1, at="2025-08-04T00:00:00+00:00", article=False)])
    assert result.revised == 1
    assert [r["hash"] for r in revisions(archive, content_hash(V1))] == [content_hash(V1), content_hash(V2), content_hash(V1)]
    assert archive.db["urls"].get(A1)["text_hash"] is None


def test_second_url_catching_up_with_the_latest_revision_adds_none(archive):
    archive.store([rec(V1), rec(V1, url=A2, article=False)])
    archive.store([rec(V2, at="2025-08-01T00:00:00+00:00")])
    archive.store([rec(V2, url=A2, at="2025-08-02T00:00:00+00:00", article=False)])
    assert len(revisions(archive, content_hash(V1))) == 2
    assert archive.db["urls"].get(A2)["text_hash"] == content_hash(V2)


def test_text_diff_marks_added_and_removed_paragraphs():
    diff = text_diff(V1, V2.replace("thảo luận", "góp ý"))
    assert "- Các đại biểu thảo luận văn kiện." in diff.splitlines()
    assert "+ Các đại biểu góp ý văn kiện." in diff.splitlines()
    assert "+ Cập nhật: hội nghị kết thúc lúc 17 giờ." in diff.splitlines()
    assert text_diff(V1, V1) == ""


# -- refresh selection ----------------------------------------------------------------------------


def test_refresh_selects_recent_articles_of_the_site(archive):
    def art(text, url, published, site="baotest"):
        r = rec(text, url=url)
        r.site = site
        r.article["published"] = published
        return r

    archive.store([
        art(V1, A1, "2025-07-23T08:00:00+07:00"),
        art(V1, A2, None),  # an alias of the same article
        art(V2, "https://bao.test/cu-a3.html", "2025-06-01"),
        art(V2 + " Khác.", "https://other.test/x-a4.html", "2025-07-23", site="other"),
    ])
    now = datetime(2025, 7, 25, 12, 0, tzinfo=UTC)
    assert refresh_urls(archive, "baotest", 3, now=now) == [A1, A2]
    assert set(refresh_urls(archive, "baotest", 60, now=now)) == {A1, A2, "https://bao.test/cu-a3.html"}
    assert refresh_urls(archive, "baotest", 1, now=now) == []
    assert parse_days("7") == 7 and parse_days(None) is None
    for bad in ("soon", "0", "-3"):
        with pytest.raises(ValueError):
            parse_days(bad)


# -- re-extraction in place ------------------------------------------------------------------------


class Paper(Spider):
    name = "baotest"


def _page(text):
    return "<html><body>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n")) + "</body></html>"


def fake_extract(mode):
    """An extractor whose behaviour the test switches: 'old' keeps '[quảng cáo]' chrome lines,
    'new' drops them; a page containing 'video' is rejected by 'new'."""

    def _extract(html, url, *_bounds):
        paras = re.findall(r"<p>(.*?)</p>", html)
        if mode == "new":
            if any("video" in p for p in paras):
                return None, "video-only", None
            paras = [p for p in paras if "[quảng cáo]" not in p]
        text = "\n\n".join(paras)
        return {"title": paras[0][:40], "text": text, "language": "vi"}, None, None

    return _extract


@pytest.fixture
def captured(tmp_path, monkeypatch):
    """An archive of five captured pages stored with the 'old' extractor."""
    pages = {
        "https://bao.test/a-a1.html": "Bài một về hội nghị tỉnh.\n\n[quảng cáo] Mua ngay.",  # changes hash
        "https://bao.test/b-a2.html": "Bài hai về nông nghiệp.\n\n[quảng cáo] Giảm giá.",  # merges with c
        "https://bao.test/c-a3.html": "Bài hai về nông nghiệp.\n\n[quảng cáo] Khuyến mãi.",
        "https://bao.test/d-a4.html": "Một đoạn video ngắn.\n\nXem video.",  # now rejected
        "https://bao.test/e-a5.html": "Bài năm không đổi.",  # unchanged
    }
    crawler = get_crawler(Paper, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_WARC_DIR": "warc"})
    crawler.spider = Paper()
    mw = WarcMiddleware.from_crawler(crawler)
    old = fake_extract("old")
    records = []
    for i, (url, text) in enumerate(pages.items()):
        request = Request(url)
        mw.process_response(request, Response(url, body=_page(text).encode(), request=request,
                                               headers={"Content-Type": "text/html; charset=utf-8"}))
        art, *_ = old(_page(text), url)
        records.append(ArticleRecord(hash=content_hash(art["text"]), urls=[url], site="baotest", fetched_at=f"2025-07-2{i}T00:00:00+00:00", article=art, warc_file=request.meta["warc"]["file"], warc_offset=request.meta["warc"]["offset"]))
    # a: also seen at an alias URL; a later edit of a (a revision whose capture differs only in chrome).
    alias = replace(records[0], urls=["https://bao.test/a-a1.html?utm_source=zalo"], article=None)
    url = "https://bao.test/a-a1.html"
    request = Request(url)
    edited = "Bài một về hội nghị tỉnh.\n\n[quảng cáo] Mua ngay hôm nay."
    mw.process_response(request, Response(url, body=_page(edited).encode(), request=request,
                                           headers={"Content-Type": "text/html; charset=utf-8"}))
    art, *_ = old(_page(edited), url)
    revision = ArticleRecord(hash=content_hash(art["text"]), urls=[url], site="baotest", fetched_at="2025-08-01T00:00:00+00:00", article=art, warc_file=request.meta["warc"]["file"], warc_offset=request.meta["warc"]["offset"])
    mw.spider_closed(crawler.spider)
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        archive.store(records + [alias])
        assert archive.store([revision]).revised == 1
    monkeypatch.setattr(rx, "_extract", fake_extract("new"))
    return db, tmp_path / "warc", pages


def test_reextract_rekeys_merges_keeps_rejected_and_tidies_revisions(captured):
    db, root, pages = captured
    con = sqlite3.connect(db)
    before = dict(con.execute("SELECT url, hash FROM urls"))
    con.close()
    with Archive(db) as archive:
        dry = rx.reextract(archive, root, dry_run=True)
        assert (dry.changed, dry.merged) == (3, 1)
        assert {r["hash"] for r in archive.db.query("SELECT hash FROM urls")} == set(before.values())

        report = rx.reextract(archive, root)
        assert (report.articles, report.unchanged, report.changed, report.merged, report.rejected) == (5, 1, 3, 1, 1)
        assert report.revisions == 2 and report.revisions_dropped == 2  # the edit was only chrome
        db_ = archive.db
        hashes = {r["url"]: r["hash"] for r in db_.query("SELECT url, hash FROM urls")}
        a = content_hash("Bài một về hội nghị tỉnh.")
        b = content_hash("Bài hai về nông nghiệp.")
        assert hashes["https://bao.test/a-a1.html"] == hashes["https://bao.test/a-a1.html?utm_source=zalo"] == a
        assert hashes["https://bao.test/b-a2.html"] == hashes["https://bao.test/c-a3.html"] == b
        assert hashes["https://bao.test/d-a4.html"] == before["https://bao.test/d-a4.html"]  # kept as it was
        assert db_["articles"].count == 4
        assert db_["articles"].get(a)["text"] == "Bài một về hội nghị tỉnh."
        assert db_["articles"].get(b)["url"] == "https://bao.test/b-a2.html"  # the first fetched keeps its row
        assert db_["revisions"].count == 0  # both versions are now the same text
        assert db_["urls"].get("https://bao.test/a-a1.html")["text_hash"] is None
        assert db_.execute("PRAGMA foreign_key_check").fetchall() == []
        hits = db_.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'quảng'").fetchone()[0]
        assert hits == 0  # the search index follows the new texts

        again = rx.reextract(archive, root)
        assert (again.unchanged, again.changed, again.merged, again.rejected) == (3, 0, 0, 1)


def test_reextract_rebuilds_missing_article_rows(captured, monkeypatch):
    db, root, _ = captured
    monkeypatch.setattr(rx, "_extract", fake_extract("old"))
    con = sqlite3.connect(db)
    before = {r[0]: r[1:] for r in con.execute("SELECT hash, url, text, fetched_at FROM articles")}
    con.execute("DELETE FROM articles")
    con.commit()
    con.close()
    with Archive(db) as archive:
        report = rx.reextract(archive, root)
        after = {r[0]: r[1:] for r in archive.db.execute("SELECT hash, url, text, fetched_at FROM articles")}
        assert report.rebuilt == 5 and report.changed == 0
        assert after == before
        # The edited article was rebuilt from revision 1's capture, its revisions kept.
        assert archive.db["revisions"].count == 2


# -- Datasette ---------------------------------------------------------------------------------------


def test_datasette_shows_revisions_and_their_diff(tmp_path):
    from datasette.app import Datasette

    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        archive.store([rec(V1)])
        archive.store([rec(V2.replace("thảo luận", "góp ý"), at="2025-08-01T00:00:00+00:00")])
    ds = Datasette([str(db)])  # the installed plugin (crawler/datasette), as `datasette archive.db`
    article = content_hash(V1)

    async def fetch():
        await ds.invoke_startup()
        page = await ds.client.get(f"/archive/-/revisions/{article}")
        data = await ds.client.get(f"/archive/-/revisions/{article}.json?old=1&new=2")
        row = await ds.client.get(f"/archive/articles/{article}")
        table = await ds.client.get("/archive/revisions")
        sql = await ds.client.get("/archive.json", params={
            "sql": "select text_diff(a.text, b.text) as d from revisions a join revisions b "
                   "on a.article = b.article and b.revision = 2 where a.revision = 1", "_shape": "array"})
        missing = await ds.client.get("/archive/-/revisions/0000000000000000")
        return page, data, row, table, sql, missing

    page, data, row, table, sql, missing = asyncio.run(fetch())
    assert page.status_code == 200
    assert "<ins>góp ý</ins>" in page.text and "<del>thảo luận</del>" in page.text
    assert "Cập nhật: hội nghị kết thúc lúc 17 giờ." in page.text
    body = data.json()
    assert [r["revision"] for r in body["revisions"]] == [1, 2]
    assert "+ Cập nhật: hội nghị kết thúc lúc 17 giờ." in body["diff"].splitlines()
    assert row.status_code == 200 and f"/archive/-/revisions/{article}" in row.text
    assert table.status_code == 200 and f"/archive/-/revisions/{article}?new=2" in table.text
    assert "- Các đại biểu thảo luận văn kiện." in sql.json()[0]["d"].splitlines()
    assert missing.status_code == 404
