"""The ``/<cat>[/<sub>…]/<yyyymm>/<slug>/`` CMS family: a month folder, then a slug folder.

Shared by Đồng Nai, Thái Nguyên, Tuyên Quang (third-party configs only), the old Quảng Bình site
(``/chinh-tri/201504/<slug>-2124091/``) and the old Đà Nẵng layout. It is the ``hex7`` family's
shape with any final slug, probably the same vendor family with other ids. Sections and
pagination as in ``hex7``.
"""

from crawler.spiders.families import FAMILIES, FamilySpider


class MonthPathSpider(FamilySpider):
    family = FAMILIES["monthpath"]
