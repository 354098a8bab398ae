"""Ranking a search's matches: bm25 over every match, or over a bounded set of candidates.

Ranking is bm25 with one weight per column (ARTICLE_WEIGHTS: the headline and quotations above
the standfirst, above the body) and, among equal scores, the newer article first. A phrase must
match as a phrase but is scored as its words, ANDed: FTS5 would otherwise count the articles
holding the phrase over the whole index, checking word positions in each, on every search.

A query matching at most EXACT_MATCHES articles (nearly every query) has every match scored.
Above that, scoring every match costs about 2.5 µs a match (a second for a word in most of a
million articles), so EXACT_MATCHES of them are scored: the RANK_WINDOW most recently saved
matches, and the most recently saved matches holding a word of the query in the headline,
standfirst, authors or quotes (STRONG_COLUMNS, where a word weighs 3 to 10 times what it does
in the body), the rest of the budget shared among the words. The one approximation: an older
article holding the words only in its body, or in those columns but past the budget, is not
ranked. ``exact`` scores every match whatever their number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from operator import itemgetter

from newsarchive.filters import Conditions, open_rows, run_sql
from newsarchive.query import Query
from newsarchive.store import Archive

# One weight per column of articles_fts: headline, standfirst, authors, quote_text, text, and
# the publication-date terms, which only filters match and which must not change a ranking.
ARTICLE_WEIGHTS = (10.0, 4.0, 3.0, 6.0, 1.0, 0.0)
EXACT_MATCHES = 20_000
RANK_WINDOW = 3000
STRONG_COLUMNS = "{headline standfirst authors quote_text}"
# By relevance (bm25, then the newer article): see ranked(). Other orders:
SORTS = {
    "published": "a.published IS NULL, a.published DESC, ranking",
    "saved": "a.saved_at DESC, ranking",
}


@dataclass(frozen=True)
class Candidate:
    """A ranked match before its snippet is made: enough to collapse copies of one story."""

    id: int
    label: str
    fingerprint: int | None
    ranking: float


def ranked(
    archive: Archive,
    parsed: Query,
    found: Conditions,
    sort: str,
    wanted: int,
    exact: bool,
    query: str,
) -> list[Candidate]:
    """The best ``wanted`` matches of ``parsed`` under the filters ``found``, best first."""
    match = _with_terms(parsed.match, found.terms)
    source = _ARTICLES_JOIN if found.reads_rows else "articles_fts"
    if sort != "rank":
        sql = _SORTED_SQL.format(where=found.where, order=SORTS[sort])
        return [
            Candidate(*row) for row in run_sql(archive, sql, [match, *found.params, wanted], query)
        ]
    search = _Search(archive, match, source, found, query)
    scoring = _with_terms(parsed.loose or parsed.match, found.terms)
    if exact:
        return _best(archive, search.every_match_scored(scoring), wanted, query)
    most, window = max(EXACT_MATCHES, wanted), max(RANK_WINDOW, wanted)
    if scoring == match:  # no phrase: matches are scored as they are walked
        scored, every = search.newest_scored(window, most)
    else:  # a phrase's matches are found first, then scored as its words
        ids = search.newest(match, most + 1)
        every = len(ids) <= most
        scored = search.scored(scoring, ids if every else ids[:window])
    if not every:  # more matches than are scored in full: add the strong windows
        strong = [f"({match}) AND {STRONG_COLUMNS} : {term}" for term in parsed.terms]
        share = max(window, (most - window) // max(1, len(strong)))
        seen = {row[0] for row in scored}
        ids = {row for each in strong for row in search.newest(each, share)} - seen
        scored += search.scored(scoring, list(ids))
    return _best(archive, scored, wanted, query)


def _with_terms(match: str, terms: str | None) -> str:
    """Date terms select matches (they weigh nothing); snippets are made for the words alone."""
    return f"({match}) AND {terms}" if terms else match


@dataclass(frozen=True)
class _Search:
    """One search's matches: counted, walked newest first, or scored."""

    archive: Archive
    match: str
    source: str
    found: Conditions
    query: str

    def count(self, most: int) -> int:
        """How many articles match, counting stops at ``most``."""
        sql = _COUNT_SQL.format(source=self.source, where=self.found.where)
        params = [self.match, *self.found.params, most]
        return run_sql(self.archive, sql, params, self.query)[0][0]

    def newest_scored(self, window: int, most: int) -> tuple[list[tuple[int, float]], bool]:
        """(id, bm25) of every match, and True, when there are at most ``most``; else of the
        ``window`` most recently saved, and False. One walk, newest first: SQLite scores only
        the rows it is asked for, so a search with few matches is done in its first rows."""
        sql = _SCORED_MATCHES_SQL.format(source=self.source, where=self.found.where)
        order = " ORDER BY articles_fts.rowid DESC"
        with open_rows(
            self.archive, sql + order, [self.match, *self.found.params], self.query
        ) as rows:
            first = rows.fetchmany(window + 1)
            if len(first) <= window:
                return first, True
            if _few_over_all(first, most):
                # Matches as spread as these newest ones number at most ``most`` in all:
                # counting them would walk the list once more (past every row a filter
                # rejects) before reading on walked it again; read on instead, once. 1M
                # bench, CPU: a common word on one site 142 -> 80 ms; a word in a half-year
                # (5,880 matches, date terms, no filter) 26.6 -> 23.9 ms.
                every = first + rows.fetchmany(most + 1 - len(first))
                return (every, True) if len(every) <= most else (first[:window], False)
            if self.count(most + 1) <= most:
                return first + rows.fetchall(), True
            return first[:window], False

    def newest(self, match: str, most: int) -> list[int]:
        """The ids of the ``most`` most recently saved articles matching ``match`` and the
        filters."""
        sql = _NEWEST_SQL.format(source=self.source, where=self.found.where)
        params = [match, *self.found.params, most]
        return [row[0] for row in run_sql(self.archive, sql, params, self.query)]

    def every_match_scored(self, scoring: str) -> list[tuple[int, float]]:
        """(id, bm25 under ``scoring``) of every match, however many."""
        params = [*self.found.params]
        if scoring == self.match:  # no phrase
            sql = _SCORED_MATCHES_SQL.format(source=self.source, where=self.found.where)
            return run_sql(self.archive, sql, [scoring, *params], self.query)
        members = _MATCHES_SQL.format(source=self.source, where=self.found.where)
        sql = f"{_SCORES_SQL} AND +rowid IN ({members})"
        return run_sql(self.archive, sql, [scoring, self.match, *params], self.query)

    def scored(self, scoring: str, ids: list[int]) -> list[tuple[int, float]]:
        """(id, bm25 under ``scoring``) of these ids, read in one walk of the range they span:
        asked for by id, FTS5 would look each one up in every word's list."""
        if not ids:
            return []
        sql = f"{_SCORES_SQL} AND rowid BETWEEN ? AND ? AND +rowid IN (SELECT value FROM json_each(?))"
        params = [scoring, min(ids), max(ids), json.dumps(ids)]
        return run_sql(self.archive, sql, params, self.query)


