"""Báo Bắc Ninh (baobacninhtv.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.generic import GenericSpider


class BaoBacNinhSpider(GenericSpider):
    name = "baobacninhtv"
    paper = "Báo Bắc Ninh"
    domains = ("baobacninhtv.vn",)
    province = "Bắc Ninh"
    # config only: odd .bbg extension
    article_path = r"^/[a-z0-9-]+-postid\d+\.bbg$"
