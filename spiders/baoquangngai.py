"""Báo Quảng Ngãi (baoquangngai.vn). Facts from shared/sites.md; overall: verified (two URL eras)."""

from crawler.spiders.families import either
from crawler.spiders.families.hex7 import Hex7Spider
from crawler.spiders.families.numid import NumIdSpider


class BaoQuangNgaiSpider(NumIdSpider):
    name = "baoquangngai"
    paper = "Báo Quảng Ngãi"
    domains = ("baoquangngai.vn",)
    province = "Quảng Ngãi"
    # verified: new /<slug>-<id>.htm, old hex7 layout
    article_path = either(r"^/[a-z0-9-]+-\d+\.htm$", Hex7Spider.article_path)
