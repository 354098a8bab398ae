"""newsarchive: archive news articles offline, clean, with metadata, quotes and full-text search.

Heavy modules (readability, lxml, requests) load only when their names are first used, so the
command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Archive",
    "Article",
    "FetchResult",
    "Quote",
    "__version__",
    "add",
    "extract",
    "extract_article",
    "extract_text_article",
    "fetch_url",
    "list_speakers",
    "load",
    "search",
    "search_quotes",
]

_LAZY = {
    "Archive": "newsarchive.store",
    "Article": "newsarchive.models",
    "FetchResult": "newsarchive.models",
    "Quote": "newsarchive.models",
    "add": "newsarchive.pipeline",
    "extract": "newsarchive.extract",
    "extract_article": "newsarchive.extract",
    "extract_text_article": "newsarchive.extract",
    "fetch_url": "newsarchive.fetch",
    "list_speakers": "newsarchive.speakers",
    "load": "newsarchive.fetch",
    "search": "newsarchive.search",
    "search_quotes": "newsarchive.search",
}

if TYPE_CHECKING:
    from newsarchive.extract import extract, extract_article, extract_text_article
    from newsarchive.fetch import fetch_url, load
    from newsarchive.models import Article, FetchResult, Quote
    from newsarchive.pipeline import add
    from newsarchive.search import search, search_quotes
    from newsarchive.speakers import list_speakers
    from newsarchive.store import Archive


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'newsarchive' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
