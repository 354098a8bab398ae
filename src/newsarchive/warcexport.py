"""Export captures as a WARC/1.1 file (ISO 28500), the web archives' exchange format.

Per capture of a page fetched over HTTP, a ``response`` record holds the bytes as received with
their status line and headers, and a ``request`` record (WARC-Concurrent-To the response) the
GET that asked for them; a capture read from a file or stdin is a ``resource`` record. Each
article then gets a ``metadata`` record with its extracted fields as JSON, WARC-Refers-To the
capture it was extracted from. A ``warcinfo`` record opens the file.

The archive keeps a body decoded (gzip and chunking undone) beside the headers that came with
it, so the headers that described the encoded body (Content-Encoding, Transfer-Encoding,
Content-Length) are written renamed ``X-Archive-Orig-*``, as replay tools expect, with the
decoded body's Content-Length: the record then says truly what it holds. ``warcimport`` puts
them back. What WARC has no field for (the URL asked for before redirects, where a capture came
from, whether it is HTML or plain text) travels in ``Newsarchive-*`` extension fields.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from newsarchive import __version__
from newsarchive.errors import InputError
from newsarchive.fetch.http import USER_AGENT
from newsarchive.files import write_atomically
from newsarchive.records import Capture, content_key
from newsarchive.store import Archive

WARC_VERSION = "1.1"
ENCODING_HEADERS = ("content-encoding", "transfer-encoding", "content-length")
ORIGINAL_PREFIX = "X-Archive-Orig-"
SOURCE_FIELD = "Newsarchive-Source"
KIND_FIELD = "Newsarchive-Kind"
REQUESTED_FIELD = "Newsarchive-Requested-URI"
RESOURCE_TYPES = {"html": "text/html", "text": "text/plain"}


def export_warc(archive: Archive, path: str | Path, ids: Iterable[int] | None = None) -> int:
    """Write every capture of the articles (all, or ``ids``) as one WARC file at ``path``,
    gzipped per record when its name ends in ``.gz``; replace it whole or not at all. Return
    how many articles it holds."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the file's name (archive.warc.gz)")
    wanted = archive.article_ids() if ids is None else [archive.resolve(i) for i in ids]
    if not wanted:
        raise InputError("no articles to export")
    write_atomically(path, lambda out: _write(out, archive, wanted, path.name))
    return len(wanted)


def _write(out: BinaryIO, archive: Archive, article_ids: list[int], name: str) -> None:
    writer = WARCWriter(out, gzip=name.endswith(".gz"), warc_version=WARC_VERSION)
    writer.write_record(writer.create_warcinfo_record(name, _warcinfo()))
    for article_id in article_ids:
        _write_article(writer, archive, article_id)


def _warcinfo() -> dict[str, str]:
    return {
        "software": f"newsarchive/{__version__}",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": "Captures of news articles, each with its extracted article as JSON",
    }


def _write_article(writer: WARCWriter, archive: Archive, article_id: int) -> None:
    """The article's captures, oldest first, then its metadata record."""
    from newsarchive.export import article_record  # markdownify and bs4: not for an import

    source = archive.capture_to_reextract(article_id)
    captures = archive.captures(article_id)
    record_ids = {capture.id: _write_capture(writer, capture) for capture in captures}
    if source is not None:
        record = article_record(archive.get(article_id))
        record["capture"] = asdict(archive.capture_facts(article_id))
        writer.write_record(_metadata_record(writer, source, record_ids[source.id], record))


def _write_capture(writer: WARCWriter, capture: Capture) -> str:
    """Write the capture's records; return the WARC-Record-ID of the one holding its bytes."""
    if capture.source != "http":
        record = _resource_record(writer, capture)
        writer.write_record(record)
        return record.rec_headers.get_header("WARC-Record-ID")
    response = _response_record(writer, capture)
    writer.write_request_response_pair(_request_record(writer, capture), response)
    return response.rec_headers.get_header("WARC-Record-ID")


def target_uri(capture: Capture) -> str:
    """Where the capture's bytes came from: its final URL, else a name made of its hash."""
    return capture.final_url or capture.url or content_key(capture.raw)


def warc_date(moment: str) -> str:
    """An ISO 8601 time as WARC-Date writes it: UTC, ``Z``, fractions of a second if any."""
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    utc = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds") + "Z"


def _fields(capture: Capture, record_type: str) -> dict[str, str]:
    """The WARC header fields of a record of the capture, WARC-Type first as is usual."""
    fields = {
        "WARC-Type": record_type,
        "WARC-Record-ID": StatusAndHeadersParser.make_warc_id(),
        "WARC-Date": warc_date(capture.fetched_at),
        SOURCE_FIELD: capture.source,
        KIND_FIELD: capture.kind,
    }
    if capture.url and capture.url != target_uri(capture):
        fields[REQUESTED_FIELD] = capture.url
    return fields


def _record(
    writer: WARCWriter, capture: Capture, fields: dict[str, str], body: bytes, http_headers=None
):
    """A record of the capture holding ``body`` (after ``http_headers``, when given)."""
    return writer.create_warc_record(
        target_uri(capture),
        fields["WARC-Type"],
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict=fields,
    )


def _response_record(writer: WARCWriter, capture: Capture):
    status = capture.http_status or 200
    http_headers = StatusAndHeaders(
        f"{status} {_reason(status)}", response_headers(capture), protocol="HTTP/1.1"
    )
    return _record(writer, capture, _fields(capture, "response"), capture.raw, http_headers)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def response_headers(capture: Capture) -> list[tuple[str, str]]:
    """The stored headers, those describing the encoded body renamed, and the decoded
    body's Content-Length."""
    renamed = [
        (ORIGINAL_PREFIX + name if name.lower() in ENCODING_HEADERS else name, str(value))
        for name, value in capture.headers.items()
    ]
    return [*renamed, ("Content-Length", str(len(capture.raw)))]


def _request_record(writer: WARCWriter, capture: Capture):
    """The GET that fetched the page, as far as the archive knows it (it keeps no request
    headers): the path, the host and newsarchive's User-Agent."""
    parts = urlsplit(target_uri(capture))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc), ("User-Agent", USER_AGENT)]
    http_headers = StatusAndHeaders(f"GET {path} HTTP/1.1", headers, is_http_request=True)
    return _record(writer, capture, _fields(capture, "request"), b"", http_headers)


def _resource_record(writer: WARCWriter, capture: Capture):
    content_type = RESOURCE_TYPES.get(capture.kind, "text/html")
    fields = {**_fields(capture, "resource"), "Content-Type": content_type}
    return _record(writer, capture, fields, capture.raw)


def _metadata_record(writer: WARCWriter, capture: Capture, refers_to: str, record: dict):
    """The extracted article (with the facts of its capture) as JSON."""
    body = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
    fields = {
        "WARC-Type": "metadata",
        "WARC-Record-ID": StatusAndHeadersParser.make_warc_id(),
        "WARC-Date": warc_date(capture.fetched_at),
        "WARC-Refers-To": refers_to,
        "Content-Type": "application/json",
    }
    return _record(writer, capture, fields, body)
