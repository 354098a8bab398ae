"""The search query language on PostgreSQL: a parsed query (query.py) as tsquery text and SQL
conditions, with every string the user typed a bound parameter.

The tsquery text is built here with each word or phrase single-quoted (a quote doubled, a
backslash escaped), so nothing the user types is tsquery syntax. ``to_tsquery`` then reads each
quoted piece with a text search configuration, which splits, folds and stems it as the stored
vectors were (a quoted phrase becomes its words joined by ``<->``). A phrase ending in ``*``
makes its last word a prefix; a field filter's term keeps to its column's weight (``:A`` for
``headline:``). A query is compiled once for each configuration the archive's rows use
(pgtextsearch.py); ``Matcher`` says, as SQL, whether a row matches under its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsarchive.filters import DATE_FILTERS, FILTER_SQL, date_bounds
from newsarchive.pgtextsearch import COLUMN_WEIGHTS, config_name
from newsarchive.query import Filter, Query, Term
from newsarchive.speakers import speaker_ids_sql

if TYPE_CHECKING:
    from newsarchive.store import Archive

# Notes are indexed with English stemming on SQLite too (migrations.TOKENIZE).
NOTE_CONFIG = config_name("english")
_COMPILE_SQL = (
    "SELECT to_tsquery(config, ?)::text, array_agg(config::text ORDER BY config::text)"
    " FROM search_configs GROUP BY 1 ORDER BY 1"
)


def tsquery_text(query: Query) -> str | None:
    """The query's words as tsquery text ((a | b) & c & !d), None when it has none."""
    if not query.groups:
        return None
    clauses = [_alternatives(group) for group in query.groups]
    return " & ".join([*clauses, *(f"!({_lexemes(term)})" for term in query.excluded)])


def _lexemes(term: Term) -> str:
    """One term as quoted tsquery text: a prefix marks only a phrase's last word."""
    weight = COLUMN_WEIGHTS.get(term.column or "", "")
    words = term.text.split()
    if term.prefix and len(words) > 1:
        head = _quoted(" ".join(words[:-1]), weight)
        return f"({head} <-> {_quoted(words[-1], '*' + weight)})"
    return _quoted(term.text, ("*" if term.prefix else "") + weight)


def loose_tsquery_text(query: Query) -> str | None:
    """The query with each phrase as its words ANDed, field filters' terms in any column and
    nothing excluded: it matches every article the query matches, and the index alone answers
    it, where a phrase or a column needs each candidate's vector read. None when the query has
    neither."""
    terms = [term for group in query.groups for term in group]
    if all(term.column is None and len(term.text.split()) < 2 for term in terms):
        return None
    return " & ".join(_alternatives(group, _words) for group in query.groups)


def _alternatives(group: Sequence[Term], operand: Callable[[Term], str] = _lexemes) -> str:
    if len(group) == 1:
        return operand(group[0])
    return "(" + " | ".join(operand(term) for term in group) + ")"


def _words(term: Term) -> str:
    """A term as its words ANDed, in any column; a prefix marks the last."""
    words = term.text.split()
    quoted = [_quoted(word, "") for word in words[:-1]]
    quoted.append(_quoted(words[-1], "*" if term.prefix else ""))
    return quoted[0] if len(quoted) == 1 else "(" + " & ".join(quoted) + ")"


def _quoted(text: str, labels: str) -> str:
    """``text`` as one quoted tsquery operand (PostgreSQL text holds no NUL: none is a word)."""
    escaped = text.replace("\x00", "").replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'" + (f":{labels}" if labels else "")


@dataclass(frozen=True)
class Matcher:
    """A tsquery compiled with each configuration in use: (tsquery, configurations) pairs, one
    per distinct result (most configurations read a word alike); none when no row is
    indexed yet, and then nothing matches."""

    compiled: tuple[tuple[str, tuple[str, ...]], ...]

    def condition(self, alias: str) -> tuple[str, list]:
        """SQL true where the row ``alias`` (with ``search`` and ``search_config``) matches."""
        if len(self.compiled) == 1:  # one reading for every configuration in use
            return f"{alias}.search @@ ?::tsquery", [self.compiled[0][0]]
        parts = [
            f"({alias}.search @@ ?::tsquery AND {alias}.search_config = ANY(?::regconfig[]))"
            for _ in self.compiled
        ]
        params = [value for tsquery, configs in self.compiled for value in (tsquery, list(configs))]
        return "(" + " OR ".join(parts) + ")" if parts else "FALSE", params

    def row_query(self, alias: str) -> tuple[str, list]:
        """SQL for the tsquery the row ``alias`` is matched with, for ranking and marking."""
        if not self.compiled:  # an empty archive: no configuration in use, nothing matches
            return "NULL::tsquery", []
        if len(self.compiled) == 1:
            return "?::tsquery", [self.compiled[0][0]]
        cases = " ".join(
            f"WHEN {alias}.search_config = ANY(?::regconfig[]) THEN ?::tsquery"
            for _ in self.compiled
        )
        params = [value for tsquery, configs in self.compiled for value in (list(configs), tsquery)]
        return f"CASE {cases} END", params


