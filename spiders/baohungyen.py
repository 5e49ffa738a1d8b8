"""Báo Hưng Yên (baohungyen.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families import either
from crawler.spiders.families.hex7 import Hex7Spider
from crawler.spiders.families.numid import NumIdSpider


class BaoHungYenSpider(NumIdSpider):
    name = "baohungyen"
    paper = "Báo Hưng Yên"
    domains = ("baohungyen.vn",)
    province = "Hưng Yên"
    # URL eras: /<slug>-<id>.html (config only) and the hex7 layout /<cat>/<yyyymm>/<slug>-<hex7>/
    # (real URLs cited in issue 8)
    article_path = either(r"^/[a-z0-9-]+-\d+\.html$", Hex7Spider.article_path)
