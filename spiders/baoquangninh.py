"""Báo Quảng Ninh (baoquangninh.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families import either
from crawler.spiders.families.numid import NumIdSpider
from crawler.spiders.families.post import PostSpider


class BaoQuangNinhSpider(NumIdSpider):
    name = "baoquangninh"
    paper = "Báo Quảng Ninh"
    domains = ("baoquangninh.vn",)
    province = "Quảng Ninh"
    # URL eras: /<slug>-<id>.html (config only) and /<slug>-post<id>.html (real URLs cited in issue 8)
    article_path = either(r"^/[a-z0-9-]+-\d+\.html$", PostSpider.article_path)
