"""Search on a PostgreSQL archive: the results of searching.py from the database's own full-text
search (query compiled in pgquery.py, vectors and configurations in pgtextsearch.py).

The GIN index finds the matches; they are ranked by ts_rank_cd over the weighted vector
(RANK_WEIGHTS), the newer article first among equal scores. Ranking reads each match's whole
vector (several kilobytes, kept compressed out of line), about 15 µs a match, so a query is
ranked over its first RANK_WINDOW matches in the order asked for (most recently saved for
``rank``, newest published for ``published``): every match for nearly every query, the first
of them for a word found in much of the archive (``exact`` ranks every match). Sorted by date,
only ties at the window's edge can fall the wrong side of it. A phrase or a field filter's
word is checked in each candidate's vector too (word positions and weights are not in the
index), so it is looked for in the PHRASE_CANDIDATES most recently saved articles that hold
its words (``exact``: in all): "the bridge" in an archive where nearly every article has both
words took seconds at 100,000 articles.

Snippets are ts_headline's marks on the standfirst, quotes and body of the page of results
only, cut as on SQLite (snippets.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import psycopg

from newsarchive.engines.pgconn import postgres_sql
from newsarchive.errors import QueryError
from newsarchive.models import QuoteHit, SearchHit
from newsarchive.pgquery import Matcher, conditions, loose_tsquery_text, matcher, tsquery_text
from newsarchive.pgtextsearch import weighted_vector
from newsarchive.query import parse_query
from newsarchive.ranking import SORTS, Candidate
from newsarchive.searching import (
    LISTING_SORTS,
    SearchOptions,
    candidates_wanted,
    hit_from_row,
    option_filters,
    quote_query,
    search_hits,
    shown,
)
from newsarchive.snippets import HIGHLIGHT_END, HIGHLIGHT_START
from newsarchive.speakers import speaker_ids_sql
from newsarchive.store import Archive

# ts_rank_cd's weights for D (body), C (authors), B (standfirst, quotes), A (headline): SQLite's
# bm25 weights (ranking.ARTICLE_WEIGHTS: 1, 3, 4 and 6, 10) over ten.
RANK_WEIGHTS = [0.1, 0.3, 0.5, 1.0]
# Divide the rank by 1 + the logarithm of the article's length, so a long article does not
# outrank a short one by repeating the words, nor a short one win by being short.
RANK_NORMALISATION = 1
RANK_WINDOW = 5000
PHRASE_CANDIDATES = 5000
# Memory for the bitmap of a word's matches from the GIN index. With PostgreSQL's default
# (4 MB), a common word's bitmap in a large archive outgrows it and keeps only which pages
# hold matches, and every article on them has its vector read to check it again (1M bench,
# one word in a date range: 13,500 pages rechecked -> 6,000 pages read, 300 -> 100 ms).
SEARCH_WORK_MEM = "32MB"
# And no JIT compilation: a phrase's candidates (5,000 ids in an array) cost enough in the
# planner's eyes to compile the query's expressions, 112 ms of a 532 ms search at 1M, which
# the search never earned back.
_SEARCH_SETTINGS = f"SET work_mem = '{SEARCH_WORK_MEM}'; SET jit = off"
# Reading an article's vector to check it against a query costs about this many times as much
# as fetching a matching article the indexes found (_gathering_is_cheaper). With the vector in
# the row, both read a page per article; the planner's estimates of how many articles match
# (a prefix above all) run low, which makes gathering look cheaper than it is. Bench, from 1
# to 0.1: 100k articles, a prefix's CPU p95 333 -> 55 ms; 1M, the whole mix's p50 / p95
# 37.7 / 150.5 -> 36.9 / 138.7 ms (0.03: 35.5 / 121.2, but a date range's p95 285 -> 368).
VECTOR_READ_COST = 0.1
_SHOWN_COLUMNS = ("standfirst", "quote_text", "text")  # marked for the snippet
_MARKS = f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, HighlightAll=true"


def search(archive: Archive, query: str, **options: object) -> list[SearchHit]:
    """Articles matching ``query``, best first: searching.search on PostgreSQL. ``exact``
    ranks every match, not only the first RANK_WINDOW."""
    settings = SearchOptions(**options)
    archive.conn.raw.execute(_SEARCH_SETTINGS)
    with _query_errors(query):
        return _search(archive, query, settings)


def _search(archive: Archive, query: str, settings: SearchOptions) -> list[SearchHit]:
    if settings.raw:
        raise QueryError("--raw passes SQLite FTS5 syntax through, which PostgreSQL cannot read")
    parsed = parse_query(query)
    where, params = conditions(archive, [*parsed.filters, *option_filters(settings)])
    text, wanted = tsquery_text(parsed), candidates_wanted(settings)
    if text is None:
        sql = _LISTING_SQL.format(where=where, order=LISTING_SORTS[settings.sort])
        candidates = [Candidate(*row, 0.0) for row in _rows(archive, sql, [*params, wanted], query)]
        kept = shown(candidates, settings)
        return search_hits(kept, _plain_rows(archive, [found.id for found, _ in kept], query))
    found = matcher(archive, text)
    window = None if settings.exact else max(RANK_WINDOW, wanted)
    loose = None if settings.exact else loose_tsquery_text(parsed)
    among = (where, params) if loose is None else _among_candidates(archive, loose, where, params)
    candidates = _ranked(archive, found, among, settings.sort, (wanted, window), query)
    kept = shown(candidates, settings)
    hits = search_hits(kept, _marked_rows(archive, found, [each.id for each, _ in kept], query))
    if settings.all_versions and len(hits) < settings.limit:
        older = _older_version_hits(archive, text, (where, params), settings, query)
        seen = {hit.id for hit in hits}
        hits += [hit for hit in older if hit.id not in seen]
    return hits[: settings.limit]


def _older_version_hits(
    archive: Archive, text: str, filters: tuple[str, list], settings: SearchOptions, query: str
) -> list[SearchHit]:
    """Articles whose superseded versions match, best first, each as its best-matching older
    version (as searching.py does on SQLite). Versions have no index: each is read with its
    article's configuration, in one pass over the versions."""
    where, params = filters
    sql = _VERSIONS_SQL.format(where=where)
    values = [*[_MARKS] * len(_SHOWN_COLUMNS), RANK_WEIGHTS, RANK_NORMALISATION, text, *params]
    rows = _rows(archive, sql, [*values, candidates_wanted(settings)], query)
    best: dict[int, tuple] = {}
    for *row, ranking, version in rows:
        best.setdefault(row[0], (tuple(row), ranking, version))
    return [
        replace(hit_from_row(row, ranking, []), version=version)
        for row, ranking, version in best.values()
    ]


