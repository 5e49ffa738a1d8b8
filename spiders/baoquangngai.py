"""Báo Quảng Ngãi (baoquangngai.vn). Facts from shared/sites.md and issue 20; overall: verified (three URL eras)."""

from crawler.spiders.families import either
from crawler.spiders.families.hex7 import Hex7Spider
from crawler.spiders.families.monthpath import MonthPathSpider
from crawler.spiders.families.numid import NumIdSpider


class BaoQuangNgaiSpider(NumIdSpider):
    name = "baoquangngai"
    paper = "Báo Quảng Ngãi"
    domains = ("baoquangngai.vn",)
    province = "Quảng Ngãi"
    # URL eras (verified; issue 20): today /<slug>-<id>.htm, the hex7 layout (2023) and before it
    # the vendor's /channel/<n>/<yyyymm>/<slug>-<id>/ (2021, the month-folder shape)
    article_path = either(r"^/[a-z0-9-]+-\d+\.htm$", Hex7Spider.article_path, MonthPathSpider.article_path)
