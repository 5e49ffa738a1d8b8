"""Báo Lào Cai (baolaocai.vn). Facts from shared/sites.md; overall: domain only."""

from crawler.spiders.families.generic import GenericSpider


class BaoLaoCaiSpider(GenericSpider):
    name = "baolaocai"
    paper = "Báo Lào Cai"
    domains = ("baolaocai.vn",)
    province = "Lào Cai"
    # no article URL shape known: learned from its feeds/sitemaps or guessed (crawler/spiders/families/generic.py)