_VERSION_MARKED = ", ".join(
    f"ts_headline(a.search_config, coalesce(v.{column}, ''), t.query, ?)"
    for column in _SHOWN_COLUMNS
)
_VERSIONS_SQL = f"""
    SELECT a.id, a.url, v.headline, a.site, v.published, v.authors, {_VERSION_MARKED},
           coalesce((SELECT json_agg(length(quote ->> 'text'))::text
                     FROM json_array_elements(v.quotes::json) quote), '[]'),
           -ts_rank_cd(?::float4[], t.vector, t.query, ?) AS ranking, v.version
    FROM article_versions v JOIN articles a ON a.id = v.article_id
    CROSS JOIN LATERAL (SELECT {weighted_vector("a.search_config", "v.")} AS vector,
                               to_tsquery(a.search_config, ?) AS query) t
    WHERE t.vector @@ t.query {{where}} ORDER BY ranking, v.version DESC LIMIT ?"""


def _among_candidates(archive: Archive, loose: str, where: str, params: list) -> tuple[str, list]:
    """The filters, and the condition that an article be among the PHRASE_CANDIDATES most
    recently saved articles matching ``loose``, found before any word position is read."""
    match, match_params = matcher(archive, loose).condition("a")
    newest, newest_params = _first(
        archive, ("a.id", match), match_params, "a.id DESC", PHRASE_CANDIDATES
    )
    # An array, computed once: as IN (subquery) the planner read every article's vector for the
    # phrase first (100k bench, five phrases of common words: 1.1-3.3 s -> 0.2-1.6 s, load 9).
    return f"{where} AND a.id = ANY(ARRAY({newest}))", [*params, *newest_params]


