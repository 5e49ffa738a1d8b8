"""Báo Ấp Bắc (baoapbac.vn). Facts from shared/sites.md; overall: domain only (docbao 2019 config)."""

from crawler.spiders.families.generic import GenericSpider


class BaoApBacSpider(GenericSpider):
    name = "baoapbac"
    paper = "Báo Ấp Bắc"
    domains = ("baoapbac.vn",)
    province = "Đồng Tháp"
    former_province = "Tiền Giang"
    # no article URL shape known: learned from its feeds/sitemaps or guessed (crawler/spiders/families/generic.py)
