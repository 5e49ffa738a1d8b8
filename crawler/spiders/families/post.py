"""The ``/<slug>-post<id>.html`` CMS family.

Shared by Gia Lai, Hà Tĩnh and Sài Gòn Giải Phóng (``shared/sites.md``: one template,
``h1.article__title`` / ``.article__sapo`` / ``.article__body.zce-content-body.cms-body``, as on
vietnamplus). Sections at ``/<cat>/`` or ``/<cat>.html``; pagination unknown, so it is learned.
"""

from crawler.spiders.discovery import AUTO
from crawler.spiders.families import DENY_PATH, SECTION_PATH
from crawler.spiders.base import NewsSpider

ARTICLE_PATH = r"^/[a-z0-9-]+-post\d+\.html$"


class PostSpider(NewsSpider):
    article_path = ARTICLE_PATH
    listing_path = SECTION_PATH
    deny_path = DENY_PATH
    page_url = AUTO
