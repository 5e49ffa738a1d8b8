"""Báo và Phát thanh, Truyền hình Gia Lai (baogialai.com.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.post import PostSpider


class BaoGiaLaiSpider(PostSpider):
    name = "baogialai"
    paper = "Báo và Phát thanh, Truyền hình Gia Lai"
    domains = ("baogialai.com.vn",)
    province = "Gia Lai"
