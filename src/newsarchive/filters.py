"""Search filters as SQL conditions on the articles, and the one way search runs its SQL.

With words to match, a publication-date range becomes more terms for the full-text index to
match: the years, months and days it spans are indexed terms (see ``_date_terms``). Otherwise
date ranges and sites are conditions on indexed columns. With words to match, each is read as
a set of ids that every match is checked against without reading its article, unless the words
match so few articles that checking their rows costs less (see ``_as_set``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from newsarchive.errors import InputError, QueryError
from newsarchive.migrations import DATE_TERM_MARK, url_host
from newsarchive.query import Filter
from newsarchive.speakers import SPEAKER_IDS_SQL, speaker_match
from newsarchive.store import Archive
from newsarchive.tags import tag_name

# A filter is read from its index as a set of ids when that set holds fewer than this many ids
# per match of the words (counted up to MATCHES_COUNTED): an id read from an index costs a small
# fraction of checking a match's article row. Both counts scale with the archive.
SET_IDS_PER_MATCH = 10
MATCHES_COUNTED = 10_000

# A publication-date range on a search's words is matched as the index's date terms when it
# takes at most this many (whole years, months and days); a longer one is a condition on dates.
MOST_DATE_TERMS = 40

COUNT_SQL = "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)"


def run_sql(
    archive: Archive, sql: str, params: list, query: str, most: int | None = None
) -> list[tuple]:
    """Rows of ``sql``, only the first ``most`` when given (the rest are never computed)."""
    with open_rows(archive, sql, params, query) as cursor:
        return cursor.fetchall() if most is None else cursor.fetchmany(most)


@contextmanager
def open_rows(archive: Archive, sql: str, params: list, query: str) -> Iterator[sqlite3.Cursor]:
    """A cursor over the rows of ``sql``, read as far as the caller needs; an invalid search
    is a QueryError naming ``query``."""
    try:
        cursor = archive.conn.execute(sql, params)
        try:
            yield cursor
        finally:
            cursor.close()  # ends the statement, and with it the read transaction
    except sqlite3.OperationalError as error:
        raise QueryError(f"{query!r}: not a valid search ({error})") from error


@dataclass(frozen=True)
class Conditions:
    """What a search's filters add to it: SQL conditions and their parameters, whether one of
    them reads the article's row (``a``; when none does, a search need not join the articles),
    and full-text terms that the words must be matched together with (None for none)."""

    where: str
    params: list
    reads_rows: bool
    terms: str | None = None


def conditions(
    archive: Archive, filters: list[Filter], rowid: str, match: str | None = None
) -> Conditions:
    """What ``filters`` add to a search matching ``match`` (None: no words, a listing);
    ``rowid`` names the column holding the article id.

    With words, a publication-date range is date terms for the full-text index (_date_terms).
    Other date ranges and sites are conditions on indexed columns: with words to match, each is
    read as a set of ids that every match is checked against without reading its article,
    unless the words match so few articles that checking their rows costs less (see _as_set).
    """
    clauses, matches = [], _Matches(archive, match)
    dated = [item for item in filters if item.field in DATE_FILTERS]
    published = [item for item in dated if item.field in PUBLISHED_FILTERS]
    terms = _date_terms(archive, published) if match is not None and published else None
    if terms is not None:
        dated = [item for item in dated if item not in published]
    dates = [bound for item in dated for bound in date_bounds(item)]
    if dates:
        condition = " AND ".join(clause for clause, _ in dates)
        clauses.append(_as_set(archive, condition, [value for _, value in dates], rowid, matches))
    for item in filters:
        if item.field == "site":
            condition, values = _site_condition(archive, item.value)
            clauses.append(_as_set(archive, condition, values, rowid, matches, item.negated))
        elif item.field not in DATE_FILTERS:
            condition, values = FILTER_SQL[item.field](item.value)
            clauses.append((f"NOT ({condition})" if item.negated else condition, values, True))
    params = [value for _, values, _ in clauses for value in values]
    where = "".join(f" AND {clause}" for clause, _, _ in clauses)
    return Conditions(where, params, any(reads_row for _, _, reads_row in clauses), terms)


def _date_terms(archive: Archive, filters: list[Filter]) -> str | None:
    """Publication-date ``filters`` as an OR of the index's date terms (see
    migrations.published_terms), or None when the range takes more than MOST_DATE_TERMS, is
    empty, or the archive's first or last date is not an ISO date. Open ends stop at the years
    of the archive's first and last dates, so "after:2020" is a few years, not eight thousand."""
    try:
        first, end = _published_span(archive)
        for item in filters:
            low, high = _DAY_RANGE[item.field, item.negated](item.value)
            first, end = max(first, low or first), min(end, high or end)
        terms = _period_terms(first, end)
    except (ValueError, OverflowError):  # no dated article, a date not ISO, past the year 9999
        return None
    if not terms or len(terms) > MOST_DATE_TERMS:
        return None
    return "(" + " OR ".join(f'"{DATE_TERM_MARK}{term}"' for term in terms) + ")"


