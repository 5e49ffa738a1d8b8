"""End to end: raw captures, re-extraction without the network, revisions, exports.

One crawl of the trap-laden sample site (serving gzip, as real servers do) with WARC capture
on; then, on copies of its archive: every stored capture is read back by offset, the articles
table is emptied and rebuilt by ``python -m crawler reextract`` in a process that cannot open
a network socket, an article is edited on the server and a ``-a refresh_days=N`` crawl finds
two revisions and their diff, and the exports are read back with warcio.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.jobs.reextract import page_html
from crawler.text.extract import extract
from crawler.store.revisions import text_diff
from samplesite import SampleSite
from crawler.text import content_hash
from crawler.store.warc import WarcReader
from tests.conftest import PROJECT_ROOT, crawl_env, rows, run_cli, run_crawl, snapshot

pytestmark = pytest.mark.e2e

WARCIO = Path(sys.executable).with_name("warcio")
NONET = PROJECT_ROOT / "tests" / "nonet"
EDIT = ("Cập nhật lúc 20 giờ: Ban Tổ chức cho biết đã có thêm 35 hộ dân được hỗ trợ xây nhà, "
        "nâng tổng số lên 215 căn trên địa bàn tỉnh.")


@dataclass
class Run:
    site: SampleSite
    tmp: Path
    db: Path
    snap: Path  # the archive right after the first crawl
    warc: Path


def cli(*args: str, env: dict | None = None, timeout: float = 300):
    """``python -m crawler`` in a subprocess (the offline environment needs a process); must succeed."""
    proc = run_cli(*args, env=env, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def offline_env() -> dict[str, str]:
    env = crawl_env()
    env["PYTHONPATH"] = os.pathsep.join([str(NONET), env["PYTHONPATH"]])
    return env


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    tmp = tmp_path_factory.mktemp("warc")
    site = SampleSite(articles=60, traps=True, gzip=True).start()
    try:
        db = tmp / "archive.db"
        # ARCHIVE_WARC_DIR is left at its default, "warc" next to the database.
        run_crawl(site, db, name="warc-run1", settings={"ARCHIVE_STALE_PAGES": 2})
        yield Run(site, tmp, db, snapshot(db, tmp / "run1.db"), tmp / "warc")
    finally:
        site.stop()


def warc_paths(run: Run) -> list[Path]:
    return sorted((run.warc / "baocamau").glob("*.warc.gz"))


# --- capture ----------------------------------------------------------------------------------


def test_one_folder_per_site_and_warcio_index_reads_every_file(run):
    files = warc_paths(run)
    assert files, list(run.warc.rglob("*"))
    assert {p.parent.name for p in run.warc.rglob("*.warc.gz")} == {"baocamau"}
    for path in files:
        out = subprocess.run([str(WARCIO), "index", "-f", "warc-type,warc-target-uri,offset", str(path)],
                             capture_output=True, text=True, check=True).stdout
        types = [json.loads(line)["warc-type"] for line in out.splitlines()]
        assert types[0] == "warcinfo"
        assert types.count("response") == types.count("request") > 0
        check = subprocess.run([str(WARCIO), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr  # every digest verifies


def test_every_stored_capture_reads_back_by_offset(run):
    """Each articles and urls row names a response record, at that exact offset, for its URL,
    still gzip-compressed as the server sent it, that re-extracts to the row's hash."""
    indexed = set()
    for path in warc_paths(run):
        out = subprocess.run([str(WARCIO), "index", "-f", "warc-type,offset", str(path)],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            entry = json.loads(line)
            if entry["warc-type"] == "response":
                indexed.add((f"baocamau/{path.name}", int(entry["offset"])))
    urls = rows(run.snap, "SELECT url, hash, warc_file, warc_offset FROM urls")
    articles = rows(run.snap, "SELECT url, hash, warc_file, warc_offset FROM articles")
    assert len(articles) == len(run.site.articles) == 60
    problems = []
    with WarcReader(run.warc) as reader:
        for row in [*articles, *urls]:
            if row["warc_file"] is None:
                problems.append(f"{row['url']}: no capture")
                continue
            if (row["warc_file"], row["warc_offset"]) not in indexed:
                problems.append(f"{row['url']}: offset {row['warc_offset']} is not a response in warcio's index")
            rec = reader.read(row["warc_file"], row["warc_offset"])
            headers = {k.lower(): v for k, v in rec.headers}
            if urlsplit(rec.url).path != urlsplit(row["url"]).path or rec.status != 200:
                problems.append(f"{row['url']}: record is {rec.status} {rec.url}")
            if headers.get("content-encoding") != "gzip" or rec.body[:2] != b"\x1f\x8b":
                problems.append(f"{row['url']}: body not stored as sent (gzip)")
            html, _ = page_html(rec)
            article, reason = extract(html, row["url"])
            if article is None or content_hash(article.text) != row["hash"]:
                problems.append(f"{row['url']}: re-extracts to {reason or content_hash(article.text)}, not {row['hash']}")
    assert not problems, "\n".join(problems[:30])


def test_windows_1258_page_is_kept_in_its_own_encoding(run):
    traps = run.site.traps
    (row,) = rows(run.snap, "SELECT warc_file, warc_offset FROM urls WHERE url = ?", run.site.url(traps.cp1258.path))
    with WarcReader(run.warc) as reader:
        rec = reader.read(row["warc_file"], row["warc_offset"])
    assert dict(rec.headers)["Content-Type"] == "text/html; charset=windows-1258"
    raw = gzip.decompress(rec.body)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert traps.cp1258.title in unicodedata.normalize("NFC", raw.decode("cp1258"))  # cp1258 has combining tones


def test_listing_pages_are_captured_too(run):
    targets = []
    for path in warc_paths(run):
        with open(path, "rb") as fh:
            targets += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                        if r.rec_type == "response"]
    paths = {urlsplit(t).path for t in targets}
    assert {"/", "/tin-moi/", "/robots.txt"} <= paths


