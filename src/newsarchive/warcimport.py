"""Read WARC and ARC files as import entries: each HTML page it holds, already captured.

Crawls made by Webrecorder, ArchiveBox, wget ``--warc-file``, Common Crawl and our own
``export --format warc`` come in through the link importer (worker processes, progress,
failures, resume): each ``response`` or ``resource`` record of an HTML page becomes a Link
carrying its capture (URL, capture time, status, headers, the bytes), so nothing is fetched.
Other records (requests, revisits, metadata, images) are Skipped entries, counted. A record
that cannot be read (its digest does not match, it is cut short) becomes a failure; after one
that breaks the file's structure, reading resumes at the next record found.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_datetime

from newsarchive.errors import DamagedRecordError, InputError
from newsarchive.fetch.decode import decode_html, looks_like_html
from newsarchive.fetch.http import now, too_large
from newsarchive.fetch.limits import MAX_BYTES
from newsarchive.linklists import (
    Entry,
    Link,
    LinkList,
    Skipped,
    closing_when_done,
    open_list_file,
)
from newsarchive.models import FetchResult
from newsarchive.records import CONTENT_KEY_PREFIX
from newsarchive.warcexport import (
    ENCODING_HEADERS,
    KIND_FIELD,
    ORIGINAL_PREFIX,
    REQUESTED_FIELD,
    SOURCE_FIELD,
)

FORMATS = ("warc", "arc")
# Entries read ahead of what is saved: each holds its page, so few (a link list reads 2,000).
PAGES_AHEAD = 32
PAGE_RECORDS = ("response", "resource")
UNSURE_TYPES = ("", "text/plain", "application/octet-stream", "unk", "no-type")
READ_ERRORS = (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError)
_SCAN_BYTES = 1 << 20
_MARKERS = {True: b"\x1f\x8b\x08", False: b"\nWARC/1."}


def web_archive_format(source: str) -> str | None:
    """``warc`` or ``arc`` when ``source`` names a file of that kind (by its name or its first
    bytes), else None."""
    name = source.lower().removesuffix(".gz")
    if name.endswith((".warc", ".arc")):
        return name.rpartition(".")[2]
    path = Path(source)
    return _sniffed(path) if path.is_file() else None


def _sniffed(path: Path) -> str | None:
    """``warc`` or ``arc`` by the file's first bytes (gzipped or not), else None."""
    head = _head(path)
    if head.startswith(b"WARC/"):
        return "warc"
    return "arc" if head.startswith(b"filedesc://") else None


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
            handle.seek(0)
            return gzip.GzipFile(fileobj=handle).read(16) if head[:2] == b"\x1f\x8b" else head
    except (OSError, EOFError):
        return b""


def open_web_archive(source: str, fmt: str = "warc") -> LinkList:
    """The records of a WARC or ARC file (gzipped or not) as import entries, read as needed.
    A file that starts as neither is an InputError (``import links.txt --format warc``)."""
    stream = open_list_file(source)
    path = Path(source)
    if source != "-" and path.is_file() and _sniffed(path) is None:
        stream.close()
        raise InputError(f"{source}: not a WARC or ARC file (it starts with neither record)")
    entries = record_entries(stream, source, arc=fmt == "arc")
    return LinkList(source, fmt, closing_when_done(stream, entries))


def record_entries(stream: BinaryIO, name: str, arc: bool = False) -> Iterator[Entry]:
    """One entry per record; past a record that breaks the file, on from the next one.

    ARC records are read as WARC records (warcio's ``arc2warc``) only in an ARC file: in a
    WARC file, a damaged stretch would otherwise pass for an ARC record."""
    gzipped = stream.read(2) == b"\x1f\x8b"
    offset: int | None = 0
    while offset is not None:
        stream.seek(offset)
        records = ArchiveIterator(stream, arc2warc=arc, check_digests=True)
        try:
            for record in records:
                yield record_entry(record, name)
            return
        except READ_ERRORS as error:
            broken = records.offset
            reason = f"{name}: the record at byte {broken} cannot be read ({error})"
            yield Link(f"{name}#{broken}", capture=DamagedRecordError(reason))
            offset = next_record_start(stream, broken + 1, gzipped)


def next_record_start(stream: BinaryIO, start: int, gzipped: bool) -> int | None:
    """Where the next record (a gzip member, or a ``WARC/1.`` line) begins after ``start``."""
    marker = _MARKERS[gzipped]
    stream.seek(start)
    position, carry = start, b""
    while block := stream.read(_SCAN_BYTES):
        found = (carry + block).find(marker)
        if found >= 0:
            return position - len(carry) + found + (0 if gzipped else 1)
        carry = block[-len(marker) :]
        position += len(block)
    return None


