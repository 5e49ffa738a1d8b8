"""Search benchmark: latency of Vietnamese search on a large synthetic archive, and index size.

    python -m bench.search [--articles 100000,1000000] [--queries 50] [--db PATH]

Builds an archive of synthetic Vietnamese articles (Zipf-distributed common words plus a long
tail of generated syllables, 5–12 paragraphs, ~450 syllables each) across the project's
newspapers (every spider, synced into ``sites`` as a crawl does) over ten years, with the
project's own schema and triggers. The archive is cached on disk between runs
(``bench/.cache/search-<N>.db``, rebuilt when missing, too small or from an older build
recipe). It then times 50 queries of the kinds readers type (common and rare words, with and
without diacritics, d for đ, phrases, OR, prefix, province and date filters) through Datasette
itself (in-process, exactly as ``datasette FILE`` builds it: the installed plugin, no flags):

- the ranked search page (canned query ``search``: bm25 + snippet), and
- the table search box (``/<db>/articles.json?_search=``: rows, count and the three facets,
  bounded to the newest matches by the plugin).

Prints plain lines: median and p95 in ms for each, and the bytes the FTS index adds per article
(the ``articles_fts_*`` shadow tables, measured with SQLite's dbstat when available, else by
building the archive once more without the index).

Rows go in through a direct bulk path (``executemany`` in large transactions, the schema's own
triggers maintaining the index) rather than ``Archive.store``: same rows and index, minutes
faster. ``--db PATH`` builds or reuses the archive there instead of the cache.
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
YEARS = 10
FIRST_DAY = 16801  # 2016-01-01, days since 1970
# Bump when the synthetic archive changes, so a cached one from an older recipe is rebuilt.
RECIPE = 2
CACHE = ROOT / "bench" / ".cache"


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
    """Create ``path`` with the project's schema, its newspapers and ``n`` synthetic articles."""
    from crawler.store.archive import Archive
    from crawler.jobs.sitesync import sync_sites

    with Archive(path) as archive:
        sync_sites(archive)
        sites = [r[0] for r in archive.db.execute(
            "SELECT name FROM sites WHERE domains IS NOT NULL AND domains != '[]' ORDER BY name")]
        if not with_index:
            archive.db["articles"].disable_fts()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-512000")
    corpus = Corpus()
    rng = random.Random(11)
    cols = ("hash", "url", "site", "title", "text", "published", "author", "description",
            "language", "tags", "canonical_url", "fetched_at")
    sql = f"INSERT OR IGNORE INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    url_sql = "INSERT OR IGNORE INTO urls (url, hash, site, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
    started = time.perf_counter()
    batch, urls = [], []
    days = 365 * YEARS + YEARS // 4
    for i in range(n):
        title, text = corpus.article()
        site = sites[rng.randrange(len(sites))]
        content_hash = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]
        # Articles arrive roughly in publication order, as a crawl archives them.
        day = FIRST_DAY + min(days - 1, int(i * days / n) + rng.randrange(3))
        published = time.strftime("%Y-%m-%dT%H:%M:00+07:00", time.gmtime(day * 86400 + rng.randrange(86400)))
        url = f"https://{site}.vn/bai-{i}-a{i}.html"
        fetched = published[:10] + "T12:00:00+00:00"
        batch.append((content_hash, url, site, title, text, published, None, text[:160], "vi", "[]",
                      url, fetched))
        urls.append((url, content_hash, site, fetched, fetched))
        if len(batch) == 5000 or i == n - 1:
            with conn:
                conn.executemany(sql, batch)
                conn.executemany(url_sql, urls)
            batch, urls = [], []
            if (i + 1) % 50000 == 0:
                log(f"  built {i + 1:,} articles in {time.perf_counter() - started:.0f} s", flush=True)
    if with_index:  # merge the index's segments, as a long-lived archive's would be
        with conn:
            conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    conn.execute(f"PRAGMA user_version = {RECIPE}")
    conn.execute("ANALYZE")
    conn.commit()
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
    provinces = sorted({r[0] for r in conn.execute("SELECT province FROM sites WHERE province IS NOT NULL")})
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
            q["province"] = rng.choice(provinces)
        elif kind == "dates":
            q["q"] = words[start]
            q["since"], q["until"] = "2022-01-01", "2022-06"
        elif kind == "common_pair":
            q["q"] = "dai hoi dang"
        else:
            q["q"] = max(words[start:start + 4], key=len) + " " + words[start]
        q["_kind"] = kind
        queries.append(q)
    conn.close()
    return queries


def datasette_for(path: Path):
    """An in-process Datasette as ``datasette FILE`` builds it: the installed plugin, no flags."""
    from datasette.app import Datasette

    return Datasette([str(path)])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


PAGE = "ranked search page (canned query, JSON)"
TABLE = "table search box (rows + count + 3 facets, JSON)"
# The plain baseline, in the same run: the newest 50 articles, no search, no count, no facets.
BASELINE = "baseline: articles table page without search (JSON)"


