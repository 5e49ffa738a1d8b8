"""Báo Đắk Lắk (baodaklak.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.hex7 import Hex7Spider


class BaoDakLakSpider(Hex7Spider):
    name = "baodaklak"
    paper = "Báo Đắk Lắk"
    domains = ("baodaklak.vn",)
    province = "Đắk Lắk"
    # unverified: an undated scraping script, maybe an older layout
    page_url = "{path}?paged={page}"
