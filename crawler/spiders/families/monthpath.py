"""The ``/<cat>[/<sub>…]/<yyyymm>/<slug>/`` CMS family: a month folder, then a slug folder.

Shared by Đồng Nai, Thái Nguyên, Tuyên Quang (third-party configs only), the old Quảng Bình site
(``/chinh-tri/201504/<slug>-2124091/``) and the old Đà Nẵng layout. It is the ``hex7`` family's
shape with any final slug, probably the same vendor family with other ids. Sections and
pagination as in ``hex7``.
"""

from crawler.spiders.discovery import AUTO
from crawler.spiders.families import DENY_PATH, SECTION_PATH
from crawler.spiders.base import NewsSpider

ARTICLE_PATH = r"^/(?:[a-z0-9-]+/){1,3}\d{6}/[a-z0-9-]+/?$"


class MonthPathSpider(NewsSpider):
    article_path = ARTICLE_PATH
    listing_path = SECTION_PATH
    deny_path = DENY_PATH
    page_url = AUTO
