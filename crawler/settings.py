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
# `scrapy crawl` with checked inputs and exit statuses that follow the finish reason.
COMMANDS_MODULE = "crawler.commands.scrapycmds"

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
    # The store decides novelty itself (new / alias / revision / unchanged): no dedupe stage.
    "pipelines.store.StorePipeline": 300,
}
# Raw captures (crawler/middlewares/warc.py): just after the HTTP cache, before every middleware that
# changes a response (HttpCompressionMiddleware 590, RedirectMiddleware 600), so the WARC
# records hold the body as the server sent it. The spider middleware copies the capture's
# location onto the page item.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.warc.WarcMiddleware": 880,
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.warcmeta.WarcMetaMiddleware": 550,
}
EXTENSIONS = {
    # The crawl's one archive connection (opened on first use, closed when the engine stops).
    "crawler.extensions.archive.ArchiveConnection": 0,
    "crawler.extensions.crawllog.CrawlLog": 500,
    # Before CrawlLog, so its stats (stories/*) are in the crawls row CrawlLog writes at close.
    "crawler.extensions.stories.StoriesExtension": 490,
    # Running a crawl (README, "Exit status"): a crawl that reached nothing says so in its finish
    # reason; a summary at the end; progress while it runs, which replaces Scrapy's LogStats line.
    "crawler.extensions.reachability.Reachability": 510,
    "crawler.extensions.summary.CrawlSummary": 520,
    "crawler.extensions.progress.Progress": 530,
    "scrapy.extensions.logstats.LogStats": None,
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
# A feed or sitemap that answered 404/410 or was not one is tried again only after this many days
# (crawler/spiders/deadsources.py).
ARCHIVE_DEAD_SOURCE_DAYS = 7
ARCHIVE_REJECT_RETRY_HOURS = 6.0
ARCHIVE_REJECT_MAX_ATTEMPTS = 5
# The store's writes (crawler/store/archive.py): a write that finds the database locked waits
# ARCHIVE_DB_TIMEOUT, and is tried ARCHIVE_DB_LOCK_ATTEMPTS times in all (pauses of 0.2 s
# doubling to 5 s between) before the crawl ends as store-failed.
ARCHIVE_DB_LOCK_ATTEMPTS = 8
# Extraction time budget: a page whose extraction runs longer than this many seconds becomes a
# `timeout-extract` reject (retried on later runs) instead of holding a worker. 0 = no budget.
ARCHIVE_EXTRACT_TIMEOUT = 30.0
# A page with more elements (start tags) than this is a `too-many-elements` reject, counted before
# it is parsed: the largest of 200 real provincial article pages has ~1,800; 300,000 short
# paragraphs held a worker 601 MB. 0 = no bound.
ARCHIVE_EXTRACT_MAX_ELEMENTS = 50000
# Discovery budgets (crawler/spiders/budget.py): what one run may spend on one site besides
# articles. Each non-article request is paid from ARCHIVE_BUDGET_REQUESTS and from its kind's
# budget; sections opened are counted by ARCHIVE_BUDGET_SECTIONS. -a backfill=1 (or a since
# more than ARCHIVE_BACKFILL_SINCE_DAYS ago) multiplies them all by ARCHIVE_BACKFILL_FACTOR.
ARCHIVE_BUDGET_REQUESTS = 3000
ARCHIVE_BUDGET_LISTING = 2000
ARCHIVE_BUDGET_SECTIONS = 200
ARCHIVE_BUDGET_FEEDS = 30
ARCHIVE_BUDGET_SITEMAPS = 300
ARCHIVE_BUDGET_ARCHIVES = 400
ARCHIVE_BUDGET_GUESSES = 1000
ARCHIVE_BACKFILL_FACTOR = 50
ARCHIVE_BACKFILL_SINCE_DAYS = 365
# A backfill's day-archive walk (crawler/spiders/archives.py) ends after this many empty days.
ARCHIVE_ARCHIVE_EMPTY_DAYS = 60
# Sections are opened from start pages and menus, at most this many listings from a start page
# (a family's section_depth, where stated, wins).
ARCHIVE_SECTION_DEPTH = 2
# WARC captures: a relative path is relative to ARCHIVE_DB's folder (<project>/warc/ for the
# default archive); empty disables capture. Files rotate at ARCHIVE_WARC_MAX_BYTES.
ARCHIVE_WARC_DIR = "warc"
ARCHIVE_WARC_MAX_BYTES = 1024**3

# Stories (crawler/stories/, crawler/extensions/stories.py): place each crawl's new articles
# into stories at spider close, and every ARCHIVE_STORIES_EVERY scraped items if > 0.
ARCHIVE_STORIES_ENABLED = True
ARCHIVE_STORIES_EVERY = 0

FEED_EXPORT_ENCODING = "utf-8"
# INFO, without Scrapy's settings and component dumps or a line per page (they move to DEBUG,
# crawler/commands/logs.py); `-L INFO` or `-s LOG_LEVEL=INFO` brings them back.
LOG_LEVEL = "INFO"

# Running a crawl: progress and reachability (crawler/extensions/progress.py, reachability.py).
# ARCHIVE_PROGRESS: "auto" = a live line when stderr is a terminal, else a log line every
# LOGSTATS_INTERVAL seconds; "line" or "log" forces one; "off" neither.
ARCHIVE_PROGRESS = "auto"
ARCHIVE_PROGRESS_INTERVAL = 2.0
ARCHIVE_REACHABILITY_ENABLED = True
# canary: the host:port that proves the machine is online before any site is blamed.
ARCHIVE_NETWORK_PROBE = "www.google.com:443"

# Every crawler gets the ARCHIVE_* defaults above and has its values checked (crawler/defaults.py).
ADDONS = {"crawler.defaults.ArchiveDefaults": 0}
