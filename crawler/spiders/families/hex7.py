"""The ``/<cat>[/<sub>]/<yyyymm>/<slug>-<7 hex>/`` CMS family.

Shared by Sóc Trăng, Vĩnh Long, Quảng Trị, Đắk Lắk, Khánh Hòa and the older layouts of Quảng
Ngãi, Lâm Đồng and Hưng Yên (``shared/sites.md``, issue 8; media under
``/file/<32 hex>/dataimages/`` on all of them: one vendor). Articles end in a slash; sections
are ``/<cat>``, ``/<cat>/`` or ``/<cat>/<sub>/index.html``. ``/multimedia/<yyyymm>/…`` pages are
articles (baosoctrang); Đắk Lắk denies its ``/multimedia/video/`` and ``/multimedia/infographic/``.
Pagination is unknown except a ``?paged=N`` of uncertain date on baodaklak, so it is learned per
listing.
"""

from crawler.spiders.families import FAMILIES, FamilySpider


class Hex7Spider(FamilySpider):
    family = FAMILIES["hex7"]
