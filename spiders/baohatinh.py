"""Báo Hà Tĩnh (baohatinh.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.post import PostSpider


class BaoHaTinhSpider(PostSpider):
    name = "baohatinh"
    paper = "Báo Hà Tĩnh"
    domains = ("baohatinh.vn",)
    province = "Hà Tĩnh"
    # config only: the newest-first list
    start_paths = ("/", "/tin-moi.html")
