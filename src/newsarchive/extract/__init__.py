"""Extraction: HTML or plain text -> Article. Pure: no network, no database.

The extractors load readability, lxml and htmldate; they are imported when first called so that
commands which only read the archive (search, show) start fast.
"""

from __future__ import annotations

from dataclasses import replace

from newsarchive.errors import ExtractionError
from newsarchive.models import Article, FetchResult

__all__ = ["extract", "extract_article", "extract_capture", "extract_text_article"]


def extract_article(html: str, url: str | None = None) -> Article:
    """Extract the article in an HTML page: metadata, clean body, quotes, and the capture's
    status (ok, partial, not_article, blocked).

    Raises ExtractionError when the page holds no article text.
    """
    from newsarchive.extract import article as html_path
    from newsarchive.extract.status import BLOCKED, MEANINGS, assess_status, blocked_page

    try:
        article = html_path.extract_article(html, url)
    except ExtractionError as error:
        if blocked_page(html):
            raise ExtractionError(
                f"{url or 'page'}: {MEANINGS[BLOCKED]}",
                article=error.article and replace(error.article, status=BLOCKED),
            ) from error
        raise
    return replace(article, status=assess_status(html, article, url))


def extract(fetched: FetchResult) -> Article:
    """Extract the article from a fetched document, dispatching on its kind ("html" or "text")."""
    url = fetched.final_url or fetched.url
    if fetched.kind == "text":
        return extract_text_article(fetched.text, url)
    return extract_article(fetched.text, url)


def extract_capture(fetched: FetchResult) -> Article:
    """``extract``, but a page with no article text comes back as what could be read of it
    (its metadata, no text) with status ``no_text``, or ``blocked`` for a wall, instead of
    raising: such a capture is still worth keeping, for a later extractor to try again."""
    from newsarchive.extract.status import BLOCKED, NO_TEXT

    try:
        return extract(fetched)
    except ExtractionError as error:
        article = error.article or Article()
        return replace(article, status=BLOCKED if article.status == BLOCKED else NO_TEXT)


def extract_text_article(text: str, url: str | None = None) -> Article:
    """Extract a plain-text article: headline, standfirst, then paragraphs."""
    from newsarchive.extract import plaintext

    return plaintext.extract_text_article(text, url)