async def time_queries(ds, db: str, queries: list[dict[str, str]]) -> dict[str, list[float]]:
    await ds.invoke_startup()
    timings: dict[str, list[float]] = {PAGE: [], TABLE: [], BASELINE: []}
    # Warm up: first connection, schema introspection.
    await ds.client.get(f"/{db}/search.json?" + urlencode({"q": "a"}))
    for q in queries:
        t = time.perf_counter()
        r = await ds.client.get(f"/{db}/articles.json?_nofacet=1&_nocount=1")
        timings[BASELINE].append((time.perf_counter() - t) * 1000)
        q = {k: v for k, v in q.items() if k != "_kind"}
        params = {"site": "", "province": "", "since": "", "until": "", **q, "_shape": "objects"}
        t = time.perf_counter()
        r = await ds.client.get(f"/{db}/search.json?" + urlencode(params))
        timings[PAGE].append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"search {q}: HTTP {r.status_code}: {r.text[:300]}")
        table_params = {"_search": q["q"]}
        if q.get("province"):
            table_params["province"] = q["province"]
        if q.get("since"):
            table_params["published__gte"] = q["since"]
        t = time.perf_counter()
        r = await ds.client.get(f"/{db}/articles.json?" + urlencode(table_params))
        timings[TABLE].append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"table search {q}: HTTP {r.status_code}: {r.text[:300]}")
        data = r.json()
        if not data.get("facet_results") or any(f.get("timed_out") for f in data.get("facets_timed_out", [])):
            raise RuntimeError(f"table search {q}: facets missing")
    return timings


def _cached(path: Path, n: int) -> bool:
    if not path.exists():
        return False
    with sqlite3.connect(path) as conn:
        try:
            count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.Error:
            return False
        return count >= n and conn.execute("PRAGMA user_version").fetchone()[0] == RECIPE


# The query shapes the search issues measured (#21, #22), timed with the plain query language
# (every spelling searched, "before") and with the archive's vocabulary ("after") in one run.
# Misspelt syllables are made from the archive's own (a letter added), as a reader's typo.
def named_shapes(path: Path) -> list[tuple[str, dict[str, str]]]:
    conn = sqlite3.connect(path)
    title = conn.execute("SELECT title FROM articles ORDER BY rowid DESC LIMIT 1 OFFSET 500").fetchone()[0]
    text = conn.execute("SELECT text FROM articles WHERE rowid = 1").fetchone()[0]
    conn.close()
    from crawler.text import fold

    words = text.split()
    headline = " ".join((title.split() + words)[:20])
    return [
        ("misspelt beside a common word", {"q": f"{fold(words[3])}q phu {fold(words[5])}h cua"}),
        ("phrase of common words", {"q": '"phát triển kinh tế"'}),
        ("common phrase, no diacritics", {"q": '"dai hoi dang"'}),
        ("pasted headline (20 syllables)", {"q": headline}),
        ("pasted headline, no diacritics", {"q": fold(headline)}),
    ]


async def time_shapes(ds, db: str, shapes, passes: int = 3) -> dict[str, float]:
    await ds.invoke_startup()
    await ds.client.get(f"/{db}/search.json?" + urlencode({"q": "a"}))
    out = {}
    for name, q in shapes:
        best = None
        for _ in range(passes):
            params = {"site": "", "province": "", "since": "", "until": "", **q, "_shape": "objects"}
            t = time.perf_counter()
            r = await ds.client.get(f"/{db}/search.json?" + urlencode(params))
            ms = (time.perf_counter() - t) * 1000
            if r.status_code != 200:
                raise RuntimeError(f"search {q}: HTTP {r.status_code}: {r.text[:300]}")
            best = ms if best is None else min(best, ms)
        out[name] = best
    return out


