"""Báo Quảng Nam (baoquangnam.vn). Facts from shared/sites.md; overall: verified (two URL eras)."""

from crawler.spiders.families import either
from crawler.spiders.families.catid import CatIdSpider
from crawler.spiders.families.numid import NumIdSpider


class BaoQuangNamSpider(NumIdSpider):
    name = "baoquangnam"
    paper = "Báo Quảng Nam"
    domains = ("baoquangnam.vn",)
    province = "Đà Nẵng"
    former_province = "Quảng Nam"
    # part of Báo Đà Nẵng since 2025-07-01; whether baoquangnam.vn now redirects is unverified
    # verified: new /<slug>-<7 digits>.html, old /<cat>/<slug>-<id>.html
    article_path = either(NumIdSpider.article_path, CatIdSpider.article_path)
