"""``make demo``: the whole path on a machine without access to the real newspapers.

Serves the bundled sample site (shaped like baocamau.vn) on 127.0.0.1, crawls it with
``scrapy crawl baocamau -a base_url=…`` into ``demo/archive.db`` (never your real archive), prints
what this run added (the archive counted before and after it, so a second run says it added
nothing, rather than the same totals again), what the archive now holds, and how to open it in
Datasette.

The sample site always listens on the same port (``DEMO_PORT``, ``--port`` to change it): the
archive stores every URL with its origin, so a random port made each run add the same
articles again under a new ``127.0.0.1:<port>`` address (and the syndication page listed each
article as seen at every dead one). Run twice, the demo now gives the same archive as run once.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from crawler import PROJECT_ROOT
from samplesite import SampleSite


DEMO_PORT = 8765

# What the archive holds, as the demo counts it before and after its crawl.
COUNTED = ("articles", "urls", "revisions", "rejects", "crawls")


def holdings(db: str | Path) -> dict[str, Any]:
    """Rows of each ``COUNTED`` table and the rejected URLs with their reason (none for no
    archive yet, or a file the crawl will refuse); read only, so counting creates nothing."""
    counts: dict[str, Any] = dict.fromkeys(COUNTED, 0)
    counts["rejected"] = {}  # url → reason (a demo archive is small)
    path = Path(db)
    if not path.exists() or path.stat().st_size == 0:
        return counts
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            for table in COUNTED:
                if table in tables:
                    counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if "rejects" in tables:
                counts["rejected"] = dict(con.execute("SELECT url, reason FROM rejects"))
        finally:
            con.close()
    except sqlite3.DatabaseError:
        pass  # not an archive: the crawl refuses it in one line
    return counts


def report_lines(before: dict[str, Any], after: dict[str, Any], db: str | Path) -> list[str]:
    """What this run added (after − before; a reject is new when its URL was not rejected
    before), then what the archive holds; Vietnamese first."""
    added = {t: after[t] - before[t] for t in ("articles", "urls", "revisions")}
    new_rejects = {u: r for u, r in after["rejected"].items() if u not in before["rejected"]}
    added["rejects"] = len(new_rejects)
    resolved = sum(u not in after["rejected"] for u in before["rejected"])
    lines = [""]
    if not any(added.values()):
        lines.append("Lần chạy này không thêm gì mới (this run added nothing new): 0 bài mới, 0 địa chỉ mới, "
                     "0 phiên bản sửa, 0 trang bị loại mới")
    else:
        lines.append(f"Lần chạy này thêm (this run added): {added['articles']:,} bài mới (new articles), "
                     f"{added['urls']:,} địa chỉ mới (new URLs), {added['revisions']:,} phiên bản sửa (revisions), "
                     f"{added['rejects']:,} trang bị loại mới (new rejects)")
        if new_rejects:
            lines.append(f"  trang bị loại mới theo lý do (new rejects by reason): {_by_reason(new_rejects)}")
    if resolved:
        lines.append(f"  {resolved:,} trang bị loại trước đây nay đã lưu được (earlier rejects now stored)")
    lines.append(f"Kho lưu trữ hiện có (the archive now holds): {after['articles']:,} bài (articles), "
                 f"{after['urls']:,} địa chỉ (URLs), {after['revisions']:,} phiên bản sửa (revisions), "
                 f"{after['rejects']:,} trang bị loại (rejects), {after['crawls']:,} lần thu thập (crawl runs) "
                 f"in {db}")
    if after["rejected"]:
        lines.append(f"  trang bị loại theo lý do (rejects by reason): {_by_reason(after['rejected'])}")
    return lines


def _by_reason(rejected: dict[str, str]) -> str:
    counts = Counter(rejected.values())
    return ", ".join(f"{r} ×{n}" for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@click.command(help="Crawl the bundled sample site on 127.0.0.1 into demo/archive.db, then say how to browse it.")
# The sample site's traps need 20 articles (samplesite/site.py).
@click.option("--articles", type=click.IntRange(min=20), default=60, show_default=True,
              help="articles on the sample site (at least 20)")
@click.option("--port", type=int, default=DEMO_PORT, show_default=True,
              help="port of the sample site; keep it the same between runs")
# Its WARC captures go to demo/warc/.
@click.option("--db", default=str(PROJECT_ROOT / "demo" / "archive.db"), show_default="demo/archive.db",
              help="the demo archive (never your real one)")
def main(articles: int, port: int, db: str) -> None:
    if not _port_free(port):
        raise click.UsageError(f"port {port} is in use; stop what uses it or give --port (the same one "
                               "every run, since the archive stores URLs with their port)")
    before = holdings(db)
    with SampleSite(articles=articles, traps=True, port=port) as site:
        click.echo(f"Sample site serving at {site.base_url}")
        cmd = [
            sys.executable, "-m", "scrapy", "crawl", "baocamau",
            "-a", f"base_url={site.base_url}",
            "-s", f"ARCHIVE_DB={db}",
            # A local sample needs no politeness; a real newspaper always gets it.
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=3",
            "-s", "LOG_LEVEL=WARNING",
        ]
        click.echo("Running: " + " ".join(cmd[1:]))
        crawl = subprocess.run(cmd, cwd=PROJECT_ROOT, timeout=600)
    if crawl.returncode != 0:  # the crawl said why on its last line (README, "Exit status")
        click.echo(f"the demo crawl ended with exit status {crawl.returncode}", err=True)
        sys.exit(crawl.returncode)

    after = holdings(db)
    for line in report_lines(before, after, db):
        click.echo(line)
    shown = os.path.relpath(db, PROJECT_ROOT)
    click.echo(f"\nBrowse and search it:  make serve DB={shown}   (or: datasette {shown}; "
               "then open http://127.0.0.1:8001/archive)")


if __name__ == "__main__":
    main(prog_name="python -m crawler.commands.demo")
