"""Running a crawl tells the truth: exit status, finish reason, one line saying why, a summary,
progress, a readable default log, checked paths and spider names.

``scrapy crawl`` runs in a subprocess (``run_command`` from conftest: a reactor per process);
the network is simulated on loopback: ``.invalid`` names never resolve (RFC 6761), a closed
loopback port refuses, a loopback server answers 403 to everything.
"""

from __future__ import annotations

import logging
import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler import reasons
from crawler.commands import outcome
from crawler.commands.logs import quiet_logging, reset
from crawler.extensions.progress import CLEAR, Board
from crawler.extensions.summary import summary_lines
from samplesite import SampleSite
from tests.conftest import PROJECT_ROOT, crawl_command, crawl_env, rows, run_command

FAST = {"RETRY_TIMES": 0}
DUMPS = ("Overridden settings", "Enabled extensions", "Enabled item pipelines", "Dumping Scrapy stats",
         "Versions:")


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scrapy_crawl(site, db, *args, log: str, log_level: str | None = None, settings: dict | None = None,
                 spider: str = "baocamau", timeout: float = 120):
    cmd = crawl_command(site, db, *args, settings={**FAST, **(settings or {})}, spider=spider, log_level=log_level)
    return run_command(cmd, log=log, timeout=timeout)


# -- exit status and finish reason ------------------------------------------------------------


@pytest.mark.e2e
def test_no_dns_exits_3_with_one_plain_line_and_no_traceback(tmp_path):
    db = tmp_path / "new" / "archive.db"
    done = scrapy_crawl("http://baocamau.invalid", db, log="truth-dns")
    assert done.returncode == outcome.UNREACHABLE, done.tail()
    lines = done.stderr.splitlines()
    assert lines[-1] == "baocamau: baocamau.invalid could not be reached (DNS lookup failed) — no network? try make demo"
    assert "Traceback" not in done.stderr
    assert not any(d in done.stderr for d in DUMPS)
    assert len(lines) < 40, done.stderr
    assert lines[0] == f"creating new archive at {db} (and its folder {db.parent})"
    # The summary is there, with the reason in words.
    assert re.search(r"baocamau: site-unreachable in \d+ s", done.stderr)
    (crawl,) = rows(db, "SELECT * FROM crawls")
    assert crawl["finish_reason"] == reasons.SITE_UNREACHABLE and crawl["finished"]
    assert "could not be reached" in crawl["stats"]


@pytest.mark.e2e
def test_connection_refused_exits_3(tmp_path):
    port = closed_port()
    done = scrapy_crawl(f"http://127.0.0.1:{port}", tmp_path / "a.db", log="truth-refused")
    assert done.returncode == outcome.UNREACHABLE, done.tail()
    assert done.stderr.splitlines()[-1] == (f"baocamau: 127.0.0.1:{port} could not be reached (connection refused)"
                                            " — no network? try make demo")


@pytest.mark.e2e
def test_a_site_that_only_answers_errors_exits_4(tmp_path, httpserver):
    httpserver.expect_request(re.compile(r"^/robots\.txt$")).respond_with_data("", status=404)
    httpserver.expect_request(re.compile(".*")).respond_with_data("<h1>Forbidden</h1>", status=403,
                                                                   content_type="text/html")
    base = httpserver.url_for("/").rstrip("/")
    db = tmp_path / "a.db"
    done = scrapy_crawl(base, db, log="truth-403")
    assert done.returncode == outcome.ALL_FAILED, done.tail()
    assert re.fullmatch(r"baocamau: (127\.0\.0\.1|localhost):\d+ answered, but every request failed \(\d+× HTTP 403\)",
                        done.stderr.splitlines()[-1]), done.tail()
    assert rows(db, "SELECT finish_reason FROM crawls")[0]["finish_reason"] == reasons.ALL_REQUESTS_FAILED


