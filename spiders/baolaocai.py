"""Báo Lào Cai (baolaocai.vn). Facts from shared/sites.md and issue 8; overall: URL shape from real URLs."""

from crawler.spiders.families.post import PostSpider


class BaoLaoCaiSpider(PostSpider):
    name = "baolaocai"
    paper = "Báo Lào Cai"
    domains = ("baolaocai.vn",)
    province = "Lào Cai"
    # real URLs cited in issue 8: articles end in -post<id>.html (the post family's shape; whether they
    # sit in a folder is not known, so any folder is accepted); /tu-khoa/<slug>-tag<id>.html are tag
    # pages, denied with every family's tu-khoa/ (crawler/spiders/families/__init__.py)
    article_path = r"^/(?:[a-z0-9-]+/)*[a-z0-9-]+-post\d+\.html$"
