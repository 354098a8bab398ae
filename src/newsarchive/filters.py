"""Search filters as SQL conditions on the articles, and the one way search runs its SQL.

Date ranges and sites are conditions on indexed columns. With words to match, each is read as
a set of ids that every match is checked against without reading its article, unless the words
match so few articles that checking their rows costs less (see ``_as_set``).
"""

from __future__ import annotations

import sqlite3

from newsarchive.errors import QueryError
from newsarchive.migrations import url_host
from newsarchive.query import Filter
from newsarchive.store import Archive

# A filter is read from its index as a set of ids when that set holds fewer than this many ids
# per match of the words (counted up to MATCHES_COUNTED): an id read from an index costs a small
# fraction of checking a match's article row. Both counts scale with the archive.
SET_IDS_PER_MATCH = 10
MATCHES_COUNTED = 10_000

COUNT_SQL = "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"


def run_sql(
    archive: Archive, sql: str, params: list, query: str, most: int | None = None
) -> list[tuple]:
    """Rows of ``sql``, only the first ``most`` when given (the rest are never computed)."""
    try:
        cursor = archive.db.execute(sql, params)
        try:
            return cursor.fetchall() if most is None else cursor.fetchmany(most)
        finally:
            cursor.close()  # ends the statement, and with it the read transaction
    except sqlite3.OperationalError as error:
        raise QueryError(f"{query!r}: not a valid search ({error})") from error


def conditions(
    archive: Archive, filters: list[Filter], rowid: str, match: str | None = None
) -> tuple[str, list, bool]:
    """SQL conditions for ``filters``; ``rowid`` names the column holding the article id.

    Date ranges and sites are conditions on indexed columns: with words to match, each is read
    as a set of ids that every match is checked against without reading its article, unless
    the words match so few articles that checking their rows costs less (see _as_set). The
    flag says whether any condition reads the article's row (``a``): when none does, a search
    need not join the articles at all.
    """
    clauses, matches = [], _Matches(archive, match)
    dates = [_DATE_BOUND[f.field, f.negated](f.value) for f in filters if f.field in DATE_FILTERS]
    if dates:
        condition = " AND ".join(clause for clause, _ in dates)
        clauses.append(_as_set(archive, condition, [value for _, value in dates], rowid, matches))
    for item in filters:
        if item.field == "site":
            condition, values = _site_condition(archive, item.value)
            clauses.append(_as_set(archive, condition, values, rowid, matches, item.negated))
        elif item.field not in DATE_FILTERS:
            condition, values = _FILTER_SQL[item.field](item.value)
            clauses.append((f"NOT ({condition})" if item.negated else condition, values, True))
    params = [value for _, values, _ in clauses for value in values]
    where = "".join(f" AND {clause}" for clause, _, _ in clauses)
    return where, params, any(reads_row for _, _, reads_row in clauses)


class _Matches:
    """How many articles the words match, up to MATCHES_COUNTED, counted when first asked."""

    def __init__(self, archive: Archive, match: str | None) -> None:
        self.archive, self.match, self._count = archive, match, None

    def count(self) -> int:
        if self._count is None:
            found = run_sql(
                self.archive, COUNT_SQL, [self.match, MATCHES_COUNTED], self.match or ""
            )
            self._count = found[0][0]
        return self._count


def _as_set(
    archive: Archive,
    condition: str,
    params: list,
    rowid: str,
    matches: _Matches,
    negated: bool = False,
) -> tuple[str, list, bool]:
    """``condition`` on the articles as a clause on ``rowid``: a set of ids from the condition's
    index when it holds fewer than SET_IDS_PER_MATCH ids per match, else a check of each row
    (the flag: whether the clause reads the row)."""
    if matches.match is not None:
        most = matches.count() * SET_IDS_PER_MATCH
        counted = f"SELECT count(*) FROM (SELECT 1 FROM articles a WHERE {condition} LIMIT ?)"
        if archive.db.execute(counted, [*params, most]).fetchone()[0] < most:
            # The unary + keeps SQLite from probing the full-text index once per id instead.
            ids = f"(SELECT a.id FROM articles a WHERE {condition})"
            return f"+{rowid} {'NOT IN' if negated else 'IN'} {ids}", params, False
    # A NULL (an article without a site) is not a match, so it passes the negated filter.
    return (f"NOT coalesce({condition}, 0)" if negated else condition), params, True


def _site_condition(archive: Archive, value: str) -> tuple[str, list]:
    """A condition on the site index for articles whose site name or URL host holds ``value``
    (any case), resolved first against the archive's distinct names and hosts."""
    pattern = f"%{value}%"
    sql = "SELECT site, site LIKE ?1 FROM site_hosts WHERE site LIKE ?1 OR host LIKE ?1"
    found = archive.db.execute(sql, [pattern]).fetchall()
    named = sorted({site for site, by_name in found if by_name})
    by_host = sorted({site for site, by_name in found if not by_name} - set(named))
    clauses = [f"a.site IN ({', '.join('?' * len(named))})"] if named else []
    host = url_host("a.url")
    clauses += [f"(a.site = ? AND {host} LIKE ?)" for site in by_host if site]
    if "" in by_host:
        clauses.append(f"((a.site IS NULL OR a.site = '') AND {host} LIKE ?)")
    params = [*named, *[value for site in by_host if site for value in (site, pattern)]]
    params += [pattern] if "" in by_host else []
    return f"({' OR '.join(clauses) or '0'})", params


def _after(value: str) -> str:
    """The smallest string above every date that starts with ``value`` ("2024-03" -> "2024-04")."""
    return value[:-1] + chr(ord(value[-1]) + 1)


# (field, negated) -> (condition, value); the columns are indexed and the values are prefixes
# of ISO dates, so "on or after 2024-03" is published >= '2024-03'.
_DATE_BOUND = {
    ("after", False): lambda value: ("a.published >= ?", value),
    ("after", True): lambda value: ("a.published < ?", value),
    ("before", False): lambda value: ("a.published < ?", value),
    ("before", True): lambda value: ("a.published >= ?", value),
    ("until", False): lambda value: ("a.published < ?", _after(value)),
    ("until", True): lambda value: ("a.published >= ?", _after(value)),
    ("saved-after", False): lambda value: ("a.saved_at >= ?", value),
    ("saved-after", True): lambda value: ("a.saved_at < ?", value),
}
DATE_FILTERS = {field for field, _ in _DATE_BOUND}

_FILTER_SQL = {
    "author": lambda value: ("a.authors LIKE ?", [f"%{value}%"]),
    "lang": lambda value: ("(a.language = ? OR a.language LIKE ?)", [value, f"{value}-%"]),
    "speaker": lambda value: (
        "a.id IN (SELECT article_id FROM quotes WHERE speaker LIKE ?)",
        [f"%{value}%"],
    ),
    "quote": lambda value: (
        "a.id IN (SELECT q.article_id FROM quotes_fts JOIN quotes q ON q.id = quotes_fts.rowid"
        " WHERE quotes_fts MATCH ?)",
        ['{text} : "' + value.replace('"', '""') + '"'],
    ),
}
