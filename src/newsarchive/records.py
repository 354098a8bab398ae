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

CONTENT_URN = "urn:sha256:"  # the URL of a page that came without one: its bytes' hash


@dataclass(frozen=True)
class SaveOutcome:
    """What ``Archive.save`` did: the article's id and whether it was new."""

    id: int
    created: bool
    kept_earlier: bool = False


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


@dataclass(frozen=True)
class ArchiveStats:
    """What ``newsarchive stats`` shows."""

    articles: int
    quotes: int
    captures: int
    failures: int
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
        sha256=sha256_hex(capture.raw),
        http_status=capture.http_status,
        source=capture.source,
        extractor_version=extractor_version,
    )


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def article_url(fetched: FetchResult, article: Article) -> str:
    """The URL an article is filed under: the final URL, else the given one, else a content hash."""
    url = fetched.final_url or fetched.url or article.canonical_url
    if url:
        return url
    return CONTENT_URN + sha256_hex(fetched.raw)


def sha256_hex(raw: bytes) -> str:
    """The SHA-256 of captured bytes, in hex: what citations give and what names a page that
    came without a URL."""
    return hashlib.sha256(raw).hexdigest()


def url_keys(fetched: FetchResult, article: Article) -> list[str]:
    """Every normalised URL that identifies this article: given, final and canonical."""
    candidates = [fetched.url, fetched.final_url]
    if _usable_canonical(article.canonical_url):
        candidates.append(article.canonical_url)
    keys = [normalize_url(url) for url in candidates if url]
    keys.append(normalize_url(article_url(fetched, article)))
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
    )
