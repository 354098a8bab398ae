"""Read an article's metadata from a page: headline, standfirst, authors, dates, site, language.

Sources are tried from the most to the least deliberate: JSON-LD, then Open Graph and other
``<meta>`` tags, then visible markup (``<h1>``, bylines, ``<time>``), then the URL. The headline
is found in headlines.py, the publication date chosen in published.py.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.authors import find_authors
from newsarchive.extract.dates import date_in_text, normalise_date
from newsarchive.extract.headlines import TitleSources, find_headline, site_key
from newsarchive.extract.markup import first as _first
from newsarchive.extract.markup import first_text as _first_text
from newsarchive.extract.markup import squash as _squash
from newsarchive.extract.published import choose_published
from newsarchive.models import Article

log = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "blogposting",
    "backgroundnewsarticle",
    "report",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
}
# The page itself: SEO plugins (Yoast) describe it, with its dates, when they declare no article.
PAGE_TYPES = {"webpage", "itempage"}
# Words in the class of a standfirst, and of a visible date or byline. A walk in Python that
# stops at the first hit beats the XPath ``contains(@class, ...)`` test on every element.
# (XPaths here say ``/descendant::x[...]`` for ``//x[...]``: the same nodes, faster, see
# published.py.)
STANDFIRST_CLASS = re.compile("standfirst|lede|dek|subtitle|subheadline")
DATE_CLASS = re.compile("date|time|posted|meta|byline|autor")
MAX_DATE_ELEMENTS = 12  # visible dates further down are comments and teasers
MAX_LD_DEPTH = 8  # JSON-LD nests an article in a list or a @graph, not in hundreds of them


@dataclass(frozen=True)
class Metadata(Article):
    """Everything about an article except its body: the Article fields read from the page (the
    body fields stay empty), plus JSON-LD ``articleBody`` when the page declares one."""

    article_body: str | None = None


class _Page:
    """Lookups over one parsed page, computed once."""

    def __init__(self, doc: HtmlElement) -> None:
        self.doc = doc
        self.meta = _meta_tags(doc)
        items = _ld_items(doc)
        self.ld = _ld_first(items, ARTICLE_TYPES)
        self.ld_page = _ld_first(items, PAGE_TYPES)

    def first_meta(self, *names: str) -> str | None:
        return next((self.meta[name] for name in names if self.meta.get(name)), None)

    def ld_text(self, key: str, item: dict[str, Any] | None = None) -> str | None:
        """A text value of the JSON-LD article (or of another JSON-LD ``item``)."""
        value = (self.ld if item is None else item).get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return _squash(value) if isinstance(value, str) else None


def read_metadata(doc: HtmlElement, url: str | None = None) -> Metadata:
    """Read the metadata of a parsed page (``url`` helps with the site, dates and links)."""
    page = _Page(doc)
    site = _site(page, url)
    modified = _modified(page)
    headline = find_headline(
        page.doc,
        TitleSources(
            page.ld_text("headline"),
            page.ld_text("name"),
            page.first_meta("og:title", "twitter:title"),
        ),
        site,
        url,
    )
    return Metadata(
        headline=headline,
        standfirst=_first(
            page.ld_text("description"),
            page.first_meta("og:description", "description", "twitter:description"),
            lambda: _first_text(_standfirst_elements(page.doc)),
        ),
        authors=_authors(page, site),
        published=_published(page, url, modified, headline),
        modified=modified,
        site=site,
        language=_language(page),
        canonical_url=_canonical(page, url),
        article_body=_article_body(page),
    )


def _article_body(page: _Page) -> str | None:
    """JSON-LD articleBody with its line breaks kept (they separate paragraphs)."""
    body = page.ld.get("articleBody")
    return (body.strip() or None) if isinstance(body, str) else None


def _meta_tags(doc: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in doc.iter("meta"):
        name = (
            tag.get("property") or tag.get("name") or tag.get("itemprop") or tag.get("http-equiv")
        )
        content = _squash(tag.get("content"))
        if name and content:
            found.setdefault(name.strip().lower(), content)
    return found


def _ld_items(doc: HtmlElement) -> list[dict[str, Any]]:
    """The page's JSON-LD objects (inside ``@graph`` and lists too), in page order."""
    items: list[dict[str, Any]] = []
    for script in doc.xpath("/descendant::script[contains(@type, 'ld+json')]"):
        try:
            data = json.loads(script.text_content().strip(), strict=False)
        except (ValueError, RecursionError):  # not JSON, or nested past Python's stack
            log.debug("unreadable JSON-LD block skipped")
            continue
        items.extend(_ld_objects(data))
    return items


def _ld_first(items: list[dict[str, Any]], types: set[str]) -> dict[str, Any]:
    """The first JSON-LD object with one of ``types``."""
    return next((item for item in items if _ld_types(item) & types), {})


def _ld_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """The objects in ``data``, looked for no deeper than MAX_LD_DEPTH lists and graphs."""
    if depth > MAX_LD_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _ld_objects(data.get("@graph"), depth + 1)
        yield from _ld_objects(data.get("mainEntity"), depth + 1)


