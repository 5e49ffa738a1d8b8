"""Báo Tây Ninh (baotayninh.vn, www.baotayninh.vn). Facts from shared/sites.md; overall: verified (two URL forms)."""

from crawler.spiders.families.aid import AIdSpider


class BaoTayNinhSpider(AIdSpider):
    name = "baotayninh"
    paper = "Báo Tây Ninh"
    domains = ("baotayninh.vn", "www.baotayninh.vn")
    province = "Tây Ninh"
    # verified: old CMS -a<id>.html, newer -<id>.html
    article_path = r"^/[a-z0-9-]+-a?\d+\.html$"
    # evidenced: a GitHub config; liveness unverified
    feeds = ("/rss/news/van-hoa.rss", "/rss/news/du-lich.rss", "/rss/news/van-de-su-kien.rss")
