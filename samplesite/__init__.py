"""A loopback sample site shaped like baocamau.vn, for end-to-end tests, ``make demo`` and
the crawl benchmark: same URL shapes and article markup as the real paper, deterministic
content built from the bundled seed texts, and the traps real provincial sites set for
crawlers (URL variants, republished and NFD duplicates, 404/500s, slow and huge pages,
windows-1258, endless pagination, robots-disallowed paths, video pages, off-site links).

    from samplesite import SampleSite
    with SampleSite(articles=60, traps=True) as site:
        print(site.base_url)

``python -m samplesite --port 8765 --articles 60`` serves one until Ctrl-C.
"""

from samplesite.server import SampleSite
from samplesite.site import Article, Category, Page, SiteModel, Traps

__all__ = ["SampleSite", "Article", "Category", "Page", "SiteModel", "Traps"]
