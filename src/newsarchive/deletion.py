"""Deleting articles with everything that is theirs, in one transaction.

An article's rows are found through the foreign keys that point at ``articles`` (quotes,
captures with their raw bytes, tags, the note, removed blocks, paragraph digests, its URLs), so
a table added later that points at articles is covered without being named here. The full-text
indexes follow through their triggers. Besides those go the failures recorded under one of the
article's URLs, the speakers quoted nowhere else, and the site and host pair (site_hosts) no
other article has.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from newsarchive.errors import ArchiveError
from newsarchive.migrations import url_host
from newsarchive.store import Archive


@dataclass(frozen=True)
class Deletion:
    """An article deleted (or, in a dry run, to be deleted) and its rows, by table."""

    id: int
    url: str
    headline: str | None
    rows: dict[str, int]


@dataclass(frozen=True)
class DeletionReport:
    """What ``delete_articles`` did or would do: the articles, and the speakers that go with
    them (quoted in no other article)."""

    articles: list[Deletion]
    speakers: int
    dry_run: bool


def delete_articles(
    archive: Archive, references: Iterable[str], *, dry_run: bool = False
) -> DeletionReport:
    """Delete the articles given by id or URL, or with ``dry_run`` only say what would go. An
    unknown article is a NotFoundError before anything is deleted (looked up inside the
    transaction: see tags.edit_tags)."""
    if dry_run:
        return _report(archive.conn, _resolved(archive, references), dry_run=True)
    with archive.transaction() as conn:
        ids = _resolved(archive, references)
        report = _report(conn, ids, dry_run=False)
        speakers = _lone_speakers(conn, ids)
        try:
            for article_id in ids:
                _delete(conn, article_id)
        except sqlite3.IntegrityError as error:  # a row of a table pointing at those rows
            raise ArchiveError(f"{archive.path}: cannot delete: {error}") from error
        conn.executemany("DELETE FROM speakers WHERE id = ?", [(each,) for each in speakers])
    return report


def _resolved(archive: Archive, references: Iterable[str]) -> list[int]:
    return list(dict.fromkeys(archive.resolve(reference) for reference in references))


def _report(conn: sqlite3.Connection, ids: list[int], *, dry_run: bool) -> DeletionReport:
    articles = [_planned(conn, article_id) for article_id in ids]
    return DeletionReport(articles, len(_lone_speakers(conn, ids)), dry_run)


def _planned(conn: sqlite3.Connection, article_id: int) -> Deletion:
    url, headline = conn.execute(
        "SELECT url, headline FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    rows = {table: _count(conn, table, column, article_id) for table, column in _children(conn)}
    rows["failures"] = conn.execute(f"SELECT count(*) {_FAILURES}", [article_id]).fetchone()[0]
    return Deletion(article_id, url, headline, {name: n for name, n in rows.items() if n})


def _count(conn: sqlite3.Connection, table: str, column: str, article_id: int) -> int:
    sql = f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?'
    return conn.execute(sql, [article_id]).fetchone()[0]


def _children(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Each (table, column) whose column points at an article's id."""
    sql = (
        'SELECT m.name, f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f'
        " WHERE m.type = 'table' AND f.\"table\" = 'articles' ORDER BY m.name"
    )
    return conn.execute(sql).fetchall()


# The failures recorded under one of the article's URLs (before its URLs go).
_FAILURES = (
    "FROM failures WHERE url_key IN"
    " (SELECT url_key FROM article_urls WHERE article_id = ?1"
    " UNION SELECT url_key FROM articles WHERE id = ?1)"
)


def _lone_speakers(conn: sqlite3.Connection, ids: list[int]) -> list[int]:
    """The speakers quoted in these articles and in no other."""
    sql = (
        "SELECT DISTINCT q.speaker_id FROM quotes q WHERE q.speaker_id IS NOT NULL"
        " AND q.article_id IN (SELECT value FROM json_each(?1)) AND NOT EXISTS"
        " (SELECT 1 FROM quotes o WHERE o.speaker_id = q.speaker_id"
        " AND o.article_id NOT IN (SELECT value FROM json_each(?1)))"
    )
    return [speaker for (speaker,) in conn.execute(sql, [json.dumps(ids)])]


def _delete(conn: sqlite3.Connection, article_id: int) -> None:
    site, host = conn.execute(_PAIR, [article_id]).fetchone()
    conn.execute(f"DELETE {_FAILURES}", [article_id])
    for table, column in _children(conn):
        conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', [article_id])
    conn.execute("DELETE FROM articles WHERE id = ?", [article_id])
    _forget_unused_pair(conn, site, host)


_PAIR = f"SELECT coalesce(site, ''), {url_host('url')} FROM articles WHERE id = ?"


def _forget_unused_pair(conn: sqlite3.Connection, site: str, host: str) -> None:
    """Drop the (site, host) pair from site_hosts when no article has it any more; the
    articles of the site are read from the site index."""
    same_site = "a.site = ?1" if site else "(a.site IS NULL OR a.site = '')"
    conn.execute(
        "DELETE FROM site_hosts WHERE site = ?1 AND host = ?2 AND NOT EXISTS (SELECT 1 FROM"
        f" articles a WHERE {same_site} AND {url_host('a.url')} = ?2)",
        [site, host],
    )
