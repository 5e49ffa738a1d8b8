"""WARC capture and reading: the downloader middleware, the item middleware, decoding a capture
as a crawl would, exports. (End to end over a real crawl: tests/test_warc_e2e.py.)"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.store.archive import Archive
from crawler.jobs.exports import export_jsonl, export_warc
from crawler.items import ArticleRecord, PageItem
from samplesite.pages import encode_cp1258
from crawler.jobs.reextract import page_html, response_from_record
from crawler.middlewares.warc import WarcMiddleware
from crawler.store.warc import WarcReader, iter_records, warc_dir, warc_files
from crawler.middlewares.warcmeta import WarcMetaMiddleware
from tests.small_disk import fill, small_disk

WARCIO = Path(sys.executable).with_name("warcio")
HTML = "<html><head><title>Đại hội Đảng</title></head><body><p>Tỉnh uỷ Cà Mau họp phiên bế mạc.</p></body></html>"


class Paper(Spider):
    name = "baotest"
    site = "baotest"


def middleware(tmp_path: Path, **settings) -> WarcMiddleware:
    crawler = get_crawler(Paper, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_WARC_DIR": "warc", **settings})
    crawler.spider = Paper()
    return WarcMiddleware.from_crawler(crawler)


def response(url="http://bao.test/tin-a1.html", body=HTML, charset="utf-8", encoding=None, status=200, **kw):
    raw = encode_cp1258(body) if charset == "windows-1258" else body.encode(charset)
    headers = {"Content-Type": f"text/html; charset={charset}", "Server": "nginx", "Set-Cookie": ["a=1", "b=2"]}
    if encoding == "gzip":
        raw = gzip.compress(raw)
        headers["Content-Encoding"] = "gzip"
    request = Request(url, headers={"Accept-Encoding": "gzip, deflate", "User-Agent": "test-agent"}, meta=kw)
    # What the download handler hands over: a plain Response, still compressed.
    return request, Response(url, status=status, headers=headers, body=raw, request=request, protocol="HTTP/1.1",
                             ip_address=None)


# -- settings ---------------------------------------------------------------------------------


def test_warc_dir_is_relative_to_the_database(tmp_path):
    assert warc_dir("warc", tmp_path / "archive.db") == tmp_path / "warc"
    assert warc_dir("/srv/warc", tmp_path / "archive.db") == Path("/srv/warc")
    assert warc_dir("", tmp_path / "archive.db") is None and warc_dir(None) is None
    assert warc_dir("warc", "") is None  # no archive (a canary run): nothing to capture for
    assert warc_dir("/srv/warc", "") == Path("/srv/warc")


def test_empty_dir_disables_capture(tmp_path):
    with pytest.raises(NotConfigured):
        middleware(tmp_path, ARCHIVE_WARC_DIR="")
    crawler = get_crawler(Paper, {"ARCHIVE_WARC_DIR": ""})
    with pytest.raises(NotConfigured):
        WarcMetaMiddleware.from_crawler(crawler)


def test_project_settings_place_the_middleware_before_decompression():
    from scrapy.utils.project import get_project_settings

    s = get_project_settings()
    mws = {**s.getdict("DOWNLOADER_MIDDLEWARES_BASE"), **s.getdict("DOWNLOADER_MIDDLEWARES")}
    ours = mws["crawler.middlewares.warc.WarcMiddleware"]
    # Higher = closer to the downloader: it sees responses before these change them.
    assert ours > mws["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"]
    assert ours > mws["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"]
    assert ours < mws["scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware"]


# -- capture ----------------------------------------------------------------------------------


def test_response_and_request_records_with_location_in_meta(tmp_path):
    mw = middleware(tmp_path)
    request, resp = response(encoding="gzip", article_url="http://bao.test/tin-a1.html")
    assert mw.process_response(request, resp) is resp
    mw.spider_closed(mw.crawler.spider)
    capture = request.meta["warc"]
    assert capture["file"].startswith("baotest/baotest-") and capture["file"].endswith(".warc.gz")
    path = tmp_path / "warc" / capture["file"]
    stats = mw.crawler.stats.get_stats()
    assert stats["warc/records"] == 2 and stats["warc/files"] == 1
    with open(path, "rb") as fh:
        fh.seek(capture["offset"])
        records = list(ArchiveIterator(fh))
    resp_rec, req_rec = records[0], records[1]
    assert resp_rec.rec_type == "response" and req_rec.rec_type == "request"
    assert req_rec.rec_headers.get_header("WARC-Concurrent-To") == resp_rec.rec_headers.get_header("WARC-Record-ID")
    assert resp_rec.rec_headers.get_header("WARC-Target-URI") == "http://bao.test/tin-a1.html"
    assert resp_rec.http_headers.get_statuscode() == "200"
    assert resp_rec.http_headers.get_header("Content-Encoding") == "gzip"
    assert resp_rec.http_headers.get_header("Content-Length") == str(len(resp.body))
    assert [v for k, v in resp_rec.http_headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    with open(path, "rb") as fh:  # read again for the raw body (ArchiveIterator consumed it above)
        fh.seek(capture["offset"])
        body = next(iter(ArchiveIterator(fh))).raw_stream.read()
    assert body == resp.body  # byte-exact: still compressed, as sent
    assert req_rec.http_headers.protocol == "GET" or req_rec.http_headers.statusline.startswith("/tin-a1.html")
    assert req_rec.http_headers.get_header("Host") == "bao.test"
    assert req_rec.http_headers.get_header("User-Agent") == "test-agent"
    assert stats["warc/bytes"] == path.stat().st_size - capture["offset"]
    out = subprocess.run([str(WARCIO), "check", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_cached_and_opted_out_responses_are_not_captured(tmp_path):
    mw = middleware(tmp_path)
    request, resp = response()
    resp.flags.append("cached")
    mw.process_response(request, resp)
    request2, resp2 = response(dont_archive=True)
    mw.process_response(request2, resp2)
    assert "warc" not in request.meta and "warc" not in request2.meta
    assert not list((tmp_path / "warc").rglob("*.warc.gz"))


def test_files_rotate_by_size_and_all_read_back(tmp_path):
    mw = middleware(tmp_path, ARCHIVE_WARC_MAX_BYTES=2000)
    captures = []
    for i in range(12):
        request, resp = response(url=f"http://bao.test/tin-a{i}.html", body=HTML + f"<!-- {i} -->" * 30)
        mw.process_response(request, resp)
        captures.append((request.meta["warc"], resp.url))
    mw.spider_closed(mw.crawler.spider)
    files = warc_files(tmp_path / "warc", "baotest")
    assert len(files) > 2 and len({c["file"] for c, _ in captures}) == len(files)
    assert all(p.stat().st_size < 2000 + 2000 for p in files)
    with WarcReader(tmp_path / "warc", max_open=2) as reader:
        for capture, url in captures:
            assert reader.read(capture["file"], capture["offset"]).url == url
    for path in files:  # each file starts with its own warcinfo record
        assert next(iter_records(path)).rec_type == "warcinfo"


def test_truncated_last_record_is_skipped_with_a_warning(tmp_path, caplog):
    mw = middleware(tmp_path)
    for i in range(3):
        request, resp = response(url=f"http://bao.test/tin-a{i}.html")
        mw.process_response(request, resp)
    mw.spider_closed(mw.crawler.spider)
    (path,) = warc_files(tmp_path / "warc")
    data = path.read_bytes()
    path.write_bytes(data[:-150])  # as a SIGKILL mid-write leaves it
    entries = list(iter_records(path))
    assert [e.rec_type for e in entries] == ["warcinfo", "response", "request", "response", "request", "response"]
    assert "not a complete record" in caplog.text


def test_item_middleware_copies_the_capture_onto_page_items(tmp_path):
    crawler = get_crawler(Paper, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_WARC_DIR": "warc"})
    mw = WarcMetaMiddleware.from_crawler(crawler)
    request = Request("http://bao.test/tin-a1.html", meta={"warc": {"file": "baotest/x.warc.gz", "offset": 42,
                                                                      "length": 10}})
    resp = HtmlResponse(request.url, body=HTML.encode(), encoding="utf-8", request=request)
    page = PageItem(url=request.url, site="baotest", fetched_at="2025-01-01T00:00:00+00:00", html=HTML)
    failed = PageItem(url=request.url, site="baotest", fetched_at="2025-01-01T00:00:00+00:00", reject_reason="x")
    out = list(mw.process_spider_output(resp, [page, failed, Request("http://bao.test/")]))
    assert (out[0].warc_file, out[0].warc_offset) == ("baotest/x.warc.gz", 42)
    assert out[1].warc_file is None and isinstance(out[2], Request)


# -- decoding a capture as the crawl did --------------------------------------------------------


def _capture(tmp_path, **kw):
    mw = middleware(tmp_path)
    request, resp = response(**kw)
    mw.process_response(request, resp)
    mw.spider_closed(mw.crawler.spider)
    with WarcReader(tmp_path / "warc") as reader:
        return reader.read(request.meta["warc"]["file"], request.meta["warc"]["offset"])


@pytest.mark.parametrize("charset,encoding", [("utf-8", None), ("utf-8", "gzip"), ("windows-1258", "gzip")])
def test_capture_decodes_like_the_crawl(tmp_path, charset, encoding):
    body = HTML.replace("Cà Mau", "Cà Mau – Tỉnh") if charset == "utf-8" else HTML.replace("Đảng", "Đảng")
    rec = _capture(tmp_path, body=body, charset=charset, encoding=encoding)
    resp = response_from_record(rec)
    assert isinstance(resp, TextResponse) and "Content-Encoding" not in resp.headers
    html, reason = page_html(rec)
    import unicodedata

    assert reason is None and unicodedata.normalize("NFC", html) == unicodedata.normalize("NFC", body)


def test_meta_charset_without_header_charset(tmp_path):
    body = '<html><head><meta charset="windows-1258"></head><body><p>Hội nghị</p></body></html>'
    rec = _capture(tmp_path, body=body, charset="windows-1258")
    rec.headers = [(k, "text/html" if k == "Content-Type" else v) for k, v in rec.headers]
    html, _ = page_html(rec)
    import unicodedata

    assert "Hội nghị" in unicodedata.normalize("NFC", html)


def test_non_html_capture_is_a_reject_reason(tmp_path):
    rec = _capture(tmp_path, url="http://bao.test/files/bao-cao.pdf")
    rec.headers = [(k, "application/pdf" if k == "Content-Type" else v) for k, v in rec.headers]
    rec.body = b"%PDF-1.4\n\x00\x01\x02\xff binary"
    assert page_html(rec) == (None, "not-html")


# -- exports ------------------------------------------------------------------------------------


def test_export_warc_concatenates_complete_records_only(tmp_path, caplog):
    mw = middleware(tmp_path, ARCHIVE_WARC_MAX_BYTES=1500)
    for i in range(6):
        request, resp = response(url=f"http://bao.test/tin-a{i}.html", body=HTML + f"<!-- {i} -->" * 30)
        mw.process_response(request, resp)
    mw.spider_closed(mw.crawler.spider)
    files = warc_files(tmp_path / "warc")
    last = files[-1]
    last.write_bytes(last.read_bytes()[:-100])  # a crawl killed while writing
    out = tmp_path / "out" / "all.warc.gz"
    res = export_warc(None, tmp_path / "warc", out)
    assert res.files == len(files) and res.dropped_bytes > 0
    with open(out, "rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh)]
    assert types.count("warcinfo") == len(files) and types.count("response") == 6
    assert res.records == len(types)
    index = subprocess.run([str(WARCIO), "index", str(out)], capture_output=True, text=True, check=True)
    assert len(index.stdout.splitlines()) == len(types)


def test_export_jsonl_has_urls_and_revisions(tmp_path):
    from crawler.text import content_hash

    text = "Chiều 23/7, Thường trực Tỉnh ủy Cà Mau tổ chức Hội nghị.\n\nĐại hội Đảng bộ các cấp."
    with Archive(tmp_path / "archive.db") as archive:
        archive.store([ArticleRecord(hash=content_hash(text), urls=["https://bao.test/a-a1.html"], site="baotest", fetched_at="2025-07-24T00:00:00+00:00", article={"title": "Hội nghị", "text": text, "tags": ["Cà Mau"]}, warc_file="baotest/x.warc.gz", warc_offset=7)])
        n = export_jsonl(archive, tmp_path / "a.jsonl")
    (obj,) = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert n == 1 and obj["tags"] == ["Cà Mau"] and "folded" not in obj
    assert obj["warc_file"] == "baotest/x.warc.gz" and obj["warc_offset"] == 7
    assert obj["urls"][0]["url"] == "https://bao.test/a-a1.html" and obj["urls"][0]["warc_offset"] == 7
    assert obj["revisions"] == []


def test_a_full_disk_leaves_the_page_uncaptured_not_the_crawl_broken(tmp_path, caplog):
    """ENOSPC on a real (tmpfs) disk: the file is cut back to its last complete record and
    closed, one error is logged, later responses pass through uncaptured, never raising."""
    with small_disk(tmp_path / "disk", 256) as disk:
        crawler = get_crawler(Paper, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_WARC_DIR": str(disk)})
        crawler.spider = Paper()
        mw = WarcMiddleware.from_crawler(crawler)
        request, resp = response()
        mw.process_response(request, resp)
        first = request.meta["warc"]
        fill(disk, leave_bytes=2048)
        big = HTML.replace("</p>", "".join(f" đoạn {i} của bài" for i in range(20000)) + "</p>")
        outcomes = []
        for n in range(2, 6):  # each page larger than what is left
            req, res = response(url=f"http://bao.test/tin-a{n}.html", body=big)
            assert mw.process_response(req, res) is res  # the crawl gets its response, always
            outcomes.append("warc" in req.meta)
        assert outcomes == [False] * 4
        stats = crawler.stats.get_stats()
        assert stats["warc/errors"] == 1 and stats["warc/skipped/failed"] == 3
        assert caplog.text.count("WARC capture failed") == 1 and "No space left" in caplog.text
        mw.spider_closed(crawler.spider)
        (path,) = warc_files(disk)
        # The file ends with its last complete record: every record reads, the first page by offset.
        entries = list(iter_records(path))
        assert [e.rec_type for e in entries] == ["warcinfo", "response", "request"]
        assert entries[-1].offset + entries[-1].length == path.stat().st_size
        with WarcReader(disk) as reader:
            assert reader.read(first["file"], first["offset"]).url == "http://bao.test/tin-a1.html"
        check = subprocess.run([str(WARCIO), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_a_full_disk_before_the_first_record_leaves_no_empty_file(tmp_path):
    with small_disk(tmp_path / "disk", 64) as disk:
        crawler = get_crawler(Paper, {"ARCHIVE_DB": str(tmp_path / "archive.db"), "ARCHIVE_WARC_DIR": str(disk)})
        crawler.spider = Paper()
        mw = WarcMiddleware.from_crawler(crawler)
        (disk / "baotest").mkdir()
        fill(disk)
        request, resp = response()
        assert mw.process_response(request, resp) is resp and "warc" not in request.meta
        assert crawler.stats.get_value("warc/errors") == 1
        mw.spider_closed(crawler.spider)
        assert warc_files(disk) == []  # a file with no complete record is removed
