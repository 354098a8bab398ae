"""Extraction: HTML or plain text -> Article. Pure: no network, no database."""

from __future__ import annotations

from newsarchive.extract.article import extract_article
from newsarchive.extract.plaintext import extract_text_article
from newsarchive.models import Article, FetchResult

__all__ = ["extract", "extract_article", "extract_text_article"]


def extract(fetched: FetchResult) -> Article:
    """Extract the article from a fetched document, dispatching on its kind ("html" or "text")."""
    url = fetched.final_url or fetched.url
    if fetched.kind == "text":
        return extract_text_article(fetched.text, url)
    return extract_article(fetched.text, url)
