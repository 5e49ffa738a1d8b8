"""Báo Ấp Bắc (baoapbac.vn). Facts from shared/sites.md and issue 20; overall: URL shape from real URLs."""

from crawler.spiders.families.monthpath import MonthPathSpider


class BaoApBacSpider(MonthPathSpider):
    name = "baoapbac"
    paper = "Báo Ấp Bắc"
    domains = ("baoapbac.vn",)
    province = "Đồng Tháp"
    former_province = "Tiền Giang"
    # real URLs (issue 20): the month-folder vendor's articles, ending in '/', in nothing or in
    # '/index.htm' (the family's shape); its feeds sit at /<cat>/index.rss, its images under
    # /dataimages/<yyyymm>/ as on the vendor's other sites
