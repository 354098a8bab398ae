"""Ranked full-text search over articles and quotes (query language in query.py, ranking in
ranking.py, snippets in snippets.py).

Near-identical copies of one story (wire copy run by many sites) are collapsed into the
best-ranked one, which lists where else it ran.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from newsarchive import snippets
from newsarchive.engines import POSTGRESQL
from newsarchive.errors import QueryError
from newsarchive.filters import conditions, run_sql
from newsarchive.fingerprint import near_duplicates
from newsarchive.models import QuoteHit, SearchHit
from newsarchive.query import Filter, Query, check_date, parse_query
from newsarchive.ranking import ARTICLE_WEIGHTS, Candidate, ranked
from newsarchive.speakers import SPEAKER_IDS_SQL, speaker_match
from newsarchive.store import Archive

# Without words to rank by, a filter-only query lists articles.
LISTING_SORTS = {
    "rank": "a.published IS NULL, a.published DESC, a.id DESC",
    "published": "a.published IS NULL, a.published DESC, a.id DESC",
    "saved": "a.saved_at DESC, a.id DESC",
}
# Collapsing copies needs more candidates than results; this bounds the extra work.
CANDIDATES_PER_RESULT = 3


@dataclass(frozen=True)
class SearchOptions:
    """Filters given as options rather than inside the query text; ``exact`` scores every
    match however many there are (see ranking.py)."""

    site: str | None = None
    author: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 20
    sort: str = "rank"
    raw: bool = False
    all_copies: bool = False
    exact: bool = False
    all_versions: bool = False


def _on_postgres(archive: Archive) -> bool:
    """Whether the archive is a PostgreSQL database, searched by pgsearch.py."""
    return archive.engine.kind == POSTGRESQL


def search(archive: Archive, query: str, **options: object) -> list[SearchHit]:
    """Articles matching ``query``, best first. Options: see SearchOptions."""
    if _on_postgres(archive):
        from newsarchive import pgsearch

        return pgsearch.search(archive, query, **options)
    settings = SearchOptions(**options)
    parsed = Query(match=query) if settings.raw else parse_query(query)
    filters = [*parsed.filters, *option_filters(settings)]
    wanted = candidates_wanted(settings)
    if parsed.match is None:
        candidates = _listed(archive, filters, settings.sort, wanted, query)
    else:
        found = conditions(archive, filters, "articles_fts.rowid", parsed.loose or parsed.match)
        candidates = ranked(archive, parsed, found, settings.sort, wanted, settings.exact, query)
    kept = shown(candidates, settings)
    ids = [candidate.id for candidate, _ in kept]
    rows = (
        _listing_rows(archive, ids, query)
        if parsed.match is None
        else _rows(archive, parsed.match, ids, query)
    )
    hits = search_hits(kept, rows)
    if settings.all_versions and parsed.match is not None and len(hits) < settings.limit:
        hits += _older_version_hits(archive, parsed, {hit.id for hit in hits}, settings, query)
    return hits


def candidates_wanted(settings: SearchOptions) -> int:
    """How many ranked matches a search reads: more than it shows when copies are collapsed."""
    return settings.limit if settings.all_copies else settings.limit * CANDIDATES_PER_RESULT


def shown(
    candidates: list[Candidate], settings: SearchOptions
) -> list[tuple[Candidate, list[str]]]:
    """The candidates a search shows, each with the sites its copies ran on."""
    if settings.all_copies:
        return [(candidate, []) for candidate in candidates[: settings.limit]]
    return collapse_copies(candidates, settings.limit)


def search_hits(kept: list[tuple[Candidate, list[str]]], rows: dict[int, tuple]) -> list[SearchHit]:
    """The hits of the kept candidates from their rows (id, url, headline, site, published,
    authors, marked standfirst, quotes and body, the quotes' lengths as JSON). An article
    deleted by another process since it was ranked is left out, not an error."""
    return [
        hit_from_row(rows[candidate.id], candidate.ranking, also_on)
        for candidate, also_on in kept
        if candidate.id in rows
    ]


def _older_version_hits(
    archive: Archive, parsed: Query, shown: set[int], settings: SearchOptions, query: str
) -> list[SearchHit]:
    """Articles whose superseded versions match (and that did not match as they are now),
    best first, each shown as the best-matching older version. Filters apply to the article
    as it is now."""
    found = conditions(archive, [*parsed.filters, *option_filters(settings)], "a.id")
    marks = [snippets.HIGHLIGHT_START, snippets.HIGHLIGHT_END] * 3
    wanted = settings.limit * CANDIDATES_PER_RESULT
    sql = _VERSIONS_SQL.format(where=found.where)
    hits: dict[int, SearchHit] = {}
    for *row, score, version in run_sql(
        archive, sql, [*marks, parsed.match, *found.params, wanted], query
    ):
        if row[0] not in shown and row[0] not in hits:
            hits[row[0]] = replace(hit_from_row(tuple(row), score, []), version=version)
    return list(hits.values())[: settings.limit - len(shown)]


_VERSIONS_SQL = (
    "SELECT a.id, a.url, v.headline, a.site, v.published, v.authors,"
    + ", ".join(f"highlight(article_versions_fts, {column}, ?, ?)" for column in (1, 3, 4))
    + ", (SELECT json_group_array(length(json_extract(value, '$.text')))"
    " FROM json_each(v.quotes)), bm25(article_versions_fts, "
    + ", ".join(map(str, ARTICLE_WEIGHTS[:5]))
    + "), v.version FROM article_versions_fts"
    " JOIN article_versions v ON v.id = article_versions_fts.rowid"
    " JOIN articles a ON a.id = v.article_id WHERE article_versions_fts MATCH ? {where}"
    " ORDER BY 11 LIMIT ?"
)


def _listed(
    archive: Archive, filters: list[Filter], sort: str, wanted: int, query: str
) -> list[Candidate]:
    found = conditions(archive, filters, "a.id")
    sql = _LISTING_SQL.format(where=found.where, order=LISTING_SORTS[sort])
    rows = run_sql(archive, sql, [*found.params, wanted], query)
    return [Candidate(row_id, label, fingerprint, 0.0) for row_id, label, fingerprint in rows]


_LISTING_SQL = """
    SELECT a.id, coalesce(a.site, a.url), a.simhash FROM articles a WHERE 1 {where}
    ORDER BY {order} LIMIT ?"""

_ROW_SQL = """
    SELECT a.id, a.url, a.headline, a.site, a.published, a.authors, {columns},
           (SELECT json_group_array(length(q.text)) FROM
                (SELECT text FROM quotes q WHERE q.article_id = a.id ORDER BY q.position) q)
    FROM {source} WHERE {rows}"""
# The marked standfirst, quotes and body. A list of ids is a set of rowid lookups into the match
# (an id list from a subquery is not: FTS5 would walk every match). CROSS JOIN keeps the index
# outermost, where SQLite would lead with the articles.
_MARKED = ", ".join(f"highlight(articles_fts, {column}, ?, ?)" for column in (1, 3, 4))
_HIGHLIGHT_SQL = _ROW_SQL.format(
    columns=_MARKED,
    source="articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid",
    rows="articles_fts MATCH ? AND {rows}",
)
_PLAIN_SQL = _ROW_SQL.format(
    columns="a.standfirst, a.quote_text, a.text",
    source="articles a",
    rows="a.id IN (SELECT value FROM json_each(?))",
)
# Ids looked up per statement: well under SQLite's limit on parameters.
IDS_PER_LOOKUP = 500


def _rows(archive: Archive, match: str, ids: list[int], query: str) -> dict[int, tuple]:
    """The shown fields of these articles, with the query's words marked in their text."""
    found: dict[int, tuple] = {}
    marks = [snippets.HIGHLIGHT_START, snippets.HIGHLIGHT_END] * 3
    for start in range(0, len(ids), IDS_PER_LOOKUP):
        some = ids[start : start + IDS_PER_LOOKUP]
        rows, params = _lookup(match, some)
        sql = _HIGHLIGHT_SQL.format(rows=rows)
        found.update(
            (row[0], row) for row in run_sql(archive, sql, [*marks, match, *params], query)
        )
    return found


def _lookup(match: str, ids: list[int]) -> tuple[str, list[int]]:
    """The condition picking ``ids`` out of the match, and its parameters."""
    marks = ", ".join("?" * len(ids))
    if "*" in match:
        # FTS5 expands a prefix afresh for every rowid it is asked for: walking the range the
        # kept rows span, once, is cheaper than a lookup per row.
        rows = f"articles_fts.rowid BETWEEN ? AND ? AND +articles_fts.rowid IN ({marks})"
        return rows, [min(ids), max(ids), *ids]
    return f"articles_fts.rowid IN ({marks})", ids


def _listing_rows(archive: Archive, ids: list[int], query: str) -> dict[int, tuple]:
    found = run_sql(archive, _PLAIN_SQL, [json.dumps(ids)], query)
    return {row[0]: row for row in found}


def option_filters(settings: SearchOptions) -> list[Filter]:
    """The filters given as options (--site, --author, --since, --until)."""
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


def hit_from_row(row: tuple, ranking: float, also_on: list[str]) -> SearchHit:
    """A hit from its row (see search_hits) and its ranking (lower is better, as bm25's)."""
    article_id, url, headline, site, published, authors, standfirst, quoted, body, lengths = row
    quotes = snippets.quotes(snippets.marked(quoted), json.loads(lengths))
    units = [snippets.marked(standfirst), *snippets.paragraphs(snippets.marked(body)), *quotes]
    shown = snippets.snippet(units)
    return SearchHit(
        id=article_id,
        url=url,
        headline=headline,
        site=site,
        published=published,
        authors=json.loads(authors or "[]"),
        snippet=shown.text,
        score=-ranking,
        highlights=list(shown.spans),
        also_on=also_on,
    )


def collapse_copies(candidates: list[Candidate], limit: int) -> list[tuple[Candidate, list[str]]]:
    """Keep the best-ranked copy of each story (by SimHash), with the sites of the others.

    A copy of a story ranked below the first ``limit`` stories is dropped with it, so each
    candidate is compared with at most ``limit`` kept ones."""
    kept: list[tuple[Candidate, list[str]]] = []
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
    if _on_postgres(archive):
        from newsarchive import pgsearch

        return pgsearch.search_quotes(
            archive, query, speaker=speaker, limit=limit, raw=raw, include_terms=include_terms
        )
    match = (query if raw else quote_query(query).match) if query else None
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


def quote_query(query: str) -> Query:
    """A quote search's words, parsed (a QueryError for filters or no word)."""
    parsed = parse_query(query)
    if parsed.match is None or parsed.filters:
        raise QueryError(f"{query!r}: quotes take words to find; use --speaker to pick a speaker")
    return parsed
