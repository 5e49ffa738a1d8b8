"""Plain-text archives: one article per ``NNN_<hash>.txt`` file (the naming of ``shared/seeds/``).

Export writes the article text followed by a ``Nguồn: <url>`` line; import reads such files
(and hand-collected ones whose source line reads ``Nguồn <name> : <url>``) back through the same
content hash, so a round trip, or a file already in the archive, never makes a second article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crawler.items import ArticleRecord
from crawler.progress import progress
from crawler.store.archive import Archive, now_iso
from crawler.text.plain import clean_saved_text, paper_from_text
from crawler.sites import site_for_url
from crawler.text import clean

# "Nguồn: https://…" or "Nguồn Xây Dựng : https://…" on a line of its own.
SOURCE_LINE = re.compile(r"^\s*Nguồn(?:\s+[^:\n]{1,80}?)?\s*:\s*(https?://\S+)\s*$", re.M)
MAX_TITLE_CHARS = 200


@dataclass
class TextFile:
    name: str
    text: str
    url: str | None
    # The paper the text names itself by (masthead, dateline tag), for files without a URL.
    paper: str | None = None


def parse_text_file(path: Path) -> TextFile:
    raw = clean(path.read_text(encoding="utf-8-sig"))
    url = None
    matches = list(SOURCE_LINE.finditer(raw))
    if matches:
        last = matches[-1]
        url = last.group(1)
        raw = (raw[: last.start()] + raw[last.end():]).strip()
    # Hand-saved pages carry the same site chrome (clock, weather, "Theo dõi …", related
    # news after the byline) that extraction removes from HTML; the same line rules apply
    # so that imported text matches crawled text. The paper is read before they run (the
    # masthead is chrome).
    return TextFile(path.name, clean_saved_text(raw), url, paper_from_text(raw))


def export_texts(archive: Archive, out_dir: Path, site: str | None = None) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = list(archive.articles(site))
    width = max(3, len(str(len(rows) - 1)))
    with progress(total=len(rows), desc="Xuất văn bản", unit="bài") as bar:
        for n, row in enumerate(rows):
            # Only web URLs: a "file:" placeholder from an earlier import is not a source.
            source = f"\n\nNguồn: {row['url']}" if row["url"].startswith(("http://", "https://")) else ""
            body = f"{row['text']}{source}\n"
            (out_dir / f"{n:0{width}d}_{row['hash']}.txt").write_text(body, encoding="utf-8")
            bar.update()
    return len(rows)


def iter_text_files(in_dir: Path) -> Iterator[Path]:
    yield from sorted(p for p in in_dir.iterdir() if p.suffix == ".txt" and p.is_file())


def import_texts(archive: Archive, in_dir: Path) -> dict[str, int]:
    """Load every ``*.txt`` in ``in_dir``; returns counts of new articles, duplicates, skipped.

    Novelty is the store's decision (``Archive.store``), exactly as in a crawl: a file whose
    text is archived already, or repeats an earlier file, adds its source URL as an alias.
    """
    records: list[ArticleRecord] = []
    skipped = 0
    paths = list(iter_text_files(in_dir))
    with progress(total=len(paths), desc="Nhập văn bản", unit="tệp") as bar:
        for path in paths:
            bar.update()
            doc = parse_text_file(path)
            if not doc.text:
                skipped += 1
                continue
            first_line = doc.text.split("\n", 1)[0]
            records.append(ArticleRecord(
                urls=[doc.url or f"file:{doc.name}"],
                site=site_for_url(doc.url) if doc.url else (doc.paper or "unknown"),
                fetched_at=now_iso(),
                article={
                    "title": first_line if len(first_line) <= MAX_TITLE_CHARS else None,
                    "text": doc.text,
                    "language": "vi",
                },
            ))
    result = archive.store(records)
    return {"files": len(records) + skipped, "new": result.inserted, "duplicates": result.duplicates,
            "skipped": skipped, "unstorable": result.unstorable}
