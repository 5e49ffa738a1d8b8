"""Báo Sơn La (baosonla.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.generic import GenericSpider


class BaoSonLaSpider(GenericSpider):
    name = "baosonla"
    paper = "Báo Sơn La"
    domains = ("baosonla.vn",)
    province = "Sơn La"
    # config only; sections are /<slug>.html
    article_path = r"^/[^/]+/.+\.html$"
