"""Báo Huế ngày nay (huengaynay.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.catid import CatIdSpider


class HueNgayNaySpider(CatIdSpider):
    name = "huengaynay"
    paper = "Báo Huế ngày nay"
    domains = ("huengaynay.vn",)
    province = "Huế"
    # partial: /p/N seen on search listings only
    page_url = "{stem}/p/{page}"
