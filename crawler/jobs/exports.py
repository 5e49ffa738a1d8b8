"""Portable copies of the whole archive: the raw captures as WARC, the rows as JSON lines.

``python -m crawler export --warc OUT.warc.gz`` writes every capture under
``ARCHIVE_WARC_DIR`` (of one site with ``--site``) into one gzipped WARC file: the files'
complete records concatenated in file order (each record is its own gzip member, so
concatenation is a valid WARC file; a truncated tail left by a killed crawl is dropped with a
warning). If OUT is a directory the files are copied into it instead, keeping their
``<site>/<name>`` layout, so ``warc_file`` values in the database still name them.

``python -m crawler export --jsonl OUT.jsonl`` writes one JSON object per article: its columns
(less the derived search column), ``tags`` as a list, ``urls`` (every URL with when it was
seen and its capture) and ``revisions`` (every later version, with text). ``-`` writes to
standard output. The text export (``export DIR``) is in ``crawler/jobs/textfiles.py``.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crawler.progress import progress
from crawler.store.archive import Archive
from crawler.store.warc import iter_records, warc_files

logger = logging.getLogger(__name__)

DERIVED = {"published_month"}  # computed from the date


@dataclass
class WarcExport:
    files: int = 0
    records: int = 0
    bytes: int = 0
    dropped_bytes: int = 0  # truncated tails left out
    missing_captures: int = 0  # database rows whose capture file is absent


def _complete_length(path: Path) -> tuple[int, int]:
    """(bytes of complete records at the start of the file, how many records)."""
    end = records = 0
    for entry in iter_records(path):
        end = entry.offset + entry.length
        records += 1
    return end, records


def _copy_prefix(src: Path, dst: IO[bytes], length: int) -> None:
    with open(src, "rb") as fh:
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(1 << 20, remaining))
            if not chunk:
                break
            dst.write(chunk)
            remaining -= len(chunk)


def export_warc(archive: Archive | None, root: Path, out: Path | str, *, site: str | None = None) -> WarcExport:
    """Every capture (of ``site``) into ``out``: one WARC file, or copies if ``out`` is a
    directory (or a path ending with ``/``)."""
    result = WarcExport()
    files = warc_files(root, site)
    to_dir = str(out).endswith(("/", "\\")) or Path(out).is_dir()
    out = Path(out)
    if to_dir:
        out.mkdir(parents=True, exist_ok=True)
        target = None
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        target = open(out, "wb")
    try:
        with progress(total=len(files), desc="Xuất WARC", unit="tệp") as bar:
            for path in files:
                bar.update()
                if target is not None and out.exists() and path.resolve() == out.resolve():
                    continue
                _export_file(path, root, out, target, to_dir, result)
    finally:
        if target is not None:
            target.close()
    if archive is not None:
        known = {str(p.relative_to(root)) for p in files}
        where, params = ("AND site = ?", [site]) if site else ("", [])
        for table in ("articles", "urls"):
            for (name,) in archive.db.execute(
                    f"SELECT DISTINCT warc_file FROM {table} WHERE warc_file IS NOT NULL {where}", params):
                if name not in known:
                    result.missing_captures += 1
                    logger.warning("capture file %s named in %s is not under %s", name, table, root)
    return result


def _export_file(path: Path, root: Path, out: Path, target: IO[bytes] | None, to_dir: bool,
                 result: WarcExport) -> None:
    length, records = _complete_length(path)
    size = path.stat().st_size
    result.dropped_bytes += size - length
    if to_dir:
        dest = out / path.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if length == size:
            shutil.copyfile(path, dest)
        else:
            with open(dest, "wb") as fh:
                _copy_prefix(path, fh, length)
    else:
        assert target is not None
        _copy_prefix(path, target, length)
    result.files += 1
    result.records += records
    result.bytes += length


def article_objects(archive: Archive, site: str | None = None):
    """One dict per article: its columns, its URLs and its revisions."""
    db = archive.db
    for row in archive.articles(site):
        obj: dict[str, Any] = {k: v for k, v in row.items() if k not in DERIVED}
        try:
            obj["tags"] = json.loads(obj.get("tags") or "[]")
        except ValueError:
            pass
        obj["urls"] = [
            dict(r) for r in db.query(
                "SELECT url, site, first_seen, last_seen, warc_file, warc_offset, text_hash FROM urls "
                "WHERE hash = ? ORDER BY first_seen, url", [row["hash"]])
        ]
        obj["revisions"] = [
            dict(r) for r in db.query(
                "SELECT revision, hash, url, fetched_at, title, text, warc_file, warc_offset FROM revisions "
                "WHERE article = ? ORDER BY revision", [row["hash"]])
        ]
        yield obj


def export_jsonl(archive: Archive, out: Path | str, *, site: str | None = None) -> int:
    """Write ``article_objects`` as JSON lines to ``out`` (``-``: standard output)."""
    n = 0
    where, params = ("WHERE site = ?", [site]) if site else ("", [])
    total = archive.db.execute(f"SELECT count(*) FROM articles {where}", params).fetchone()[0]
    fh = sys.stdout if str(out) == "-" else open(out, "w", encoding="utf-8")
    try:
        with progress(total=total, desc="Xuất JSON", unit="bài") as bar:
            for obj in article_objects(archive, site):
                fh.write(json.dumps(obj, ensure_ascii=False, sort_keys=False) + "\n")
                n += 1
                bar.update()
    finally:
        if fh is not sys.stdout:
            fh.close()
    return n


def run_export(archive: Archive, args: Any) -> None:
    """``python -m crawler export --warc OUT --jsonl OUT`` (the CLI's part)."""
    from scrapy.utils.project import get_project_settings

    from crawler.store.warc import warc_dir

    if args.warc:
        root = args.warc_dir or warc_dir(get_project_settings().get("ARCHIVE_WARC_DIR") or "warc", archive.path)
        res = export_warc(archive, root, args.warc, site=args.site)
        print(f"exported {res.records} WARC records from {res.files} files ({res.bytes} bytes) to {args.warc}"
              + (f"; {res.dropped_bytes} bytes of truncated records left out" if res.dropped_bytes else "")
              + (f"; {res.missing_captures} capture files named in the database are missing"
                 if res.missing_captures else ""), file=sys.stderr if str(args.jsonl) == "-" else sys.stdout)
    if args.jsonl:
        n = export_jsonl(archive, args.jsonl, site=args.site)
        print(f"exported {n} articles as JSON lines to {args.jsonl}", file=sys.stderr)
