"""Báo Hậu Giang (baohaugiang.com.vn, www.baohaugiang.com.vn). Facts from shared/sites.md; overall: verified."""

from crawler.spiders.families.catid import CatIdSpider


class BaoHauGiangSpider(CatIdSpider):
    name = "baohaugiang"
    paper = "Báo Hậu Giang"
    domains = ("baohaugiang.com.vn", "www.baohaugiang.com.vn")
    province = "Cần Thơ"
    former_province = "Hậu Giang"
    # sections are /<slug>-<id>.html (/thoi-su-215.html, config only); post-merger state of the domain unknown
