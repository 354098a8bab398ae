"""Ranked full-text search over articles and quotes (query language in query.py).

Ranking is bm25 with the headline and quotations weighted above the standfirst, above the body,
and the newer article first among equals. Near-identical copies of one story (wire copy run by
many sites) are collapsed into the best-ranked one, which lists where else it ran.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from operator import itemgetter

from newsarchive.errors import QueryError
from newsarchive.filters import COUNT_SQL, conditions, run_sql
from newsarchive.fingerprint import near_duplicates
from newsarchive.models import QuoteHit, SearchHit
from newsarchive.query import Filter, Query, check_date, parse_query
from newsarchive.speakers import SPEAKER_IDS_SQL, speaker_match
from newsarchive.store import Archive

# One weight per column of articles_fts: headline, standfirst, authors, quote_text, text, and
# the publication-date terms, which only filters match and which must not change a ranking.
ARTICLE_WEIGHTS = (10.0, 4.0, 3.0, 6.0, 1.0, 0.0)
HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"
SNIPPET_TOKENS = 24
# By relevance (bm25, then the newer article): see _ranked. Other orders:
SORTS = {
    "published": "a.published IS NULL, a.published DESC, ranking",
    "saved": "a.saved_at DESC, ranking",
}
# Without words to rank by, a filter-only query lists articles.
LISTING_SORTS = {
    "rank": "a.published IS NULL, a.published DESC, a.id DESC",
    "published": "a.published IS NULL, a.published DESC, a.id DESC",
    "saved": "a.saved_at DESC, a.id DESC",
}
# Above this many matches, only the newest this many are ranked (see _ranked).
RANK_WINDOW = 3000
# A word in at least this many articles is common; a query with a phrase of common words has
# only its newest PHRASE_WINDOW matches ranked, by bm25 of the words (see _phrase_window).
PHRASE_COMMON = 10_000
PHRASE_WINDOW = 1000
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


@dataclass(frozen=True)
class _Candidate:
    """A ranked match before its snippet is made: enough to collapse copies of one story."""

    id: int
    label: str
    fingerprint: int | None
    ranking: float


def search(archive: Archive, query: str, **options: object) -> list[SearchHit]:
    """Articles matching ``query``, best first. Options: see SearchOptions."""
    settings = SearchOptions(**options)
    parsed = Query(match=query) if settings.raw else parse_query(query)
    filters = [*parsed.filters, *_option_filters(settings)]
    wanted = settings.limit if settings.all_copies else settings.limit * CANDIDATES_PER_RESULT
    if parsed.match is None:
        found = conditions(archive, filters, "a.id")
        sql = _LISTING_SQL.format(where=found.where, order=LISTING_SORTS[settings.sort])
        rows = {row[0]: row for row in run_sql(archive, sql, [*found.params, wanted], query)}
        candidates = [_Candidate(row[0], row[3] or row[1], row[6], 0.0) for row in rows.values()]
    else:
        found = conditions(archive, filters, "articles_fts.rowid", parsed.loose or parsed.match)
        # Without a condition on the articles' rows, the walk reads the full-text index alone.
        source = _ARTICLES_JOIN if found.reads_rows else "articles_fts"
        # Date terms select matches; snippets are made for the words alone.
        ranked = (
            replace(parsed, match=f"({parsed.match}) AND {found.terms}") if found.terms else parsed
        )
        candidates = _ranked(
            archive, ranked, source, found.where, found.params, settings.sort, wanted, query
        )
    if settings.all_copies:
        kept = [(candidate, []) for candidate in candidates[: settings.limit]]
    else:
        kept = collapse_copies(candidates, settings.limit)
    if parsed.match is not None:
        rows = _with_snippets(archive, parsed.match, [candidate.id for candidate, _ in kept], query)
    # An article deleted by another process since it was ranked is left out, not an error.
    return [
        _hit(rows[candidate.id], candidate.ranking, also_on)
        for candidate, also_on in kept
        if candidate.id in rows
    ]


def _ranked(
    archive: Archive,
    parsed: Query,
    source: str,
    where: str,
    params: list,
    sort: str,
    wanted: int,
    query: str,
) -> list[_Candidate]:
    """The best ``wanted`` matches, bounding the bm25 work for words found almost everywhere.

    FTS5 scores every match before it can sort, so a word in most of a million articles would
    cost seconds. Walking matches newest-first is cheap, and SQLite scores only the rows it is
    asked for, so by relevance only the newest RANK_WINDOW matches are scored and sorted: for
    such words relevance among recent articles is what a reader wants, and words with fewer
    matches are ranked over everything. One walk does both the counting and the scoring.
    """
    if sort != "rank":
        sql = _SORTED_SQL.format(where=where, order=SORTS[sort])
        rows = run_sql(archive, sql, [parsed.match, *params, wanted], query)
        return [_Candidate(*row) for row in rows]
    scored = None
    if parsed.loose is not None:
        scored = _phrase_window(archive, parsed, source, where, params, query)
    if scored is None:
        sql = _WALK_SQL.format(source=source, where=where)
        scored = run_sql(archive, sql, [parsed.match, *params], query, RANK_WINDOW)
    scored.sort(key=itemgetter(1))
    cut = min(wanted, len(scored))
    while 0 < cut < len(scored) and scored[cut][1] == scored[cut - 1][1]:
        cut += 1  # the tie-break below needs every row tied with the last one kept
    found = _metadata(archive, [rowid for rowid, _ in scored[:cut]], query)
    rows = [(rowid, *found[rowid], ranking) for rowid, ranking in scored[:cut] if rowid in found]
    rows.sort(key=lambda row: row[3] or "", reverse=True)  # newer first among equals ...
    rows.sort(key=itemgetter(4))  # ... which a stable sort keeps under equal rankings
    return [
        _Candidate(rowid, label, fingerprint, ranking)
        for rowid, label, fingerprint, _, ranking in rows[:wanted]
    ]


def _phrase_window(
    archive: Archive, parsed: Query, source: str, where: str, params: list, query: str
) -> list[tuple[int, float]] | None:
    """(id, bm25) of the newest PHRASE_WINDOW matches of a query holding a phrase of common
    words, ranked by bm25 of its words; None for other queries.

    For its score FTS5 counts the articles holding each phrase over the whole index, checking
    word positions in every article that has all the words: for a phrase of words found in
    most articles that costs more than the search. Counting each word's articles needs no
    positions (though at a million articles it still costs 20-30 ms a common word), so the
    matches found newest-first are scored as if the phrase were its words, ANDed.
    """
    if not any(all(_common(archive, word, query) for word in words) for words in parsed.phrases):
        return None
    sql = _CANDIDATES_SQL.format(source=source, where=where)
    ids = [row[0] for row in run_sql(archive, sql, [parsed.match, *params], query, PHRASE_WINDOW)]
    return _scores(archive, parsed.loose, ids, query)


def _common(archive: Archive, word: str, query: str) -> bool:
    """Whether at least PHRASE_COMMON articles hold ``word`` (counting stops there)."""
    return run_sql(archive, COUNT_SQL, [word, PHRASE_COMMON], query)[0][0] >= PHRASE_COMMON


def _scores(archive: Archive, match: str, ids: list[int], query: str) -> list[tuple[int, float]]:
    """bm25 of these ids, read in one walk of their range: an IN list would make SQLite open the
    index once per id, and FTS5 counts the articles holding each word afresh every time."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    sql = _SCORES_SQL.format(marks=marks)
    return run_sql(archive, sql, [match, min(ids), max(ids), *ids], query)


