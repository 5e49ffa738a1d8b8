"""What the UI tests share: the pages a reader visits, the archive behind them, and the English
text of Datasette's that must not be left on them (tests/test_ui_vietnamese.py, test_ui_browser.py)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from crawler.store.archive import Archive
from crawler.jobs.sitesync import sync_sites
from tests.test_datasette import Site, build_archive

LONG_PAPER = "Báo Bà Rịa - Vũng Tàu điện tử, cơ quan của Đảng bộ tỉnh"

# A crawl's statistics as Scrapy leaves them after a real run: ~70 keys, some long.
CRAWL_STATS = {
    **{f"downloader/response_status_count/{code}": n for code, n in ((200, 4120), (301, 88), (404, 31), (500, 2))},
    **{f"downloader/exception_type_count/{name}": n for name, n in (
        ("twisted.internet.error.TimeoutError", 14), ("twisted.internet.error.DNSLookupError", 1),
        ("scrapy.core.downloader.handlers.http11.TunnelError", 1))},
    **{f"archive/{k}": n for k, n in (("inserted", 3120), ("alias", 210), ("revision", 12), ("unchanged", 640),
                                       ("duplicate", 97), ("reject", 141))},
    **{f"extract/rejected/{k}": n for k, n in (("too-short", 60), ("no-main-text", 40), ("video-only", 9),
                                                ("error-page", 3), ("timeout-extract", 1))},
    **{f"budget/exhausted/{k}": n for k, n in (("sections", 1), ("feeds", 0), ("sitemaps", 1))},
    **{f"discovery/{k}": n for k, n in (("listings", 480), ("feeds", 12), ("sitemaps", 6), ("archives", 30))},
    **{f"scheduler/{k}": n for k, n in (("enqueued", 4300), ("dequeued", 4300), ("enqueued/memory", 4300),
                                         ("dequeued/memory", 4300))},
    **{f"retry/{k}": n for k, n in (("count", 22), ("max_reached", 4),
                                     ("reason_count/twisted.internet.error.TimeoutError", 18))},
    "downloader/request_bytes": 1_802_311, "downloader/request_count": 4241,
    "downloader/request_method_count/GET": 4241, "downloader/response_bytes": 498_112_003,
    "downloader/response_count": 4241, "elapsed_time_seconds": 3611.52,
    "finish_reason": "finished", "finish_time": "2025-10-01T04:00:11.120000+00:00",
    "start_time": "2025-10-01T03:00:00.000000+00:00",
    "item_scraped_count": 4120, "log_count/DEBUG": 9120, "log_count/INFO": 71, "log_count/WARNING": 18,
    "log_count/ERROR": 4, "memusage/max": 412_000_000, "memusage/startup": 98_000_000,
    "request_depth_max": 9, "response_received_count": 4241, "robotstxt/request_count": 1,
    "robotstxt/response_count": 1, "robotstxt/response_status_count/200": 1,
    "httpcompression/response_bytes": 1_900_000_000, "httpcompression/response_count": 4100,
    "offsite/domains": 3, "offsite/filtered": 210, "dupefilter/filtered": 1312,
}


def build(path: Path) -> dict[str, str]:
    """The test archive of tests/test_datasette.py, a never-crawled paper with a long name,
    and a second crawl with a full set of statistics (run 2)."""
    ids = build_archive(path)
    with Archive(path) as archive:
        sync_sites(archive, [Site("baobariavungtau", LONG_PAPER, "Bà Rịa - Vũng Tàu")])
        crawl = archive.start_crawl("baocantho", {"max_pages": "5000"})
        archive.finish_crawl(crawl, finish_reason="finished",
                             figures={"requests": 4241, "new_articles": 3120, "duplicates": 97, "rejects": 141,
                                      "errors": 4}, stats=CRAWL_STATS)
    return ids


def pages(ids: dict[str, str]) -> dict[str, tuple[str, int]]:
    """What a reader opens: name → (path, expected status)."""
    return {
        "index": ("/", 200),
        "database": ("/archive", 200),
        "table": ("/archive/articles", 200),
        "table-filtered": ("/archive/articles?site=baocamau&_sort=title", 200),
        "table-search": ("/archive/articles?_search=dai+hoi+dang", 200),
        "table-paged": ("/archive/articles?_size=2", 200),
        "article": (f"/archive/articles/{ids['daihoi']}", 200),
        "crawls": ("/archive/crawls", 200),
        "crawl": ("/archive/crawls/2", 200),
        "rejects": ("/archive/rejects", 200),
        "sites": ("/archive/sites", 200),
        "canned": ("/archive/newest_per_site", 200),
        "canned-history": ("/archive/crawl_history?site=baocamau", 200),
        "sql": ("/archive?sql=select+title+from+articles", 200),
        "sql-error": ("/archive?sql=select+nothing", 400),
        "no-record": ("/archive/articles/0000000000000000", 404),
        "no-table": ("/archive/nosuchtable", 404),
        "no-database": ("/nosuchdb", 404),
        "dashboard": ("/archive/-/dashboard?since=01/09/2024&until=12/2025", 200),
        "revisions": (f"/archive/-/revisions/{ids['daihoi']}", 200),
        # The search page itself (templates/archive-search.html) is the search part's, tested there.
        "bad-date": ("/archive/search?q=dai+hoi&since=notadate", 400),
    }


# Datasette's own English, as its templates and views write it (datasette 0.65): none may be
# left on a page. Matched as whole words, case-sensitive, in the text a reader sees.
DATASETTE_ENGLISH = [
    "sorted by", "descending", "Apply", "Next page", "Advanced export", "advanced",
    "Custom SQL query", "returning", "Record not found", "Table not found", "Database not found",
    "Error 404", "Error 400", "Invalid SQL", "This data as", "Powered by", "Queries took", "Data source",
    "Data license", "Query parameters", "Run SQL", "Format SQL", "Edit SQL", "View and edit SQL",
    "JSON shape", "default", "array", "newline-delimited", "object", "CSV options", "download file",
    "expand labels", "stream all rows", "Export CSV", "Links from other tables", "hidden table",
    "hidden tables", "Many rows", "Suggested facets", "remove filter", "column", "Sort...", "Sort by",
    "Search:", "0 results", "0 records", "Log out", "home", "Queries", "Tables", "Views", "rows in",
    "hide", "show", "contains", "starts with", "ends with", "is null", "is not null", "is blank",
    "array contains", "Table actions", "remove", "These facets timed out",
]
# Datasette's English that our own bilingual glosses ("· One row per crawl run") may share a
# word with: matched in the shape Datasette writes it.
DATASETTE_ENGLISH_SHAPES = [r"\d[\d,]* rows?", r"where \w+ (?:=|!=|>|<|≥|≤|contains|like|is)", r"rows in \d"]
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(
    [re.escape(s) for s in sorted(DATASETTE_ENGLISH, key=len, reverse=True)] + DATASETTE_ENGLISH_SHAPES)
    + r")(?![\w-])")

# Internal tables: hidden from the home and database pages, still reachable.
INTERNAL_TABLES = ["story_lsh", "story_index", "articles_fts", "listing_walks"]


def visible_text(page: str) -> str:
    """The text of an HTML page a reader sees (no scripts, styles, tags, SQL shown as code)."""
    page = re.sub(r"(?is)<(script|style|textarea|pre|code)[^>]*>.*?</\1>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def english_left(text: str) -> list[str]:
    return sorted(set(_ENGLISH.findall(text)))
