"""Sites whose CMS we do not know, and the ``news`` spider for any site.

``article_path = None``: an article is a link shaped like the article URLs the site's own feeds
and news sitemaps give (learned during the crawl), or like ``discovery.ARTICLE_GUESS`` (a long
slug, or a slug with an id). A site that knows its article pattern states it and the guessing is
off. Discovery is all automatic: robots.txt ``Sitemap:`` lines, feeds advertised with
``<link rel="alternate">``, same-site section links, pagination learned from page-2 links.

Trap rules are tighter than for a known family: sections at most two listings away from a start
page and 150 of them per run, section paths at most three segments without a query string, and
related-article links followed one hop from a listed article.
"""

from crawler.spiders.families import FAMILIES, FamilySpider


class GenericSpider(FamilySpider):
    family = FAMILIES["generic"]
