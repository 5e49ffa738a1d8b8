"""Báo Lạng Sơn (baolangson.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families import either
from crawler.spiders.families.numid import NumIdSpider


class BaoLangSonSpider(NumIdSpider):
    name = "baolangson"
    paper = "Báo Lạng Sơn"
    domains = ("baolangson.vn",)
    province = "Lạng Sơn"
    # config only: /<slug>-<id>.html; real URLs (issue 20) also /<cat>/<slug>-<6 digits>.html
    # (a long id: topic hubs and sections have short ones)
    article_path = either(r"^/[a-z0-9-]+-\d+\.html$", r"^/[a-z0-9-]+/[a-z0-9-]+-\d{5,}\.html$")
