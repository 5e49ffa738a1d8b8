"""What one page can cost an extraction worker: ``python -m bench.extract_memory [--timeout 30]``.

The page of issue 19: 5 MB of 300,000 short paragraphs (under ``DOWNLOAD_MAXSIZE``). Each case
runs in a fresh pool of one worker (``crawler.extractpool``, as a crawl runs it), warmed on a
small page first; the worker's peak resident memory is its ``VmHWM``, read while the task runs
(a killed worker's last reading stands). Plain lines:

    normal article page: 0.1 s, worker peak 110 MB
    5 MB page, ARCHIVE_EXTRACT_MAX_ELEMENTS=50000: too-many-elements in 0.01 s, worker peak 140 MB
    5 MB page, no element bound (the naive run): timeout-extract in 32.0 s, worker peak 600 MB
    bounded/naive: time 0.0003x, worker peak 0.23x

The naive run is the same worker with the element bound off, where only the kill past
``ARCHIVE_EXTRACT_TIMEOUT`` (plus the grace) ends it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from crawler import extractpool
from crawler.settings import ARCHIVE_EXTRACT_MAX_ELEMENTS, ARCHIVE_EXTRACT_TIMEOUT

PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"
URL = "https://baocamau.vn/bai-a1.html"


def huge_page(paragraphs: int = 300_000) -> str:
    body = "".join(f"<p>Ý {n}</p>" for n in range(paragraphs))
    return f"<html><head><title>Trang rất dài</title></head><body><article><h1>Trang rất dài</h1>{body}</article></body></html>"


def _hwm(pid: int) -> int:
    """Peak resident memory of ``pid`` in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def measure(html: str, timeout: float, max_elements: int) -> tuple[str, float, int]:
    """(outcome, seconds, worker peak bytes) of one page in a fresh one-worker pool."""
    pool = extractpool.extraction_pool(1)
    try:
        small = (PAGES / "baocamau_article.html").read_text(encoding="utf-8")
        extractpool.outcome(extractpool.submit_page(pool, small, URL, timeout, max_elements), timeout)
        pid = extractpool.worker_pids(pool)[0]
        peak = _hwm(pid)
        started = time.monotonic()
        future = extractpool.submit_page(pool, html, URL, timeout, max_elements)
        while not future.done():
            peak = max(peak, _hwm(pid))
            time.sleep(0.02)
        seconds = time.monotonic() - started
        article, reason, _detail = extractpool.outcome(future, timeout)
        return ("article" if article else str(reason)), seconds, peak
    finally:
        extractpool.shutdown(pool)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract_memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=ARCHIVE_EXTRACT_TIMEOUT,
                        help="ARCHIVE_EXTRACT_TIMEOUT for every case (default %(default)s)")
    parser.add_argument("--max-elements", type=int, default=ARCHIVE_EXTRACT_MAX_ELEMENTS,
                        help="ARCHIVE_EXTRACT_MAX_ELEMENTS of the bounded case (default %(default)s)")
    args = parser.parse_args(argv)
    mb = 1024 * 1024
    normal = (PAGES / "baocamau_article.html").read_text(encoding="utf-8")
    huge = huge_page()
    what, s, peak = measure(normal, args.timeout, args.max_elements)
    print(f"normal article page: {what} in {s:.2f} s, worker peak {peak / mb:.0f} MB", flush=True)
    what, bs, bpeak = measure(huge, args.timeout, args.max_elements)
    print(f"{len(huge.encode()) / mb:.1f} MB page, ARCHIVE_EXTRACT_MAX_ELEMENTS={args.max_elements}: {what} in "
          f"{bs:.2f} s, worker peak {bpeak / mb:.0f} MB", flush=True)
    what, ns, npeak = measure(huge, args.timeout, 0)
    print(f"{len(huge.encode()) / mb:.1f} MB page, no element bound (the naive run): {what} in {ns:.1f} s, "
          f"worker peak {npeak / mb:.0f} MB", flush=True)
    print(f"bounded/naive: time {bs / ns:.4f}x, worker peak {bpeak / npeak:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
