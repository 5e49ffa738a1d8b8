"""Báo Cao Bằng (baocaobang.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families.numid import NumIdSpider


class BaoCaoBangSpider(NumIdSpider):
    name = "baocaobang"
    paper = "Báo Cao Bằng"
    domains = ("baocaobang.vn",)
    province = "Cao Bằng"
    # config only: capitalised paths ('/Thoi-su')
    article_path = r"^/[A-Za-z0-9-]+-\d+\.html$"
