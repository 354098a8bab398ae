"""Lists of links to import: format detection and streaming parsers. No network of its own.

Every parser reads its input as a stream and yields entries one by one, so a list of a million
links costs no more memory than a list of ten. Formats: plain text (one URL a line, ``#``
comments), Netscape bookmarks HTML, CSV with a url column (Pocket, Instapaper), RSS and Atom
feeds, OPML lists of feeds, sitemaps (news sitemaps and sitemap indexes too). Feeds named in an
OPML file and sitemaps named in an index are downloaded with the ``fetch`` callable given.
"""

from __future__ import annotations

import csv
import gzip
import html
import io
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin

from lxml import etree

from newsarchive.errors import InputError, NewsarchiveError
from newsarchive.models import FetchResult
from newsarchive.urls import normalize_url, redact_url, validate_url

FORMATS = ("text", "bookmarks", "csv", "rss", "atom", "opml", "sitemap")
XML_FORMATS = frozenset({"rss", "atom", "opml", "sitemap"})
HEAD_BYTES = 16 * 1024
MAX_NESTING = 2  # an OPML file names feeds; a sitemap index names sitemaps (or other indexes)
MAX_DOWNLOADS = 1000  # lists downloaded for one import: each is a request to someone's host
Fetch = Callable[[str], bytes]

URL_COLUMNS = ("url", "link", "href", "uri")
TIME_COLUMNS = ("time_added", "saved_at", "timestamp", "added", "date_added", "created")
TAG_COLUMNS = ("tags", "tag", "labels")
_ROOTS = {"rss": "rss", "rdf": "rss", "feed": "atom", "opml": "opml"}
_ROOTS |= {"urlset": "sitemap", "sitemapindex": "sitemap"}
_FIRST_ELEMENT = re.compile(r"<([A-Za-z][\w.-]*:)?([A-Za-z][\w.-]*)")
_ATTRIBUTE = re.compile(r"""([^\s=>/"']+)\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+)""")
_ANCHOR = re.compile(
    r"""<a(?P<attributes>(?:\s+[^\s=>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*/?>""",
    re.IGNORECASE,
)
_SKIPPED_MARKUP = re.compile(r"\A(\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.DOTALL | re.I)


@dataclass(frozen=True)
class Link:
    """A link to archive, with where it was found and what the export knew about it.

    ``capture``: the page as captured already (a WARC record), or why the record holding it
    could not be read; the import then archives it as it is, without fetching."""

    url: str
    line: int | None = None
    saved_at: str | None = None
    tags: tuple[str, ...] = ()
    capture: FetchResult | Exception | None = None


@dataclass(frozen=True)
class BadEntry:
    """An entry that is not a usable link (or a nested feed that failed), and why."""

    line: int | None
    text: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """An entry that holds nothing to archive (a WARC record of an image, a request), and why."""

    text: str
    reason: str


Entry = Link | BadEntry | Skipped


@dataclass(frozen=True)
class LinkList:
    """An opened list: its name, its detected (or forced) format and its entries, streamed."""

    name: str
    format: str
    entries: Iterator[Entry]


@dataclass(frozen=True)
class _Context:
    """Where a list came from: its name, how to download nested lists, the base for relative
    links, how deep it is nested, and the (normalised) URLs of the lists downloaded so far,
    shared with the lists nested in it: each is read once (a sitemap index naming itself is
    no loop), and at most MAX_DOWNLOADS are fetched."""

    name: str
    fetch: Fetch | None = None
    base: str | None = None
    depth: int = 0
    downloads: set[str] = field(default_factory=set)


def open_link_list(
    source: str, fmt: str | None = None, fetch: Fetch | None = None, stdin: BinaryIO | None = None
) -> LinkList:
    """Open a file, ``-`` (``stdin``) or an http(s) URL of a feed or sitemap, and detect its format.

    Raises InputError for a missing, unreadable or empty input and for an unknown format.
    """
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"{fmt}: unknown format (choose from {', '.join(FORMATS)})")
    if re.match(r"^https?://", source, re.IGNORECASE):
        return _open_url(validate_url(source), fmt, _Context(source, fetch))
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return _open_stream("standard input", stream, fmt, _Context("standard input", fetch))
    return _open_stream(source, open_list_file(source), fmt, _Context(source, fetch))


