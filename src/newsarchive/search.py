"""Ranked full-text search over articles and quotes.

User text is turned into a safe FTS5 query: words and "phrases" are quoted, so punctuation and
unbalanced quotes never reach FTS5's parser. ``OR``, ``NOT``/``-word`` and ``prefix*`` keep their
meaning. ``raw=True`` passes FTS5 syntax through unchanged.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from newsarchive.errors import QueryError
from newsarchive.models import QuoteHit, SearchHit
from newsarchive.store import Archive

# Headline counts most, then standfirst, authors, body (columns as in migrations).
ARTICLE_WEIGHTS = (10.0, 4.0, 3.0, 1.0)
HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"
SNIPPET_TOKENS = 24

_QUOTE_CHARS = "\"“”„«»"
_TOKEN = re.compile(
    rf"(?P<neg>-?)[{_QUOTE_CHARS}](?P<phrase>[^{_QUOTE_CHARS}]*)[{_QUOTE_CHARS}](?P<star>\*?)"
    rf"|(?P<word>[^\s{_QUOTE_CHARS}]+)"
)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class _Term:
    fts: str
    negated: bool = False


def build_match(query: str) -> str:
    """Translate a user's query into an FTS5 MATCH expression, or raise QueryError."""
    clauses: list[list[str]] = []
    negatives: list[str] = []
    join_next = False
    for token in _tokens(query):
        if token == "OR":
            join_next = bool(clauses)
        elif isinstance(token, _Term) and token.negated:
            negatives.append(token.fts)
        elif isinstance(token, _Term):
            if join_next:
                clauses[-1].append(token.fts)
            else:
                clauses.append([token.fts])
            join_next = False
    if not clauses:
        raise QueryError(f"{query!r}: nothing to search for (give at least one word to find)")
    expression = " AND ".join(_alternatives(clause) for clause in clauses)
    return " NOT ".join([f"({expression})", *negatives]) if negatives else expression


def _alternatives(clause: list[str]) -> str:
    return clause[0] if len(clause) == 1 else "(" + " OR ".join(clause) + ")"


def _tokens(query: str) -> list[_Term | str]:
    tokens: list[_Term | str] = []
    negate_next = False
    for match in _TOKEN.finditer(query):
        word = match.group("word")
        if word in ("OR", "|"):
            tokens.append("OR")
        elif word == "NOT":
            negate_next = True
        elif word == "AND":
            continue
        else:
            term = _term(match, negate_next)
            negate_next = False
            if term:
                tokens.append(term)
    return tokens


def _term(match: re.Match, negate: bool) -> _Term | None:
    word = match.group("word")
    if word is None:
        text, prefix = match.group("phrase"), bool(match.group("star"))
        negate = negate or bool(match.group("neg"))
    else:
        negate = negate or (word.startswith("-") and len(word) > 1)
        prefix = word.endswith("*")
        text = word.lstrip("-").rstrip("*")
    if not re.search(r"\w", text):
        return None
    return _Term(fts='"' + text.replace('"', '""') + '"' + ("*" if prefix else ""), negated=negate)


def check_date(value: str | None, option: str) -> str | None:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD; anything else is a QueryError naming the option."""
    if value is None:
        return None
    if not _DATE.match(value.strip()):
        raise QueryError(f"{option} {value!r}: not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return value.strip()


def search(
    archive: Archive,
    query: str,
    *,
    site: str | None = None,
    author: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    raw: bool = False,
) -> list[SearchHit]:
    """Articles matching ``query``, best first (bm25, headline weighted above body)."""
    match = query if raw else build_match(query)
    where, params = _article_filters(site, author, check_date(since, "--since"), check_date(until, "--until"))
    weights = ", ".join(str(weight) for weight in ARTICLE_WEIGHTS)
    sql = f"""
        SELECT a.id, a.url, a.headline, a.site, a.published, a.authors,
               snippet(articles_fts, -1, ?, ?, '…', {SNIPPET_TOKENS}) AS snippet,
               bm25(articles_fts, {weights}) AS rank
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE articles_fts MATCH ? {where}
        ORDER BY rank LIMIT ?"""
    rows = _run(archive, sql, [HIGHLIGHT_START, HIGHLIGHT_END, match, *params, limit], query)
    return [_hit(row) for row in rows]


def _article_filters(
    site: str | None, author: str | None, since: str | None, until: str | None
) -> tuple[str, list]:
    clauses, params = [], []
    if site:
        clauses.append("(a.site LIKE ? OR a.url LIKE ?)")
        params += [f"%{site}%", f"%{site}%"]
    if author:
        clauses.append("a.authors LIKE ?")
        params.append(f"%{author}%")
    if since:
        clauses.append("substr(a.published, 1, ?) >= ?")
        params += [len(since), since]
    if until:
        clauses.append("substr(a.published, 1, ?) <= ?")
        params += [len(until), until]
    return "".join(f" AND {clause}" for clause in clauses), params


def _run(archive: Archive, sql: str, params: list, query: str) -> list[tuple]:
    try:
        return archive.db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        raise QueryError(f"{query!r}: not a valid search ({error})") from error


def _hit(row: tuple) -> SearchHit:
    article_id, url, headline, site, published, authors, marked, rank = row
    snippet, spans = split_highlights(marked or "")
    return SearchHit(
        id=article_id,
        url=url,
        headline=headline,
        site=site,
        published=published,
        authors=json.loads(authors or "[]"),
        snippet=" ".join(snippet.split("\n")),
        score=-rank,
        highlights=spans,
    )


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
        params.append(query if raw else build_match(query))
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
