"""Stories in Datasette (crawler/datasette/stories.py): the story page, the comparison, the
canned queries and the link from the article page, served by a real in-process Datasette with
the project's metadata, plugins and templates, over an archive placed from the labelled set."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

from crawler.store.archive import Archive
from crawler.jobs.sitesync import sync_sites
from crawler.stories import evaluate
from crawler.stories.placement import place_unplaced

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "stories" / "articles"


class Site:  # the facts sync_sites reads from a spider class
    def __init__(self, name, paper, province):
        self.name, self.paper, self.province = name, paper, province
        self.former_province, self.allowed_domains = None, [f"{name}.example"]


SITES = [Site("baocamau", "Báo Cà Mau", "Cà Mau"), Site("baoxaydung", "Báo Xây dựng", "Hà Nội"),
         Site("tinmoi", "Tin mới", None), Site("baobaclieu", "Báo Bạc Liêu", "Cà Mau"),
         Site("baodongthap", "Báo Đồng Tháp", "Đồng Tháp"), Site("baoangiang", "Báo An Giang", "An Giang"),
         Site("ttxvn", "TTXVN", "Hà Nội"), Site("baocantho", "Báo Cần Thơ", "Cần Thơ")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from datasette.app import Datasette

    path = tmp_path_factory.mktemp("stories-ds") / "archive.db"
    arts = {a.name: a for a in evaluate.load(FIXTURES)}
    with Archive(path) as archive:
        try:
            sync_sites(archive, SITES)
        except Exception:  # noqa: BLE001 - the sites table is only for names and provinces here
            pass
        evaluate.store(archive, arts.values())
        place_unplaced(archive.db)
    kwargs = {}
    if (ROOT / "metadata.yml").exists():
        kwargs["metadata"] = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    if (ROOT / "plugins").is_dir():
        kwargs["plugins_dir"] = str(ROOT / "plugins")
    if (ROOT / "templates").is_dir():
        kwargs["template_dir"] = str(ROOT / "templates")
    ds = Datasette([str(path)], **kwargs)
    loop = asyncio.new_event_loop()

    def get(p, **params):
        if params:
            p += ("&" if "?" in p else "?") + urlencode(params)
        return loop.run_until_complete(ds.client.get(p))

    with Archive(path) as archive:
        story = archive.db.execute("SELECT story FROM story_members WHERE article = ?",
                                   [arts["seed-001"].hash]).fetchone()[0]
    yield get, arts, story
    loop.close()


def test_story_page_lists_members_by_time_with_the_source_marked(site):
    get, arts, story = site
    r = get(f"/archive/-/story/{story}")
    assert r.status_code == 200, r.text[:500]
    html = r.text
    titles = [arts[n].title for n in ("seed-001", "seed-002", "seed-000", "e1-copy-baobaclieu")]
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions)  # publication order
    assert html.count("nguồn · source</span>") == 1
    source_row = re.search(r'<tr class="source[^"]*">(.*?)</tr>', html, re.S).group(1)
    assert arts["seed-001"].title in source_row and "Báo Cà Mau" in source_row
    assert "bản sao · copy" in html and "viết lại · rewrite" in html
    assert arts["seed-003"].title not in html and arts["seed-004"].title not in html
    data = get(f"/archive/-/story/{story}.json").json()
    assert data["story"]["source"] == arts["seed-001"].hash
    assert [m["article"] for m in data["members"]][0] == arts["seed-001"].hash
    assert get("/archive/-/story/999999").status_code == 404


def test_compare_page_shows_both_texts_with_shared_words_marked(site):
    get, arts, story = site
    a, b = arts["seed-001"], arts["e1-copy-baobaclieu"]
    r = get("/archive/-/compare", a=a.hash, b=b.hash)
    assert r.status_code == 200, r.text[:500]
    assert r.text.count('<section class="side">') == 2
    assert "<mark>" in r.text and f"/-/story/{story}" in r.text
    assert "Lữ Văn Hùng" in r.text
    unrelated = get("/archive/-/compare", a=a.hash, b=arts["e4-original"].hash)
    assert unrelated.status_code == 200 and "Cùng tin" not in unrelated.text
    assert get("/archive/-/compare", a=a.hash, b="0" * 16).status_code == 404
    assert get("/archive/-/compare", a=a.hash).status_code == 404


def test_canned_query_stories_by_provinces(site):
    get, arts, story = site
    r = get("/archive/stories_by_provinces.json", **{"from": "2025-07-01", "to": "2025-08-31", "_shape": "objects"})
    assert r.status_code == 200, r.text[:500]
    rows = r.json()["rows"]
    assert rows and rows[0]["Provinces"] >= rows[-1]["Provinces"]
    assert any(row["Story"] == story for row in rows)
    june = get("/archive/stories_by_provinces.json", **{"from": "2025-06-01", "to": "2025-06-30", "_shape": "objects"})
    assert all(row["First published"].startswith("2025-06") for row in june.json()["rows"])
    html = get("/archive/stories_by_provinces", **{"from": "2025-07-01", "to": "2025-08-31"}).text
    assert f'href="/archive/-/story/{story}"' in html


def test_canned_query_what_a_paper_republished(site):
    get, arts, story = site
    rows = get("/archive/republished.json", site="baobaclieu", _shape="objects").json()["rows"]
    got = {row["Article"]: row for row in rows}
    copy = got[arts["e1-copy-baobaclieu"].hash]
    assert copy["Kind"] == "copy" and copy["From paper"] == "baocamau" and copy["Story"] == story
    assert arts["seed-004"].hash not in got  # its own report, in no story
    assert not get("/archive/republished.json", site="baocamau", _shape="objects").json()["rows"] or all(
        row["From paper"] != "baocamau" for row in get("/archive/republished.json", site="baocamau",
                                                        _shape="objects").json()["rows"])


def test_article_page_links_to_its_story(site):
    get, arts, story = site
    r = get(f"/archive/articles/{arts['seed-002'].hash}")
    assert r.status_code == 200
    assert f"/archive/-/story/{story}" in r.text
    alone = get(f"/archive/articles/{arts['seed-004'].hash}")
    assert alone.status_code == 200 and "/-/story/" not in alone.text


def test_a_copy_of_a_rewrite_points_at_its_original(site):
    get, arts, _story = site
    copy, original = arts["e5-paraphrase-copy"], arts["e5-paraphrase"]
    data = get(f"/archive/articles/{copy.hash}.json", _shape="objects").json()
    assert data["rows"]
    story = next(m for m in get("/archive/story_members.json", article=copy.hash, _shape="objects").json()["rows"])
    assert story["copy_of"] == original.hash
    html = get(f"/archive/-/story/{story['story']}").text
    row = next(r for r in re.findall(r"<tr class=[^>]*>(.*?)</tr>", html, re.S) if copy.hash in r)
    assert "của · of" in row and f"/archive/articles/{original.hash}" in row
