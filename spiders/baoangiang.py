"""Báo An Giang (baoangiang.com.vn, tintucmientay.baoangiang.com.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.aid import AIdSpider


class BaoAnGiangSpider(AIdSpider):
    name = "baoangiang"
    paper = "Báo An Giang"
    domains = ("baoangiang.com.vn", "tintucmientay.baoangiang.com.vn")
    # verified: an article served on tintucmientay (shared/sites.md): a host with content of its own
    editions = ("tintucmientay.baoangiang.com.vn",)
    province = "An Giang"
    # verified: /phong-su-anh/?p=35 in archived copies (not ?page=)
    page_url = "{path}?p={page}"
