"""The long commands over a whole archive (``reextract``, ``import``, ``export``), run as a user
runs them: progress a log can read, and no process left behind when one is killed.

The archive: pages captured in WARC files by the crawl's own middleware and stored by the
store, no network (the same shape a crawl leaves).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.items import ArticleRecord
from crawler.middlewares.warc import WarcMiddleware
from crawler.store.archive import Archive
from crawler.text.extract import extract
from tests.conftest import PROJECT_ROOT, crawl_env, run_cli

psutil = pytest.importorskip("psutil")

PAGES = Path(__file__).parent / "fixtures" / "pages"
N = 160  # more than reextract's CHUNK, so the worker pool is used


class Paper(Spider):
    name = "baocamau"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    """``archive.db`` with ``N`` captured articles, and its ``warc/`` folder."""
    root = tmp_path_factory.mktemp("long-work")
    db = root / "archive.db"
    crawler = get_crawler(Paper, {"ARCHIVE_DB": str(db), "ARCHIVE_WARC_DIR": "warc"})
    crawler.spider = Paper()
    mw = WarcMiddleware.from_crawler(crawler)
    template = (PAGES / "baocamau_article.html").read_text(encoding="utf-8")
    records = []
    for n in range(N):
        url = f"https://baocamau.vn/bai-{n}-a{1000 + n}.html"
        html = template.replace("</h1>", f"</h1><p>Tin số {n} trong ngày, viết riêng cho bài này.</p>", 1)
        request = Request(url)
        mw.process_response(request, Response(url, body=html.encode(), request=request,
                                               headers={"Content-Type": "text/html; charset=utf-8"}))
        article, reason = extract(html, url)
        assert article is not None, reason
        records.append(ArticleRecord(urls=[url], site="baocamau", fetched_at="2025-07-24T00:00:00+00:00",
                                     article=article.__dict__, warc_file=request.meta["warc"]["file"],
                                     warc_offset=request.meta["warc"]["offset"]))
    mw.spider_closed(crawler.spider)
    with Archive(db) as archive:
        assert archive.store(records).inserted == N
    return root


def _descendants(pid: int) -> list:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _alive(procs: list) -> list:
    return [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_a_killed_reextract_leaves_no_worker_or_resource_tracker(archive_dir):
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "--db", str(archive_dir / "archive.db"), "reextract",
                             "--workers", "2", "--dry-run"], cwd=PROJECT_ROOT, env=crawl_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    children: list = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            children = _descendants(proc.pid)
            if len(children) >= 3:  # two workers and the resource tracker, all up
                break
            time.sleep(0.05)
        assert len(children) >= 3, f"the pool never started: {children} (exit {proc.poll()})"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _alive(children)
        assert not left, f"left running 5 s after reextract was killed: {[(p.pid, p.cmdline()) for p in left]}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in _alive(children):
            p.kill()


def test_reextract_prints_a_progress_line_per_interval_off_a_terminal(archive_dir):
    from crawler.jobs.reextract import run

    stream = io.StringIO()  # not a terminal
    report = run(str(archive_dir / "archive.db"), archive_dir / "warc", dry_run=True, out=lambda line: None,
                 stream=stream, interval=0)
    lines = stream.getvalue().splitlines()
    assert report.articles == N
    assert len(lines) >= N // 64, lines  # one per chunk read at interval 0, and the last
    assert "\r" not in stream.getvalue()  # lines, not a bar's redraws
    assert lines[-1].startswith("Trích xuất lại") and f"{N}/{N}" in lines[-1]


def test_export_and_import_print_progress_lines_when_not_on_a_terminal(archive_dir, tmp_path):
    texts = tmp_path / "texts"
    ran = run_cli("--db", archive_dir / "archive.db", "export", texts, "--jsonl", tmp_path / "all.jsonl")
    assert ran.returncode == 0, ran.stderr
    assert "Xuất văn bản: 100%" in ran.stderr and f"{N}/{N}" in ran.stderr
    assert "Xuất JSON: 100%" in ran.stderr

    ran = run_cli("--db", tmp_path / "new.db", "import", texts)
    assert ran.returncode == 0, ran.stderr
    assert "Nhập văn bản: 100%" in ran.stderr and f"{N}/{N}" in ran.stderr
