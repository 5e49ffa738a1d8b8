"""Báo Hải Phòng (baohaiphong.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoHaiPhongSpider(NumIdSpider):
    name = "baohaiphong"
    paper = "Báo Hải Phòng"
    domains = ("baohaiphong.vn",)
    province = "Hải Phòng"
    # config only; docbao 2019 knew the older baohaiphong.com.vn
    article_path = r"^/[a-z0-9-]+-\d+\.html$"
