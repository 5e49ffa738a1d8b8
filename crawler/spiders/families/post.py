"""The ``/<slug>-post<id>.html`` CMS family.

Shared by Gia Lai, Hà Tĩnh and Sài Gòn Giải Phóng (``shared/sites.md``: one template,
``h1.article__title`` / ``.article__sapo`` / ``.article__body.zce-content-body.cms-body``, as on
vietnamplus) and Lào Cai (issue 8: ``-post<id>.html``, tags at ``/tu-khoa/<slug>-tag<id>.html``);
it is also the newer era of Nghệ An and Quảng Ninh (``numid`` sites). Sections at ``/<cat>/`` or
``/<cat>.html``; pagination unknown, so it is learned.
"""

from crawler.spiders.families import FAMILIES, FamilySpider


class PostSpider(FamilySpider):
    family = FAMILIES["post"]
