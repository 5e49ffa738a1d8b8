"""Báo Khánh Hòa (baokhanhhoa.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.hex7 import Hex7Spider


class BaoKhanhHoaSpider(Hex7Spider):
    name = "baokhanhhoa"
    paper = "Báo Khánh Hòa"
    domains = ("baokhanhhoa.vn",)
    province = "Khánh Hòa"
    # /rss/home.rss appears only in a templated list: not stated; discovery is automatic