def _metadata(archive: Archive, ids: list[int], query: str) -> dict[int, tuple]:
    """Site (or URL), SimHash and publication date of each article, by id."""
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT id, coalesce(site, url), simhash, published FROM articles WHERE id IN ({marks})"
    return {row[0]: row[1:] for row in run_sql(archive, sql, ids, query)}


_ARTICLES_JOIN = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
_BM25 = "bm25(articles_fts, " + ", ".join(map(str, ARTICLE_WEIGHTS)) + ")"

# Newest first and only the columns the walk needs: SQLite computes bm25 for the rows it is
# asked for, so stopping after RANK_WINDOW rows stops the scoring too.
_WALK_SQL = (
    "SELECT articles_fts.rowid, BM25 FROM {source}"
    " WHERE articles_fts MATCH ? {where} ORDER BY articles_fts.rowid DESC"
).replace("BM25", _BM25)

_CANDIDATES_SQL = _WALK_SQL.replace(", " + _BM25, "")
_SCORES_SQL = (
    "SELECT rowid, BM25 FROM articles_fts WHERE articles_fts MATCH ?"
    " AND rowid BETWEEN ? AND ? AND +rowid IN ({marks})"
).replace("BM25", _BM25)

# Ranking reads no text: SQLite evaluates every selected column of every matching row before an
# ORDER BY ... LIMIT, so snippets are made afterwards, for the kept rows only (_with_snippets).
_SORTED_SQL = """
    SELECT articles_fts.rowid, coalesce(a.site, a.url), a.simhash, BM25 AS ranking
    FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
    WHERE articles_fts MATCH ? {where}
    ORDER BY {order} LIMIT ?""".replace("BM25", _BM25)

# The IN list is a set of rowid lookups into the match, not a walk through every match. CROSS
# JOIN keeps the index outermost: for a few ids SQLite would lead with the articles, and those
# lookups measured five times slower for a phrase of common words (150 ms against 31).
_SNIPPET_SQL = """
    SELECT a.id, a.url, a.headline, a.site, a.published, a.authors, a.simhash,
           snippet(articles_fts, -1, ?, ?, '…', {tokens})
    FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid
    WHERE articles_fts MATCH ? AND {rows}"""

_LISTING_SQL = """
    SELECT a.id, a.url, a.headline, a.site, a.published, a.authors, a.simhash,
           substr(coalesce(a.standfirst, a.text), 1, 200) AS snippet
    FROM articles a WHERE 1 {where}
    ORDER BY {order} LIMIT ?"""