def open_list_file(source: str) -> BinaryIO:
    try:
        return Path(source).open("rb")
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, not a list of links") from None
    except OSError as error:
        raise InputError(f"{source}: cannot read ({error.strerror or error})") from None


def _open_url(url: str, fmt: str | None, parent: _Context, depth: int = 0) -> LinkList:
    if parent.fetch is None:
        raise InputError(f"{redact_url(url)}: cannot download lists here")
    parent.downloads.add(normalize_url(url))
    body = parent.fetch(url)
    name = redact_url(url)
    if fmt is None and detect_format(_unzip_head(body)) not in XML_FORMATS:
        raise InputError(f"{name}: not a feed, OPML file or sitemap (the response is not XML)")
    context = _Context(name, parent.fetch, url, depth, parent.downloads)
    return _open_stream(name, io.BytesIO(body), fmt, context)


def _unzip_head(body: bytes) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body[:HEAD_BYTES]
    try:
        return gzip.GzipFile(fileobj=io.BytesIO(body)).read(HEAD_BYTES)
    except (OSError, EOFError):
        return b""  # a broken download: reported as not XML


def _open_stream(name: str, stream: BinaryIO, fmt: str | None, context: _Context) -> LinkList:
    try:
        head = _read(stream, HEAD_BYTES)
        if head.startswith(b"\x1f\x8b"):
            stream = gzip.GzipFile(fileobj=io.BufferedReader(_Rewound(head, stream)))
            head = _read(stream, HEAD_BYTES)
    except (OSError, EOFError) as error:
        stream.close()
        raise InputError(f"{name}: cannot read ({error})") from None
    if not head.strip():
        stream.close()
        raise InputError(f"{name}: empty, there are no links in it")
    found = fmt or detect_format(head)
    if found is None:
        stream.close()
        raise InputError(f"{name}: {_unknown_reason(head)}; use --format to say what it is")
    return LinkList(
        name,
        found,
        closing_when_done(
            stream, _parse(io.BufferedReader(_Rewound(head, stream)), found, context)
        ),
    )


def _read(stream: BinaryIO, size: int) -> bytes:
    chunks, total = [], 0
    while total < size and (chunk := stream.read(size - total)):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def closing_when_done(stream: BinaryIO, entries: Iterator[Entry]) -> Iterator[Entry]:
    try:
        yield from entries
    finally:
        stream.close()


