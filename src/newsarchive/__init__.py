"""newsarchive: archive news articles offline, clean, with metadata, quotes and full-text search.

Heavy modules (readability, lxml, requests) load only when their names are first used, so the
command line starts fast. No public name is also the name of a submodule: importing a submodule
sets it as an attribute of this package, which would hide a function of the same name.
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
    "article_history",
    "compare_versions",
    "extract_article",
    "extract_text_article",
    "fetch_url",
    "list_speakers",
    "load",
    "search",
    "search_quotes",
    "version_article",
]

_LAZY = {
    "Archive": "newsarchive.store",
    "Article": "newsarchive.models",
    "FetchResult": "newsarchive.models",
    "Quote": "newsarchive.models",
    "add": "newsarchive.pipeline",
    "article_history": "newsarchive.history",
    "compare_versions": "newsarchive.history",
    "extract_article": "newsarchive.extract",
    "extract_text_article": "newsarchive.extract",
    "fetch_url": "newsarchive.fetch",
    "list_speakers": "newsarchive.speakers",
    "load": "newsarchive.fetch",
    "search": "newsarchive.searching",
    "search_quotes": "newsarchive.searching",
    "version_article": "newsarchive.history",
}

if TYPE_CHECKING:
    from newsarchive.extract import extract_article, extract_text_article
    from newsarchive.fetch import fetch_url, load
    from newsarchive.history import article_history, compare_versions, version_article
    from newsarchive.models import Article, FetchResult, Quote
    from newsarchive.pipeline import add
    from newsarchive.searching import search, search_quotes
    from newsarchive.speakers import list_speakers
    from newsarchive.store import Archive


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'newsarchive' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
