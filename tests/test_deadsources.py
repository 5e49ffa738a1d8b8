"""Dead feeds and sitemaps (crawler/spiders/deadsources.py) and the newest-first listing learned
from a family's ``latest_pattern``, on a real archive file without a crawl (the crawls are in
tests/test_daily_e2e.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.sites import spider_classes
from crawler.spiders.deadsources import DeadSources, looks_like_feed
from crawler.store import deadsources as store
from crawler.store.archive import Archive


@pytest.mark.parametrize("body,feed", [
    (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel></channel></rss>', True),
    (b"\xef\xbb\xbf<?xml version='1.0'?><!-- x --><feed xmlns='http://www.w3.org/2005/Atom'/>", True),
    (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>', True),
    (b"<!DOCTYPE html><html><body>Trang ch\xe1\xbb\xa7</body></html>", False),
    (b"", False),
    (b'<?xml version="1.0"?><urlset></urlset>', False),
])
def test_a_feed_is_told_by_its_root_element(body, feed):
    assert looks_like_feed(body) is feed


def spider(name, db, **settings):
    cls = spider_classes()[name]
    crawler = get_crawler(cls, {"ARCHIVE_DB": str(db), **settings})
    return cls.from_crawler(crawler, base_url="http://127.0.0.1:9/")


def test_a_dead_source_is_skipped_for_its_days_then_tried_again(tmp_path):
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        store.mark_dead(archive, "baoxaydung", "http://127.0.0.1:9/rss/a.rss", "feed", "http-404")
        old = (datetime.now(UTC) - timedelta(days=8)).isoformat(timespec="seconds")
        store.mark_dead(archive, "baoxaydung", "http://127.0.0.1:9/rss/b.rss", "feed", "http-410", when=old)
        store.mark_dead(archive, "baocamau", "http://127.0.0.1:9/rss/c.rss", "feed", "http-404")
    s = spider("baoxaydung", db, ARCHIVE_DEAD_SOURCE_DAYS=7)
    dead = DeadSources.of(s)
    assert dead.skip("http://127.0.0.1:9/rss/a.rss")
    assert not dead.skip("http://127.0.0.1:9/rss/b.rss")  # 8 days ago: due again
    assert not dead.skip("http://127.0.0.1:9/rss/c.rss")  # another paper's
    assert s.feed_walker.request("http://127.0.0.1:9/rss/a.rss") is None
    assert s.feed_walker.request("http://127.0.0.1:9/rss/b.rss") is not None
    # it answers with a feed now: forgotten
    req = Request("http://127.0.0.1:9/rss/b.rss")
    dead.answered(TextResponse(req.url, body=b"<rss/>", request=req), "feed", readable=True)
    s.progress.close()
    with Archive(db) as archive:
        assert [r["url"] for r in store.listed(archive, ["baoxaydung"])] == ["http://127.0.0.1:9/rss/a.rss"]
        assert len(store.listed(archive)) == 2


def test_the_newest_first_listing_is_learned_from_the_familys_pattern(tmp_path):
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        archive.db["listing_walks"].insert_all([
            {"site": "baoxaydung", "listing": p, "kind": "listing", "walked": 3, "owed": 0, "complete": 1}
            for p in ("/kinh-te.htm", "/tin-moi-nhat.htm", "//other.host/tin-moi.htm")], alter=False)
    s = spider("baoxaydung", db)
    assert s.latest_path == "/tin-moi-nhat.htm"
    assert s.start_listings()[:2] == ["/", "/tin-moi-nhat.htm"]
    s.progress.close()
    # a site stating its own path keeps it; without a walk of that shape there is none
    assert spider("baocamau", db).latest_path == "/tin-moi/"
    assert spider("baohaiphong", db).latest_path is None
