"""Command line: ``python -m crawler <command>`` (see README for each command)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.utils.project import get_project_settings

from crawler.archive import Archive
from crawler.textfiles import export_texts, import_texts


def default_db() -> str:
    return get_project_settings().get("ARCHIVE_DB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description=__doc__)
    parser.add_argument("--db", default=None, help="archive database (default: ARCHIVE_DB setting, archive.db)")
    sub = parser.add_subparsers(dest="command", required=True)
    p_export = sub.add_parser("export", help="write every article as DIR/NNN_<hash>.txt")
    p_export.add_argument("dir", type=Path)
    p_export.add_argument("--site", help="only this spider's articles")
    p_import = sub.add_parser("import", help="load DIR/*.txt plain-text articles (deduplicated)")
    p_import.add_argument("dir", type=Path)
    args = parser.parse_args(argv)

    with Archive(args.db or default_db()) as archive:
        if args.command == "export":
            n = export_texts(archive, args.dir, site=args.site)
            print(f"exported {n} articles to {args.dir}")
        elif args.command == "import":
            if not args.dir.is_dir():
                parser.error(f"{args.dir} is not a directory")
            counts = import_texts(archive, args.dir)
            print("imported {files} files: {new} new articles, {duplicates} duplicates, {skipped} empty".format(**counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