@pytest.mark.e2e
def test_a_closespider_cut_is_not_success(tmp_path, clean_site):
    db = tmp_path / "a.db"
    done = scrapy_crawl(clean_site, db, log="truth-pagecount", settings={"CLOSESPIDER_PAGECOUNT": 5})
    assert done.returncode == outcome.CUT_SHORT, done.tail()
    assert done.stderr.splitlines()[-1] == ("baocamau: cut short by a limit (finish reason closespider_pagecount)")
    assert rows(db, "SELECT finish_reason FROM crawls")[0]["finish_reason"] == "closespider_pagecount"


@pytest.mark.e2e
def test_a_good_crawl_exits_0_with_a_summary_and_a_readable_log(tmp_path, clean_site):
    db = tmp_path / "a.db"
    done = scrapy_crawl(clean_site, db, log="truth-ok", settings={"LOGSTATS_INTERVAL": 1})
    assert done.returncode == 0, done.tail()
    log = done.stderr
    assert not any(d in log for d in DUMPS), log[:3000]
    assert not re.search(r"\] INFO: (Rejected|Duplicate) ", log)
    new = rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
    urls = rows(db, "SELECT count(*) AS n FROM urls")[0]["n"]
    (crawl,) = rows(db, "SELECT * FROM crawls")
    assert crawl["finish_reason"] == "finished"
    summary = log[log.index("baocamau: finished in"):]
    assert f"articles  {new} new," in summary
    assert f"requests  {crawl['requests']}," in summary
    assert re.search(r"rejects   \d+", summary) and "listings  " in summary and "errors    " in summary
    assert f"archive   baocamau now holds {new} articles at {urls} URLs" in summary
    # Not a terminal: the periodic progress is a log line.
    assert re.search(r"Progress: \d+ pages \(\d+/min\), \d+ new articles, \d+ rejects", log)
    # -L INFO brings the dumps back (an incremental run: quick).
    again = run_command([*crawl_command(clean_site, db, settings=FAST, log_level=None), "-L", "INFO"],
                        log="truth-ok-info")
    assert again.returncode == 0, again.tail()
    assert "Overridden settings" in again.stderr and "Dumping Scrapy stats" in again.stderr


@pytest.mark.e2e
def test_progress_line_on_a_terminal(tmp_path):
    """stderr a pseudo-terminal: the progress line is redrawn in place, and erased at the end."""
    with SampleSite(articles=30, traps=False, latency=0.05) as site:
        cmd = crawl_command(site, tmp_path / "a.db", settings={**FAST, "ARCHIVE_PROGRESS_INTERVAL": 0.2},
                            log_level=None)
        master, slave = pty.openpty()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=crawl_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        out = b""
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.5)
                if ready:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # the other end closed
                        break
                    if not chunk:
                        break
                    out += chunk
                elif proc.poll() is not None:
                    break
            assert proc.wait(timeout=30) == 0, out.decode(errors="replace")[-3000:]
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(master)
    text = out.decode("utf-8", errors="replace")
    frames = re.findall(r"\r\x1b\[Kbaocamau  ([\d,]+) pages · ([\d,]+) new · [\d,]+ rejects · [\d.]+ pages/s",
                        text)
    assert len(frames) >= 2, text[-3000:]
    assert int(frames[-1][0].replace(",", "")) > int(frames[0][0].replace(",", "")) or len(frames) > 2
    # Log lines start on a clean line: the progress line is erased before each.
    assert not re.search(r"pages/s · [^\r\n]*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[", text)


# -- inputs checked before anything starts -------------------------------------------------------


def test_unknown_spider_lists_the_known_ones(tmp_path):
    done = run_command([sys.executable, "-m", "scrapy", "crawl", "nosuchsite", "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}"])
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("scrapy crawl: unknown spider 'nosuchsite'; known spiders: ")
    assert "baocamau" in line and "baocantho" in line
    assert not (tmp_path / "a.db").exists()


