"""Báo Bạc Liêu (baobaclieu.vn, www.baobaclieu.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.catid import CatIdSpider


class BaoBacLieuSpider(CatIdSpider):
    name = "baobaclieu"
    paper = "Báo Bạc Liêu"
    domains = ("baobaclieu.vn", "www.baobaclieu.vn")
    province = "Cà Mau"
    former_province = "Bạc Liêu"
    # /rss/home.rss appears only in a templated list: not stated; discovery is automatic
