"""Báo Ninh Bình (baoninhbinh.org.vn). Facts from shared/sites.md; overall: config only."""

from crawler.spiders.families import deny, either
from crawler.spiders.families.numid import NumIdSpider


class BaoNinhBinhSpider(NumIdSpider):
    name = "baoninhbinh"
    paper = "Báo Ninh Bình"
    domains = ("baoninhbinh.org.vn",)
    province = "Ninh Bình"
    # URL eras: /<slug>-<15 digits>.html (config only), /<slug>/d<14 digits>.htm (real URLs cited
    # in issue 8; the digits look like yyyymmddHHMMSS, an inference) and an older
    # /<slug>/d<17 digits>.htm (real URLs, issue 20: the same with milliseconds)
    article_path = either(r"^/[a-z0-9-]+-\d{15}\.html$", r"^/[a-z0-9-]+/d\d{14}(?:\d{3})?\.htm$")
    # config only: the print edition is not articles
    deny_path = deny("bao-in", "doc-bao-in")
