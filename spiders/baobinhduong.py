"""Báo Bình Dương (baobinhduong.vn). Facts from shared/sites.md; overall: config only
('-a<id>.html' per a third-party config; no real URL seen)."""

from crawler.spiders.families.aid import AIdSpider


class BaoBinhDuongSpider(AIdSpider):
    name = "baobinhduong"
    paper = "Báo Bình Dương"
    domains = ("baobinhduong.vn",)
    province = "TP Hồ Chí Minh"
    former_province = "Bình Dương"
