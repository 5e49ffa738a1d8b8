"""The ``/<cat>[/<sub>]/<yyyymm>/<slug>-<7 hex>/`` CMS family.

Shared by Sóc Trăng, Vĩnh Long, Quảng Trị, Đắk Lắk, Khánh Hòa and the older layouts of Quảng
Ngãi and Lâm Đồng (``shared/sites.md``; media under ``/file/<32 hex>/dataimages/`` on all of
them: one vendor). Articles end in a slash; sections are ``/<cat>``, ``/<cat>/`` or
``/<cat>/<sub>/index.html``. Pagination is unknown except a ``?paged=N`` of uncertain date on
baodaklak, so it is learned per listing.
"""

from crawler.spiders.families import FAMILIES, FamilySpider


class Hex7Spider(FamilySpider):
    family = FAMILIES["hex7"]
