"""Captures and versions as the archive writes them (inside ``Archive.save``'s transaction).

A capture is one set of raw bytes an article was fetched as, stored once: a fetch that brings
bytes the article already has (same SHA-256) records only its time, in ``capture_times``.

A version is one state of the article as extracted: a new one is made when a capture's
extraction differs from the latest version in a field a reader would call a change of the
article (VERSION_FIELDS). The latest version's fields are the ``articles`` row itself (search
and ``show`` read nothing else); a version's own row holds its number, its capture and what
changed, and it receives its fields when a newer version supersedes it. Re-extraction rewrites
the latest version in place (an extractor fix is not a change of the article), and the earlier
ones from their own captures (pipeline.reextract).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict, dataclass
from typing import Any

from newsarchive.engines import Connection, marks
from newsarchive.extract.status import BLOCKED, NO_TEXT, PARTIAL
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.records import content_hash, now_iso
from newsarchive.textdiff import paragraphs

# The fields whose change makes a new version (quotes compared by their words).
VERSION_FIELDS = ("headline", "standfirst", "authors", "published", "text", "quotes")
# How far short of the whole article a capture falls: a capture never replaces a stored one
# that holds more (a paywall stub, a wall or a page without text never replaces the article).
SHORTFALL = {PARTIAL: 1, BLOCKED: 2, NO_TEXT: 2}
_WHENS = " ".join(f"WHEN '{status}' THEN {rank}" for status, rank in SHORTFALL.items())
SHORTFALL_SQL = f"CASE coalesce(status, 'ok') {_WHENS} ELSE 0 END"
# The columns a superseded version keeps of the article as it was.
FROZEN_COLUMNS = (
    "headline",
    "standfirst",
    "authors",
    "published",
    "modified",
    "text",
    "html",
    "quote_text",
    "status",
    "note",
    "extractor_version",
)


@dataclass(frozen=True)
class StoredCapture:
    """Where a fetch's bytes went: the capture holding them, and whether they were new."""

    id: int
    new: bool


def record_capture(
    conn: Connection, article_id: int, fetched: FetchResult, status: str
) -> StoredCapture:
    """Store the fetch's bytes as a capture of the article, or, when the article already has
    those bytes, only the time (and HTTP status) of this fetch."""
    digest = content_hash(fetched.raw)
    found = conn.execute(
        "SELECT id FROM captures WHERE article_id = ? AND sha256 = ?", [article_id, digest]
    ).fetchone()
    if found is not None:
        conn.execute(
            "INSERT INTO capture_times (article_id, capture_id, fetched_at, http_status)"
            " VALUES (?, ?, ?, ?)",
            [article_id, found[0], fetched.fetched_at or now_iso(), fetched.status],
        )
        return StoredCapture(found[0], new=False)
    row = capture_row(article_id, fetched, status, digest=digest)
    cursor = _insert_row(conn, "captures", row, " RETURNING id")
    return StoredCapture(int(cursor.fetchone()[0]), new=True)


def _insert_row(conn: Connection, table: str, row: dict[str, Any], suffix: str = "") -> Any:
    """INSERT ``row`` (its keys the columns) into ``table``; the cursor."""
    sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks(list(row))}){suffix}"
    return conn.execute(sql, list(row.values()))


def capture_row(
    article_id: int, fetched: FetchResult, status: str, *, digest: str | None = None
) -> dict[str, Any]:
    """The ``captures`` row of the fetch's bytes (compressed) as a capture of the article
    (``digest``: their content_hash, when the caller has it already)."""
    return {
        "article_id": article_id,
        "url": fetched.url,
        "final_url": fetched.final_url,
        "http_status": fetched.status,
        "headers": json.dumps(fetched.headers),
        "encoding": fetched.encoding,
        "kind": fetched.kind,
        "source": fetched.source,
        "fetched_at": fetched.fetched_at or now_iso(),
        "raw_size": len(fetched.raw),
        "raw_zlib": zlib.compress(fetched.raw, 6),
        "status": status,
        "sha256": digest or content_hash(fetched.raw),
    }


