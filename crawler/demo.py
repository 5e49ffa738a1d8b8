"""``make demo``: the whole path on a machine without access to the real newspapers.

Serves the bundled sample site (shaped like baocamau.vn) on 127.0.0.1, crawls it with
``scrapy crawl baocamau -a base_url=…`` into ``demo.db`` (never into your real archive), prints
what landed, and how to open it in Datasette.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys

from crawler import PROJECT_ROOT
from crawler.samplesite import SampleSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo", description=__doc__)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--db", default=str(PROJECT_ROOT / "demo.db"))
    args = parser.parse_args(argv)

    with SampleSite(articles=args.articles, traps=True) as site:
        print(f"Sample site serving at {site.base_url}")
        cmd = [
            sys.executable, "-m", "scrapy", "crawl", "baocamau",
            "-a", f"base_url={site.base_url}",
            "-s", f"ARCHIVE_DB={args.db}",
            # A local sample needs no politeness; a real newspaper always gets it.
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=3",
            "-s", "LOG_LEVEL=WARNING",
        ]
        print("Running:", " ".join(cmd[1:]))
        subprocess.run(cmd, cwd=PROJECT_ROOT, check=True, timeout=600)

    con = sqlite3.connect(args.db)
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "urls", "rejects", "crawls")}
    reasons = con.execute("SELECT reason, count(*) FROM rejects GROUP BY reason ORDER BY 2 DESC").fetchall()
    con.close()
    print(f"\n{counts['articles']} articles, {counts['urls']} URLs, {counts['rejects']} rejects, {counts['crawls']} crawl runs in {args.db}")
    if reasons:
        print("rejects: " + ", ".join(f"{r} ×{n}" for r, n in reasons))
    print(f"\nBrowse it:  {PROJECT_ROOT.name}/.venv/bin/datasette {args.db} -m metadata.yml --plugins-dir plugins --template-dir templates")
    print("or:         make serve DB=demo.db")
    return 0


if __name__ == "__main__":
    sys.exit(main())
