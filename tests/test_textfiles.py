"""python -m crawler export/import: plain-text archives with the same dedupe as crawls."""

import unicodedata
from pathlib import Path

from crawler.store.archive import Archive
from crawler.text import content_hash
from crawler.jobs.textfiles import parse_text_file
from tests.conftest import invoke_cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def cli(*args):
    """The command line, in process (export/import start no crawl); must succeed."""
    done = invoke_cli(*args)
    assert done.exit_code == 0, done.output
    return done.stdout


def test_source_line_forms(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("Bài viết.\n\nNguồn Xây Dựng : https://baoxaydung.vn/x-192250723195402367.htm\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("Bài viết khác.\nNguồn: https://baoquangnam.vn/y-3137076.html", encoding="utf-8")
    assert parse_text_file(a).url == "https://baoxaydung.vn/x-192250723195402367.htm"
    assert parse_text_file(a).text == "Bài viết."
    assert parse_text_file(b).url == "https://baoquangnam.vn/y-3137076.html"


def test_import_seeds_twice_and_an_nfd_copy_gives_five_articles(tmp_path):
    db = tmp_path / "archive.db"
    out = cli("--db", str(db), "import", str(SEEDS))
    assert "5 new articles" in out
    nfd_dir = tmp_path / "nfd"
    nfd_dir.mkdir()
    for seed in SEEDS.glob("*.txt"):
        (nfd_dir / seed.name).write_text(unicodedata.normalize("NFD", seed.read_text(encoding="utf-8")), encoding="utf-8")
    out = cli("--db", str(db), "import", str(nfd_dir))
    assert "0 new articles, 5 duplicates" in out
    with Archive(db) as archive:
        assert archive.db["articles"].count == 5
        urls = {r["url"]: r["site"] for r in archive.db["urls"].rows}
    assert urls["https://baoxaydung.vn/ca-mau-khan-truong-thao-go-vuong-mac-de-chinh-quyen-hai-cap-hoat-dong-hieu-qua-192250723195402367.htm"]
    assert "https://baoquangnam.vn/tiep-tuc-ra-soat-kien-toan-cong-tac-can-bo-chuan-bi-dai-hoi-dang-cac-cap-3137076.html" in urls


def test_export_then_import_round_trips_hashes_and_names(tmp_path):
    db, db2, out_dir = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "export"
    cli("--db", str(db), "import", str(SEEDS))
    cli("--db", str(db), "export", str(out_dir))
    files = sorted(out_dir.glob("*.txt"))
    assert [f.name[:4] for f in files] == ["000_", "001_", "002_", "003_", "004_"]
    for f in files:
        doc = parse_text_file(f)
        assert f.stem.split("_", 1)[1] == content_hash(doc.text)
        assert doc.url or "Nguồn" not in f.read_text(encoding="utf-8")
    cli("--db", str(db2), "import", str(out_dir))
    with Archive(db) as a, Archive(db2) as b:
        assert {r["hash"] for r in a.db["articles"].rows} == {r["hash"] for r in b.db["articles"].rows}