def _with_snippets(archive: Archive, match: str, ids: list[int], query: str) -> dict[int, tuple]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    if "*" in match:
        # FTS5 expands a prefix afresh for every rowid it is asked for: walking the range the
        # kept rows span, once, is cheaper than a lookup per row.
        rows = f"articles_fts.rowid BETWEEN ? AND ? AND +articles_fts.rowid IN ({marks})"
        ids = [min(ids), max(ids), *ids]
    else:
        rows = f"articles_fts.rowid IN ({marks})"
    sql = _SNIPPET_SQL.format(tokens=SNIPPET_TOKENS, rows=rows)
    found = run_sql(archive, sql, [HIGHLIGHT_START, HIGHLIGHT_END, match, *ids], query)
    return {row[0]: row for row in found}


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


def _hit(row: tuple, ranking: float, also_on: list[str]) -> SearchHit:
    article_id, url, headline, site, published, authors, _fingerprint, marked = row
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
        also_on=also_on,
    )


def collapse_copies(candidates: list[_Candidate], limit: int) -> list[tuple[_Candidate, list[str]]]:
    """Keep the best-ranked copy of each story (by SimHash), with the sites of the others.

    A copy of a story ranked below the first ``limit`` stories is dropped with it, so each
    candidate is compared with at most ``limit`` kept ones."""
    kept: list[tuple[_Candidate, list[str]]] = []
    for candidate in candidates:
        fingerprint = candidate.fingerprint
        also_on = next(
            (others for seen, others in kept if near_duplicates(seen.fingerprint, fingerprint)),
            None,
        )
        if also_on is not None:
            also_on.append(candidate.label)
        elif len(kept) < limit:
            kept.append((candidate, []))
    return kept


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
    include_terms: bool = False,
) -> list[QuoteHit]:
    """Quotes matching ``query`` (all quotes, newest article first, when None), optionally by a
    speaker: each word given is a word of the speaker's name, any case ("trump" finds "Donald
    J. Trump" and "Trump"; see speakers.py). Quotes of kind ``term`` only with ``include_terms``."""
    match = (query if raw else _quote_match(query)) if query else None
    conditions = [] if include_terms else ["q.kind = 'speech'"]
    params: list = []
    if match and speaker:
        conditions.insert(0, "quotes_fts MATCH ?")
        params.append(match)
    if speaker:
        conditions.append(f"q.speaker_id IN ({SPEAKER_IDS_SQL})")
        params.append(speaker_match(speaker))
    source, order, first = _quote_source(match, bool(speaker), include_terms, limit)
    where = " AND ".join(conditions) or "1"
    sql = _QUOTES_SQL.format(source=source, where=where, order=order)
    return [QuoteHit(*row) for row in run_sql(archive, sql, [*first, *params, limit], query or "")]


def _quote_source(
    match: str | None, by_speaker: bool, include_terms: bool, limit: int
) -> tuple[str, str, list]:
    """The tables a quote search reads, joined in the order that is fast for it; its order of
    results; and the parameters of the tables' part of the SQL."""
    if match and not by_speaker:
        # Ranked in the index alone, then joined: joined first, every match's rows would be read
        # before the sort (at a million articles, 55 ms against 22 for a word in 11,000 quotes).
        best = _BEST_QUOTES if include_terms else _BEST_SPEECH
        source = f"({best}) AS best JOIN quotes q ON q.id = best.rowid{_ARTICLE}"
        return source, "best.rank", [match, limit]
    if match:
        source = f"quotes_fts JOIN quotes q ON q.id = quotes_fts.rowid{_ARTICLE}"
        return source, "bm25(quotes_fts)", []
    if by_speaker:
        return f"quotes q{_ARTICLE}", _NEWEST_FIRST, []
    # Walking the articles newest first stops after ``limit`` quotes; walking the quotes would
    # sort them all first (at 400,000 quotes, 0.1 ms against 380).
    return "articles a CROSS JOIN quotes q ON q.article_id = a.id", _NEWEST_FIRST, []


_QUOTES_SQL = """
    SELECT q.text, q.speaker, q.role, q.kind, q.article_id, a.url, a.headline, a.published
    FROM {source} WHERE {where} ORDER BY {order} LIMIT ?"""
_ARTICLE = " JOIN articles a ON a.id = q.article_id"
# The published index lists ties by id, so a walk down it gives this order but for position.
_NEWEST_FIRST = "a.published DESC, a.id DESC, q.position"
_BEST_QUOTES = "SELECT rowid, rank FROM quotes_fts WHERE quotes_fts MATCH ? ORDER BY rank LIMIT ?"
# Only speech: the kind is read from each match's row in the quotes table, which is narrow (at
# 400,000 quotes, no slower than the index alone).
_BEST_SPEECH = (
    "SELECT quotes_fts.rowid, quotes_fts.rank FROM quotes_fts JOIN quotes k"
    " ON k.id = quotes_fts.rowid WHERE quotes_fts MATCH ? AND k.kind = 'speech'"
    " ORDER BY quotes_fts.rank LIMIT ?"
)


def _quote_match(query: str) -> str:
    parsed = parse_query(query)
    if parsed.match is None or parsed.filters:
        raise QueryError(f"{query!r}: quotes take words to find; use --speaker to pick a speaker")
    return parsed.match