def _ranked(
    archive: Archive,
    found: Matcher,
    filters: tuple[str, list],
    sort: str,
    counts: tuple[int, int | None],
    query: str,
) -> list[Candidate]:
    """The best ``wanted`` matches under the filters (SQL and parameters), best first, of the
    first ``window`` in the sort's order (all when None); ranking is minus ts_rank_cd, so that
    lower ranks first as bm25 does on SQLite."""
    (where, params), (wanted, window) = filters, counts
    match, match_params = found.condition("a")
    tsquery, tsquery_params = found.row_query("a")
    order = "ranking, a.published IS NULL, a.published DESC, a.id DESC"
    rows = (_WINDOW_COLUMNS, f"TRUE {where} AND {match}")
    first, first_params = _first(
        archive, rows, [*params, *match_params], _WINDOW_ORDERS[sort], window
    )
    sql = _RANKED_SQL.format(tsquery=tsquery, first=first, order=SORTS.get(sort, order))
    values = [RANK_WEIGHTS, *tsquery_params, RANK_NORMALISATION, *first_params, wanted]
    return [Candidate(*row) for row in _rows(archive, sql, values, query)]


# The window is a subquery, so only its rows are ranked (LIMIT NULL: every match). The filters
# come before the match: PostgreSQL checks conditions of one cost in the order written, and
# matching reads the article's vector (600k bench, a word with six months of dates, walking
# the articles newest first: 1,073 -> 240 ms).
_WINDOW_ORDERS = {**LISTING_SORTS, "rank": "a.id DESC"}  # the primary key, read backwards
_WINDOW_COLUMNS = (
    "a.id, a.site, a.url, a.simhash, a.published, a.saved_at, a.search, a.search_config"
)
_RANKED_SQL = """
    SELECT a.id, coalesce(a.site, a.url), a.simhash,
           -ts_rank_cd(?::float4[], a.search, {tsquery}, ?) AS ranking
    FROM ({first}) a ORDER BY {order} LIMIT ?"""


def _first(
    archive: Archive, rows: tuple[str, str], params: list, order: str, limit: int | None
) -> tuple[str, list]:
    """SQL and parameters for the first ``limit`` rows (None: every row) in ``order`` of the
    articles ``a`` matching a condition, ``rows`` being the columns and the condition (with
    its ``params``). There are two ways to find them. Walking an index in that order stops
    at the ``limit``-th match, but checks the vector of every article it passes (several
    kilobytes); gathering every match from the indexes (GIN, and the filters') reads a vector
    only where the index cannot answer alone (word positions, weights), but fetches every
    match before ordering them. PostgreSQL's planner does not count the reading of vectors,
    and walked when a phrase's words matched few articles (1M bench: 1.4 s to walk 79,000
    articles for a phrase's 5,000 candidates)."""
    columns, condition = rows
    walk = f"SELECT {columns} FROM articles a WHERE {condition}"
    if limit is None or not _gathering_is_cheaper(archive, walk, params, limit):
        return f"{walk} ORDER BY {order} LIMIT ?", [*params, limit]
    # Gathered, the matches keep what ordering them needs and no vector; the first ``limit``
    # are then read again by id, unless their ids are all that is asked (20k bench, a prefix:
    # sorting 15,000 vectors, 84 MB on disk, took 160 of 210 ms).
    first = (
        f"WITH found AS MATERIALIZED (SELECT {_ORDER_COLUMNS} FROM articles a WHERE {condition})"
        f" SELECT a.id FROM found a ORDER BY {order} LIMIT ?"
    )
    if columns != "a.id":
        first = f"SELECT {columns} FROM articles a WHERE a.id = ANY(ARRAY({first}))"
    return first, [*params, limit]


# The columns every window's order is made of (searching.LISTING_SORTS, _WINDOW_ORDERS).
_ORDER_COLUMNS = "a.id, a.published, a.saved_at"


def _gathering_is_cheaper(archive: Archive, select: str, params: list, limit: int) -> bool:
    """Whether fetching all ``matches`` costs less than walking past the articles between the
    first ``limit`` of them, by the planner's estimates: a walk passes about ``limit`` times
    articles / matches articles, each costing VECTOR_READ_COST fetches."""
    matches = _estimated_rows(archive, select, params)
    articles = _estimated_rows(archive, "SELECT 1 FROM articles", [])
    return matches * matches < VECTOR_READ_COST * limit * articles


def _estimated_rows(archive: Archive, sql: str, params: list) -> float:
    """The planner's estimate of how many rows ``sql`` returns (no row is read)."""
    explain = postgres_sql(f"EXPLAIN (FORMAT JSON) {sql}")
    (plan,) = archive.conn.raw.execute(explain, params, prepare=False).fetchone()
    return plan[0]["Plan"]["Plan Rows"]  # an error is search()'s to name with the query


