"""Báo và Phát thanh, Truyền hình Quảng Trị (baoquangtri.vn). Facts from shared/sites.md;
overall: verified."""

from crawler.spiders.families.hex7 import Hex7Spider


class BaoQuangTriSpider(Hex7Spider):
    name = "baoquangtri"
    paper = "Báo và Phát thanh, Truyền hình Quảng Trị"
    domains = ("baoquangtri.vn",)
    province = "Quảng Trị"
    # also holds the former Báo Quảng Bình's articles ('(QBĐT)' leads); robots.txt answered 404 in a 2026 probe
