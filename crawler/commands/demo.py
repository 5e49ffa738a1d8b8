"""``make demo``: the whole path on a machine without access to the real newspapers.

Serves the bundled sample site (shaped like baocamau.vn) on 127.0.0.1, crawls it with
``scrapy crawl baocamau -a base_url=…`` into ``demo/archive.db`` (never your real archive), prints
what landed, and how to open it in Datasette.

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

import click

from crawler import PROJECT_ROOT
from samplesite import SampleSite


DEMO_PORT = 8765


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@click.command(help="Crawl the bundled sample site on 127.0.0.1 into demo/archive.db, then say how to browse it.")
@click.option("--articles", type=int, default=60, show_default=True, help="articles on the sample site")
@click.option("--port", type=int, default=DEMO_PORT, show_default=True,
              help="port of the sample site; keep it the same between runs")
# Its WARC captures go to demo/warc/.
@click.option("--db", default=str(PROJECT_ROOT / "demo" / "archive.db"), show_default="demo/archive.db",
              help="the demo archive (never your real one)")
def main(articles: int, port: int, db: str) -> None:
    if not _port_free(port):
        raise click.UsageError(f"port {port} is in use; stop what uses it or give --port (the same one "
                               "every run, since the archive stores URLs with their port)")
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

    con = sqlite3.connect(db)
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "urls", "rejects", "crawls")}
    reasons = con.execute("SELECT reason, count(*) FROM rejects GROUP BY reason ORDER BY 2 DESC").fetchall()
    con.close()
    click.echo(f"\n{counts['articles']} articles, {counts['urls']} URLs, {counts['rejects']} rejects, {counts['crawls']} crawl runs in {db}")
    if reasons:
        click.echo("rejects: " + ", ".join(f"{r} ×{n}" for r, n in reasons))
    shown = os.path.relpath(db, PROJECT_ROOT)
    click.echo(f"\nBrowse and search it:  make serve DB={shown}   (or: datasette {shown}; "
               "then open http://127.0.0.1:8001/archive)")


if __name__ == "__main__":
    main(prog_name="python -m crawler.commands.demo")
