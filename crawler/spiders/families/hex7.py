"""The ``/<cat>[/<sub>]/<yyyymm>/<slug>-<7 hex>/`` CMS family.

Shared by Sóc Trăng, Vĩnh Long, Quảng Trị, Đắk Lắk, Khánh Hòa and the older layouts of Quảng
Ngãi and Lâm Đồng (``shared/sites.md``; media under ``/file/<32 hex>/dataimages/`` on all of
them: one vendor). Articles end in a slash; sections are ``/<cat>``, ``/<cat>/`` or
``/<cat>/<sub>/index.html``. Pagination is unknown except a ``?paged=N`` of uncertain date on
baodaklak, so it is learned per listing.
"""

from crawler.spiders.discovery import AUTO
from crawler.spiders.families import DENY_PATH, SECTION_PATH
from crawler.spiders.base import NewsSpider

ARTICLE_PATH = r"^/[a-z0-9-]+(?:/[a-z0-9-]+)?/\d{6}/[a-z0-9-]+-[0-9a-f]{7}/?$"


class Hex7Spider(NewsSpider):
    article_path = ARTICLE_PATH
    listing_path = SECTION_PATH
    deny_path = DENY_PATH
    page_url = AUTO