def matcher(archive: Archive, text: str) -> Matcher:
    """``text`` (tsquery text) compiled with every configuration the archive's rows use."""
    rows = archive.conn.execute(_COMPILE_SQL, [text]).fetchall()
    return Matcher(tuple((tsquery, tuple(configs)) for tsquery, configs in rows))


def conditions(archive: Archive, filters: list[Filter]) -> tuple[str, list]:
    """The filters as SQL conditions on the articles ``a`` (" AND ..." each), and their
    parameters."""
    clauses: list[tuple[str, list]] = []
    for item in filters:
        if item.field in DATE_FILTERS:
            bounds = date_bounds(item)
            clauses.append((" AND ".join(sql for sql, _ in bounds), [v for _, v in bounds]))
            continue
        sql, params = _FILTERS[item.field](archive, item.value)
        negated = f"NOT coalesce({sql}, FALSE)" if item.field == "site" else f"NOT ({sql})"
        clauses.append((negated if item.negated else sql, params))
    where = "".join(f" AND {sql}" for sql, _ in clauses if sql)
    return where, [value for _, params in clauses for value in params]


def _site(archive: Archive, value: str) -> tuple[str, list]:
    """The site's name or its URL's host holds ``value``, in any case, resolved first against
    the archive's names and hosts (site_hosts) into conditions on the site index, as on SQLite
    (filters._site_condition). A NULL (an article without a site) is not a match, so it passes
    the negated filter."""
    pattern = f"%{value}%"
    found = archive.conn.execute(_SITE_HOSTS_SQL, [pattern] * 3).fetchall()
    named = sorted({site for site, by_name in found if by_name})
    by_host = sorted({site for site, by_name in found if not by_name} - set(named) - {""})
    host = "newsarchive_url_host(a.url) ILIKE ?"
    clauses = [("a.site = ANY(?)", [named])] if named else []
    clauses += [(f"(a.site = ANY(?) AND {host})", [by_host, pattern])] if by_host else []
    if any(site == "" and not by_name for site, by_name in found):
        clauses.append((f"(coalesce(a.site, '') = '' AND {host})", [pattern]))
    sql = " OR ".join(clause for clause, _ in clauses) or "FALSE"
    return f"({sql})", [value for _, values in clauses for value in values]


_SITE_HOSTS_SQL = "SELECT site, site ILIKE ? FROM site_hosts WHERE site ILIKE ? OR host ILIKE ?"


def _quote(archive: Archive, value: str) -> tuple[str, list]:
    found = matcher(archive, _quoted(value, ""))
    match, params = found.condition("q")
    return f"a.id IN (SELECT q.article_id FROM quotes q WHERE {match})", params


def _speaker(archive: Archive, value: str) -> tuple[str, list]:
    speakers, words = speaker_ids_sql(archive, value)
    return f"a.id IN (SELECT article_id FROM quotes WHERE speaker_id IN ({speakers}))", [words]


_FILTERS = {
    "site": _site,
    "quote": _quote,
    "speaker": _speaker,
    "author": lambda archive, value: ("a.authors ILIKE ?", [f"%{value}%"]),
    "lang": lambda archive, value: (
        "(a.language = ? OR a.language ILIKE ?)",
        [value, f"{value}-%"],
    ),
    "tag": lambda archive, value: FILTER_SQL["tag"](value),  # the same SQL on both engines
    "note": lambda archive, value: (
        f"a.id IN (SELECT article_id FROM notes WHERE to_tsvector('{NOTE_CONFIG}', text)"
        f" @@ to_tsquery('{NOTE_CONFIG}', ?))",
        [_quoted(value, "")],
    ),
}
