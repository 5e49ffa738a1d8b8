"""Search benchmark: latency of Vietnamese search on a large synthetic archive, and index size.

    python -m bench.search [--articles 100000] [--queries 50] [--db PATH]

Builds an archive of synthetic Vietnamese articles (Zipf-distributed common words plus a long
tail of generated syllables, 5–12 paragraphs, ~450 syllables each) with the project's own
schema and triggers, then times 50 queries of the kinds readers type (words with and without
diacritics, d for đ, phrases, OR, prefix, province and date filters) through Datasette itself
(in-process, the real metadata.yml, plugins and settings):

- the ranked search page (canned query ``search``: bm25 + snippet), and
- the table search box (``/archive/articles.json?_search=``: count, facets, newest first).

Prints plain lines: median and p95 in ms for each, and the bytes the FTS index adds per article
(the ``articles_fts_*`` shadow tables, measured with SQLite's dbstat when available, else by
building the archive once more without the index).

Rows go in through a direct bulk path (``executemany`` in large transactions, the schema's own
triggers maintaining the index) rather than ``Archive.store``: same rows and index, minutes
faster. ``--db PATH`` keeps the archive (reused when it already holds enough articles).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import sqlite3
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent

# Frequent words of Vietnamese provincial news (the head of the Zipf distribution).
COMMON = """
của và các có là được trong cho với người đã năm những một không này tỉnh huyện xã phường
phát triển kinh tế hội đảng bộ đại nhân dân ủy ban chính quyền công tác chỉ đạo thực hiện
kế hoạch nông nghiệp thủy sản du lịch giáo dục y an ninh quốc phòng đầu tư dự án cán đoàn
thanh niên phụ nữ hộ nghèo đồng chí bí thư chủ tịch nghị bằng sông cửu long cà mau bạc liêu
cần thơ sóc trăng vĩnh tháp giang kiên hậu trà vinh bến tre tiền mới tại về theo đến từ
nhiều cao trình khu vực địa phương cơ sở lãnh học sinh trường bệnh viện sức khỏe chăm sóc
lúa tôm cá vụ mùa nước mặn hạn xâm nhập biến đổi khí hậu giao thông đường cầu điện lưới
văn hóa thể thao nghệ thuật lễ tết mừng xuân kỷ niệm ngày thành lập chiến thắng lịch sử
doanh nghiệp sản xuất xuất khẩu thương mại thị trường giá hàng hóa đời sống việc làm lao
động thu nhập bình quân tăng trưởng mục tiêu nhiệm kỳ nghị quyết chương trình phong trào
thi đua khen thưởng tập thể cá nhân xuất sắc hoàn thành nhiệm vụ đoàn kết dân chủ kỷ cương
đổi mới sáng tạo chuyển số hóa hành chính cải cách thủ tục trực tuyến mạng internet điện
thoại dịch covid phòng chống tiêm vắc xin bảo hiểm xã hội chính sách người có công thương
binh liệt sĩ gia đình mẹ việt nam anh hùng quân đội công an biên giới biển đảo chủ quyền
""".split()
ONSETS = "b c ch d đ g gi h k kh l m n ng nh p ph qu r s t th tr v x".split() + [""]
NUCLEI = "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê oa oe oi ôi ơi ua uâ uê ui uô uơ ưa ưi ươ".split()
CODAS = ["", "", "", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
PROVINCES = ["Cà Mau", "Cần Thơ", "Đồng Tháp", "An Giang", "Vĩnh Long", "Tây Ninh", "Khánh Hòa",
             "Đắk Lắk", "Quảng Trị", "Lâm Đồng", "Gia Lai", "Quảng Ngãi"]


def _syllable(rng: random.Random) -> str:
    nucleus = rng.choice(NUCLEI)
    word = rng.choice(ONSETS) + nucleus[0] + rng.choice(TONES) + nucleus[1:] + rng.choice(CODAS)
    return unicodedata.normalize("NFC", word)


class Corpus:
    """Deterministic synthetic Vietnamese text."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        tail = sorted({_syllable(self.rng) for _ in range(20000)})
        self.vocab = COMMON + tail
        weights = [1 / (rank + 1) ** 1.05 for rank in range(len(self.vocab))]
        total = sum(weights)
        self.cum = list(_accumulate(w / total for w in weights))

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=n)

    def sentence(self) -> str:
        words = self.words(self.rng.randint(8, 24))
        return " ".join(words).capitalize() + "."

    def article(self) -> tuple[str, str]:
        title = " ".join(self.words(self.rng.randint(7, 14))).capitalize()
        paragraphs = [
            " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))
            for _ in range(self.rng.randint(5, 12))
        ]
        return title, "\n".join(paragraphs)


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def build(path: Path, n: int, *, with_index: bool = True, log=print) -> None:
    """Create ``path`` with the project's schema and ``n`` synthetic articles."""
    from crawler.store.archive import Archive
    from crawler.store.sitesync import sync_sites

    with Archive(path) as archive:
        sites = [
            type(f"S{i}", (), {"name": f"bao{i:02d}", "paper": f"Báo số {i}", "domains": (f"bao{i:02d}.vn",),
                                "province": province, "former_province": None})
            for i, province in enumerate(PROVINCES)
        ]
        sync_sites(archive, sites)
        if not with_index:
            archive.db["articles"].disable_fts()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    corpus = Corpus()
    rng = random.Random(11)
    cols = ("hash", "url", "site", "title", "text", "published", "author", "description",
            "language", "tags", "canonical_url", "fetched_at")
    sql = f"INSERT OR IGNORE INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    url_sql = "INSERT OR IGNORE INTO urls (url, hash, site, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
    started = time.perf_counter()
    batch, urls = [], []
    for i in range(n):
        title, text = corpus.article()
        site = f"bao{rng.randrange(len(PROVINCES)):02d}"
        content_hash = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]
        day = 20000 + rng.randrange(2400)  # days since 1970: 2024-10 … 2031
        published = time.strftime("%Y-%m-%dT%H:%M:00+07:00", time.gmtime(day * 86400 + rng.randrange(86400)))
        url = f"https://{site}.vn/bai-{i}-a{i}.html"
        batch.append((content_hash, url, site, title, text, published, None, text[:160], "vi", "[]",
                      url, "2025-10-01T00:00:00+00:00"))
        urls.append((url, content_hash, site, "2025-10-01T00:00:00+00:00", "2025-10-01T00:00:00+00:00"))
        if len(batch) == 5000 or i == n - 1:
            with conn:
                conn.executemany(sql, batch)
                conn.executemany(url_sql, urls)
            batch, urls = [], []
            if (i + 1) % 25000 == 0:
                log(f"  built {i + 1:,} articles in {time.perf_counter() - started:.0f} s")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def index_bytes(path: Path) -> int | None:
    """Bytes of the FTS index's shadow tables, or None without dbstat."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%'"
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return int(row[0] or 0)


def column_bytes(path: Path, column: str) -> int:
    conn = sqlite3.connect(path)
    try:
        if column not in {row[1] for row in conn.execute("PRAGMA table_info(articles)")}:
            return 0
        return int(conn.execute(f"SELECT sum(length(CAST({column} AS BLOB))) FROM articles").fetchone()[0] or 0)
    finally:
        conn.close()


def make_queries(path: Path, count: int, seed: int = 3) -> list[dict[str, str]]:
    """Queries as readers type them, drawn from the archive so that most of them match."""
    from crawler.text import fold

    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    n = conn.execute("SELECT max(rowid) FROM articles").fetchone()[0]
    queries: list[dict[str, str]] = []  # each with its kind under "_kind"
    kinds = ["word", "words_folded", "phrase", "phrase_folded", "or", "prefix", "province", "dates",
             "common_pair", "rare"]
    while len(queries) < count:
        kind = kinds[len(queries) % len(kinds)]
        text = conn.execute("SELECT text FROM articles WHERE rowid = ?", [rng.randint(1, n)]).fetchone()
        if not text:
            continue
        words = text[0].replace(".", "").split()
        start = rng.randrange(max(1, len(words) - 4))
        q: dict[str, str] = {}
        if kind == "word":
            q["q"] = words[start]
        elif kind == "words_folded":
            q["q"] = fold(" ".join(words[start:start + 2]))
        elif kind == "phrase":
            q["q"] = '"' + " ".join(words[start:start + 3]) + '"'
        elif kind == "phrase_folded":
            q["q"] = '"' + fold(" ".join(words[start:start + 3])) + '"'
        elif kind == "or":
            q["q"] = f"{words[start]} OR {words[start + 1]}"
        elif kind == "prefix":  # completing a longer syllable, as readers use a prefix
            long = [fold(w) for w in words if len(fold(w)) >= 5] or [fold(words[start]) + "xx"]
            q["q"] = rng.choice(long)[:4] + "*"
        elif kind == "province":
            q["q"] = fold(words[start])
            q["province"] = fold(rng.choice(PROVINCES))
        elif kind == "dates":
            q["q"] = words[start]
            q["since"], q["until"] = "2026-01-01", "2026-06"
        elif kind == "common_pair":
            q["q"] = "dai hoi dang"
        else:
            q["q"] = max(words[start:start + 4], key=len) + " " + words[start]
        q["_kind"] = kind
        queries.append(q)
    conn.close()
    return queries


def datasette_for(path: Path):
    """An in-process Datasette configured as ``make serve`` (metadata, plugins, templates, settings)."""
    import re

    import yaml
    from datasette.app import DEFAULT_SETTINGS, Datasette

    def convert(key: str, value: str):
        default = DEFAULT_SETTINGS[key]
        if isinstance(default, bool):
            return value in ("on", "1", "true")
        return int(value) if isinstance(default, int) else value

    makefile = (ROOT / "Makefile").read_text()
    settings = {k: convert(k, v) for k, v in re.findall(r"--setting (\w+) (\S+)", makefile)}
    return Datasette(
        [str(path)],
        metadata=yaml.safe_load((ROOT / "metadata.yml").read_text()),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        settings=settings,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def time_queries(ds, queries: list[dict[str, str]]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"ranked search page (canned query, JSON)": [],
                                       "table search box (count + facets, JSON)": []}
    # Warm up: first connection, schema introspection.
    await ds.client.get("/archive/search.json?" + urlencode({"q": "a", "site": "", "province": "",
                                                             "since": "", "until": ""}))
    for q in queries:
        q = {k: v for k, v in q.items() if k != "_kind"}
        params = {"site": "", "province": "", "since": "", "until": "", **q, "_shape": "objects"}
        t = time.perf_counter()
        r = await ds.client.get("/archive/search.json?" + urlencode(params))
        timings["ranked search page (canned query, JSON)"].append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"search {q}: HTTP {r.status_code}: {r.text[:300]}")
        table_params = {"_search": q["q"]}
        if q.get("province"):
            table_params["province"] = next(p for p in PROVINCES if q["province"] == _fold(p))
        if q.get("since"):
            table_params["published__gte"] = q["since"]
        t = time.perf_counter()
        r = await ds.client.get("/archive/articles.json?" + urlencode(table_params))
        timings["table search box (count + facets, JSON)"].append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"table search {q}: HTTP {r.status_code}: {r.text[:300]}")
    return timings


def _fold(s: str) -> str:
    from crawler.text import fold

    return fold(s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--db", type=Path, help="build here and keep (reused if big enough)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    tmp = tempfile.TemporaryDirectory(prefix="bench-search-")
    path = args.db or Path(tmp.name) / "archive.db"
    if path.name != "archive.db":
        parser.error("--db must name a file called archive.db (metadata.yml's database name)")
    existing = 0
    if path.exists():
        with sqlite3.connect(path) as conn:
            existing = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"search bench: {args.articles:,} synthetic Vietnamese articles, {args.queries} queries")
    if existing < args.articles:
        path.unlink(missing_ok=True)
        t = time.perf_counter()
        build(path, args.articles)
        print(f"built archive in {time.perf_counter() - t:.0f} s")
    with sqlite3.connect(path) as conn:
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    text_bytes = column_bytes(path, "text") + column_bytes(path, "title")
    size = index_bytes(path)
    how = "dbstat"
    if size is None:  # no dbstat in this SQLite: build without the index and compare file sizes
        how = "file size with and without the index"
        bare = Path(tmp.name) / "bare" / "archive.db"
        bare.parent.mkdir(exist_ok=True)
        build(bare, n, with_index=False, log=lambda *_: None)
        size = path.stat().st_size - bare.stat().st_size
    print(f"articles: {n:,}; title+text {text_bytes / n:,.0f} bytes/article; "
          f"database {path.stat().st_size / n:,.0f} bytes/article")
    print(f"search index (articles_fts, {how}): {size / n:,.0f} bytes/article, {size / 2**20:,.1f} MiB total")

    queries = make_queries(path, args.queries)
    ds = datasette_for(path)
    timings = asyncio.run(time_queries(ds, queries))
    for name, values in timings.items():
        print(f"{name}: median {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
              f"max {max(values):.1f} ms over {len(values)} queries")
    for name, values in timings.items():
        by_kind: dict[str, list[float]] = {}
        for ms, q in zip(values, queries):
            by_kind.setdefault(q["_kind"], []).append(ms)
        print(f"  {name.split(' (')[0]} by kind (median ms): " + ", ".join(
            f"{kind} {statistics.median(v):.0f}" for kind, v in by_kind.items()))
    slowest = sorted(zip(timings["ranked search page (canned query, JSON)"], queries), key=lambda t: -t[0])[:3]
    print("slowest ranked searches: " + "; ".join(
        f"{ {k: v for k, v in q.items() if v} } {ms:.0f} ms" for ms, q in slowest))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
