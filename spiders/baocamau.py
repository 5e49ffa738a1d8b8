"""Báo Cà Mau (baocamau.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.aid import AIdSpider


class BaoCaMauSpider(AIdSpider):
    name = "baocamau"
    paper = "Báo Cà Mau"
    # baocamau.com.vn: the 2019 domain (docbao config; whether it still answers is unverified)
    domains = ("baocamau.vn", "www.baocamau.vn", "baocamau.com.vn")
    province = "Cà Mau"  # since 2025-07-01 also covers former Bạc Liêu
    # verified: /tin-moi/?page=45, /chinh-tri/xay-dung-dang/?page=43 in archived copies
    page_url = "{path}?page={page}"
