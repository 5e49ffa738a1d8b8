"""Raw captures: every HTTP exchange of a crawl, written to gzipped WARC files with warcio.

The writing happens in ``SiteWriter`` (here); ``crawler.middlewares.warc.WarcMiddleware``, a
Scrapy downloader middleware, hands it every response. The middleware sits just after the HTTP cache and
before every middleware that changes a response (``DOWNLOADER_MIDDLEWARES`` priority 880:
closer to the downloader than ``HttpCompressionMiddleware`` at 590 and ``RedirectMiddleware``
at 600), so it sees each response as the download handler produced it: the body still
content-encoded (gzip, br, …) and the original headers, redirects (3xx) and server errors
included. For each response it writes a ``response`` record and the matching ``request``
record (``WARC-Concurrent-To``) and puts the capture's location in ``request.meta["warc"]``
(``{"file", "offset", "length"}``; ``file`` relative to ``ARCHIVE_WARC_DIR``), from where
``crawler.middlewares.warcmeta.WarcMetaMiddleware`` copies it onto the page item, and the store onto the
``articles``/``urls`` rows.

Layout: ``ARCHIVE_WARC_DIR/<spider>/<spider>-<YYYYmmddHHMMSS>-<serial>-<pid>.warc.gz``, one
``warcinfo`` record at the top of each file, a new file once one reaches
``ARCHIVE_WARC_MAX_BYTES``. Every record is its own gzip member and is flushed as soon as it
is written, so a killed crawl leaves at worst a truncated last member, which the readers here
(``iter_records``, re-extraction, export) skip with a warning. No fsync: like SQLite's
``synchronous=NORMAL`` a process kill loses nothing, a power cut may lose the tail.

A write that fails (disk full, folder gone, any error) never fails the crawl: the writer cuts
the file back to its last complete record and closes it (a file left with no complete record
is removed), the middleware logs the error once, counts ``warc/errors``, and the crawl goes on
without captures (``warc/skipped/failed``); pages fetched meanwhile are stored without a WARC
location, and ``reextract`` skips them (``no capture``).

What is byte-exact and what is not (Scrapy hands over a parsed response, not the wire bytes):

- the **body** is byte-exact as the server sent it, content-encoding included (the payload
  digest is the digest of what the server sent), except that chunked transfer-encoding has
  been undone by Twisted;
- the **status line** is rebuilt: protocol and status code as received, the standard reason
  phrase (Scrapy does not keep the server's);
- **headers** keep their values and order, but names are in Scrapy's normalised case
  (``Etag``, ``X-Powered-By``), and Twisted consumes the connection-level headers
  (``Content-Length``, ``Transfer-Encoding``, ``Connection``, ``Keep-Alive``): the record
  carries a ``Content-Length`` computed from the body instead;
- the **request** record is the request Scrapy sent, with every header the middlewares added
  (``Host`` added when Scrapy leaves it to Twisted), as ``scrapy.utils.request.request_httprepr``
  renders it.

Not captured: responses replayed from Scrapy's HTTP cache (flag ``cached``), requests with
``meta["dont_archive"]``, and downloads that never became a response (timeouts, refused
connections, pages cancelled at ``DOWNLOAD_MAXSIZE``). robots.txt and listing pages are
captured like article pages; only article captures are referenced from the database.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from scrapy import Request
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.request import request_httprepr
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1024**3  # 1 GiB, the customary WARC file size (Heritrix, IIPC)
META_KEY = "warc"


def warc_dir(value: str | os.PathLike | None, db_path: str | os.PathLike | None = None) -> Path | None:
    """Where captures live: ``ARCHIVE_WARC_DIR``; a relative path is taken relative to the
    folder of ``ARCHIVE_DB`` (so ``warc`` means ``<project>/warc/`` for the default archive and
    ``<tmp>/warc/`` for a test's ``<tmp>/archive.db``). None (no captures) when the setting is
    empty, or when it is relative and there is no archive database (a canary, a dry run: the
    captures would belong to nothing); an absolute path captures even without a database."""
    if value is None or str(value).strip() == "":
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        if not db_path or str(db_path) == ":memory:":
            return None
        path = Path(db_path).expanduser().resolve().parent / path
    return path


def settings_warc_dir(settings: BaseSettings) -> Path | None:
    return warc_dir(settings.get("ARCHIVE_WARC_DIR"), settings.get("ARCHIVE_DB"))


# -- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capture:
    """Where a response record is: ``file`` relative to the WARC directory, byte ``offset`` of
    its gzip member, and the member's ``length`` in bytes."""

    file: str
    offset: int
    length: int

    def as_meta(self) -> dict[str, Any]:
        return {"file": self.file, "offset": self.offset, "length": self.length}


def status_line(response: Response) -> tuple[str, str]:
    """(protocol, "200 OK") for the response; Scrapy keeps no reason phrase, so the standard one."""
    protocol = response.protocol or "HTTP/1.1"
    if not protocol.upper().startswith("HTTP/"):
        protocol = "HTTP/1.1"
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    return protocol, f"{response.status} {phrase}".strip()


def response_headers(response: Response) -> list[tuple[str, str]]:
    """The response headers as (name, value) pairs, one per value, with a Content-Length
    that matches the stored body (Twisted consumes the original one)."""
    out: list[tuple[str, str]] = []
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        if key.lower() in ("content-length", "transfer-encoding"):
            continue
        out.extend((key, v.decode("latin-1")) for v in values)
    out.append(("Content-Length", str(len(response.body))))
    return out


def request_bytes(request: Request) -> bytes:
    """The request as sent: method line, headers (Host first), body."""
    return request_httprepr(request)


class SiteWriter:
    """The open WARC file of one site folder, rotated by size.

    A failed write leaves no damaged tail: the file is cut back to the end of its last
    complete record (``good_end``) and closed, and the error is raised to the caller."""

    def __init__(self, root: Path, site: str, max_bytes: int, info: dict[str, str]):
        self.root = root
        self.site = site
        self.max_bytes = max_bytes
        self.info = info
        self.serial = 0
        self.fh: IO[bytes] | None = None
        self.writer: WARCWriter | None = None
        self.name = ""
        self.path: Path | None = None
        self.good_end = 0  # end of the last complete record in the open file

    def _open(self) -> None:
        folder = self.root / self.site
        folder.mkdir(parents=True, exist_ok=True)
        started = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        while True:
            name = f"{self.site}-{started}-{self.serial:05d}-{os.getpid()}.warc.gz"
            self.serial += 1
            try:
                self.fh = open(folder / name, "xb")  # never append to someone else's file
                break
            except FileExistsError:
                continue
        self.name = f"{self.site}/{name}"
        self.path = folder / name
        self.good_end = 0
        self.writer = WARCWriter(self.fh, gzip=True)
        try:
            self.writer.write_record(self.writer.create_warcinfo_record(name, self.info))
        except BaseException:
            self.abort()
            raise
        self.good_end = self.fh.tell()

    def write(self, request: Request, response: Response) -> tuple[Capture, int, int]:
        """Write the response and request records; (capture of the response, records, bytes)."""
        if self.fh is None:
            self._open()
        assert self.fh is not None and self.writer is not None
        writer = self.writer
        uri = response.url
        warc_headers = {"WARC-Target-URI": uri}
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        if "dataloss" in response.flags:
            warc_headers["WARC-Truncated"] = "disconnect"
        protocol, statusline = status_line(response)
        resp = writer.create_warc_record(
            uri, "response",
            payload=BytesIO(response.body),
            length=len(response.body),
            http_headers=StatusAndHeaders(statusline, response_headers(response), protocol=protocol),
            warc_headers_dict=warc_headers,
        )
        raw_request = request_bytes(request)
        req = writer.create_warc_record(
            uri, "request", payload=BytesIO(raw_request), length=len(raw_request),
            warc_headers_dict={"WARC-Target-URI": uri},
        )
        start = self.good_end
        try:
            writer.write_record(resp)  # warcio flushes after every record
            middle = self.fh.tell()
            # The pair, linked as warcio's write_request_response_pair links it.
            req.rec_headers.replace_header("WARC-Date", resp.rec_headers.get_header("WARC-Date"))
            req.rec_headers.add_header("WARC-Concurrent-To", resp.rec_headers.get_header("WARC-Record-ID"))
            writer.write_record(req)
            end = self.fh.tell()
        except BaseException:
            self.abort()  # the response without its request is no capture either
            raise
        self.good_end = end
        capture = Capture(self.name, start, middle - start)
        if end >= self.max_bytes:
            self.close()
        return capture, 2, end - start

    def abort(self) -> None:
        """Close the file after a failed write, cut back to its last complete record; remove
        it if it has none. Never raises (the disk may be full, the folder gone)."""
        fh, path, good_end = self.fh, self.path, self.good_end
        self.fh = self.writer = None
        if fh is None:
            return
        raw = getattr(fh, "raw", fh)
        try:
            os.ftruncate(raw.fileno(), good_end)
        except (OSError, ValueError):
            pass
        # Close the descriptor under the buffer first: what is still buffered (the failed
        # record's bytes) must not be written after the cut when close() flushes.
        for closing in (raw.close, fh.close):
            try:
                closing()
            except (OSError, ValueError):
                pass
        if good_end == 0 and path is not None:
            try:
                path.unlink()
            except OSError:
                pass

    def close(self) -> None:
        if self.fh is not None:
            try:
                self.fh.flush()
            except BaseException:  # disk full: cut back the damaged tail, then say so
                self.abort()
                raise
            self.fh.close()
        self.fh = self.writer = None


# -- reading ---------------------------------------------------------------------------------


@dataclass
class Record:
    """A response record read back: what the download handler had produced."""

    url: str
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    body: bytes  # still content-encoded, as the server sent it
    date: str
    ip: str | None = None


class WarcReader:
    """Read single records by (file, offset), keeping a few files open."""

    def __init__(self, root: Path, max_open: int = 8):
        self.root = Path(root)
        self.max_open = max_open
        self._open: dict[str, IO[bytes]] = {}

    def read(self, file: str, offset: int) -> Record:
        fh = self._open.get(file)
        if fh is None:
            if len(self._open) >= self.max_open:
                old = next(iter(self._open))
                self._open.pop(old).close()
            fh = self._open[file] = open(self.root / file, "rb")
        fh.seek(offset)
        for rec in ArchiveIterator(fh):
            if rec.rec_type != "response":
                raise ValueError(f"{file}@{offset} is a {rec.rec_type!r} record, not a response")
            return to_record(rec)
        raise EOFError(f"no record at {file}@{offset}")

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()

    def __enter__(self) -> WarcReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def to_record(rec: Any) -> Record:
    http = rec.http_headers
    status = int(http.get_statuscode() or 0)
    return Record(
        url=rec.rec_headers.get_header("WARC-Target-URI"),
        status=status,
        protocol=http.protocol or "HTTP/1.1",
        headers=list(http.headers),
        body=rec.raw_stream.read(),
        date=rec.rec_headers.get_header("WARC-Date"),
        ip=rec.rec_headers.get_header("WARC-IP-Address"),
    )


@dataclass
class Entry:
    """One complete record of a WARC file, as ``iter_records`` yields it."""

    offset: int
    length: int
    rec_type: str
    rec_headers: Any  # warcio StatusAndHeaders of the WARC header block
    http_headers: Any  # warcio StatusAndHeaders, or None
    payload: bytes


def iter_records(path: Path) -> Iterator[Entry]:
    """Every complete record of a WARC file with its offset and length. A truncated last gzip
    member (a crawl killed while writing) ends the iteration with a warning."""
    size = path.stat().st_size
    end = 0
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        try:
            for rec in it:
                payload = rec.raw_stream.read()
                offset, length = it.get_record_offset(), it.get_record_length()
                declared = int(rec.rec_headers.get_header("Content-Length") or -1)
                head = len(rec.http_headers.headers_buff or b"") if rec.http_headers and \
                    getattr(rec.http_headers, "headers_buff", None) else None
                if head is not None and declared >= 0 and head + len(payload) < declared:
                    raise EOFError(f"record at {offset} ends early")
                decomp = getattr(it.reader, "decompressor", None)
                if decomp is not None and not getattr(decomp, "eof", True):
                    raise EOFError(f"gzip member at {offset} is truncated")
                end = offset + length
                yield Entry(offset, length, rec.rec_type, rec.rec_headers, rec.http_headers, payload)
            if end < size:
                logger.warning("%s: %d bytes after offset %d are not a complete record "
                               "(truncated by a killed crawl?); skipped", path, size - end, end)
        # zlib/gzip errors are OSError subclasses; warcio raises ArchiveLoadFailed for a bad header.
        except (EOFError, OSError, ValueError, ArchiveLoadFailed) as exc:
            logger.warning("%s: stopped at a damaged or truncated record (%s)", path, exc)


def warc_files(root: Path, site: str | None = None) -> list[Path]:
    base = root / site if site else root
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*.warc.gz") if p.is_file())