def prepare(path: Path, n: int, tmp) -> None:
    if _cached(path, n):
        print(f"archive: cached {path}", flush=True)
        # A cached archive from before a schema change gets it now, as the crawler would give
        # it (m008_search_prefix rebuilds the search index: minutes at a million articles).
        import sqlite_utils

        from crawler.store.archive import Archive
        from crawler.store.migrations import migrations

        pending = [m.name for m in migrations.pending(sqlite_utils.Database(path))]
        if pending:
            t = time.perf_counter()
            with Archive(path):
                pass
            print(f"archive: schema upgraded ({', '.join(pending)}) in {time.perf_counter() - t:.0f} s",
                  flush=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        t = time.perf_counter()
        build(path, n)
        print(f"built archive {path} in {time.perf_counter() - t:.0f} s", flush=True)
    with sqlite3.connect(path) as conn:
        count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        papers = conn.execute("SELECT count(DISTINCT site) FROM articles").fetchone()[0]
        first, last = conn.execute("SELECT min(published), max(published) FROM articles").fetchone()
    text_bytes = column_bytes(path, "text") + column_bytes(path, "title")
    size = index_bytes(path)
    how = "dbstat"
    if size is None:  # no dbstat in this SQLite: build without the index and compare file sizes
        how = "file size with and without the index"
        bare = Path(tmp.name) / "bare.db"
        build(bare, count, with_index=False, log=lambda *a, **k: None)
        size = path.stat().st_size - bare.stat().st_size
    print(f"articles: {count:,} across {papers} papers, {first[:10]} to {last[:10]}; "
          f"title+text {text_bytes / count:,.0f} bytes/article; database {path.stat().st_size / count:,.0f} bytes/article")
    print(f"search index (articles_fts, {how}): {size / count:,.0f} bytes/article, {size / 2**20:,.1f} MiB total")


def run_size(path: Path, n: int, count: int, tmp) -> dict[str, list[float]]:
    import crawler.datasette.search as plugin_search

    print(f"-- {n:,} articles", flush=True)
    prepare(path, n, tmp)
    queries = make_queries(path, count)
    ds = datasette_for(path)
    timings = asyncio.run(time_queries(ds, path.stem, queries))
    # Once more: the plugin caches how many articles have each word (for scoring) for an
    # hour, so a serving instance answers the second time a word is asked as below.
    again = asyncio.run(time_queries(ds, path.stem, queries))
    for name in (PAGE, TABLE):
        print(f"{name}, second pass (word counts cached): median {statistics.median(again[name]):.1f} ms, "
              f"p95 {percentile(again[name], 95):.1f} ms, max {max(again[name]):.1f} ms")
    base = statistics.median(timings[BASELINE])
    for name, values in timings.items():
        if name == BASELINE:
            print(f"{name}: median {base:.1f} ms")
            continue
        verdict = "ok" if percentile(values, 95) < 200 and max(values) < 500 else "OVER TARGET"
        print(f"{name}: median {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms, "
              f"max {max(values):.1f} ms over {len(values)} queries; median {statistics.median(values) / base:.1f}x "
              f"the baseline (target p95 < 200, max < 500: {verdict})")
    for name, values in timings.items():
        if name == BASELINE:
            continue
        by_kind: dict[str, list[float]] = {}
        for ms, q in zip(values, queries):
            by_kind.setdefault(q["_kind"], []).append(ms)
        print(f"  {name.split(' (')[0]} by kind (median ms): " + ", ".join(
            f"{kind} {statistics.median(v):.0f}" for kind, v in by_kind.items()))
    for name in (PAGE, TABLE):
        slowest = sorted(zip(timings[name], queries), key=lambda t: -t[0])[:3]
        print(f"slowest, {name.split(' (')[0]}: " + "; ".join(
            f"{ {k: v for k, v in q.items() if v and k != '_kind'} } {ms:.0f} ms" for ms, q in slowest))
    shapes = named_shapes(path)
    # Alternating passes, best of each: the machine's load and the page cache treat both alike.
    plugin_search.USE_VOCABULARY = False
    try:
        plain_ds = datasette_for(path)
        asyncio.run(plain_ds.invoke_startup())
    finally:
        plugin_search.USE_VOCABULARY = True
    before: dict[str, float] = {}
    after: dict[str, float] = {}
    for _ in range(3):
        for into, instance, vocab in ((before, plain_ds, False), (after, ds, True)):
            plugin_search.USE_VOCABULARY = vocab  # for connections opened during this pass
            try:
                got = asyncio.run(time_shapes(instance, path.stem, shapes, passes=1))
            finally:
                plugin_search.USE_VOCABULARY = True
            for name, ms in got.items():
                into[name] = min(ms, into.get(name, ms))
    for name, _ in shapes:
        print(f"  shape {name}: {before[name]:.1f} ms every spelling (before) -> {after[name]:.1f} ms "
              f"spellings the archive holds (after), best of 3")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", default="100000,1000000",
                        help="archive sizes, comma-separated (default 100000,1000000)")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--db", type=Path, help="build or reuse the archive here (one size only)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(x.replace("_", "")) for x in args.articles.split(",") if x.strip()]
    except ValueError:
        print(f"--articles: whole numbers separated by commas, not {args.articles!r}", file=sys.stderr)
        return 2
    if not sizes or min(sizes) < 1 or (args.db and len(sizes) > 1):
        print("--articles: one or more sizes above 0 (one only with --db)", file=sys.stderr)
        return 2

    tmp = tempfile.TemporaryDirectory(prefix="bench-search-")
    print(f"search bench: {', '.join(f'{n:,}' for n in sizes)} synthetic Vietnamese articles, "
          f"{args.queries} queries", flush=True)
    results = {}
    for n in sizes:
        path = args.db or CACHE / f"search-{n}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        results[n] = run_size(path, n, args.queries, tmp)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for name in (PAGE, TABLE):
            a, b = results[small][name], results[large][name]
            print(f"growth {small:,} -> {large:,} ({large / small:.0f}x the articles), {name.split(' (')[0]}: "
                  f"median {statistics.median(b) / statistics.median(a):.2f}x, "
                  f"p95 {percentile(b, 95) / percentile(a, 95):.2f}x, max {max(b) / max(a):.2f}x")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