def _ld_types(item: dict[str, Any]) -> set[str]:
    types = item.get("@type", [])
    return {str(kind).lower() for kind in (types if isinstance(types, list) else [types])}


def _authors(page: _Page, site: str | None) -> list[str]:
    key = site_key(site) if site else None
    return find_authors(
        page.ld.get("author"), _meta_names(page), page.doc, lambda name: site_key(name) == key
    )


AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "parsely-author")


def _meta_names(page: _Page) -> list[str]:
    names = (page.meta.get(name) for name in AUTHOR_META)
    return [name for name in names if name and not re.match(r"https?://|www\.", name)]


PUBLISHED_META = (
    *("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate"),
    *("date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date"),
)


MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")


def _modified(page: _Page) -> str | None:
    candidates = (page.ld_text("dateModified"), *(page.meta.get(name) for name in MODIFIED_META))
    return _first_date(iter(candidates))


def _published(
    page: _Page, url: str | None, modified: str | None, headline: str | None
) -> str | None:
    structured = _first_date(_structured_dates(page))
    written = lambda: _first_date(_visible_dates(page))  # noqa: E731 - looked up lazily
    others = lambda: _declared_days(page)  # noqa: E731
    return choose_published(page.doc, url, structured, modified, written, headline, others)


def _first_date(candidates: Iterator[str | None]) -> str | None:
    return next(filter(None, map(normalise_date, candidates)), None)


def _structured_dates(page: _Page) -> Iterator[str | None]:
    """Publication dates from the most to the least deliberate markup, looked up lazily: the
    JSON-LD article, meta tags, the JSON-LD web page (for pages declaring no article),
    ``itemprop``, then the first ``<time>``."""
    yield page.ld_text("datePublished")
    yield page.first_meta(*PUBLISHED_META)
    yield page.ld_text("datePublished", page.ld_page)
    for element in page.doc.xpath("/descendant::*/@itemprop[. = 'datePublished']/.."):
        yield element.get("content") or element.get("datetime") or element.text_content()
    yield from page.doc.xpath("/descendant::time[@datetime]/@datetime")[:1]


def _declared_days(page: _Page) -> Iterator[str]:
    """Every publication date in the page's meta tags, written out too ("November 25, 2025")."""
    for value in filter(None, (page.meta.get(name) for name in PUBLISHED_META)):
        day = normalise_date(value) or date_in_text(value)
        if day:
            yield day


def _visible_dates(page: _Page) -> Iterator[str | None]:
    """Dates written in the page's date and byline elements: the last resort."""
    for element in islice(_date_elements(page.doc), MAX_DATE_ELEMENTS):
        text = _squash(element.get("title") or element.text_content())
        yield date_in_text(text) if len(text) < 200 else None


def _standfirst_elements(doc: HtmlElement) -> Iterator[HtmlElement]:
    """The page's elements with a standfirst class or ``itemprop="description"``, in document
    order."""
    for element in doc.getroottree().getroot().iter(etree.Element):
        if STANDFIRST_CLASS.search(element.get("class", "")) or (
            element.get("itemprop") == "description"
        ):
            yield element


def _date_elements(doc: HtmlElement) -> Iterator[HtmlElement]:
    """The elements in the page's body with a date or byline class, and its ``<time>``s, in
    document order."""
    for body in doc.getroottree().getroot().iter("body"):
        if any(outer.tag == "body" for outer in body.iterancestors()):
            continue  # a body inside a body: its elements come with the outer one's
        for element in body.iterdescendants(etree.Element):
            if element.tag == "time" or DATE_CLASS.search(element.get("class", "")):
                yield element


def _site(page: _Page, url: str | None) -> str | None:
    publisher = page.ld.get("publisher")
    name = publisher.get("name") if isinstance(publisher, dict) else None
    site = _first(
        page.first_meta("og:site_name", "application-name"),
        _squash(name) if isinstance(name, str) else None,
    )
    if site:
        return site
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _language(page: _Page) -> str | None:
    root = page.doc.getroottree().getroot()
    candidates = (
        root.get("lang"),
        root.get("xml:lang"),
        page.first_meta("og:locale", "content-language", "language", "dc.language"),
        page.ld_text("inLanguage"),
    )
    for candidate in candidates:
        language = normalise_language(candidate)
        if language:
            return language
    return None


def normalise_language(value: str | None) -> str | None:
    """ "en_gb" -> "en-GB", "EN" -> "en"; None for anything that is not a language tag."""
    match = re.match(r"\s*([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}|\d{3}))?\b", value or "")
    if not match:
        return None
    language, region = match.group(1).lower(), match.group(2)
    return f"{language}-{region.upper()}" if region else language


def _canonical(page: _Page, url: str | None) -> str | None:
    links = page.doc.xpath(
        "/descendant::link[@href]"
        "[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
    )
    found = _first(*(_squash(link) for link in links), page.first_meta("og:url"))
    return urljoin(url, found) if found and url else found
