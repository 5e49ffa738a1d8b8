"""The ``/<cat>/<slug>-<id>.html`` CMS family: a category folder, then a slug and a numeric id.

Shared by Hậu Giang, Bạc Liêu, Huế ngày nay and the old (≤ 2024) Quảng Nam layout
(``shared/sites.md``). Sections are ``/<cat>/`` or ``/<cat>-<id>.html`` (baohaugiang
``/thoi-su-215.html``); pagination ``/p/N`` is seen on huengaynay, otherwise unknown and learned.
Markup (baohaugiang): ``Thứ Bảy, ngày 08/03/2025 | 17:39`` above the title, lead opening with
``(HGO) – ``.
"""

from crawler.spiders.discovery import AUTO
from crawler.spiders.families import DENY_PATH, SECTION_PATH
from crawler.spiders.base import NewsSpider

ARTICLE_PATH = r"^/[a-z0-9-]+/[a-z0-9-]+-\d+\.html$"


class CatIdSpider(NewsSpider):
    article_path = ARTICLE_PATH
    listing_path = SECTION_PATH
    deny_path = DENY_PATH
    page_url = AUTO
