"""Every benchmark, one after the other: ``python -m bench`` (what ``make bench`` runs).

Runs each module of this package that has a ``main()`` (``bench.extraction``, ``bench.crawl``,
``bench.crawl_all``, ``bench.search``, and any added later, in that order then by name), each
as ``python -m bench.<name>`` in its own process with its own defaults, and passes its output
through under a heading. A module that fails or overruns ``--timeout`` does not stop the others;
the exit status is 1 if any did. ``bench.search`` builds its million-article archive once (about
half an hour on two busy CPUs) and keeps it in ``bench/.cache/`` for later runs; the default
timeout leaves room for that first build.

    python -m bench                         # all of them
    python -m bench --only crawl_all        # some (repeatable)
    python -m bench --skip search           # all but some (repeatable)
    python -m bench --list                  # what would run

``bench.crawl`` also prints the discovery figures: requests per stored article on a
maze-trapped family site (target ≤ 1.3) and per new article on its incremental run (≤ 1.1),
and the listing-parse time of a page of 5,000 links (≤ 50 ms) against a bare lxml parse.
"""

from __future__ import annotations

import argparse
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ("extraction", "crawl", "crawl_all", "search", "stories")


def modules() -> list[str]:
    """The benchmark modules present: those defining ``main()``, known ones in ORDER first."""
    found = []
    for info in pkgutil.iter_modules([str(HERE)]):
        if info.name.startswith("_") or info.ispkg:
            continue
        source = (HERE / f"{info.name}.py").read_text(encoding="utf-8")
        if "\ndef main(" in source:
            found.append(info.name)
    return sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this one (repeatable)")
    parser.add_argument("--skip", action="append", default=[], metavar="NAME", help="leave this one out (repeatable)")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds allowed per benchmark (default %(default)s)")
    parser.add_argument("--list", action="store_true", help="print the benchmarks that would run")
    args = parser.parse_args(argv)

    present = modules()
    unknown = [n for n in args.only + args.skip if n not in present]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; present: {', '.join(present)}")
    chosen = [n for n in present if (not args.only or n in args.only) and n not in args.skip]
    if args.list:
        print("\n".join(chosen))
        return 0

    failed = []
    for name in chosen:
        print(f"== bench.{name}", flush=True)
        started = time.monotonic()
        try:
            code = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent, timeout=args.timeout,
                                  stdin=subprocess.DEVNULL).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
        took = time.monotonic() - started
        if code != 0:
            failed.append(name)
            print(f"== bench.{name} FAILED ({code}) after {took:.0f} s", flush=True)
        else:
            print(f"== bench.{name} done in {took:.0f} s", flush=True)
        print(flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