def _published_span(archive: Archive) -> tuple[date, date]:
    """The first day of the year of the archive's first publication date, and of the year
    after its last (read from the ends of the date index): whole years, so an open range ends
    in year terms."""
    sql = "SELECT (SELECT min(published) FROM articles), (SELECT max(published) FROM articles)"
    first, last = archive.conn.execute(sql).fetchone()
    if first is None:
        raise ValueError("no article has a publication date")
    first_year, last_year = (date.fromisoformat(day[:10]).year for day in (first, last))
    return date(first_year, 1, 1), date(last_year + 1, 1, 1)


def _period_terms(first: date, end: date) -> list[str]:
    """The whole years, then months, then single days covering ``first`` up to (not including)
    ``end``, as date terms; it stops once past MOST_DATE_TERMS."""
    terms, day = [], first
    while day < end and len(terms) <= MOST_DATE_TERMS:
        next_year, next_month = date(day.year + 1, 1, 1), (day + timedelta(days=31)).replace(day=1)
        if day.month == day.day == 1 and next_year <= end:
            terms.append(f"y{day.year:04}")
            day = next_year
        elif day.day == 1 and next_month <= end:
            terms.append(f"m{day.year:04}{day.month:02}")
            day = next_month
        else:
            terms.append(f"d{day.year:04}{day.month:02}{day.day:02}")
            day += timedelta(days=1)
    return terms


def _start(value: str) -> date:
    """The first day of the year, month or day that ``value`` names ("2024-03": 1 March)."""
    return date.fromisoformat((value + "-01-01")[:10])


def _end(value: str) -> date:
    """The day after the year, month or day that ``value`` names ("2024-03": 1 April); the
    last day there is for one in the year 9999."""
    start = _start(value)
    try:
        if len(value) == 4:
            return date(start.year + 1, 1, 1)
        if len(value) == 7:
            return (start + timedelta(days=31)).replace(day=1)
        return start + timedelta(days=1)
    except (ValueError, OverflowError):
        return date.max


def date_bounds(item: Filter) -> list[tuple[str, str]]:
    """A date filter as SQL bounds on its indexed column: ISO dates compare as strings, so
    "on or after 2024-03" is published >= '2024-03-01'."""
    column = "a.saved_at" if item.field == "saved-after" else "a.published"
    low, high = _DAY_RANGE[item.field, item.negated](item.value)
    bounds = [(f"{column} >= ?", low.isoformat())] if low else []
    return bounds + ([(f"{column} < ?", high.isoformat())] if high else [])


# (field, negated) -> (first day, day after the last) of the days a date filter keeps, None
# where the range is open. Read as date terms (_date_terms) or as SQL bounds (date_bounds).
_DAY_RANGE = {
    ("after", False): lambda value: (_start(value), None),
    ("after", True): lambda value: (None, _start(value)),
    ("before", False): lambda value: (None, _start(value)),
    ("before", True): lambda value: (_start(value), None),
    ("until", False): lambda value: (None, _end(value)),
    ("until", True): lambda value: (_end(value), None),
    ("saved-after", False): lambda value: (_start(value), None),
    ("saved-after", True): lambda value: (None, _start(value)),
}
DATE_FILTERS = {field for field, _ in _DAY_RANGE}
PUBLISHED_FILTERS = DATE_FILTERS - {"saved-after"}


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
        if archive.conn.execute(counted, [*params, most]).fetchone()[0] < most:
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
    found = archive.conn.execute(sql, [pattern]).fetchall()
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


FILTER_SQL = {
    "author": lambda value: ("a.authors LIKE ?", [f"%{value}%"]),
    "lang": lambda value: ("(a.language = ? OR a.language LIKE ?)", [value, f"{value}-%"]),
    "speaker": lambda value: (
        f"a.id IN (SELECT article_id FROM quotes WHERE speaker_id IN ({SPEAKER_IDS_SQL}))",
        [speaker_match(value)],
    ),
    "quote": lambda value: (
        "a.id IN (SELECT q.article_id FROM quotes_fts JOIN quotes q ON q.id = quotes_fts.rowid"
        " WHERE quotes_fts MATCH ?)",
        ["{text} : " + _phrase(value)],
    ),
    "tag": lambda value: (
        "a.id IN (SELECT article_id FROM tags WHERE tag = ?)",
        [_tag_value(value)],
    ),
    # A note's rowid in its index is its article's id.
    "note": lambda value: (
        "a.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)",
        [_phrase(value)],
    ),
}


def _tag_value(value: str) -> str:
    """The tag ``tag:value`` names; a value that cannot be a tag is a QueryError, as every
    search's is."""
    try:
        return tag_name(value)
    except InputError as error:
        raise QueryError(f"tag:{error}") from error


def _phrase(value: str) -> str:
    """``value`` as one FTS5 phrase: its words in order, punctuation as plain text."""
    return '"' + value.replace('"', '""') + '"'
