"""Báo Xây dựng (baoxaydung.vn). Facts from shared/sites.md; overall: verified (URL shape)."""

from crawler.spiders.families.numid import NumIdSpider


class BaoXayDungSpider(NumIdSpider):
    name = "baoxaydung"
    paper = "Báo Xây dựng"
    # baoxaydung.com.vn: the older domain (press-scanning notes: 'domain moved to baoxaydung.vn')
    domains = ("baoxaydung.vn", "baoxaydung.com.vn")
    province = "Toàn quốc"
    # national paper (Ministry of Construction), not provincial: province 'Toàn quốc'
    # verified: category pages end .htm too; the long id tells them apart
    article_path = r"^/[a-z0-9-]+-\d{13,18}\.htm$"
    # evidenced: home.rss verified live 2026-07-17, the others in GitHub scripts
    feeds = ("/rss/home.rss", "/rss/bat-dong-san.rss", "/rss/kinh-te.rss", "/rss/xay-dung/vat-lieu-xay-dung.rss")
