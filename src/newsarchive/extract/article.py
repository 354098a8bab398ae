"""The HTML path: metadata, body, cleanup and quotes for one page."""

from __future__ import annotations

import logging
from dataclasses import fields, replace

import lxml.html
from lxml.html import HtmlElement

from newsarchive.errors import ExtractionError
from newsarchive.extract.budget import TIME_UP_NOTE, TimeUp
from newsarchive.extract.clean import CleanBody, clean_body, paragraphs_html, safe_body
from newsarchive.extract.metadata import Metadata, read_metadata
from newsarchive.extract.people import clean_authors
from newsarchive.extract.quotes import find_quotes
from newsarchive.extract.readable import (
    MAX_ELEMENTS,
    body_html,
    cut_after,
    parse,
    readability_html,
)
from newsarchive.extract.rules import clean_paragraphs
from newsarchive.extract.status import PARTIAL
from newsarchive.models import Article, Quote

log = logging.getLogger(__name__)

TINY_SHARE = 0.3  # readability text below this share of JSON-LD articleBody counts as a miss
FLOOR_CHECK = 600  # characters: a body shorter than this is checked against readability alone
FLOOR_SHARE = 0.5  # ...and gives way to its answer when, with what we removed, under this share
FLOOR_MIN = 80  # characters: a shorter answer of readability's (a menu link) is no story either
CUT_NOTE = (
    f"the page has more than {MAX_ELEMENTS:,} elements; only the first {MAX_ELEMENTS:,} were read"
)


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the article in an HTML page: metadata, clean body text and HTML, quotes.

    Raises ExtractionError when the page holds no article text. Under a time budget
    (budget.py) that runs out, what was found by then comes back, with status ``partial``.
    """
    meta = body = None
    try:
        doc = parse(html)
        note = CUT_NOTE if cut_after(doc) else None
        if note:  # readability's floor reads the same elements
            html = lxml.html.tostring(doc, encoding="unicode")
        meta = read_metadata(doc, url)
        body = _body(doc, html, meta)
        if not body.lines:
            metadata_only = _article(meta, CleanBody("", [], body.removed), [])
            raise ExtractionError(f"{url or 'page'}: no article text found", article=metadata_only)
        article = _article(meta, body, _quotes(meta, body))
    except TimeUp:
        return _cut_short(meta, body)
    return replace(article, status=PARTIAL, note=note) if note else article


def _body(doc: HtmlElement, html: str, meta: Metadata) -> CleanBody:
    body = clean_body(body_html(doc))
    body = _without_headline(body, meta.headline)
    if meta.article_body and _is_miss(body, meta.article_body):
        log.debug("readability missed the body; using JSON-LD articleBody")
        body = _from_article_body(meta.article_body)
    if _length(body) < FLOOR_CHECK:
        body = _at_least_readability(body, html, meta.headline)
    return body


def _quotes(meta: Metadata, body: CleanBody) -> list[Quote]:
    return find_quotes([meta.standfirst, *body.lines] if meta.standfirst else body.lines)


def _cut_short(meta: Metadata | None, body: CleanBody | None) -> Article:
    """What was found when the time budget ran out: the metadata, the body, no quotes."""
    stage = "finding quotes" if body else "finding the body" if meta else "reading the page"
    found = _article(meta or Metadata(), body or CleanBody("", [], []), [])
    return replace(found, status=PARTIAL, note=f"{TIME_UP_NOTE}, while {stage}")


def _without_headline(body: CleanBody, headline: str | None) -> CleanBody:
    """Readability often keeps the <h1>: the headline is metadata, not body.

    A standfirst equal to the first line stays: the meta description is often the first paragraph.
    """
    if headline and body.lines[:1] and body.lines[0].casefold() == headline.casefold():
        return CleanBody(body.html, body.lines[1:], body.removed)
    return body


def _at_least_readability(body: CleanBody, page: str, headline: str | None) -> CleanBody:
    """Never less than readability alone. Older layouts (tables, ``<font>`` text split by
    ``<br>``) can defeat our pruning and cleaning where readability still finds the story: an
    empty body, or one much shorter than its answer that the blocks we removed do not explain,
    becomes that answer, cleaned unless cleaning would take most of it."""
    fragment = readability_html(page)
    raw = _without_headline(safe_body(fragment), headline)
    theirs, ours = _length(raw), _length(body)
    removed = sum(len(block.text) for block in body.removed)
    if theirs < FLOOR_MIN or (ours and ours + removed >= FLOOR_SHARE * theirs):
        return body
    cleaned = _without_headline(clean_body(fragment), headline)
    if _length(cleaned) >= FLOOR_SHARE * theirs:
        log.debug("our body is far shorter than readability's; using its answer, cleaned")
        return cleaned
    if ours or cleaned.lines:
        return body if ours >= _length(cleaned) else cleaned
    log.debug("no body, and cleaning empties readability's answer; keeping it as it is")
    return raw


def _length(body: CleanBody) -> int:
    return sum(map(len, body.lines))


def _is_miss(body: CleanBody, article_body: str) -> bool:
    return _length(body) < TINY_SHARE * len(article_body)


def _from_article_body(article_body: str) -> CleanBody:
    paragraphs, removed = clean_paragraphs(article_body.splitlines())
    return CleanBody(paragraphs_html(paragraphs), paragraphs, removed)


def _byline_authors(body: CleanBody) -> list[str]:
    """Names from byline lines the cleaner removed, for pages without author metadata."""
    return clean_authors([block.text for block in body.removed if block.rule == "byline"])


def _article(meta: Metadata, body: CleanBody, quotes: list[Quote]) -> Article:
    read = {name.name: getattr(meta, name.name) for name in fields(Article)}
    return Article(
        **{
            **read,
            "authors": meta.authors or _byline_authors(body),
            "text": "\n".join(body.lines),
            "html": body.html,
            "quotes": quotes,
            "removed": body.removed,
        }
    )
