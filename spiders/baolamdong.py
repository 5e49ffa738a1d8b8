"""Báo Lâm Đồng (baolamdong.vn). Facts from shared/sites.md; overall: verified (two URL eras)."""

from crawler.spiders.families import either
from crawler.spiders.families.hex7 import Hex7Spider
from crawler.spiders.families.numid import NumIdSpider


class BaoLamDongSpider(NumIdSpider):
    name = "baolamdong"
    paper = "Báo Lâm Đồng"
    domains = ("baolamdong.vn",)
    province = "Lâm Đồng"
    # verified: new /<slug>-<id>.html, old hex7 layout; English articles (issue 20) are on this
    # host in the same shapes, with English slugs
    article_path = either(r"^/[a-z0-9-]+-\d+\.html$", Hex7Spider.article_path)
