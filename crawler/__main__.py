"""Command line: ``python -m crawler <command>`` (see README for each command)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.utils.project import get_project_settings

from crawler.store.archive import Archive
from crawler.store.textfiles import export_texts, import_texts


def default_db() -> str:
    return get_project_settings().get("ARCHIVE_DB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    parser.add_argument("--db", default=None, help="archive database (default: ARCHIVE_DB setting, archive.db)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_export = sub.add_parser("export", help="write every article as DIR/NNN_<hash>.txt; --warc/--jsonl: "
                                             "the raw captures as one WARC file, the archive as JSON lines")
    p_export.add_argument("dir", type=Path, nargs="?")
    p_export.add_argument("--site", help="only this spider's articles")
    # Raw captures and JSON lines (crawler/store/exports.py).
    p_export.add_argument("--warc", metavar="OUT", help="every WARC capture into OUT.warc.gz "
                          "(or copied into OUT/ if it is a directory)")
    p_export.add_argument("--jsonl", type=Path, metavar="OUT", help="one JSON object per article, with its URLs "
                          "and revisions (- for standard output)")
    p_export.add_argument("--warc-dir", type=Path, help="the WARC folder (default: ARCHIVE_WARC_DIR)")
    p_import = sub.add_parser("import", help="load DIR/*.txt plain-text articles (deduplicated)")
    p_import.add_argument("dir", type=Path)
    # Commands with their own module: each registers its parser and a run(args) function.
    from crawler.commands import canary, crawlall, health
    from crawler.store import reextract

    for module in (crawlall, health, canary, reextract):
        module.add_parser(sub)
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is not None:
        return args.run(args)

    with Archive(args.db or default_db()) as archive:
        if args.command == "export":
            if not (args.dir or args.warc or args.jsonl):
                parser.error("export: give DIR, --warc OUT or --jsonl OUT")
            if args.dir:
                n = export_texts(archive, args.dir, site=args.site)
                print(f"exported {n} articles to {args.dir}")
            if args.warc or args.jsonl:
                from crawler.store.exports import run_export

                run_export(archive, args)
        elif args.command == "import":
            if not args.dir.is_dir():
                parser.error(f"{args.dir} is not a directory")
            counts = import_texts(archive, args.dir)
            print("imported {files} files: {new} new articles, {duplicates} duplicates, {skipped} empty".format(**counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