def _few_over_all(newest_first: list[tuple[int, float]], most: int) -> bool:
    """Whether matches spread as these newest ones are (ids newest first) would number at
    most ``most`` over all the ids below them: the window reaches far back."""
    newest, oldest = newest_first[0][0], newest_first[-1][0]
    return len(newest_first) * newest <= most * (newest - oldest + 1)


def _best(
    archive: Archive, scored: list[tuple[int, float]], wanted: int, query: str
) -> list[Candidate]:
    """The ``wanted`` best of (id, bm25), the newer article first among equal scores."""
    scored.sort(key=itemgetter(1))
    cut = min(wanted, len(scored))
    while 0 < cut < len(scored) and scored[cut][1] == scored[cut - 1][1]:
        cut += 1  # the tie-break below needs every row tied with the last one kept
    found = _metadata(archive, [rowid for rowid, _ in scored[:cut]], query)
    rows = [(rowid, *found[rowid], ranking) for rowid, ranking in scored[:cut] if rowid in found]
    rows.sort(key=lambda row: row[3] or "", reverse=True)  # newer first among equals ...
    rows.sort(key=itemgetter(4))  # ... which a stable sort keeps under equal rankings
    return [
        Candidate(rowid, label, fingerprint, ranking)
        for rowid, label, fingerprint, _, ranking in rows[:wanted]
    ]


def _metadata(archive: Archive, ids: list[int], query: str) -> dict[int, tuple]:
    """Site (or URL), SimHash and publication date of each article, by id."""
    sql = (
        "SELECT id, coalesce(site, url), simhash, published FROM articles"
        " WHERE id IN (SELECT value FROM json_each(?))"
    )
    return {row[0]: row[1:] for row in run_sql(archive, sql, [json.dumps(ids)], query)}


_ARTICLES_JOIN = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
_BM25 = "bm25(articles_fts, " + ", ".join(map(str, ARTICLE_WEIGHTS)) + ")"

# SQLite computes bm25 only for the rows that pass the WHERE clause.
_SCORES_SQL = f"SELECT rowid, {_BM25} FROM articles_fts WHERE articles_fts MATCH ?"
_MATCHES_SQL = "SELECT articles_fts.rowid FROM {source} WHERE articles_fts MATCH ? {where}"
_SCORED_MATCHES_SQL = _MATCHES_SQL.replace("rowid FROM", f"rowid, {_BM25} FROM")
_NEWEST_SQL = f"{_MATCHES_SQL} ORDER BY articles_fts.rowid DESC LIMIT ?"
_COUNT_SQL = f"SELECT count(*) FROM ({_MATCHES_SQL} LIMIT ?)"

# Ranking reads no text: SQLite evaluates every selected column of every matching row before an
# ORDER BY ... LIMIT, so snippets are made afterwards, for the kept rows only.
_SORTED_SQL = f"""
    SELECT articles_fts.rowid, coalesce(a.site, a.url), a.simhash, {_BM25} AS ranking
    FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
    WHERE articles_fts MATCH ? {{where}}
    ORDER BY {{order}} LIMIT ?"""
