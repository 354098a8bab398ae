"""Reading an article's past: its captures, the times each was fetched, and its versions
(how they are written: versions.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from newsarchive.errors import InputError, NotFoundError
from newsarchive.models import Article, Quote, StoredArticle
from newsarchive.records import Capture, article_from_record, capture_from_row
from newsarchive.store import Archive
from newsarchive.textdiff import ArticleDiff, diff_articles
from newsarchive.versions import latest_version


@dataclass(frozen=True)
class CaptureInfo:
    """One stored capture: when its bytes were first fetched, what they held, and the times
    the same bytes were fetched again (``seen_again``)."""

    id: int
    fetched_at: str
    http_status: int | None
    status: str
    final_url: str | None
    source: str
    raw_size: int
    sha256: str | None
    seen_again: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VersionInfo:
    """One version: its number, the capture it was extracted from, when it was first
    captured, what changed from the version before, and when a newer one replaced it."""

    version: int
    capture_id: int | None
    created_at: str
    changed: list[str]
    superseded_at: str | None
    headline: str | None


@dataclass(frozen=True)
class Fetch:
    """One fetch of the article's page: the capture its bytes are, and whether they were new."""

    fetched_at: str
    capture_id: int
    http_status: int | None
    status: str
    new_bytes: bool
    version: int | None = None  # the version this fetch started, if it started one


@dataclass(frozen=True)
class History:
    """Everything ``newsarchive history`` shows of one article."""

    id: int
    url: str
    captures: list[CaptureInfo]
    versions: list[VersionInfo]
    fetches: list[Fetch]


def article_history(archive: Archive, reference: str | int) -> History:
    """The captures, fetches and versions of the article with this id or URL, oldest first."""
    article_id = archive.resolve(reference)
    captures = _captures(archive, article_id)
    versions = _versions(archive, article_id)
    url = archive.conn.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()
    return History(article_id, url[0], captures, versions, _fetches(captures, versions))


def _captures(archive: Archive, article_id: int) -> list[CaptureInfo]:
    rows = archive.conn.execute(
        "SELECT c.id, c.fetched_at, c.http_status, coalesce(c.status, 'ok'), c.final_url,"
        " c.source, c.raw_size, c.sha256 FROM captures c WHERE c.article_id = ? ORDER BY c.id",
        [article_id],
    ).fetchall()
    again: dict[int, list[str]] = {}
    times = archive.conn.execute(
        "SELECT capture_id, fetched_at FROM capture_times WHERE article_id = ? ORDER BY id",
        [article_id],
    )
    for capture_id, fetched_at in times:
        again.setdefault(capture_id, []).append(fetched_at)
    return [CaptureInfo(*row, seen_again=again.get(row[0], [])) for row in rows]


def _versions(archive: Archive, article_id: int) -> list[VersionInfo]:
    rows = archive.conn.execute(
        "SELECT v.version, v.capture_id, v.created_at, v.changed, v.superseded_at,"
        " CASE WHEN v.superseded_at IS NULL THEN a.headline ELSE v.headline END"
        " FROM article_versions v JOIN articles a ON a.id = v.article_id"
        " WHERE v.article_id = ? ORDER BY v.version",
        [article_id],
    )
    return [
        VersionInfo(number, capture, created, json.loads(changed), superseded, headline)
        for number, capture, created, changed, superseded, headline in rows
    ]


def _fetches(captures: list[CaptureInfo], versions: list[VersionInfo]) -> list[Fetch]:
    """Every fetch, in time order; a version is marked on the first fetch of its capture."""
    fetches = []
    for capture in captures:
        first = Fetch(capture.fetched_at, capture.id, capture.http_status, capture.status, True)
        again = [
            Fetch(at, capture.id, capture.http_status, capture.status, False)
            for at in capture.seen_again
        ]
        fetches += [first, *again]
    fetches.sort(key=lambda fetch: fetch.fetched_at)
    started = {version.capture_id: version.version for version in reversed(versions)}
    return [
        replace(fetch, version=started.pop(fetch.capture_id, None)) if fetch.new_bytes else fetch
        for fetch in fetches
    ]


def version_article(archive: Archive, reference: str | int, number: int) -> StoredArticle:
    """The article with this id or URL as it was in version ``number`` (the latest version
    is the article as stored)."""
    stored = archive.get(reference)
    rows = archive.records(
        "SELECT * FROM article_versions WHERE article_id = ? AND version = ?", [stored.id, number]
    )
    if not rows:
        raise NotFoundError(f"article {stored.id} has no version {number}")
    row = rows[0]
    if row["superseded_at"] is None:
        return stored
    return replace(stored, article=_frozen_article(row, stored.article))


def _frozen_article(row: dict, current: Article) -> Article:
    """A superseded version's fields; what versions do not keep (site, language, canonical
    URL) is taken from the article as it is now."""
    record = {
        "site": current.site,
        "language": current.language,
        "canonical_url": current.canonical_url,
        **row,
    }
    quotes = [Quote(**quote) for quote in json.loads(row["quotes"] or "[]")]
    return article_from_record(record, quotes, [])


def compare_versions(
    archive: Archive, reference: str | int, old: int | None = None, new: int | None = None
) -> ArticleDiff:
    """What changed from version ``old`` (default: the one before ``new``) to version ``new``
    (default: the latest) of the article with this id or URL."""
    article_id = archive.resolve(reference)
    latest = latest_version(archive.conn, article_id)
    new = latest if new is None else new
    old = new - 1 if old is None else old
    if old < 1 and new == latest == 1:
        raise InputError(f"article {article_id} has one version: nothing to compare yet")
    before = version_article(archive, article_id, old).article
    after = version_article(archive, article_id, new).article
    return diff_articles(before, after, article_id, (old, new))


def superseded_captures(archive: Archive, article_id: int) -> list[tuple[int, Capture]]:
    """Each superseded version's number with the capture it was extracted from."""
    rows = archive.records(
        "SELECT v.version AS version_number, c.* FROM article_versions v JOIN captures c"
        " ON c.id = v.capture_id WHERE v.article_id = ? AND v.superseded_at IS NOT NULL"
        " ORDER BY v.version",
        [article_id],
    )
    return [(row["version_number"], capture_from_row(row)) for row in rows]


def version_articles(archive: Archive, article_id: int) -> list[Article]:
    """Every version of the article, oldest first."""
    numbers = range(1, latest_version(archive.conn, article_id) + 1)
    return [version_article(archive, article_id, number).article for number in numbers]
