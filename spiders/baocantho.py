"""Báo Cần Thơ (baocantho.com.vn). Facts from shared/sites.md; overall: verified (saved HTML + URLs)."""

from crawler.spiders.families.aid import AIdSpider


class BaoCanThoSpider(AIdSpider):
    name = "baocantho"
    paper = "Báo Cần Thơ"
    domains = ("baocantho.com.vn",)
    province = "Cần Thơ"
    # evidenced: linked from saved category/article HTML; /rss/home.rss only in a templated list, left out
    feeds = ("/rss/cate/thoi-su/", "/rss/subcate/can-tho/")
    # pagination: unverified (no page links in the saved category HTML), learned from page-2 links
