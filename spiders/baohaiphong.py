"""Báo Hải Phòng (baohaiphong.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoHaiPhongSpider(NumIdSpider):
    name = "baohaiphong"
    paper = "Báo Hải Phòng"
    # baohaiphong.com.vn: the older domain (docbao 2019)
    domains = ("baohaiphong.vn", "baohaiphong.com.vn")
    province = "Hải Phòng"
    # config only
    article_path = r"^/[a-z0-9-]+-\d+\.html$"