def changed_fields(old: Article, new: Article) -> list[str]:
    """The VERSION_FIELDS in which ``new`` differs from ``old``."""
    return [name for name in VERSION_FIELDS if _compared(old, name) != _compared(new, name)]


def _compared(article: Article, name: str) -> object:
    if name == "quotes":
        return [quote.text for quote in article.quotes]
    if name == "text":
        return paragraphs(article.text)
    return getattr(article, name) or None


def latest_version(conn: Connection, article_id: int) -> int:
    """The number of the article's latest version (0 for none, in an archive being built)."""
    return latest_version_capture(conn, article_id)[0]


def latest_version_capture(conn: Connection, article_id: int) -> tuple[int, int | None]:
    """The number of the article's latest version and the capture it was extracted from
    ((0, None) for none, in an archive being built)."""
    row = conn.execute(
        "SELECT version, capture_id FROM article_versions WHERE article_id = ?"
        " ORDER BY version DESC LIMIT 1",
        [article_id],
    ).fetchone()
    return (row[0], row[1]) if row else (0, None)


def supersede(
    conn: Connection,
    article_id: int,
    number: int,
    capture_id: int,
    at: str,
    changed: list[str],
    quotes: list[Quote],
) -> int:
    """Freeze the latest version, ``number``, with the article's fields and ``quotes`` as
    they stand (call this before the article's row is updated), and start the next one from
    this capture. Returns its number."""
    columns = ", ".join(FROZEN_COLUMNS)
    conn.execute(
        f"UPDATE article_versions SET ({columns}, quotes, superseded_at) ="
        f" (SELECT {columns}, ?, ? FROM articles a WHERE a.id = ?)"
        " WHERE article_id = ? AND version = ?",
        [_quotes_json(quotes), at, article_id, article_id, number],
    )
    _insert_version(conn, article_id, number + 1, capture_id, at, changed)
    return number + 1


def _quotes_json(quotes: list[Quote]) -> str:
    return json.dumps([asdict(quote) for quote in quotes], ensure_ascii=False)


def rewrite_latest(conn: Connection, article_id: int, number: int, capture_id: int) -> int:
    """The latest version, ``number``, now comes from this capture (it held more of the same
    article, or the extractor was run again). Returns its number."""
    conn.execute(
        "UPDATE article_versions SET capture_id = ? WHERE article_id = ? AND version = ?",
        [capture_id, article_id, number],
    )
    return number


def _insert_version(
    conn: Connection,
    article_id: int,
    number: int,
    capture_id: int | None,
    at: str,
    changed: list[str],
) -> None:
    _insert_row(conn, "article_versions", version_row(article_id, number, capture_id, at, changed))


def version_row(
    article_id: int, number: int, capture_id: int | None, at: str, changed: list[str]
) -> dict[str, Any]:
    """The ``article_versions`` row starting version ``number``, which changed ``changed``."""
    return {
        "article_id": article_id,
        "version": number,
        "capture_id": capture_id,
        "created_at": at,
        "changed": json.dumps(changed),
    }


def rewrite_superseded(
    conn: Connection, article_id: int, number: int, row: dict, quotes: list[Quote]
) -> None:
    """Replace a superseded version's fields (``row`` as records.article_row makes it): its
    capture extracted again by a newer extractor."""
    assignments = ", ".join(f"{name} = :{name}" for name in FROZEN_COLUMNS)
    conn.execute(
        f"UPDATE article_versions SET {assignments}, quotes = :quotes"
        " WHERE article_id = :article_id AND version = :version",
        {
            **{name: row[name] for name in FROZEN_COLUMNS},
            "quotes": _quotes_json(quotes),
            "article_id": article_id,
            "version": number,
        },
    )


def set_changed(conn: Connection, article_id: int, number: int, changed: list[str]) -> None:
    """What a version changed from the one before, found again after a re-extraction."""
    conn.execute(
        "UPDATE article_versions SET changed = ? WHERE article_id = ? AND version = ?",
        [json.dumps(changed), article_id, number],
    )
