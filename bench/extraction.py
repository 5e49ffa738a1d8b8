"""Extraction quality of ``crawler.text.extract.extract`` on the public article-extraction benchmark.

Run as ``python -m bench.extraction [--bench-dir DIR]``. The benchmark directory
(``html/<id>.html.gz`` and ``ground-truth.json`` with ``{id: {"articleBody",
"url"}}``; 181 pages, MIT-licensed) is the copy in ``tests/fixtures/extraction-bench``
(so the quality floor in ``tests/test_extract.py`` runs everywhere), or ``$ARCHIVE_BENCH_DIR``.

The metric is the benchmark's own (scrapinghub/article-extraction-benchmark
``evaluate.py``), so our figure compares with the published ones (trafilatura
2.0.0: F1 0.958):

- tokens are ``\\w+`` runs (Python ``re``, Unicode); each text is a multiset of
  4-token shingles (a text shorter than four tokens is one shorter shingle);
- per page, matched = size of the multiset intersection of predicted and true
  shingles; precision = matched / predicted, recall = matched / true;
- precision and recall are macro-averaged over pages, F1 is the harmonic mean
  of the two averages.

Empty predictions follow the published convention: a page where we return no
article (or an empty text) has recall 0 and is left out of the precision
average, since precision over nothing is undefined. The line also shows the
harsher convention (such a page counts precision 0 too) as ``P(strict)`` so
that a rejecting extractor cannot look better than it is.

The text compared is ``article.text`` (no title), as the ground truth is the
article body. Timings are wall-clock per page around ``extract()`` only.

Two baselines run on the same pages in the same process, interleaved page by
page with ours so that machine load hits all alike: plain
``trafilatura.extract(html, url=…)`` for quality (its text scored the same
way; with metadata its text output opens with a metadata block, which is not
body text), and ``trafilatura.extract(html, url=…, with_metadata=True)`` for
speed (text and metadata, which is what ``extract()`` delivers too). The speed
figure is the median over pages of our time divided by the with-metadata time
on that page (target ≤ 1.3).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from crawler.text.extract import extract

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH_DIR = PROJECT_ROOT / "tests" / "fixtures" / "extraction-bench"
SHINGLE = 4
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class PageScore:
    page_id: str
    matched: int
    predicted: int
    true: int
    ms: float
    reason: str | None

    @property
    def precision(self) -> float | None:
        if self.predicted == 0:
            return None
        return self.matched / self.predicted

    @property
    def recall(self) -> float:
        if self.true == 0:
            return 1.0 if self.predicted == 0 else 0.0
        return self.matched / self.true


def shingles(text: str) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1)) if tokens)


def score_page(page_id: str, true_text: str, predicted_text: str, ms: float, reason: str | None) -> PageScore:
    true, predicted = shingles(true_text), shingles(predicted_text)
    matched = sum((true & predicted).values())
    return PageScore(page_id, matched, sum(predicted.values()), sum(true.values()), ms, reason)


def pages(bench_dir: Path) -> list[tuple[str, str, str, str]]:
    """``(page_id, url, html, true_text)`` of every benchmark page."""
    truth = json.loads((bench_dir / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for page_id in sorted(truth):
        with gzip.open(bench_dir / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            out.append((page_id, truth[page_id].get("url") or "", f.read(), truth[page_id].get("articleBody", "")))
    return out


def run(bench_dir: Path, baseline: bool = False) -> list[PageScore] | tuple[list[PageScore], list[PageScore]]:
    """Score ``extract()`` on every page; with ``baseline``, also plain trafilatura, interleaved."""
    scores, base = [], []
    for page_id, url, html, true_text in pages(bench_dir):
        if baseline:
            predicted = trafilatura.extract(html, url=url or None) or ""
            started = time.perf_counter()
            trafilatura.extract(html, url=url or None, with_metadata=True)
            ms = (time.perf_counter() - started) * 1000
            base.append(score_page(page_id, true_text, predicted, ms, None if predicted else "empty"))
        started = time.perf_counter()
        article, reason = extract(html, url)
        ms = (time.perf_counter() - started) * 1000
        predicted = article.text if article else ""
        scores.append(score_page(page_id, true_text, predicted, ms, reason))
    return (scores, base) if baseline else scores


def parser_times(bench_dir: Path) -> dict[str, float]:
    """Median ms per page to parse with lxml alone and with lexbor → lxml (crawler.text.markup),
    interleaved: the figures behind the parser choice documented in that module."""
    from lxml.html import document_fromstring

    from crawler.text.markup import parse

    times: dict[str, list[float]] = {"lxml": [], "lexbor+lxml": []}
    for _, _, html, _ in pages(bench_dir):
        for name, fn in (("lxml", document_fromstring), ("lexbor+lxml", parse)):
            started = time.perf_counter()
            try:
                fn(html)
            except ValueError:  # lxml refuses some pages outright; timed all the same
                pass
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def time_ratio(ours: list[PageScore], base: list[PageScore]) -> float:
    """Median over pages of our time / the baseline's time on the same page."""
    return statistics.median(o.ms / max(b.ms, 1e-3) for o, b in zip(ours, base))


def summary(scores: list[PageScore]) -> dict[str, float]:
    precisions = [s.precision for s in scores if s.precision is not None]
    precision = statistics.mean(precisions) if precisions else 0.0
    strict = statistics.mean(s.precision or 0.0 for s in scores)
    recall = statistics.mean(s.recall for s in scores)
    times = sorted(s.ms for s in scores)
    return {
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "precision": precision,
        "recall": recall,
        "precision_strict": strict,
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "pages": len(scores),
        "rejected": sum(1 for s in scores if s.reason),
    }


def bench_dir_from_env() -> Path:
    return Path(os.environ.get("ARCHIVE_BENCH_DIR") or DEFAULT_BENCH_DIR)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-dir", type=Path, default=bench_dir_from_env())
    parser.add_argument("--worst", type=int, default=0, help="also list the N pages with the lowest F1")
    args = parser.parse_args(argv)
    if not (args.bench_dir / "ground-truth.json").is_file():
        print(f"no benchmark at {args.bench_dir}", file=sys.stderr)
        return 2

    scores, base = run(args.bench_dir, baseline=True)
    m, b = summary(scores), summary(base)
    print(f"extraction F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  "
          f"P(strict) {m['precision_strict']:.3f}")
    print(f"plain trafilatura.extract F1 {b['f1']:.3f}  P {b['precision']:.3f}  "
          f"R {b['recall']:.3f}  (same pages, same run)")
    print(f"pages {m['pages']}  rejected {m['rejected']}")
    print(f"median {m['median_ms']:.0f} ms/page  p95 {m['p95_ms']:.0f} ms/page;  "
          f"trafilatura median {b['median_ms']:.0f} ms/page")
    print(f"time ratio (median per page, ours / trafilatura with metadata) {time_ratio(scores, base):.2f}x  "
          f"(target <= 1.3x)")
    parse_ms = parser_times(args.bench_dir)
    print(f"parse only: lexbor+lxml {parse_ms['lexbor+lxml']:.1f} ms/page, lxml alone {parse_ms['lxml']:.1f} ms/page")
    for s in sorted(scores, key=_page_f1)[: args.worst]:
        print(f"  {s.page_id[:12]}  P {s.precision or 0:.2f}  R {s.recall:.2f}  {s.reason or ''}")
    return 0


def _page_f1(s: PageScore) -> float:
    p, r = s.precision or 0.0, s.recall
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    sys.exit(main())
