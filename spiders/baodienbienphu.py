"""Báo Điện Biên Phủ (baodienbienphu.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.generic import GenericSpider


class BaoDienBienPhuSpider(GenericSpider):
    name = "baodienbienphu"
    paper = "Báo Điện Biên Phủ"
    # baodienbienphu.info.vn: the older domain (docbao 2019)
    domains = ("baodienbienphu.vn", "baodienbienphu.info.vn")
    province = "Điện Biên"
    # config only; category pages render client-side, the home page is crawled
    article_path = r"^/tin-bai/[^/]+/[^/]+/?$"
