"""Read an article's metadata from a page: headline, standfirst, authors, dates, site, language.

Sources are tried from the most to the least deliberate: JSON-LD, then Open Graph and other
``<meta>`` tags, then visible markup (``<h1>``, bylines, ``<time>``), then the URL.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.authors import find_authors
from newsarchive.extract.dates import date_in_text, normalise_date
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
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")
# Words in the class of a standfirst, and of a visible date or byline. A walk in Python that
# stops at the first hit beats the XPath ``contains(@class, ...)`` test on every element.
# (XPaths here say ``/descendant::x[...]`` for ``//x[...]``: the same nodes, faster, see
# published.py.)
STANDFIRST_CLASS = re.compile("standfirst|lede|dek|subtitle|subheadline")
DATE_CLASS = re.compile("date|time|posted|meta|byline|autor")
CUT_HEADLINE = 100  # a JSON-LD headline this long may have been cut to fit 110 characters
GENERIC_LABELS = {"www", "com", "org", "net", "co", "ac", "gov", "edu", "info"}
MAX_HEADINGS = 20  # headings further down are teasers and section titles
MAX_DATE_ELEMENTS = 12  # visible dates further down are comments and teasers


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
        self.ld = _ld_article(doc)

    def first_meta(self, *names: str) -> str | None:
        return next((self.meta[name] for name in names if self.meta.get(name)), None)

    def ld_text(self, key: str) -> str | None:
        value = self.ld.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return _squash(value) if isinstance(value, str) else None


def _first_text(elements: Iterable[HtmlElement]) -> str | None:
    for element in elements:
        text = _squash(element.text_content())
        if text:
            return text
    return None


def read_metadata(doc: HtmlElement, url: str | None = None) -> Metadata:
    """Read the metadata of a parsed page (``url`` helps with the site, dates and links)."""
    page = _Page(doc)
    site = _site(page, url)
    modified = _modified(page)
    headline = _headline(page, site, url)
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


def _first(*values: str | Callable[[], str | None] | None) -> str | None:
    """The first non-empty value; callables are only called when needed (costly lookups)."""
    for value in values:
        found = value() if callable(value) else value
        if found:
            return found
    return None


def _squash(text: str | None) -> str:
    """Whitespace-normalised, with entities decoded (JSON-LD and meta values are often escaped)."""
    return " ".join(html.unescape(text or "").split())


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


def _ld_article(doc: HtmlElement) -> dict[str, Any]:
    """The first JSON-LD object typed as an article (inside ``@graph`` and lists too)."""
    for script in doc.xpath("/descendant::script[contains(@type, 'ld+json')]"):
        try:
            data = json.loads(script.text_content().strip(), strict=False)
        except ValueError:
            log.debug("unreadable JSON-LD block skipped")
            continue
        for item in _ld_objects(data):
            if _ld_types(item) & ARTICLE_TYPES:
                return item
    return {}


def _ld_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _ld_objects(data.get("@graph"))
        yield from _ld_objects(data.get("mainEntity"))


def _ld_types(item: dict[str, Any]) -> set[str]:
    types = item.get("@type", [])
    return {str(kind).lower() for kind in (types if isinstance(types, list) else [types])}


def _headline(page: _Page, site: str | None, url: str | None) -> str | None:
    headline = _first(
        lambda: _single_h1(page, site),
        lambda: _uncut(page.ld_text("headline"), page),
        page.ld_text("name"),
        page.first_meta("og:title", "twitter:title"),
        lambda: _first_text(page.doc.xpath("//h1")),
        lambda: _first_text(page.doc.xpath("//title")),
    )
    return tidy_headline(
        _strip_site(_strip_site(_shown_part(headline, page), site), _domain_name(url))
    )


# What pages wrap around a headline: a date in front, "Posted on <date> by <name>" or a source
# domain behind, quote marks around it, a short section name after a pipe.
_LEADING_DATE = re.compile(
    r"^(?:[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}|\d{4}-\d{2}-\d{2})\s+(?=\S)"
)
_TRAILING_BYLINE = re.compile(r"\s+Posted (?:on|by) .*$")
_TRAILING_DOMAIN = re.compile(r"\s+\((?:[\w-]+\.)+[a-z]{2,}\)$")
_WRAPPING_QUOTES = re.compile(r'^(["“«])(.+)(["”»])$')
_QUOTE_MARK = re.compile(r'["“”«»]')
# Typographic apostrophes become plain ones: "Beginner’s" and "Beginner's" are one headline,
# and most pages (and people searching) write the plain one.
_STRAIGHT_QUOTES = str.maketrans({"’": "'", "‘": "'"})
_SECTION_SUFFIX = re.compile(r"^(.+?\S(?:\s+\S+){2,}) \| [^|]{1,30}$")


def tidy_headline(headline: str | None) -> str | None:
    """The headline without the furniture pages put around it (and with HTML entities that
    were escaped twice decoded)."""
    if not headline:
        return headline
    text = html.unescape(headline) if "&" in headline else headline
    for pattern in (_LEADING_DATE, _TRAILING_BYLINE, _TRAILING_DOMAIN):
        text = pattern.sub("", text)
    text = _WRAPPING_QUOTES.sub(
        lambda m: m.group(0) if _QUOTE_MARK.search(m.group(2)) else m.group(2), text
    )
    text = text.translate(_STRAIGHT_QUOTES)
    return _SECTION_SUFFIX.sub(r"\1", text).strip() or headline


def _uncut(headline: str | None, page: _Page) -> str | None:
    """A JSON-LD headline, or the page title it was cut from (search engines want at most
    110 characters, so some sites cut the headline mid-sentence)."""
    title = page.first_meta("og:title", "twitter:title")
    if headline and len(headline) >= CUT_HEADLINE and title and title.startswith(headline):
        return title
    return headline


def _domain_name(url: str | None) -> str | None:
    """The registered name in a URL's host: "promotions.shop.co.uk" -> "shop"."""
    labels = (urlsplit(url).hostname or "").split(".")[:-1] if url else []
    while labels and labels[-1] in GENERIC_LABELS:
        labels.pop()
    return labels[-1] if labels else None