def test_crawl_checks_the_archive_path(tmp_path):
    # A parent that is a file: one line, nothing made.
    (tmp_path / "file").write_text("x")
    nowhere = tmp_path / "file" / "sub" / "archive.db"
    done = scrapy_crawl("http://baocamau.invalid", nowhere, log="truth-nowhere")
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"scrapy crawl: cannot create {nowhere}: ")
    bad = tmp_path / "archive.db"
    bad.write_bytes(b"PK\x03\x04 a zip file, not an archive" * 10)
    before = bad.read_bytes()
    done = scrapy_crawl("http://baocamau.invalid", bad, log="truth-notsqlite")
    assert done.returncode == 2
    assert done.stderr.strip() == f"scrapy crawl: {bad} is not a SQLite database"
    assert bad.read_bytes() == before
    # The right header over a damaged body: the store's open finds it, still before the crawl.
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    before = damaged.read_bytes()
    done = scrapy_crawl("http://baocamau.invalid", damaged, log="truth-damaged")
    assert done.returncode == 2, done.tail()
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"scrapy crawl: {damaged}") and "Traceback" not in done.stderr
    assert damaged.read_bytes() == before


def make_crawl(*args: str) -> subprocess.CompletedProcess:
    """``make crawl`` with this interpreter's virtualenv (never reinstalling it)."""
    bindir = Path(sys.executable).parent
    return subprocess.run(["make", "--no-print-directory", "-o", f"{bindir}/.installed", f"BIN={bindir}", "crawl",
                           *args], cwd=PROJECT_ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)


def test_make_crawl_fails_on_an_unknown_site():
    done = make_crawl("SITE=nosuchsite")
    assert done.returncode == 2
    assert "scrapy crawl: unknown spider 'nosuchsite'; known spiders: " in done.stderr
    assert "KeyError" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.e2e
def test_make_crawl_reports_the_crawls_status(tmp_path):
    done = make_crawl("SITE=baocamau", f"ARGS=-a base_url=http://baocamau.invalid -s ARCHIVE_DB={tmp_path / 'a.db'} "
                                       "-s RETRY_TIMES=0")
    assert done.returncode == 2  # make's own status for a failed recipe
    assert "Error 3" in done.stderr  # the crawl's, shown by make
    assert "could not be reached (DNS lookup failed)" in done.stderr


