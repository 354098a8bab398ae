"""Extraction: HTML or plain text -> Article. Pure: no network, no database.

The extractors load readability, lxml and htmldate; they are imported when first called so that
commands which only read the archive (search, show) start fast.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from newsarchive.controls import CONTROLS, strip_controls
from newsarchive.errors import ExtractionError
from newsarchive.models import Article, FetchResult, Quote, RemovedBlock

__all__ = ["extract", "extract_article", "extract_capture", "extract_text_article"]

_TEXT_FIELDS = ("headline", "standfirst", "published", "modified", "site", "language")
_TEXT_FIELDS += ("canonical_url", "text", "html", "note")
_Item = TypeVar("_Item", Quote, RemovedBlock)


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the article in an HTML page: metadata, clean body, quotes, and the capture's
    status (ok, partial, not_article, blocked).

    Raises ExtractionError when the page holds no article text.
    """
    from newsarchive.extract import article as html_path
    from newsarchive.extract.status import BLOCKED, MEANINGS, PARTIAL, assess_status, blocked_page

    html = strip_controls(html)
    try:
        article = html_path.extract_article(html, url)
    except ExtractionError as error:
        if blocked_page(html):
            raise ExtractionError(
                f"{url or 'page'}: {MEANINGS[BLOCKED]}",
                article=error.article and replace(error.article, status=BLOCKED),
            ) from error
        raise
    if article.status != PARTIAL:  # partial: cut short by extraction itself, its note says why
        article = replace(article, status=assess_status(html, article, url))
    return without_controls(article)


def extract(fetched: FetchResult, budget: float | None = None) -> Article:
    """Extract the article from a fetched document, dispatching on its kind ("html" or "text").

    Within ``budget`` seconds (default ``budget.TIME_BUDGET``): past it, what was found comes
    back with status ``partial`` and a note saying so.
    """
    from newsarchive.extract.budget import TIME_BUDGET, TIME_UP_NOTE, TimeUp, time_budget
    from newsarchive.extract.status import PARTIAL

    url = fetched.final_url or fetched.url
    article = None
    try:
        with time_budget(TIME_BUDGET if budget is None else budget):
            if fetched.kind == "text":
                article = extract_text_article(fetched.text, url)
            else:
                article = extract_article(fetched.text, url)
    except TimeUp:
        article = article or Article(status=PARTIAL, note=f"{TIME_UP_NOTE}, while reading the page")
    return article


def extract_capture(fetched: FetchResult, budget: float | None = None) -> Article:
    """``extract``, but a page with no article text comes back as what could be read of it
    (its metadata, no text) with status ``no_text``, or ``blocked`` for a wall, instead of
    raising: such a capture is still worth keeping, for a later extractor to try again."""
    from newsarchive.extract.status import BLOCKED, NO_TEXT

    try:
        return extract(fetched, budget)
    except ExtractionError as error:
        article = without_controls(error.article or Article())
        return replace(article, status=BLOCKED if article.status == BLOCKED else NO_TEXT)


def without_controls(article: Article) -> Article:
    """The article with control characters stripped from every text field (controls.py):
    no page gets to write to the terminal of whoever reads the archive."""
    clean = strip_controls
    return replace(
        article,
        **{name: clean(getattr(article, name)) for name in _TEXT_FIELDS if getattr(article, name)},
        authors=[clean(author) for author in article.authors],
        quotes=[
            _without_controls_in(quote, ("text", "speaker", "role")) for quote in article.quotes
        ],
        removed=[_without_controls_in(block, ("text",)) for block in article.removed],
    )


def _without_controls_in(item: _Item, names: tuple[str, ...]) -> _Item:
    """``item`` with control characters stripped from its text fields ``names``: itself when
    they hold none (most do not, and a page can have 20,000 quotes)."""
    dirty = {name: getattr(item, name) for name in names}
    dirty = {name: text for name, text in dirty.items() if text and CONTROLS.search(text)}
    if not dirty:
        return item
    return replace(item, **{name: strip_controls(text) for name, text in dirty.items()})


def extract_text_article(text: str, url: str | None = None) -> Article:
    """Extract a plain-text article: headline, standfirst, then paragraphs."""
    from newsarchive.extract import plaintext

    return without_controls(plaintext.extract_text_article(strip_controls(text), url))
