"""The ``/<slug>-a<id>.html`` CMS family.

Shared by Báo Cà Mau, Cần Thơ, Đồng Tháp, An Giang, Đồng Khởi, Long An, Tây Ninh (old CMS),
travinh.baovinhlong.vn and Bình Dương (see ``shared/sites.md``; the docbao 2019 selectors
``pubdate`` / ``#newscontents`` / ``content-fck`` show the same vendor): articles at
``/<slug>-a<id>.html``, sections at ``/<cat>/`` and ``/<cat>/<sub>/``, newest-first list at
``/tin-moi/``, videos under ``/video/xem-video/``. Pagination differs between its sites
(baocamau ``?page=N``, baoangiang ``?p=N``), so the family learns it unless the site states it.
Markup (baocantho): date in ``span.pubdate`` as ``dd/mm/yyyy - HH:MM``, date-only JSON-LD, lead
opening with an agency tag ``(CTO) - ``.
"""

from crawler.spiders.discovery import AUTO
from crawler.spiders.base import NewsSpider


class AIdSpider(NewsSpider):
    start_paths = ("/", "/tin-moi/")
    latest_path = "/tin-moi/"
    # Slugs may start with '-' or hold '--' (baocantho '/-infographics-…-a196544.html').
    article_path = r"^/[a-z0-9-]+-a\d+\.html$"
    listing_path = r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)?$"
    # Never useful, sometimes endless: video, search, tags, feeds, accounts, other languages.
    deny_path = r"^/(?:video|tim-kiem|search|tag|tags|rss|api|admin|dang-nhap|dang-ky|lien-he|khmer|news|en|rao-vat)(?:/|$)"
    page_url = AUTO
