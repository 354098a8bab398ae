"""Joins the stages: fetch -> extract -> store. Returns outcomes; never prints."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from typing import Any

import requests

from newsarchive.errors import NewsarchiveError, NotFoundError
from newsarchive.extract import extract, extract_capture
from newsarchive.extract.sitewide import counted_lines, strip_repeated
from newsarchive.extract.status import MEANINGS, NO_TEXT
from newsarchive.fetch import decode_html, load
from newsarchive.history import superseded_captures, version_articles
from newsarchive.models import Article, FetchResult
from newsarchive.records import Capture, SaveOutcome, article_row, article_url
from newsarchive.store import Archive
from newsarchive.versions import changed_fields as version_changes
from newsarchive.versions import rewrite_superseded, set_changed

MAX_FURNITURE_SHARE = 1 / 3  # of an article's paragraphs that site boilerplate may make up


@dataclass(frozen=True)
class AddOutcome:
    """One archived article: its id, whether it is new, what was extracted, and what the
    archive did with it (``saved``: a new version, the capture's time only, ...)."""

    id: int
    created: bool
    url: str
    article: Article
    kept_earlier: bool = False
    saved: SaveOutcome | None = None


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
    """Archive one article from a URL, a saved page, a text file or ``-`` (stdin).

    A page with no article text is archived too, as its capture and metadata with status
    ``no_text`` (``blocked`` for a wall): ``reextract`` can find its text later.
    """
    fetched = load(source, url=url, session=session, **fetch_options)
    article = without_site_boilerplate(archive, extract_capture(fetched))
    saved = archive.save(fetched, article)
    return AddOutcome(
        id=saved.id,
        created=saved.created,
        url=article_url(fetched, article),
        article=article,
        kept_earlier=saved.kept_earlier,
        saved=saved,
    )


@dataclass(frozen=True)
class ReextractOutcome:
    """One article extracted again from its stored capture: which fields changed, or why not."""

    id: int
    changed: list[str]
    error: str | None = None


def reextract(archive: Archive, article_ids: Iterable[int]) -> Iterator[ReextractOutcome]:
    """Run the current extractor on stored raw captures (no network), updating what changed."""
    for article_id in article_ids:
        try:
            yield _reextract_one(archive, article_id)
        except NotFoundError:
            yield ReextractOutcome(article_id, [], "no such article")
        except NewsarchiveError as error:
            yield ReextractOutcome(article_id, [], str(error))


def _reextract_one(archive: Archive, article_id: int) -> ReextractOutcome:
    stored = archive.get(article_id)
    capture = archive.capture_to_reextract(article_id)
    if capture is None:
        return ReextractOutcome(article_id, [], "no stored capture to re-extract from")
    document = capture_document(capture)
    article = without_site_boilerplate(archive, extract_capture(document))
    if stored.article.text and not article.text:
        return ReextractOutcome(article_id, [], f"{MEANINGS[NO_TEXT]}; the stored text is kept")
    changed = changed_fields(stored.article, article)
    if changed:
        archive.update_extraction(article_id, document, article)
    _reextract_superseded(archive, article_id)
    return ReextractOutcome(article_id, changed)


def _reextract_superseded(archive: Archive, article_id: int) -> None:
    """Extract the article's earlier versions again from their captures too, then what each
    version changed: a diff then shows what the site changed, not what extractors did."""
    older = superseded_captures(archive, article_id)
    if not older:
        return
    with archive.transaction() as conn:
        for number, capture in older:
            document = capture_document(capture)
            article = without_site_boilerplate(archive, extract_capture(document))
            if article.text:  # a version that had text is never emptied
                row = article_row(document, article)
                rewrite_superseded(conn, article_id, number, row, article.quotes)
    versions = version_articles(archive, article_id)
    with archive.transaction() as conn:
        for number, (before, after) in enumerate(itertools.pairwise(versions), start=2):
            set_changed(conn, article_id, number, version_changes(before, after))


def without_site_boilerplate(archive: Archive, article: Article) -> Article:
    """Strip paragraphs that many of the site's archived articles share verbatim: its
    furniture, a small part of any one article. When they would be more than
    MAX_FURNITURE_SHARE of the article's paragraphs, they are the story itself (a copy of it,
    a live blog captured again): the text is kept whole, with a note saying why."""
    repeated = archive.repeated_paragraphs(article.site, counted_lines(article))
    lines = [line for line in article.text.split("\n") if line.strip()]
    shared = [line for line in lines if line in repeated]
    if len(shared) <= MAX_FURNITURE_SHARE * len(lines):
        return strip_repeated(article, repeated)
    note = (
        f"{len(shared)} of its {len(lines)} paragraphs recur across the site; kept, as they are"
        " the story itself rather than the site's boilerplate"
    )
    return replace(article, note=article.note or note)


def capture_document(capture: Capture) -> FetchResult:
    """A stored capture as the fetch stage would have handed it on, decoded again from raw."""
    headers = {name.lower(): value for name, value in capture.headers.items()}
    text, encoding = decode_html(capture.raw, headers.get("content-type"))
    return FetchResult(
        url=capture.url,
        final_url=capture.final_url,
        text=text,
        raw=capture.raw,
        kind=capture.kind,
        status=capture.http_status,
        headers=capture.headers,
        encoding=encoding,
        source=capture.source,
        fetched_at=capture.fetched_at,
    )


def changed_fields(old: Article, new: Article) -> list[str]:
    """Names of the Article fields that differ (``html`` is left out: it follows ``text``)."""
    return [
        field.name
        for field in fields(Article)
        if field.name != "html" and getattr(old, field.name) != getattr(new, field.name)
    ]
