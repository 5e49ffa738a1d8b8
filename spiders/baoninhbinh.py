"""Báo Ninh Bình (baoninhbinh.org.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families import DENY_PATH
from crawler.spiders.families.numid import NumIdSpider


class BaoNinhBinhSpider(NumIdSpider):
    name = "baoninhbinh"
    paper = "Báo Ninh Bình"
    domains = ("baoninhbinh.org.vn",)
    province = "Ninh Bình"
    # config only: 15-digit ids
    article_path = r"^/[a-z0-9-]+-\d{15}\.html$"
    # config only: the print edition is not articles
    deny_path = DENY_PATH + r"|^/(?:bao-in|doc-bao-in)(?:[/.]|$)"