def test_make_serve_refuses_a_missing_archive(tmp_path):
    bindir = Path(sys.executable).parent
    missing = tmp_path / "typo" / "archive.db"
    done = subprocess.run(["make", "--no-print-directory", "-o", f"{bindir}/.installed", f"BIN={bindir}", "serve",
                           f"DB={missing}"], cwd=PROJECT_ROOT, env=crawl_env(), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert f"{missing} does not exist" in done.stderr
    assert not missing.parent.exists()


def test_scheduled_script_passes_the_crawl_status_through(tmp_path):
    stub = tmp_path / "python"
    stub.write_text("#!/bin/sh\nexit 3\n")
    stub.chmod(0o755)
    env = crawl_env()
    env.update(LOG_DIR=str(tmp_path / "logs"), JOB_DIR=str(tmp_path / "jobs"), LOCK_FILE=str(tmp_path / "lock"),
               PYTHON=str(stub))
    done = subprocess.run([str(PROJECT_ROOT / "deploy" / "crawl-all.sh")], env=env, stdin=subprocess.DEVNULL,
                          timeout=20)
    assert done.returncode == 3


# -- the pieces, in process ---------------------------------------------------------------------


def test_every_finish_reason_has_its_documented_exit_status():
    assert outcome.exit_code(reasons.FINISHED) == 0
    assert outcome.exit_code(reasons.SITE_UNREACHABLE) == 3
    assert outcome.exit_code(reasons.ALL_REQUESTS_FAILED) == 4
    assert outcome.exit_code(reasons.STORE_FAILED) == 5
    assert outcome.exit_code(reasons.BUDGET_EXHAUSTED) == 6
    for cut in ("closespider_timeout", "closespider_pagecount", "closespider_itemcount", "closespider_errorcount"):
        assert outcome.exit_code(cut) == 6
    assert outcome.exit_code("shutdown") == 7
    assert outcome.exit_code(None) == 1 and outcome.exit_code("cancelled") == 1
    # crawl-all: the worst site decides
    assert outcome.worst([0, 6, 3]) == 3 and outcome.worst([0, 5, 3]) == 5 and outcome.worst([]) == 0
    # Every finish reason the vocabulary names is mapped, not left to the catch-all.
    finish = [v for k, v in vars(reasons).items() if k.isupper() and isinstance(v, str)
              and v in {reasons.FINISHED, reasons.STORE_FAILED, reasons.BUDGET_EXHAUSTED, reasons.SITE_UNREACHABLE,
                        reasons.ALL_REQUESTS_FAILED}]
    assert set(finish) <= set(outcome.EXIT_CODES)


def test_readme_documents_every_exit_status():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Exit status"):]
    section = section[:section.index("\n#")]
    documented = {int(m) for m in re.findall(r"^\| `?(\d)`? \|", section, re.M)}
    codes = {v for k, v in vars(outcome).items() if k.isupper() and isinstance(v, int)}
    assert documented == codes
    for reason in outcome.EXIT_CODES:
        assert f"`{reason}`" in section, reason


@pytest.fixture
def root_logger_open():
    """The root logger lets every level through to its handlers, as Scrapy sets it up."""
    level = logging.root.level
    logging.root.setLevel(logging.NOTSET)
    yield
    logging.root.setLevel(level)


def test_default_log_level_moves_dumps_and_network_tracebacks_to_debug(root_logger_open):
    from scrapy.exceptions import CannotResolveHostError
    from scrapy.settings import Settings

    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record)

    handler = Keep(level=logging.INFO)
    logging.root.addHandler(handler)
    try:
        quiet_logging(Settings({"LOG_LEVEL": "INFO"}, priority="project"))
        logging.getLogger("scrapy.crawler").info("Overridden settings:\n%s", "{...}")
        logging.getLogger("somewhere.pipelines").info("Rejected %s: %s", "http://x/", "too-short")
        logging.getLogger("scrapy.crawler").info("Received SIGTERM, shutting down gracefully")
        try:
            raise CannotResolveHostError("DNS lookup failed: x.invalid")
        except CannotResolveHostError:
            logging.getLogger("scrapy.core.scraper").error("Error downloading %s", "http://x.invalid/", exc_info=True)
        try:
            raise KeyError("a bug")
        except KeyError:
            logging.getLogger("scrapy.core.scraper").error("Spider error", exc_info=True)
    finally:
        reset()
        logging.root.removeHandler(handler)
    messages = [r.getMessage() for r in seen]
    assert messages == ["Received SIGTERM, shutting down gracefully", "Error downloading http://x.invalid/",
                        "Spider error"]
    assert seen[1].exc_info is None  # a network failure: the message is enough
    assert seen[2].exc_info is not None  # a bug keeps its traceback


def test_log_level_on_the_command_line_keeps_everything(root_logger_open):
    from scrapy.settings import Settings

    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    handler = Keep(level=logging.INFO)
    logging.root.addHandler(handler)
    try:
        s = Settings({"LOG_LEVEL": "INFO"}, priority="project")
        s.set("LOG_LEVEL", "INFO", priority="cmdline")
        quiet_logging(s)
        logging.getLogger("scrapy.crawler").info("Overridden settings: %s", "{}")
    finally:
        reset()
        logging.root.removeHandler(handler)
    assert seen == ["Overridden settings: {}"]


def test_summary_names_rejects_budgets_and_the_archive():
    stats = {"downloader/request_count": 1234, "downloader/response_count": 1230, "downloader/exception_count": 4,
             "archive/inserted": 120, "archive/alias": 3, "archive/revised": 2, "archive/unchanged": 10,
             "archive/rejected": 7, "extract/rejected": 3, "extract/rejected/too-short": 3,
             "archive/rejected/http-404": 4, "listing/pages": 40, "listing/stopped/nothing-new": 3,
             "budget/exhausted/listing": 1, "log_count/ERROR": 2}
    lines = summary_lines("baocamau", "finished", stats, seconds=72, totals={"articles": 1234, "urls": 1240})
    assert lines == [
        "baocamau: finished in 1 min 12 s",
        "  requests  1,234, 1,230 responses, 4 download errors",
        "  articles  120 new, 3 aliases, 2 revisions, 10 unchanged",
        "  rejects   7: http-404 4, too-short 3",
        "  listings  40 pages; ended: nothing-new 3, budget-exhausted/listing 1",
        "  errors    2 ERROR log lines",
        "  archive   baocamau now holds 1,234 articles at 1,240 URLs",
    ]


