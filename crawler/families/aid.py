"""The ``/<slug>-a<id>.html`` CMS family.

Shared by Báo Cà Mau, Cần Thơ, Đồng Tháp, An Giang, Đồng Khởi and Long An (see
``shared/sites.md``): articles at ``/<slug>-a<id>.html``, sections at ``/<cat>/`` and
``/<cat>/<sub>/`` paginated with ``?page=N``, newest-first list at ``/tin-moi/``, videos under
``/video/xem-video/``.
"""

from crawler.newsspider import NewsSpider


class AIdSpider(NewsSpider):
    start_paths = ("/", "/tin-moi/")
    # Slugs may start with '-' or hold '--' (baocantho '/-infographics-…-a196544.html').
    article_path = r"^/[a-z0-9-]+-a\d+\.html$"
    listing_path = r"^/[a-z0-9-]+/(?:[a-z0-9-]+/)?$"
    # Never useful, sometimes endless: video, search, tags, feeds, accounts, other languages.
    deny_path = r"^/(?:video|tim-kiem|search|tag|tags|rss|api|admin|dang-nhap|dang-ky|lien-he|khmer|news|en|rao-vat)(?:/|$)"
