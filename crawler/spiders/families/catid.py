"""The ``/<cat>/<slug>-<id>.html`` CMS family: a category folder, then a slug and a numeric id.

Shared by Hậu Giang, Bạc Liêu, Huế ngày nay and the old (≤ 2024) Quảng Nam layout
(``shared/sites.md``). Sections are ``/<cat>/`` or ``/<cat>-<id>.html`` (baohaugiang
``/thoi-su-215.html``); pagination ``/p/N`` is seen on huengaynay, otherwise unknown and learned.
Markup (baohaugiang): ``Thứ Bảy, ngày 08/03/2025 | 17:39`` above the title, lead opening with
``(HGO) – ``.
"""

from crawler.spiders.families import FAMILIES, FamilySpider


class CatIdSpider(FamilySpider):
    family = FAMILIES["catid"]
