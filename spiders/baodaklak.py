"""Báo Đắk Lắk (baodaklak.vn; the Phú Yên edition on phuyen.baodaklak.vn and the former Báo Phú
Yên's baophuyen.vn). Facts from shared/sites.md and issue 8; overall: verified."""

from crawler.spiders.families import deny, either
from crawler.spiders.families.hex7 import Hex7Spider


class BaoDakLakSpider(Hex7Spider):
    name = "baodaklak"
    paper = "Báo Đắk Lắk"
    # verified (real URLs cited in issue 8): since the July 2025 merger Báo Phú Yên is Báo Đắk Lắk's
    # Phú Yên edition on phuyen.baodaklak.vn; its archive was on baophuyen.vn
    domains = ("baodaklak.vn", "phuyen.baodaklak.vn", "baophuyen.vn")
    # the Phú Yên edition publishes articles of its own (real URLs cited in issue 8): a start of
    # its own; baophuyen.vn is the old archive's domain, recognised but not started on
    editions = ("phuyen.baodaklak.vn",)
    province = "Đắk Lắk"
    # unverified: an undated scraping script, maybe an older layout
    page_url = "{path}?paged={page}"
    # URL eras: the hex7 layout (verified) and Phú Yên's /<cat id>/<id>/<slug>/ (real URLs cited in issue 8)
    article_path = either(Hex7Spider.article_path, r"^/\d+/\d+/[a-z0-9-]+/?$")
    # verified (issue 8): videos and infographics have the article shape but no text to archive
    deny_path = deny("multimedia/video", "multimedia/infographic")