def test_progress_board_shows_one_row_per_site_under_crawl_all():
    import io

    class Fake:
        def __init__(self, site, pages, new, rejects, reason=None):
            self.site, self.closed, self.reason, self.started = site, reason is not None, reason, time.monotonic() - 5
            self._f = {"pages": pages, "new": new, "rejects": rejects}

        def figures(self):
            return self._f

        def rate(self):
            return 2.5

    stream = io.StringIO()
    board = Board(stream, height=24)
    board.crawls = {1: Fake("baocantho", 234, 56, 9, reason="site-unreachable"), 2: Fake("baocamau", 1000, 400, 3)}
    board.finished = 1
    board.draw()
    drawn = stream.getvalue()
    assert drawn.startswith(CLEAR)
    lines = drawn[len(CLEAR):].split("\n")
    assert lines[0] == "1/2 sites done  1,234 pages · 456 new · 12 rejects · 2.5 pages/s · 5 s"
    assert lines[1].split() == ["site", "state", "pages", "new", "rejects", "pages/s"]
    assert lines[3].split() == ["baocamau", "running", "1,000", "400", "3", "2.5"]  # running sites first
    assert lines[4].split() == ["baocantho", "site-unreachable", "234", "56", "9", "-"]
    # Erasing goes back up over all five lines and clears them; a redraw replaces them.
    board.erase()
    assert stream.getvalue().endswith("\r\x1b[4A\x1b[J") and not board.shown
    # A terminal too short for every row: running first, then a count of the rest.
    short = Board(io.StringIO(), height=6)
    short.crawls = {i: Fake(f"site{i}", i, 0, 0, reason=None if i < 2 else "finished") for i in range(5)}
    assert short.lines()[-1] == "… and 3 more sites"
    assert [line.split()[0] for line in short.lines()[3:5]] == ["site0", "site1"]
    # One crawl: one line.
    single = Board(io.StringIO())
    single.crawls = {1: Fake("baocamau", 10, 2, 1)}
    assert single.lines() == ["baocamau  10 pages · 2 new · 1 rejects · 2.5 pages/s · 5 s"]


def test_download_failures_are_named_by_their_exception_class():
    from crawler.extensions.reachability import cause_of

    assert cause_of("scrapy.exceptions.CannotResolveHostError") == "DNS lookup failed"
    assert cause_of("twisted.internet.error.DNSLookupError") == "DNS lookup failed"
    assert cause_of("scrapy.exceptions.DownloadConnectionRefusedError") == "connection refused"
    assert cause_of("twisted.internet.error.TCPTimedOutError") == "timed out"
    assert cause_of("scrapy.exceptions.DownloadTimeoutError") == "timed out"
    assert cause_of("OpenSSL.SSL.Error") == "TLS handshake failed"
    assert cause_of("twisted.web._newclient.ResponseNeverReceived") == "ResponseNeverReceived"
    assert cause_of("no.such.module.Thing") == "Thing"


def test_one_classify_names_a_download_failure_also_through_wrapping():
    from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
    from scrapy.http import HtmlResponse, Request
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import DNSLookupError
    from twisted.python.failure import Failure

    from crawler.spiders.failures import classify

    def failure_step(failure: Failure) -> str:
        return classify(failure.value)[0]

    def failed(exc: BaseException) -> Failure:
        try:
            raise exc
        except BaseException:  # noqa: BLE001
            return Failure()

    try:
        try:
            raise DNSLookupError("x.invalid")
        except DNSLookupError as inner:
            raise CannotResolveHostError("x.invalid") from inner
    except CannotResolveHostError:
        wrapped = Failure()
    assert failure_step(wrapped) == "dns"
    assert failure_step(failed(DownloadTimeoutError("slow"))) == "timeout"
    response = HtmlResponse("http://x/", status=503, body=b"", request=Request("http://x/"))
    assert failure_step(failed(HttpError(response, "503"))) == "http-503"
    assert failure_step(failed(ValueError("odd"))) == "download-error"
