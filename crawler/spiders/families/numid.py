"""The ``/<slug>-<id>.html`` (or ``.htm``) CMS family: a slug and a numeric id, no folder.

Several vendors share this shape (the ``b-grid`` / ``b-maincontent`` template of Hà Nội Mới, Hải
Phòng, Đà Nẵng and Nghệ An; Quảng Ninh, Hưng Yên, Cao Bằng, Lạng Sơn; the ``.htm`` sites Xây dựng,
Thanh Hóa, Phú Thọ, Quảng Ngãi), which crawl alike: one segment ending in ``-<digits>.html?``.
Sites narrow the id (``\\d{15}`` on baoninhbinh) or add an older URL era. Sections at
``/<cat>/`` or ``/<cat>.htm[l]``; pagination unknown, so it is learned.
"""

from crawler.spiders.families import FAMILIES, FamilySpider


class NumIdSpider(FamilySpider):
    family = FAMILIES["numid"]