class _Rewound(io.RawIOBase):
    """A stream whose first bytes were already read for detection: gives them back first."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def detect_format(head: bytes) -> str | None:
    """The format of a list from its first bytes, or None when it is none of FORMATS."""
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    if text.lstrip().startswith("<"):
        return _markup_format(text)
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")][:50]
    if lines and _has_url_column(lines[0]):
        return "csv"
    if any(re.match(r"^https?://\S", line, re.IGNORECASE) for line in lines):
        return "text"
    return None


def _markup_format(text: str) -> str | None:
    if re.search(r"<!DOCTYPE\s+NETSCAPE-Bookmark", text, re.IGNORECASE):
        return "bookmarks"
    while match := _SKIPPED_MARKUP.match(text):
        text = text[match.end() :]
    element = _FIRST_ELEMENT.match(text)
    if element and element.group(2).lower() in _ROOTS:
        return _ROOTS[element.group(2).lower()]
    if re.search(r"<dt>\s*<a\s[^>]*href|<a\s[^>]*\btime_added=", text, re.IGNORECASE):
        return "bookmarks"  # Netscape-style lists without the doctype, Pocket's HTML export
    return None


def _has_url_column(line: str) -> bool:
    fields = next(csv.reader([line], delimiter="\t" if "\t" in line else ","), [])
    return len(fields) > 1 and any(field.strip().lower() in URL_COLUMNS for field in fields)


def _unknown_reason(head: bytes) -> str:
    if b"\x00" in head:
        return "a binary file, not a list of links"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if re.match(r"<(!doctype\s+html|html)", text, re.IGNORECASE):
        return "an HTML page, not a bookmarks file (to archive one page use newsarchive add)"
    if text.startswith("<"):
        return "XML that is not RSS, Atom, OPML or a sitemap"
    return "unknown format: no line starts with http:// or https://"


def _parse(stream: BinaryIO, fmt: str, context: _Context) -> Iterator[Entry]:
    """The entries of a list in format ``fmt``, read from ``stream`` as they are needed."""
    if fmt in XML_FORMATS:
        return _xml_entries(stream, context)
    parsers = {"text": _text_entries, "csv": _csv_entries, "bookmarks": _bookmark_entries}
    return parsers[fmt](stream, context)


def checked_link(
    url: str, line: int | None, saved_at: str | None = None, tags: tuple[str, ...] = ()
) -> Entry:
    """A Link when ``url`` is an absolute http(s) URL, else a BadEntry saying why."""
    try:
        return Link(validate_url(url), line, saved_at, tags)
    except InputError as error:
        return BadEntry(line, url.strip()[:200], str(error))


def _text_entries(stream: BinaryIO, context: _Context) -> Iterator[Entry]:
    """One URL a line; anything after the URL (a title, say) is ignored."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace")
    for number, line in enumerate(text, start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            starts_with_url = re.match(r"https?://", stripped, re.IGNORECASE)
            yield checked_link(stripped.split()[0] if starts_with_url else stripped, number)


def _csv_entries(stream: BinaryIO, context: _Context) -> Iterator[Entry]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    header = text.readline()
    delimiter = "\t" if "\t" in header and "," not in header else ","
    fields = next(csv.reader([header], delimiter=delimiter), [])
    columns = {field.strip().lower(): field for field in fields}
    url_column = next((columns[name] for name in URL_COLUMNS if name in columns), None)
    if url_column is None:
        raise InputError(f"{context.name}: the CSV header has no url column")
    time_column = next((columns[name] for name in TIME_COLUMNS if name in columns), None)
    tag_column = next((columns[name] for name in TAG_COLUMNS if name in columns), None)
    reader = csv.DictReader(text, fieldnames=fields, delimiter=delimiter)
    for row in _csv_rows(reader, context):
        if isinstance(row, BadEntry):
            yield row
            continue
        line = reader.line_num + 1
        saved_at = parse_time(row.get(time_column) or "") if time_column else None
        tags = split_tags(row.get(tag_column) or "") if tag_column else ()
        yield checked_link(row.get(url_column) or "", line, saved_at, tags)


def _csv_rows(reader: csv.DictReader, context: _Context) -> Iterator[dict[str, str] | BadEntry]:
    """The rows; a row the csv module refuses (a field over its 131,072-character limit) is a
    BadEntry saying so, and the rows after it are read all the same."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.reader.line_num + 1  # the DictReader counts only the rows it returned
            yield BadEntry(line, "", f"{context.name}: row skipped ({error})")


def parse_time(value: str) -> str | None:
    """An export's timestamp (Unix seconds or ISO 8601) as ISO 8601 UTC; None if unreadable."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{9,11}(\.\d+)?", value):
            moment = datetime.fromtimestamp(float(value), tz=timezone.utc)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def split_tags(value: str) -> tuple[str, ...]:
    """Tags as exports write them: ``a|b`` (Pocket), ``a,b`` (bookmarks), ``["a","b"]``."""
    value = value.strip().strip("[]")
    parts = re.split(r"[|,]", value)
    tags = (part.strip().strip("\"'").strip() for part in parts)
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def _bookmark_entries(stream: BinaryIO, context: _Context) -> Iterator[Entry]:
    """Every ``<a href>`` of a Netscape bookmarks file, with ADD_DATE and TAGS when present.

    The start tags are read with a pattern, not an HTML parser: browsers write ``<DT>`` without
    ``</DT>``, an HTML parser nests each entry in the one before, and libxml2 stops at its depth
    limit (251 links of a folder, silently).
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    pending, line = "", 1
    while chunk := text.read(64 * 1024):
        pending += chunk
        complete = _complete_part(pending)
        yield from _anchor_entries(pending[:complete], line)
        line += pending.count("\n", 0, complete)
        pending = pending[complete:]
    yield from _anchor_entries(pending, line)


def _complete_part(text: str) -> int:
    """How much of ``text`` ends outside a tag: a tag cut at the chunk's end waits for the rest."""
    start = text.rfind("<")
    return len(text) if start < 0 or text.find(">", start) >= 0 else start


def _anchor_entries(text: str, line: int) -> Iterator[Entry]:
    for tag in _ANCHOR.finditer(text):
        attributes = {
            name.lower(): html.unescape(value[1:-1] if value[0] in "\"'" else value)
            for name, value in _ATTRIBUTE.findall(tag.group("attributes"))
        }
        href = attributes.get("href")
        if href is not None and not href.lower().startswith(("javascript:", "place:")):
            added = attributes.get("add_date") or attributes.get("time_added") or ""
            tags = split_tags(attributes.get("tags") or "")
            where = line + text.count("\n", 0, tag.start())
            yield checked_link(href, where, parse_time(added), tags)


def _xml_entries(stream: BinaryIO, context: _Context) -> Iterator[Entry]:
    """Links of a feed, OPML file or sitemap, parsed incrementally and forgotten once yielded."""
    events = etree.iterparse(
        stream, events=("end",), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        for _event, element in events:
            yield from _xml_element_entries(element, context)
    except etree.XMLSyntaxError as error:
        raise InputError(f"{context.name}: not valid XML ({error.msg})") from None


def _xml_element_entries(element: etree._Element, context: _Context) -> Iterator[Entry]:
    name = etree.QName(element).localname if isinstance(element.tag, str) else ""
    if name in ("item", "entry"):
        yield from _feed_item(element, context)
    elif name == "outline" and element.get("xmlUrl"):
        yield from _nested(element.get("xmlUrl", ""), element.sourceline, context)
    elif name in ("url", "sitemap"):
        location = _child_text(element, "loc")
        if name == "sitemap":
            yield from _nested(location, element.sourceline, context)
        else:
            yield _absolute(location, element.sourceline, context)
    else:
        return
    _forget(element)


def _feed_item(element: etree._Element, context: _Context) -> Iterator[Entry]:
    href = _atom_link(element) or _child_text(element, "link") or _permalink_guid(element)
    if href:
        yield _absolute(href, element.sourceline, context)
    else:
        yield BadEntry(element.sourceline, "", f"{context.name}: a feed item without a link")


def _atom_link(element: etree._Element) -> str:
    for child in _children(element, "link"):
        if child.get("href") and child.get("rel", "alternate") == "alternate":
            return child.get("href", "")
    return ""


def _permalink_guid(element: etree._Element) -> str:
    for child in _children(element, "guid"):
        if child.get("isPermaLink", "true") == "true":
            return (child.text or "").strip()
    return ""


def _child_text(element: etree._Element, name: str) -> str:
    return next(((child.text or "").strip() for child in _children(element, name)), "")


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct children with this local name, whatever their namespace."""
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            yield child


def _absolute(href: str, line: int | None, context: _Context) -> Entry:
    return checked_link(urljoin(context.base, href) if context.base else href, line)


def _forget(element: etree._Element) -> None:
    """Drop a handled element and its earlier siblings, so a big file never sits in memory."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _nested(url: str, line: int | None, context: _Context) -> Iterator[Entry]:
    """The links of a feed (from OPML) or a sitemap (from an index); a failure is one BadEntry."""
    checked = _absolute(url, line, context)
    if isinstance(checked, BadEntry):
        yield checked
        return
    if context.fetch is None or context.depth >= MAX_NESTING:
        yield BadEntry(line, checked.url, f"{checked.url}: lists nested too deep")
        return
    if normalize_url(checked.url) in context.downloads:
        return  # read already: an index naming itself or a list twice adds nothing
    if len(context.downloads) >= MAX_DOWNLOADS:
        reason = f"not downloaded: the list names more than {MAX_DOWNLOADS} feeds or sitemaps"
        yield BadEntry(line, checked.url, f"{checked.url}: {reason}")
        return
    try:
        yield from _open_url(checked.url, None, context, context.depth + 1).entries
    except NewsarchiveError as error:
        yield BadEntry(line, checked.url, str(error))
