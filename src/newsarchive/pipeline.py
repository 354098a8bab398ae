"""Joins the stages: fetch -> extract -> store. Returns outcomes; never prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from newsarchive.extract import extract
from newsarchive.fetch import load
from newsarchive.models import Article, FetchResult
from newsarchive.store import Archive, article_url


@dataclass(frozen=True)
class AddOutcome:
    """One archived article: its id, whether it is new, and what was extracted."""

    id: int
    created: bool
    url: str
    article: Article


def preview(
    source: str,
    url: str | None = None,
    session: requests.Session | None = None,
    **fetch_options: Any,
) -> tuple[FetchResult, Article]:
    """Fetch or read ``source`` and extract it, writing nothing. ``fetch_options`` go to
    ``fetch_url`` (timeouts, size limit, retries)."""
    fetched = load(source, url=url, session=session, **fetch_options)
    return fetched, extract(fetched)


def add(
    source: str,
    archive: Archive,
    *,
    url: str | None = None,
    session: requests.Session | None = None,
    **fetch_options: Any,
) -> AddOutcome:
    """Archive one article from a URL, a saved page, a text file or ``-`` (stdin)."""
    fetched, article = preview(source, url=url, session=session, **fetch_options)
    saved = archive.save(fetched, article)
    return AddOutcome(
        id=saved.id, created=saved.created, url=article_url(fetched, article), article=article
    )