def test_crawl_counts_its_records(run):
    (crawl,) = rows(run.snap, "SELECT stats FROM crawls")
    stats = json.loads(crawl["stats"])
    assert stats["warc/records"] % 2 == 0 and stats["warc/records"] >= 2 * 60
    assert stats["warc/bytes"] == sum(p.stat().st_size for p in warc_paths(run)) - _warcinfo_bytes(run)


def _warcinfo_bytes(run: Run) -> int:
    total = 0
    for path in warc_paths(run):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                if rec.rec_type == "warcinfo":
                    rec.raw_stream.read()
                    total += it.get_record_length()
    return total


# --- re-extraction without the network -----------------------------------------------------------


def test_network_guard_blocks_sockets(run):
    code = f"import urllib.request; urllib.request.urlopen({run.site.base_url + '/'!r}, timeout=3)"
    proc = subprocess.run([sys.executable, "-c", code], env=offline_env(), capture_output=True, text=True)
    assert proc.returncode != 0 and "blocked" in proc.stderr


def test_reextract_rebuilds_the_deleted_articles_table_offline(run):
    db = snapshot(run.snap, run.tmp / "reextract.db")
    before = {r["hash"]: dict(r) for r in rows(db, "SELECT hash, url, title, text, published FROM articles")}
    url_map = {r["url"]: r["hash"] for r in rows(db, "SELECT url, hash FROM urls")}
    con = sqlite3.connect(db)
    con.execute("DELETE FROM articles")
    con.commit()
    con.close()
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 0

    proc = cli("--db", str(db), "reextract", "--workers", "2", env=offline_env())
    assert "rebuilt 60" in proc.stdout and "changed 0" in proc.stdout, proc.stdout

    after = {r["hash"]: dict(r) for r in rows(db, "SELECT hash, url, title, text, published FROM articles")}
    assert after.keys() == before.keys()
    assert after == before
    assert {r["url"]: r["hash"] for r in rows(db, "SELECT url, hash FROM urls")} == url_map
    assert rows(db, "PRAGMA foreign_key_check") == []
    hits = rows(db, "SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH 'tinh'")[0]["n"]
    assert hits > 0  # the search index follows the rebuilt rows

    # Run again on the intact archive: nothing to change.
    proc = cli("--db", str(db), "reextract", "--workers", "0", env=offline_env())
    assert "unchanged 60" in proc.stdout and "changed 0" in proc.stdout, proc.stdout


