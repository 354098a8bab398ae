"""Rows and records of the archive: what the store returns, and how articles map to rows."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from newsarchive import __version__
from newsarchive.fingerprint import simhash
from newsarchive.models import Article, FetchResult, Quote, RemovedBlock
from newsarchive.urls import normalize_url


@dataclass(frozen=True)
class SaveOutcome:
    """What ``Archive.save`` did: the article's id, whether it was new, and its latest version
    after the save. ``changed`` names the fields that made a new version (empty: none was
    made); ``rewritten``: the latest version was replaced by this capture, which holds more of
    it; ``new_bytes``: the capture's bytes were stored (False: the article had them already,
    only the fetch's time was recorded)."""

    id: int
    created: bool
    version: int = 1
    changed: list[str] = field(default_factory=list)
    rewritten: bool = False
    kept_earlier: bool = False
    new_bytes: bool = True


@dataclass(frozen=True)
class ArticleSummary:
    """One line of ``list``: enough to pick an article without loading its body."""

    id: int
    url: str
    headline: str | None
    site: str | None
    published: str | None
    saved_at: str
    word_count: int
    status: str = "ok"
    tags: list[str] = field(default_factory=list)
    user_note: str | None = None


@dataclass(frozen=True)
class ArchiveStats:
    """What ``newsarchive stats`` shows."""

    articles: int
    quotes: int
    captures: int
    failures: int
    versions: int
    by_site: dict[str, int]
    by_year: dict[str, int]
    by_status: dict[str, int]
    size_bytes: int


@dataclass(frozen=True)
class Failure:
    """A link that could not be archived, and why."""

    url: str
    reason: str
    error_type: str
    attempts: int
    first_failed_at: str
    last_failed_at: str


@dataclass(frozen=True)
class Capture:
    """One raw capture of a page, as fetched."""

    id: int
    article_id: int
    url: str | None
    final_url: str | None
    http_status: int | None
    headers: dict[str, str]
    encoding: str | None
    kind: str
    source: str
    fetched_at: str
    raw: bytes
    status: str = "ok"
    sha256: str | None = None


@dataclass(frozen=True)
class CaptureFacts:
    """What a citation of an archived article needs to say of its capture: where the page was
    found in the end, when (UTC, ISO 8601), the SHA-256 of the bytes received, the HTTP status
    (None for a file or stdin) and the newsarchive version that extracted the article."""

    final_url: str | None
    captured_at: str
    sha256: str
    http_status: int | None
    source: str
    extractor_version: str | None


def capture_facts(capture: Capture, extractor_version: str | None) -> CaptureFacts:
    return CaptureFacts(
        final_url=capture.final_url or capture.url,
        captured_at=capture.fetched_at,
        sha256=capture.sha256 or content_hash(capture.raw),  # stored since versions (m017)
        http_status=capture.http_status,
        source=capture.source,
        extractor_version=extractor_version,
    )


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


CONTENT_KEY_PREFIX = "urn:sha256:"
LOCAL_SOURCES = ("file", "stdin")


def content_hash(raw: bytes) -> str:
    """The SHA-256 of a capture's raw bytes, in hex: how identical captures are recognised."""
    return hashlib.sha256(raw).hexdigest()


def content_key(raw: bytes) -> str:
    """What identifies a page read from a file or stdin whatever URL it is given: its bytes."""
    return CONTENT_KEY_PREFIX + content_hash(raw)


def article_url(fetched: FetchResult, article: Article) -> str:
    """The address an article is shown and filed under, normalised (no tracking parameters, no
    fragment): the page's canonical URL when it gives a usable one, else the final URL, else
    the given one; for a file or stdin with none of them, its content key."""
    canonical = article.canonical_url if _usable_canonical(article.canonical_url) else None
    url = canonical or fetched.final_url or fetched.url
    return normalize_url(url) if url else content_key(fetched.raw)


def url_keys(fetched: FetchResult, article: Article) -> list[str]:
    """Every normalised URL that identifies this article: given, final and canonical, and for
    a file or stdin its content key, so one file added with and without --url is one article."""
    candidates = [fetched.url, fetched.final_url]
    if _usable_canonical(article.canonical_url):
        candidates.append(article.canonical_url)
    keys = [normalize_url(url) for url in candidates if url]
    keys.append(article_url(fetched, article))
    if fetched.source in LOCAL_SOURCES:
        keys.append(content_key(fetched.raw))
    return list(dict.fromkeys(keys))


def _usable_canonical(url: str | None) -> bool:
    """Some sites point every page's canonical at their home page: such a link identifies nothing."""
    if not url or not url.startswith(("http://", "https://")):
        return False
    path = url.split("://", 1)[1].partition("/")[2]
    return path.strip("/") != ""


def article_row(fetched: FetchResult, article: Article) -> dict:
    url = article_url(fetched, article)
    return {
        "url": url,
        "url_key": normalize_url(url),
        "headline": article.headline,
        "standfirst": article.standfirst,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "published": article.published,
        "modified": article.modified,
        "site": article.site,
        "language": article.language,
        "canonical_url": article.canonical_url,
        "text": article.text,
        "html": article.html,
        "quote_text": " ".join(quote.text for quote in article.quotes),
        "simhash": simhash(article.text),
        "word_count": article.word_count,
        "status": article.status,
        "note": article.note,
        "updated_at": now_iso(),
        "extractor_version": __version__,
    }


def article_from_record(record: dict, quotes: list[Quote], removed: list[RemovedBlock]) -> Article:
    return Article(
        headline=record["headline"],
        standfirst=record["standfirst"],
        authors=json.loads(record["authors"] or "[]"),
        published=record["published"],
        modified=record["modified"],
        site=record["site"],
        language=record["language"],
        canonical_url=record["canonical_url"],
        text=record["text"] or "",
        html=record["html"] or "",
        quotes=quotes,
        removed=removed,
        status=record["status"] or "ok",
        note=record.get("note"),
    )


def capture_from_row(row: dict) -> Capture:
    return Capture(
        id=row["id"],
        article_id=row["article_id"],
        url=row["url"],
        final_url=row["final_url"],
        http_status=row["http_status"],
        headers=json.loads(row["headers"] or "{}"),
        encoding=row["encoding"],
        kind=row["kind"],
        source=row["source"],
        fetched_at=row["fetched_at"],
        raw=zlib.decompress(row["raw_zlib"]),
        status=row.get("status") or "ok",
        sha256=row.get("sha256"),
    )
