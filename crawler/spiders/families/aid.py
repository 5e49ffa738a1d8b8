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

from crawler.spiders.families import FAMILIES, FamilySpider


class AIdSpider(FamilySpider):
    family = FAMILIES["aid"]