# --- revisions ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def refreshed(run):
    """The newest article edited on the server, then a crawl with refresh_days covering it."""
    site = run.site
    edited = site.articles[0]
    original = edited.text
    site.edit(edited, EDIT)
    db = snapshot(run.snap, run.tmp / "refresh.db")
    today = datetime.now(UTC).astimezone(edited.published.tzinfo).date()
    days = (today - edited.published.date()).days + 1
    hits_before = {a.path: site.hits(a.path) for a in site.articles}
    run_crawl(site, db, f"refresh_days={days}", name="warc-refresh", settings={"ARCHIVE_STALE_PAGES": 2})
    hits = {a.path: site.hits(a.path) - hits_before[a.path] for a in site.articles}
    return db, edited, original, days, hits


def test_refresh_refetches_recent_articles_only(run, refreshed):
    db, edited, _, days, hits = refreshed
    cutoff = (datetime.now(UTC) - timedelta(days=days)).astimezone(edited.published.tzinfo).date()
    recent = [a for a in run.site.articles if a.published.date() >= cutoff]
    assert edited in recent and len(recent) < len(run.site.articles)
    assert all(hits[a.path] == 1 for a in recent), {a.path: hits[a.path] for a in recent}
    assert all(hits[a.path] == 0 for a in run.site.articles if a not in recent)


def test_changed_article_gets_two_revisions_and_a_diff(run, refreshed):
    db, edited, original, _, _ = refreshed
    url = run.site.url(edited.path)
    (art,) = rows(db, "SELECT a.* FROM articles a JOIN urls u ON u.hash = a.hash WHERE u.url = ?", url)
    assert art["hash"] == content_hash(original)
    assert art["text"] == original  # articles keeps the text first archived
    revs = rows(db, "SELECT * FROM revisions WHERE article = ? ORDER BY revision", art["hash"])
    assert [r["revision"] for r in revs] == [1, 2]
    assert revs[0]["hash"] == art["hash"] and revs[0]["text"] == original
    assert revs[1]["hash"] == content_hash(edited.text) and revs[1]["text"] == edited.text
    assert revs[1]["url"] == url and revs[1]["fetched_at"] > revs[0]["fetched_at"]
    (u,) = rows(db, "SELECT * FROM urls WHERE url = ?", url)
    assert u["text_hash"] == revs[1]["hash"] and u["last_seen"] > u["first_seen"]
    # The new revision's capture reads back too.
    with WarcReader(run.warc) as reader:
        html, _ = page_html(reader.read(revs[1]["warc_file"], revs[1]["warc_offset"]))
    assert content_hash(extract(html, url)[0].text) == revs[1]["hash"]
    diff = text_diff(revs[0]["text"], revs[1]["text"])
    assert f"+ {EDIT}" in diff.splitlines() and not any(line.startswith("- ") for line in diff.splitlines())
    # No new article: the changed text is a revision, not a brand-new article.
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 60
    assert rows(db, "SELECT count(*) AS n FROM revisions WHERE article != ?", art["hash"])[0]["n"] == 0


def test_unchanged_refetches_only_touch_their_url(run, refreshed):
    db, edited, _, _, hits = refreshed
    stats = json.loads(rows(db, "SELECT stats FROM crawls ORDER BY id DESC LIMIT 1")[0]["stats"])
    refetched = sum(1 for a in run.site.articles if hits[a.path])
    aliases = sum(1 for path, art in run.site.traps.duplicates.items() if hits[art.path])
    assert stats["refresh/requested"] == refetched + aliases  # every URL of a recent article
    assert stats["archive/revised"] == 1
    assert stats["archive/unchanged"] == stats["refresh/requested"] - 1
    assert stats.get("archive/inserted", 0) == 0
    before = {r["url"]: dict(r) for r in rows(run.snap, "SELECT * FROM urls")}
    for r in rows(db, "SELECT * FROM urls"):
        old = before[r["url"]]
        if r["url"] == run.site.url(edited.path):
            continue
        if r["last_seen"] != old["last_seen"]:  # refetched and unchanged
            assert (r["hash"], r["first_seen"], r["text_hash"]) == (old["hash"], old["first_seen"], None)
            assert (r["warc_file"], r["warc_offset"]) != (old["warc_file"], old["warc_offset"])  # new capture


def test_reextract_keeps_revisions_consistent(run, refreshed):
    db = snapshot(refreshed[0], run.tmp / "refresh-reextract.db")
    before = rows(db, "SELECT article, revision, hash, text FROM revisions ORDER BY article, revision")
    proc = cli("--db", str(db), "reextract", "--workers", "0", env=offline_env())
    assert "revisions 2" in proc.stdout and "changed 0" in proc.stdout, proc.stdout
    assert rows(db, "SELECT article, revision, hash, text FROM revisions ORDER BY article, revision") == before


