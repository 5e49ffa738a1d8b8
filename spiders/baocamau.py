from crawler.families.aid import AIdSpider


class BaoCaMauSpider(AIdSpider):
    name = "baocamau"
    paper = "Báo Cà Mau"
    domains = ("baocamau.vn", "www.baocamau.vn")
    province = "Cà Mau"  # since 2025-07-01 also covers former Bạc Liêu
