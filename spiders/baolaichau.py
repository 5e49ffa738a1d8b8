"""Báo Lai Châu (baolaichau.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.generic import GenericSpider


class BaoLaiChauSpider(GenericSpider):
    name = "baolaichau"
    paper = "Báo Lai Châu"
    domains = ("baolaichau.vn",)
    province = "Lai Châu"
    # config only: /<cat>/<slug>-<id>[/]; real URLs (issue 20) also /<cat>/<slug>-<6 digits>.html
    # (a long id: topic hubs and sections have short ones)
    article_path = r"^/[^/]+/[a-z0-9-]+-(?:\d+/?|\d{5,}\.html?)$"