_LISTING_SQL = """
    SELECT a.id, coalesce(a.site, a.url), a.simhash FROM articles a WHERE TRUE {where}
    ORDER BY {order} LIMIT ?"""
_ROW_SQL = """
    SELECT a.id, a.url, a.headline, a.site, a.published, a.authors, {columns},
           coalesce((SELECT json_agg(length(q.text) ORDER BY q.position)::text
                     FROM quotes q WHERE q.article_id = a.id), '[]')
    FROM articles a WHERE a.id = ANY(?)"""


def _marked_rows(archive: Archive, found: Matcher, ids: list[int], query: str) -> dict[int, tuple]:
    """The shown fields of these articles, the query's words marked in their text."""
    tsquery, tsquery_params = found.row_query("a")
    marked = ", ".join(
        f"ts_headline(a.search_config, coalesce(a.{column}, ''), {tsquery}, ?)"
        for column in _SHOWN_COLUMNS
    )
    sql = _ROW_SQL.format(columns=marked)
    params = [*tsquery_params, _MARKS] * len(_SHOWN_COLUMNS)
    return {row[0]: row for row in _rows(archive, sql, [*params, ids], query)}


def _plain_rows(archive: Archive, ids: list[int], query: str) -> dict[int, tuple]:
    sql = _ROW_SQL.format(columns=", ".join(f"a.{column}" for column in _SHOWN_COLUMNS))
    return {row[0]: row for row in _rows(archive, sql, [ids], query)}


def search_quotes(
    archive: Archive,
    query: str | None = None,
    *,
    speaker: str | None = None,
    limit: int = 50,
    raw: bool = False,
    include_terms: bool = False,
) -> list[QuoteHit]:
    """searching.search_quotes on PostgreSQL: the best-ranked quotes holding the words, or
    the newest ones; a speaker's only when ``speaker`` is given."""
    if raw:
        raise QueryError("--raw passes SQLite FTS5 syntax through, which PostgreSQL cannot read")
    with _query_errors(query or ""):
        return _quotes(archive, query, speaker, limit, include_terms)


def _quotes(
    archive: Archive, query: str | None, speaker: str | None, limit: int, include_terms: bool
) -> list[QuoteHit]:
    where = [] if include_terms else ["q.kind = 'speech'"]
    params: list = []
    order, order_params = _NEWEST_FIRST, []
    if query:
        found = matcher(archive, tsquery_text(quote_query(query)) or "")
        match, params = found.condition("q")
        tsquery, order_params = found.row_query("q")
        where.append(match)
        order = f"ts_rank(q.search, {tsquery}) DESC, {_NEWEST_FIRST}"
    if speaker:
        speakers, words = speaker_ids_sql(archive, speaker)
        where.append(f"q.speaker_id IN ({speakers})")
        params.append(words)
    sql = _QUOTES_SQL.format(where=" AND ".join(where) or "TRUE", order=order)
    rows = _rows(archive, sql, [*params, *order_params, limit], query or "")
    return [QuoteHit(*row) for row in rows]


_QUOTES_SQL = """
    SELECT q.text, q.speaker, q.role, q.kind, q.article_id, a.url, a.headline, a.published
    FROM quotes q JOIN articles a ON a.id = q.article_id WHERE {where}
    ORDER BY {order} LIMIT ?"""
_NEWEST_FIRST = "a.published DESC NULLS LAST, a.id DESC, q.position"


def _rows(archive: Archive, sql: str, params: list, query: str) -> list[tuple]:
    """The rows of ``sql``, planned for these parameters (never prepared): a prepared
    statement's generic plan guesses how many articles a word is in, and walked every article
    newest first for a rare word (100k bench, rare words p50: 1,065 -> 24 ms)."""
    with _query_errors(query):
        return archive.conn.raw.execute(postgres_sql(sql), params, prepare=False).fetchall()


@contextmanager
def _query_errors(query: str) -> Iterator[None]:
    """A query PostgreSQL cannot read is a QueryError naming it, as on SQLite."""
    try:
        yield
    except (psycopg.errors.SyntaxError, psycopg.DataError, UnicodeEncodeError) as error:
        cause = str(error).splitlines()[0]
        raise QueryError(f"{query!r}: not a valid search ({cause})") from error
