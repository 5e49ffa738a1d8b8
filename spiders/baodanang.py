"""Báo Đà Nẵng (baodanang.vn, www.baodanang.vn). Facts from shared/sites.md; overall: verified (two URL eras)."""

from crawler.spiders.families.numid import NumIdSpider


class BaoDaNangSpider(NumIdSpider):
    name = "baodanang"
    paper = "Báo Đà Nẵng"
    domains = ("baodanang.vn", "www.baodanang.vn")
    province = "Đà Nẵng"
    # verified: new /<slug>-<7 digits>.html, old /<cat>[/<n>]/<yyyymm>/<slug>-<7 digits>/
    # (the vendor's older month-folder pages also end in /index.htm)
    article_path = r"^/(?:[a-z0-9-]+-\d{7}\.html|[a-z0-9]+(?:/\d+)?/\d{6}/[a-z0-9-]+-\d{7}(?:/|/index\.html?)?)$"
    # evidenced: a GitHub config comment 'uses Google News sitemap (no RSS)'
    sitemaps = ("/sitemap-news.xml",)