def record_entry(record: ArcWarcRecord, name: str) -> Entry:
    """A Link carrying the page of an HTML response or resource record; Skipped for any
    other record; a Link carrying the error for a record that cannot be read."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or name
    skipped = _skip_reason(record)
    if skipped:
        return Skipped(uri, skipped)
    raw = _payload(record)
    if raw is None:
        return Link(uri, capture=too_large(uri, MAX_BYTES))
    damage = _damage(record)
    if damage:
        return Link(uri, capture=DamagedRecordError(f"{uri}: the record is damaged ({damage})"))
    kind = record.rec_headers.get_header(KIND_FIELD) or "html"
    text, encoding = decode_html(raw, _http_content_type(record))
    if kind == "html" and not looks_like_html(text) and _content_type(record) in UNSURE_TYPES:
        return Skipped(uri, f"not HTML ({_content_type(record) or 'no type'})")
    return Link(uri, capture=_capture(record, uri, raw, text, encoding, kind))


def _skip_reason(record: ArcWarcRecord) -> str | None:
    """Why a record holds no page to archive, or None when it may hold one."""
    if record.rec_type not in PAGE_RECORDS:
        return f"{record.rec_type} record"
    status = _status(record)
    if status is not None and not 200 <= status < 300:
        return f"HTTP status {status}"
    if record.rec_type == "response" and not record.http_headers:
        return "response without HTTP headers"
    content_type = _content_type(record)
    if "html" in content_type or content_type in UNSURE_TYPES:
        return None
    ours_in_text = record.rec_headers.get_header(KIND_FIELD) == "text"
    return None if ours_in_text else f"not HTML ({content_type})"


def _status(record: ArcWarcRecord) -> int | None:
    if record.rec_type != "response" or not record.http_headers:
        return None
    code = record.http_headers.get_statuscode()
    return int(code) if code and code.isdigit() else None


def _http_content_type(record: ArcWarcRecord) -> str | None:
    if record.http_headers and record.rec_type == "response":
        return record.http_headers.get_header("Content-Type")
    return None


def _content_type(record: ArcWarcRecord) -> str:
    """The page's media type, lowercase, without parameters ("" when none is given)."""
    value = _http_content_type(record)
    if record.rec_type == "resource":
        value = record.rec_headers.get_header("Content-Type")
    return (value or "").split(";")[0].strip().lower()


def _damage(record: ArcWarcRecord) -> str | None:
    """What is wrong with a record read to its end: cut short, or its digests do not match."""
    if getattr(record.raw_stream, "limit", 0) > 0:
        return "cut short: the file ends inside it"
    if record.digest_checker.passed is False:
        return "; ".join(record.digest_checker.problems)
    return None


def _payload(record: ArcWarcRecord) -> bytes | None:
    """The record's page (transfer and content encodings undone), or None when it is over the
    size limit. Read to its end, so the digests are checked."""
    stream, chunks, size = record.content_stream(), [], 0
    while chunk := stream.read(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            return None
    return b"".join(chunks)


def _capture(
    record: ArcWarcRecord, uri: str, raw: bytes, text: str, encoding: str, kind: str
) -> FetchResult:
    fields = record.rec_headers
    final_url = None if uri.startswith(CONTENT_KEY_PREFIX) else uri
    source = fields.get_header(SOURCE_FIELD) or (
        "http" if record.rec_type == "response" else "file"
    )
    return FetchResult(
        url=fields.get_header(REQUESTED_FIELD) or final_url,
        final_url=final_url,
        text=text,
        raw=raw,
        kind=kind,
        status=_status(record),
        headers=http_headers(record),
        encoding=encoding,
        source=source,
        fetched_at=capture_time(fields.get_header("WARC-Date")),
    )


def http_headers(record: ArcWarcRecord) -> dict[str, str]:
    """The response's headers; in a record newsarchive wrote, as the archive stored them (the
    encoding headers it renamed put back, the Content-Length it added left out)."""
    if record.rec_type != "response" or not record.http_headers:
        return {}
    pairs = record.http_headers.headers
    if not record.rec_headers.get_header(SOURCE_FIELD):
        return dict(pairs)
    return {
        name.removeprefix(ORIGINAL_PREFIX): value
        for name, value in pairs
        if name.lower() not in ENCODING_HEADERS
    }


def capture_time(warc_date: str | None) -> str:
    """WARC-Date as the archive records capture times: ISO 8601 UTC, to the second unless the
    record gave fractions."""
    if not warc_date:
        return now()
    try:
        moment = datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    except ValueError:
        moment = iso_date_to_datetime(warc_date, tz_aware=True)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    precision = "microseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=precision)
