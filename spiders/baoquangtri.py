"""Báo và Phát thanh, Truyền hình Quảng Trị (baoquangtri.vn). Facts from shared/sites.md and
issue 20; overall: verified."""

from crawler.spiders.families import either
from crawler.spiders.families.hex7 import Hex7Spider
from crawler.spiders.families.monthpath import MonthPathSpider


class BaoQuangTriSpider(Hex7Spider):
    name = "baoquangtri"
    paper = "Báo và Phát thanh, Truyền hình Quảng Trị"
    domains = ("baoquangtri.vn",)
    province = "Quảng Trị"
    # also holds the former Báo Quảng Bình's articles ('(QBĐT)' leads); robots.txt answered 404 in a 2026 probe
    # URL eras (real URLs, issue 20): the hex7 layout, /<slug>-<id>.htm, and the merged Quảng
    # Bình sections' month-folder articles (/chinh-tri/201504/<slug>-2124091/, as on baoquangbinh).
    # Listings are /<cat>/<sub> and /<cat>/<sub>/index.html: the family's section shape.
    article_path = either(Hex7Spider.article_path, r"^/[a-z0-9-]+-\d+\.htm$", MonthPathSpider.article_path)
