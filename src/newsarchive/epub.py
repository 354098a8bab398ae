"""Archived articles as one EPUB 3 book: a chapter per article, contents as nav and NCX.

Written with ``zipfile`` rather than a library: EbookLib is AGPL (newsarchive is Apache-2.0),
and a book of XHTML chapters needs only the container, the package document, the two tables of
contents and the chapters, all built here with ElementTree, which escapes every text. The NCX
is there for the readers that still read only EPUB 2's table of contents (older Kobo and
Kindle conversions). Images are left out unless asked for, and then only those the archive
holds the bytes of (``data:`` images in the capture): a book never loads anything remotely.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import BinaryIO

from newsarchive.models import StoredArticle
from newsarchive.render import byline
from newsarchive.sanitize import quoted_url, sanitize_html
from newsarchive.xhtml import (
    EPUB_NS,
    XHTML_NS,
    XML_DECLARATION,
    append_body,
    language_tag,
    xml_text,
)

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
NO_HEADLINE = "(no headline)"
MAX_IMAGE_BYTES = 20 * 2**20
# Image types every EPUB 3 reader shows, told by their first bytes, not by what the page claims.
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF87a": "gif", b"GIF89a": "gif"}  # fmt: skip
_DATA_URI = re.compile(r"^data:image/[\w.+-]+;base64,(.*)$", re.IGNORECASE | re.DOTALL)
STYLESHEET = """\
body { margin: 0 5%; line-height: 1.5; }
h1 { font-size: 1.5em; line-height: 1.25; margin: 1em 0 0.5em; }
.byline, .source { font-size: 0.9em; margin: 0.2em 0; color: #555; }
.source a { word-break: break-all; }
.standfirst { font-style: italic; margin: 1em 0; }
blockquote { margin: 1em 1.5em; font-style: italic; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; }
td, th { border: 1px solid #999; padding: 0.2em 0.4em; }
"""


@dataclass
class BookImages:
    """An ImagePolicy for the sanitiser: keeps the images whose bytes the page itself holds
    (``data:`` URIs of PNG, JPEG or GIF), each stored once however often it appears."""

    embed: bool = False
    files: dict[str, bytes] = field(default_factory=dict)

    def __call__(self, source: str) -> str | None:
        data = _image_bytes(source) if self.embed else None
        kind = _image_type(data) if data else None
        if data is None or kind is None:
            return None
        name = f"images/{hashlib.sha256(data).hexdigest()[:20]}.{kind}"
        self.files[name] = data
        return f"../{name}"


def _image_bytes(source: str) -> bytes | None:
    match = _DATA_URI.match(source)
    if not match or len(match.group(1)) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        return None
    try:
        return base64.b64decode(re.sub(r"\s+", "", match.group(1)), validate=True)
    except (binascii.Error, ValueError):
        return None


def _image_type(data: bytes) -> str | None:
    return next((kind for magic, kind in IMAGE_TYPES.items() if data.startswith(magic)), None)


@dataclass(frozen=True)
class Chapter:
    """One article's page of the book."""

    href: str
    title: str
    xhtml: str


@dataclass(frozen=True)
class BookInfo:
    """What the package document says of the book."""

    title: str
    language: str
    identifier: str = field(default_factory=lambda: f"urn:uuid:{uuid.uuid4()}")
    modified: str = field(
        default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def chapter(stored: StoredArticle, images: BookImages) -> Chapter:
    """The article as an XHTML page: headline, byline, source link, standfirst and body."""
    article = stored.article
    title = _headline(article.headline)
    html, body = _page(title, "../style.css", language_tag(article.language))
    page = ET.SubElement(body, "article")
    ET.SubElement(page, "h1").text = title
    if byline(article):
        _paragraph(page, "byline").text = xml_text(byline(article))
    _source(_paragraph(page, "source"), stored.url)
    if article.standfirst:
        _paragraph(page, "standfirst").text = xml_text(article.standfirst)
    text = ET.SubElement(page, "div", {"class": "body"})
    append_body(text, sanitize_html(article.html, embed_image=images), stored.url)
    return Chapter(f"text/article-{stored.id}.xhtml", title, _document(html))


def write_book(out: BinaryIO, info: BookInfo, chapters: list[Chapter], images: BookImages) -> None:
    """The EPUB: ``mimetype`` first and stored (readers find the type at a fixed offset),
    then the container, package document, tables of contents, style sheet, pages, images."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", _container())
        book.writestr("OEBPS/content.opf", _package(info, chapters, images.files))
        book.writestr("OEBPS/nav.xhtml", _nav(info, chapters))
        book.writestr("OEBPS/toc.ncx", _ncx(info, chapters))
        book.writestr("OEBPS/style.css", STYLESHEET)
        for page in chapters:
            book.writestr(f"OEBPS/{page.href}", page.xhtml)
        for name, data in images.files.items():
            book.writestr(f"OEBPS/{name}", data, zipfile.ZIP_STORED)


def book_language(articles: Iterable[StoredArticle]) -> str:
    """The language most of the articles are in (``en`` when none says)."""
    counts: dict[str, int] = {}
    for stored in articles:
        language = language_tag(stored.article.language)
        if language:
            counts[language] = counts.get(language, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else "en"


def _headline(headline: str | None) -> str:
    return " ".join(xml_text(headline or "").split()) or NO_HEADLINE


def _page(title: str, css: str, language: str | None) -> tuple[ET.Element, ET.Element]:
    attributes = {"xmlns": XHTML_NS, "xmlns:epub": EPUB_NS}
    if language:
        attributes.update({"lang": language, "xml:lang": language})
    html = ET.Element("html", attributes)
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "link", {"rel": "stylesheet", "type": "text/css", "href": css})
    return html, ET.SubElement(html, "body")


def _paragraph(parent: ET.Element, kind: str) -> ET.Element:
    return ET.SubElement(parent, "p", {"class": kind})


def _source(paragraph: ET.Element, url: str) -> None:
    """The article's address, a link when it is a web address."""
    if url.startswith(("http://", "https://")):
        link = ET.SubElement(paragraph, "a", {"href": quoted_url(url)})
        link.text = xml_text(url)
    else:
        paragraph.text = xml_text(url)


def _document(root: ET.Element, doctype: str = "<!DOCTYPE html>\n") -> str:
    return XML_DECLARATION + doctype + ET.tostring(root, encoding="unicode") + "\n"


def _container() -> str:
    root = ET.Element("container", {"version": "1.0", "xmlns": CONTAINER_NS})
    files = ET.SubElement(root, "rootfiles")
    ET.SubElement(
        files,
        "rootfile",
        {"full-path": "OEBPS/content.opf", "media-type": "application/oebps-package+xml"},
    )
    return _document(root, "")


def _package(info: BookInfo, chapters: list[Chapter], images: dict[str, bytes]) -> str:
    root = ET.Element(
        "package",
        {
            "xmlns": OPF_NS,
            "version": "3.0",
            "unique-identifier": "book-id",
            "xml:lang": info.language,
        },
    )
    metadata = ET.SubElement(root, "metadata", {"xmlns:dc": DC_NS})
    ET.SubElement(metadata, "dc:identifier", {"id": "book-id"}).text = info.identifier
    ET.SubElement(metadata, "dc:title").text = xml_text(info.title)
    ET.SubElement(metadata, "dc:language").text = info.language
    ET.SubElement(metadata, "meta", {"property": "dcterms:modified"}).text = info.modified
    manifest = ET.SubElement(root, "manifest")
    items = [
        ("nav", "nav.xhtml", "application/xhtml+xml"),
        ("ncx", "toc.ncx", "application/x-dtbncx+xml"),
        ("css", "style.css", "text/css"),
        *((f"c{i}", page.href, "application/xhtml+xml") for i, page in enumerate(chapters, 1)),
        *((f"i{i}", name, _media_type(name)) for i, name in enumerate(images, 1)),
    ]
    for item_id, href, media_type in items:
        ET.SubElement(manifest, "item", {"id": item_id, "href": href, "media-type": media_type})
    manifest[0].set("properties", "nav")
    spine = ET.SubElement(root, "spine", {"toc": "ncx"})
    for item_id in ["nav", *(f"c{i}" for i in range(1, len(chapters) + 1))]:
        ET.SubElement(spine, "itemref", {"idref": item_id})
    return _document(root, "")


def _media_type(name: str) -> str:
    return "image/" + name.rsplit(".", 1)[-1]


def _nav(info: BookInfo, chapters: list[Chapter]) -> str:
    title = _headline(info.title)
    html, body = _page(title, "style.css", info.language)
    nav = ET.SubElement(body, "nav", {"epub:type": "toc", "id": "toc"})
    ET.SubElement(nav, "h1").text = title
    contents = ET.SubElement(nav, "ol")
    for page in chapters:
        ET.SubElement(ET.SubElement(contents, "li"), "a", {"href": page.href}).text = page.title
    return _document(html)


def _ncx(info: BookInfo, chapters: list[Chapter]) -> str:
    root = ET.Element("ncx", {"xmlns": NCX_NS, "version": "2005-1", "xml:lang": info.language})
    head = ET.SubElement(root, "head")
    for name, content in (("uid", info.identifier), ("depth", "1"), ("totalPageCount", "0"), ("maxPageNumber", "0")):  # fmt: skip
        ET.SubElement(head, "meta", {"name": f"dtb:{name}", "content": content})
    ET.SubElement(ET.SubElement(root, "docTitle"), "text").text = _headline(info.title)
    nav_map = ET.SubElement(root, "navMap")
    for order, page in enumerate(chapters, 1):
        point = ET.SubElement(nav_map, "navPoint", {"id": f"p{order}", "playOrder": str(order)})
        ET.SubElement(ET.SubElement(point, "navLabel"), "text").text = page.title
        ET.SubElement(point, "content", {"src": page.href})
    return _document(root, "")
