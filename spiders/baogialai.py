"""Báo và Phát thanh, Truyền hình Gia Lai (baogialai.com.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.post import PostSpider


class BaoGiaLaiSpider(PostSpider):
    name = "baogialai"
    paper = "Báo và Phát thanh, Truyền hình Gia Lai"
    # baobinhdinh.vn: the former Báo Bình Định's, merged in July 2025 (unverified: a templated RSS list only)
    domains = ("baogialai.com.vn", "baobinhdinh.vn")
    province = "Gia Lai"
