"""Deleting articles with everything that is theirs, in one transaction.

An article's rows are found through the foreign keys that point at ``articles`` (quotes,
captures with their raw bytes, tags, the note, removed blocks, paragraph digests, its URLs), so
a table added later that points at articles is covered without being named here. The full-text
indexes follow through their triggers. Besides those go the failures recorded under one of the
article's URLs, the speakers quoted nowhere else, and the site and host pair (site_hosts) no
other article has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from newsarchive.engines import marks
from newsarchive.errors import ArchiveError
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
    children = archive.engine.child_tables()  # the tables pointing at an article
    if dry_run:
        ids = _resolved(archive, references)
        speakers = _lone_speakers(archive.conn, ids)
        return _report(archive, ids, children, speakers, dry_run=True)
    with archive.transaction() as conn:
        ids = _resolved(archive, references)
        speakers = _lone_speakers(conn, ids)
        report = _report(archive, ids, children, speakers, dry_run=False)
        try:
            for article_id in ids:
                _delete(archive, article_id, children)
        except conn.IntegrityError as error:  # a row of a table pointing at those rows
            raise ArchiveError(f"{archive.name}: cannot delete: {error}") from error
        conn.executemany("DELETE FROM speakers WHERE id = ?", [(each,) for each in speakers])
    return report


def _resolved(archive: Archive, references: Iterable[str]) -> list[int]:
    return list(dict.fromkeys(archive.resolve(reference) for reference in references))


def _report(
    archive: Archive,
    ids: list[int],
    children: list[tuple[str, str]],
    speakers: list[int],
    *,
    dry_run: bool,
) -> DeletionReport:
    articles = [_planned(archive, article_id, children) for article_id in ids]
    return DeletionReport(articles, len(speakers), dry_run)


def _planned(archive: Archive, article_id: int, children: list[tuple[str, str]]) -> Deletion:
    conn = archive.conn
    url, headline = conn.execute(
        "SELECT url, headline FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    rows = {table: _count(conn, table, column, article_id) for table, column in children}
    rows["failures"] = conn.execute(f"SELECT count(*) {_FAILURES}", [article_id] * 2).fetchone()[0]
    return Deletion(article_id, url, headline, {name: n for name, n in rows.items() if n})


def _count(conn: Any, table: str, column: str, article_id: int) -> int:
    sql = f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?'
    return conn.execute(sql, [article_id]).fetchone()[0]


# The failures recorded under one of the article's URLs (before its URLs go); the article's
# id is given twice.
_FAILURES = (
    "FROM failures WHERE url_key IN"
    " (SELECT url_key FROM article_urls WHERE article_id = ?"
    " UNION SELECT url_key FROM articles WHERE id = ?)"
)


def _lone_speakers(conn: Any, ids: list[int]) -> list[int]:
    """The speakers quoted in these articles and in no other."""
    sql = (
        "SELECT DISTINCT q.speaker_id FROM quotes q WHERE q.speaker_id IS NOT NULL"
        f" AND q.article_id IN ({marks(ids)}) AND NOT EXISTS"
        " (SELECT 1 FROM quotes o WHERE o.speaker_id = q.speaker_id"
        f" AND o.article_id NOT IN ({marks(ids)}))"
    )
    return [speaker for (speaker,) in conn.execute(sql, [*ids, *ids])]


def _delete(archive: Archive, article_id: int, children: list[tuple[str, str]]) -> None:
    conn, host_of = archive.conn, archive.engine.url_host
    pair = f"SELECT coalesce(site, ''), {host_of('url')} FROM articles WHERE id = ?"
    site, host = conn.execute(pair, [article_id]).fetchone()
    conn.execute(f"DELETE {_FAILURES}", [article_id] * 2)
    for table, column in children:
        conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', [article_id])
    conn.execute("DELETE FROM articles WHERE id = ?", [article_id])
    _forget_unused_pair(archive, site, host)


def _forget_unused_pair(archive: Archive, site: str, host: str) -> None:
    """Drop the (site, host) pair from site_hosts when no article has it any more; the
    articles of the site are read from the site index."""
    same_site = "a.site = ?" if site else "(a.site IS NULL OR a.site = ?)"  # '' when none
    archive.conn.execute(
        "DELETE FROM site_hosts WHERE site = ? AND host = ? AND NOT EXISTS (SELECT 1 FROM"
        f" articles a WHERE {same_site} AND {archive.engine.url_host('a.url')} = ?)",
        [site, host, site, host],
    )
