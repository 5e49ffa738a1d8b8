"""Báo Huế ngày nay (huengaynay.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.catid import CatIdSpider


class HueNgayNaySpider(CatIdSpider):
    name = "huengaynay"
    paper = "Báo Huế ngày nay"
    # baothuathienhue.vn: the paper's pre-2025 name and domain (docbao 2019; redirect unverified)
    domains = ("huengaynay.vn", "baothuathienhue.vn")
    province = "Huế"
    # partial: /p/N seen on search listings only
    page_url = "{stem}/p/{page}"
