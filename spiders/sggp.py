"""Báo Sài Gòn Giải Phóng (sggp.org.vn, www.sggp.org.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families import either
from crawler.spiders.families.post import PostSpider


class SggpSpider(PostSpider):
    name = "sggp"
    paper = "Báo Sài Gòn Giải Phóng"
    domains = ("sggp.org.vn", "www.sggp.org.vn")
    province = "TP Hồ Chí Minh"
    # evidenced: verified live 2026-07-17 by a public project
    feeds = ("https://www.sggp.org.vn/rss/home.rss",)
    # URL eras: today /<slug>-post<id>.html (config only); in 2019 /<slug>-<6 digits>.html, without
    # 'post' (real URLs cited in issue 8)
    article_path = either(PostSpider.article_path, r"^/[a-z0-9-]+-\d{6}\.html$")
