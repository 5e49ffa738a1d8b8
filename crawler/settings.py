"""Scrapy settings for the archive.

Politeness defaults are chosen for small provincial newspapers on modest hosting: at most two
requests in flight per site, a one-second base delay that AutoThrottle raises when the site
slows down, and an honest User-Agent that says who we are and where to complain.
Every ``ARCHIVE_*`` setting is documented in README.md.
"""

from crawler import PROJECT_ROOT, PROJECT_URL, __version__

BOT_NAME = "vn-provincial-archive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = f"vn-provincial-archive/{__version__} (+{PROJECT_URL})"
ROBOTSTXT_OBEY = True
# Scrapy's Protego parser, plus: robots.txt Sitemap: lines go to the spider (crawler/middlewares/robots.py).
ROBOTSTXT_PARSER = "crawler.middlewares.robots.SitemapRobotParser"

# Politeness.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# No control port on a machine that runs scheduled crawls.
REMOTE_CONTROL_ENABLED = False

# Robustness: retry transient failures, never wait forever, never swallow a huge page.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}
# Raw captures (crawler/store/warc.py): just after the HTTP cache, before every middleware that
# changes a response (HttpCompressionMiddleware 590, RedirectMiddleware 600), so the WARC
# records hold the body as the server sent it. The spider middleware copies the capture's
# location onto the page item.
DOWNLOADER_MIDDLEWARES = {
    "crawler.store.warc.WarcMiddleware": 880,
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.warcmeta.WarcMetaMiddleware": 550,
}
EXTENSIONS = {
    "crawler.extensions.crawllog.CrawlLog": 500,
    # Before CrawlLog, so its stats (stories/*) are in the crawls row CrawlLog writes at close.
    "crawler.extensions.stories.StoriesExtension": 490,
}

# The archive.
ARCHIVE_DB = str(PROJECT_ROOT / "archive.db")
ARCHIVE_BATCH_SIZE = 50
ARCHIVE_FLUSH_SECONDS = 10.0
ARCHIVE_DB_TIMEOUT = 30.0
ARCHIVE_EXTRACT_WORKERS = 2
ARCHIVE_STALE_PAGES = 2
ARCHIVE_MAX_PAGES = 1000
ARCHIVE_SECTION_SWEEP_HOURS = 168.0
ARCHIVE_REJECT_RETRY_HOURS = 6.0
ARCHIVE_REJECT_MAX_ATTEMPTS = 5
# WARC captures: a relative path is relative to ARCHIVE_DB's folder (<project>/warc/ for the
# default archive); empty disables capture. Files rotate at ARCHIVE_WARC_MAX_BYTES.
ARCHIVE_WARC_DIR = "warc"
ARCHIVE_WARC_MAX_BYTES = 1024**3

# Stories (crawler/stories/, crawler/extensions/stories.py): place each crawl's new articles
# into stories at spider close, and every ARCHIVE_STORIES_EVERY scraped items if > 0.
ARCHIVE_STORIES_ENABLED = True
ARCHIVE_STORIES_EVERY = 0

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