def _shown_part(title: str | None, page: _Page) -> str | None:
    """The part of a "Headline | Section | Site" title that the page shows as a heading."""
    cuts = [match.start() for match in TITLE_SEPARATORS.finditer(title or "")]
    if not title or not cuts:
        return title
    headings = {
        _squash(heading.text_content()).casefold()
        for heading in page.doc.xpath("//body//h1 | //body//h2")[:MAX_HEADINGS]
    }
    parts = [title[:cut] for cut in reversed(cuts)] + TITLE_SEPARATORS.split(title)
    return next((part for part in parts if part.casefold() in headings), title)


def _single_h1(page: _Page, site: str | None) -> str | None:
    """The page's only <h1>: what readers see as the headline (SEO titles often differ).

    Not when it is the site's name (a logo in an <h1>).
    """
    headings = page.doc.xpath("//body//h1")
    text = _squash("".join(_text_with_breaks(headings[0]))) if len(headings) == 1 else ""
    if not text or (site and _site_key(text) == _site_key(site)):
        return None
    return text


def _text_with_breaks(element: HtmlElement) -> Iterator[str]:
    """An element's text with a space for each ``<br>`` (a headline set on two lines)."""
    if element.tag == "br":
        yield " "
    yield element.text or ""
    for child in element:
        if isinstance(child.tag, str):  # not a comment
            yield from _text_with_breaks(child)
        yield child.tail or ""


def _strip_site(title: str | None, site: str | None) -> str | None:
    """Remove a " | Site" or "Site - " part from a title when it names the site."""
    if not title or not site:
        return title
    parts = TITLE_SEPARATORS.split(title)
    key = _site_key(site)
    if len(parts) > 1 and _site_key(parts[-1]) == key:
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    if len(parts) > 1 and _site_key(parts[0]) == key:
        return parts[-1] if len(parts) == 2 else title
    return title


def _site_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return re.sub(r"^(?:www)|(?:com|couk|org|net)$", "", key)


def _authors(page: _Page, site: str | None) -> list[str]:
    key = _site_key(site) if site else None
    return find_authors(
        page.ld.get("author"), _meta_names(page), page.doc, lambda name: _site_key(name) == key
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
    return normalise_date(_first(page.ld_text("dateModified"), page.first_meta(*MODIFIED_META)))


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
    """Publication dates from the most to the least deliberate markup, looked up lazily."""
    yield page.ld_text("datePublished")
    yield page.first_meta(*PUBLISHED_META)
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
