"""``python -m samplesite [--port 8765] [--articles 60] [--no-traps] [--family hex7]``: serve
the sample site on 127.0.0.1 until Ctrl-C, printing its base URL first. ``--family`` serves a site
in one CMS family's shapes instead (``samplesite/families.py``; no traps)."""

from __future__ import annotations

import argparse
import sys
import threading

from samplesite import SampleSite
from samplesite.families import SHAPES, FamilySite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplesite", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port (default: %(default)s)")
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--no-traps", dest="traps", action="store_false", help="a clean site, no crawler traps")
    parser.add_argument("--seed", type=int, default=38376, help="content seed (same seed, same site)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds every response waits")
    parser.add_argument("--family", help="serve a site of this CMS family: " + ", ".join(sorted(SHAPES)))
    args = parser.parse_args(argv)

    if args.family:
        if args.family not in SHAPES:
            parser.error(f"--family: one of {', '.join(sorted(SHAPES))}")
        # --no-traps: no maze traps (day archives, facets, endless sitemap index, …)
        site = FamilySite(SHAPES[args.family], min(args.articles, 30), host=args.host, port=args.port,
                          latency=args.latency, maze=args.traps)
    else:
        site = SampleSite(args.articles, traps=args.traps, seed=args.seed, host=args.host, port=args.port,
                          latency=args.latency)
    with site:
        print(site.base_url, flush=True)
        print(f"{len(site.articles)} articles, traps {'on' if args.traps else 'off'}; Ctrl-C to stop",
              file=sys.stderr, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
