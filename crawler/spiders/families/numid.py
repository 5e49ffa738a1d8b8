"""The ``/<slug>-<id>.html`` (or ``.htm``) CMS family: a slug and a numeric id, no folder.

Several vendors share this shape (the ``b-grid`` / ``b-maincontent`` template of Hà Nội Mới, Hải
Phòng, Đà Nẵng and Nghệ An; Quảng Ninh, Hưng Yên, Cao Bằng, Lạng Sơn; the ``.htm`` sites Xây dựng,
Thanh Hóa, Phú Thọ, Quảng Ngãi), which crawl alike: one segment ending in ``-<digits>.html?``.
Sites narrow the id (``\\d{15}`` on baoninhbinh) or add an older URL era. Sections at
``/<cat>/`` or ``/<cat>.htm[l]``; pagination unknown, so it is learned.
"""

from crawler.spiders.discovery import AUTO
from crawler.spiders.families import DENY_PATH, SECTION_PATH
from crawler.spiders.base import NewsSpider

ARTICLE_PATH = r"^/[a-z0-9-]+-\d+\.html?$"


class NumIdSpider(NewsSpider):
    article_path = ARTICLE_PATH
    listing_path = SECTION_PATH
    deny_path = DENY_PATH
    page_url = AUTO
