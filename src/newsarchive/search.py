"""Ranked full-text search over articles and quotes (query language in query.py).

Ranking is bm25 with the headline and quotations weighted above the standfirst, above the body,
and the newer article first among equals. Near-identical copies of one story (wire copy run by
many sites) are collapsed into the best-ranked one, which lists where else it ran.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, replace

from newsarchive.errors import QueryError
from newsarchive.fingerprint import near_duplicates
from newsarchive.models import QuoteHit, SearchHit
from newsarchive.query import Filter, Query, check_date, parse_query
from newsarchive.store import Archive

# One weight per column of articles_fts: headline, standfirst, authors, quote_text, text.
ARTICLE_WEIGHTS = (10.0, 4.0, 3.0, 6.0, 1.0)
HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"
SNIPPET_TOKENS = 24
SORTS = {
    "rank": "ranking, a.published DESC",
    "published": "a.published IS NULL, a.published DESC, ranking",
    "saved": "a.saved_at DESC, ranking",
}
# Without words to rank by, a filter-only query lists articles.
LISTING_SORTS = {
    "rank": "a.published IS NULL, a.published DESC, a.id DESC",
    "published": "a.published IS NULL, a.published DESC, a.id DESC",
    "saved": "a.saved_at DESC, a.id DESC",
}
# Above this many matches, only the newest this many are ranked (see _within_rank_window).
RANK_WINDOW = 3000
# Collapsing copies needs more candidates than results; this bounds the extra work.
CANDIDATES_PER_RESULT = 3


@dataclass(frozen=True)
class SearchOptions:
    """Filters given as options rather than inside the query text."""

    site: str | None = None
    author: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 20
    sort: str = "rank"
    raw: bool = False
    all_copies: bool = False


def search(archive: Archive, query: str, **options: object) -> list[SearchHit]:
    """Articles matching ``query``, best first. Options: see SearchOptions."""
    settings = SearchOptions(**options)
    parsed = Query(match=query) if settings.raw else parse_query(query)
    where, params = _where([*parsed.filters, *_option_filters(settings)])
    wanted = settings.limit if settings.all_copies else settings.limit * CANDIDATES_PER_RESULT
    if parsed.match is None:
        sql = _LISTING_SQL.format(where=where, order=LISTING_SORTS[settings.sort])
        rows = _run(archive, sql, [*params, wanted], query)
    else:
        if settings.sort == "rank":
            where, params = _within_rank_window(archive, parsed.match, where, params, query)
        sql = _MATCH_SQL.format(where=where, order=SORTS[settings.sort])
        match_params = [parsed.match, *params, wanted, HIGHLIGHT_START, HIGHLIGHT_END, parsed.match]
        rows = _run(archive, sql, match_params, query)
    if settings.all_copies:
        return [_hit(row) for row in rows[: settings.limit]]
    return collapse_copies([(_hit(row), row[6]) for row in rows], settings.limit)


# Rank first, then make snippets for the top rows only: SQLite evaluates every selected column
# of every matching row before an ORDER BY ... LIMIT, and snippet() is the costly one.
_MATCH_SQL = """
    WITH ranked AS (
        SELECT articles_fts.rowid AS id, bm25(articles_fts, WEIGHTS) AS ranking
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE articles_fts MATCH ? {where}
        ORDER BY {order} LIMIT ?
    )
    SELECT a.id, a.url, a.headline, a.site, a.published, a.authors, a.simhash,
           snippet(articles_fts, -1, ?, ?, '…', SNIPPET_TOKENS), ranked.ranking
    FROM ranked
    JOIN articles_fts ON articles_fts.rowid = ranked.id
    JOIN articles a ON a.id = ranked.id
    WHERE articles_fts MATCH ?
    ORDER BY {order}""".replace("SNIPPET_TOKENS", str(SNIPPET_TOKENS)).replace(
    "WEIGHTS", ", ".join(map(str, ARTICLE_WEIGHTS))
)

_LISTING_SQL = """
    SELECT a.id, a.url, a.headline, a.site, a.published, a.authors, a.simhash,
           substr(coalesce(a.standfirst, a.text), 1, 200) AS snippet, 0 AS rank
    FROM articles a WHERE 1 {where}
    ORDER BY {order} LIMIT ?"""


def _within_rank_window(
    archive: Archive, match: str, where: str, params: list, query: str
) -> tuple[str, list]:
    """Bound the bm25 work for words found almost everywhere.

    FTS5 scores every match before it can sort, so a word in most of a million articles would
    cost seconds. Walking matches newest-first is cheap (no scoring), so when there are more
    than RANK_WINDOW matches, only the newest RANK_WINDOW are ranked: for such words, relevance
    among recent articles is what a reader wants, and rare words are ranked over everything.
    """
    sql = _WINDOW_SQL.format(where=where)
    found = _run(archive, sql, [match, *params, RANK_WINDOW], query)
    if not found:
        return where, params
    return where + " AND articles_fts.rowid >= ?", [*params, found[0][0]]


_WINDOW_SQL = """
    SELECT articles_fts.rowid FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
    WHERE articles_fts MATCH ? {where}
    ORDER BY articles_fts.rowid DESC LIMIT 1 OFFSET ?"""


def _option_filters(settings: SearchOptions) -> list[Filter]:
    filters = []
    if settings.site:
        filters.append(Filter("site", settings.site))
    if settings.author:
        filters.append(Filter("author", settings.author))
    if settings.since:
        filters.append(Filter("after", check_date(settings.since, "--since")))
    if settings.until:
        filters.append(Filter("until", check_date(settings.until, "--until")))
    return filters


def _where(filters: list[Filter]) -> tuple[str, list]:
    clauses, params = [], []
    for item in filters:
        clause, values = _FILTER_SQL[item.field](item.value)
        clauses.append(f"NOT ({clause})" if item.negated else clause)
        params += values
    return "".join(f" AND {clause}" for clause in clauses), params


def _date_bound(column: str, operator: str):
    return lambda value: (f"substr({column}, 1, {len(value)}) {operator} ?", [value])


_FILTER_SQL = {
    "site": lambda value: ("(a.site LIKE ? OR a.url LIKE ?)", [f"%{value}%"] * 2),
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
    "after": _date_bound("a.published", ">="),
    "until": _date_bound("a.published", "<="),
    "before": _date_bound("a.published", "<"),
    "saved-after": _date_bound("a.saved_at", ">="),
}


def _run(archive: Archive, sql: str, params: list, query: str) -> list[tuple]:
    try:
        return archive.db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        raise QueryError(f"{query!r}: not a valid search ({error})") from error


def _hit(row: tuple) -> SearchHit:
    article_id, url, headline, site, published, authors, _fingerprint, marked, ranking = row
    snippet, spans = split_highlights(" ".join((marked or "").split()))
    return SearchHit(
        id=article_id,
        url=url,
        headline=headline,
        site=site,
        published=published,
        authors=json.loads(authors or "[]"),
        snippet=snippet,
        score=-ranking,
        highlights=spans,
    )


def collapse_copies(hits: list[tuple[SearchHit, int | None]], limit: int) -> list[SearchHit]:
    """Keep the best-ranked copy of each story (hits come with their body's SimHash); the kept
    hit lists the sites of the others in ``also_on``."""
    kept: list[tuple[SearchHit, int | None]] = []
    for hit, fingerprint in hits:
        index = next(
            (i for i, (_, seen) in enumerate(kept) if near_duplicates(seen, fingerprint)), None
        )
        if index is None:
            kept.append((hit, fingerprint))
        else:
            best, seen = kept[index]
            kept[index] = (replace(best, also_on=[*best.also_on, hit.site or hit.url]), seen)
    return [hit for hit, _ in kept[:limit]]


def split_highlights(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove FTS5 highlight markers, returning plain text and the (start, end) spans they marked."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    for index, part in enumerate(re.split(f"[{HIGHLIGHT_START}{HIGHLIGHT_END}]", marked)):
        if index % 2 == 1 and part:
            spans.append((length, length + len(part)))
        plain.append(part)
        length += len(part)
    return "".join(plain), spans


def search_quotes(
    archive: Archive,
    query: str | None = None,
    *,
    speaker: str | None = None,
    limit: int = 50,
    raw: bool = False,
) -> list[QuoteHit]:
    """Quotes matching ``query`` (all quotes when None), optionally by a speaker (case-insensitive,
    part of the name: "zelensky" finds "Volodymyr Zelensky")."""
    params: list = []
    if query:
        source = "quotes_fts JOIN quotes q ON q.id = quotes_fts.rowid"
        where, order = "quotes_fts MATCH ?", "bm25(quotes_fts)"
        params.append(query if raw else _quote_match(query))
    else:
        source, where, order = "quotes q", "1", "a.published DESC, q.article_id DESC, q.position"
    if speaker:
        where += " AND q.speaker LIKE ?"
        params.append(f"%{speaker.strip()}%")
    sql = f"""
        SELECT q.text, q.speaker, q.article_id, a.url, a.headline, a.published
        FROM {source} JOIN articles a ON a.id = q.article_id
        WHERE {where} ORDER BY {order} LIMIT ?"""
    return [QuoteHit(*row) for row in _run(archive, sql, [*params, limit], query or "")]


def _quote_match(query: str) -> str:
    parsed = parse_query(query)
    if parsed.match is None or parsed.filters:
        raise QueryError(f"{query!r}: quotes take words to find; use --speaker to pick a speaker")
    return parsed.match
