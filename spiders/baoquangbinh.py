"""Báo Quảng Bình (baoquangbinh.vn). Facts from shared/sites.md; overall: partial (1 archived URL, 2015)."""

from crawler.spiders.families.monthpath import MonthPathSpider


class BaoQuangBinhSpider(MonthPathSpider):
    name = "baoquangbinh"
    paper = "Báo Quảng Bình"
    domains = ("baoquangbinh.vn",)
    province = "Quảng Trị"
    former_province = "Quảng Bình"
    # partial: /chinh-tri/201504/<slug>-2124091/ (the vendor's older pages also end in /index.htm)
    article_path = r"^/[a-z0-9-]+/\d{6}/[a-z0-9-]+-\d+(?:/|/index\.html?)?$"
    # its content now appears on baoquangtri.vn; whether this domain still serves it is unknown
