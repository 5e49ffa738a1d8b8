"""Báo Nghệ An (baonghean.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families import either
from crawler.spiders.families.numid import NumIdSpider
from crawler.spiders.families.post import PostSpider


class BaoNgheAnSpider(NumIdSpider):
    name = "baonghean"
    paper = "Báo Nghệ An"
    domains = ("baonghean.vn",)
    province = "Nghệ An"
    # URL eras: /<slug>-[event]<id>.html (config only) and /<slug>-post<id>.html (real URLs cited in issue 8)
    article_path = either(r"^/[a-z0-9-]+-(?:event)?\d+\.html$", PostSpider.article_path)