# --- exports --------------------------------------------------------------------------------------


def test_export_warc_and_jsonl_cover_the_whole_archive(run, refreshed):
    db = refreshed[0]
    out = run.tmp / "export"
    cli("--db", str(db), "export", str(out / "texts"), "--warc", str(out / "all.warc.gz"),
        "--jsonl", str(out / "all.jsonl"))
    index = subprocess.run([str(WARCIO), "index", "-f", "warc-type", str(out / "all.warc.gz")],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    expected = 0
    for path in sorted(run.warc.rglob("*.warc.gz")):
        with open(path, "rb") as fh:
            expected += sum(1 for _ in ArchiveIterator(fh))
    assert len(index) == expected
    objs = [json.loads(line) for line in (out / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(objs) == 60 == len(list((out / "texts").glob("*.txt")))
    assert sum(len(o["urls"]) for o in objs) == rows(db, "SELECT count(*) AS n FROM urls")[0]["n"]
    edited = [o for o in objs if o["revisions"]]
    assert len(edited) == 1 and [r["revision"] for r in edited[0]["revisions"]] == [1, 2]
    assert all(o["warc_file"] and o["urls"][0]["warc_offset"] is not None for o in objs)

    # A folder keeps the <site>/<file> layout, so warc_file values still name the files.
    cli("--db", str(db), "export", "--warc", str(out / "copy") + "/")
    copies = sorted(p.relative_to(out / "copy") for p in (out / "copy").rglob("*.warc.gz"))
    assert copies == sorted(p.relative_to(run.warc) for p in run.warc.rglob("*.warc.gz"))
    shutil.rmtree(out)


# -- a full disk under the WARC folder ------------------------------------------------------------


@pytest.mark.e2e
def test_a_full_warc_disk_costs_captures_only_never_pages(tmp_path, clean_site):
    """The reported failure: the WARC folder's disk fills mid-crawl. Every page must still be
    discovered and stored; only captures stop, once, and the rows say which pages have none."""
    from crawler.jobs import reextract as rx
    from crawler.store.archive import Archive
    from tests.small_disk import small_disk

    db = tmp_path / "archive.db"
    with small_disk(tmp_path / "warc", 192) as warc:
        result = run_crawl(clean_site, db, name="warc-full-disk",
                           settings={"ARCHIVE_WARC_DIR": str(warc), "ARCHIVE_EXTRACT_WORKERS": 0})
        assert result.log.count("WARC capture failed") == 1 and "No space left on device" in result.log
        (crawl,) = rows(db, "SELECT finish_reason, stats FROM crawls")
        stats = json.loads(crawl["stats"])
        assert crawl["finish_reason"] == "finished"
        assert stats["warc/errors"] == 1 and stats["warc/skipped/failed"] > 0 and stats["warc/records"] > 0
        # Nothing lost to the disk: every article stored, no false download errors.
        expected = {clean_site.url(p) for a in clean_site.articles for p in a.paths}
        assert {r["url"] for r in rows(db, "SELECT url FROM urls")} == expected
        assert rows(db, "SELECT count(*) FROM articles")[0][0] == len(clean_site.articles)
        assert rows(db, "SELECT reason, count(*) FROM rejects GROUP BY reason") == []
        captured = rows(db, "SELECT url, warc_file, warc_offset FROM articles WHERE warc_offset IS NOT NULL")
        uncaptured = rows(db, "SELECT warc_file FROM articles WHERE warc_offset IS NULL")
        assert captured and uncaptured, "the disk should fill part-way through the crawl"
        assert all(r["warc_file"] is None for r in uncaptured)
        assert rows(db, "SELECT count(*) FROM urls WHERE warc_file IS NULL AND warc_offset IS NOT NULL "
                        "OR warc_file IS NOT NULL AND warc_offset IS NULL")[0][0] == 0
        with WarcReader(warc) as reader:  # what was captured reads back, the cut file included
            for row in captured:
                assert reader.read(row["warc_file"], row["warc_offset"]).url.endswith(urlsplit(row["url"]).path)
        with Archive(db) as archive:
            report = rx.reextract(archive, warc, dry_run=True)
        assert report.no_capture == len(uncaptured) and report.articles == len(captured)
        assert report.missing == 0 and report.rejected == 0
