"""Báo Sóc Trăng (baosoctrang.org.vn, www.baosoctrang.org.vn). Facts from shared/sites.md;
overall: verified (URL shape)."""

from crawler.spiders.families.hex7 import Hex7Spider


class BaoSocTrangSpider(Hex7Spider):
    name = "baosoctrang"
    paper = "Báo Sóc Trăng"
    domains = ("baosoctrang.org.vn", "www.baosoctrang.org.vn")
    province = "Cần Thơ"
    former_province = "Sóc Trăng"
