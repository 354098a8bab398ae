"""The search query language: user text -> a safe FTS5 expression plus field filters.

Words and "phrases" are quoted before they reach FTS5, so punctuation and unbalanced quotes are
plain text, never syntax. ``OR``, ``NOT``/``-word`` and ``prefix*`` keep their meaning. Field
filters: ``headline:`` and ``author:`` search those columns; ``quote:`` and ``speaker:`` look in
the article's quotations; ``site:``, ``lang:``, ``before:``, ``after:`` and ``saved-after:``
restrict by metadata; ``tag:`` by a tag, ``note:`` by a word of the user's note. A filter value
may be quoted: ``speaker:"Vitali Klitschko"``. A filter is negated with ``-`` or ``NOT``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from newsarchive.errors import QueryError

COLUMN_FIELDS = {"headline": "headline", "author": "authors", "standfirst": "standfirst"}
FILTER_FIELDS = {"site", "lang", "before", "after", "saved-after", "quote", "speaker"}
FILTER_FIELDS |= {"tag", "note"}  # what the user gave an article (tags.py, notes.py)
DATE_FIELDS = {"before", "after", "saved-after"}
MAX_QUERY_CHARS = 10_000  # a query, not a document: each word costs a pass over the index

_QUOTE_CHARS = '"“”„«»'
_FIELD_NAMES = "|".join(sorted({*COLUMN_FIELDS, *FILTER_FIELDS}, key=len, reverse=True))
_TOKEN = re.compile(
    rf"(?P<fneg>-?)(?P<field>{_FIELD_NAMES}):"
    rf"(?:[{_QUOTE_CHARS}](?P<fphrase>[^{_QUOTE_CHARS}]*)[{_QUOTE_CHARS}]|(?P<fword>[^\s{_QUOTE_CHARS}]+))"
    rf"|(?P<neg>-?)[{_QUOTE_CHARS}](?P<phrase>[^{_QUOTE_CHARS}]*)[{_QUOTE_CHARS}](?P<star>\*?)"
    rf"|(?P<word>[^\s{_QUOTE_CHARS}]+)",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Filter:
    """A metadata restriction such as ``site:bbc`` or ``before:2024-01``."""

    field: str
    value: str
    negated: bool = False


@dataclass(frozen=True)
class Term:
    """A word or phrase to find (a phrase: several words), a prefix when it ended in ``*``, in one
    column when a field filter named it (``headline:``); ``negated`` when it is to be absent."""

    text: str
    prefix: bool = False
    column: str | None = None
    negated: bool = False

    @property
    def fts(self) -> str:
        """The term as an FTS5 expression."""
        quoted = _quoted(self.text, self.prefix)
        return "{" + self.column + "} : " + quoted if self.column else quoted

    @property
    def loose(self) -> str | None:
        """A phrase as the AND of its words (None for a word or a column's term)."""
        words = [] if self.column else _phrase_words(self.text, self.prefix)
        return "(" + " AND ".join(words) + ")" if words else None


@dataclass(frozen=True)
class Query:
    """A parsed query: an FTS5 MATCH expression (None when only filters were given) and filters.

    ``loose`` is the same expression with each phrase split into its words, ANDed: it matches
    every article ``match`` matches (and more), without checking word positions. None when
    it would be ``match`` itself. ``terms`` holds each word and phrase to find (not those
    excluded), as FTS5 expressions. ``groups`` (ANDed, each an OR of terms) and ``excluded``
    are the same query as terms, for engines other than FTS5 (pgquery.py).
    """

    match: str | None
    filters: list[Filter] = field(default_factory=list)
    loose: str | None = None
    terms: list[str] = field(default_factory=list)
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()


def parse_query(text: str) -> Query:
    """Parse a user's query, or raise QueryError if it cannot mean anything or is too long."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text):,} characters long (at most {MAX_QUERY_CHARS:,})"
        )
    terms: list[Term | str] = []
    filters: list[Filter] = []
    negate_next = False
    for match in _TOKEN.finditer(text):
        word = match.group("word")
        if word in ("OR", "|"):
            terms.append("OR")
        elif word in ("NOT", "AND"):
            negate_next = word == "NOT"
            continue
        elif match.group("field"):
            _add_field(match, negate_next, terms, filters)
        else:
            term = _term(match, negate_next)
            if term:
                terms.append(term)
        negate_next = False
    groups, excluded = _groups(terms)
    if not groups and not filters:
        raise QueryError(f"{text!r}: nothing to search for (give at least one word to find)")
    expression, loose = _expression(groups, excluded), _expression(groups, excluded, loose=True)
    found = [term.fts for term in terms if isinstance(term, Term) and not term.negated]
    found = list(dict.fromkeys(found))  # a word given twice is looked for once
    return Query(
        expression, filters, None if loose == expression else loose, found, groups, excluded
    )


def build_match(text: str) -> str:
    """The FTS5 expression for a query of words only."""
    query = parse_query(text)
    if query.match is None:
        raise QueryError(f"{text!r}: nothing to search for (give at least one word to find)")
    return query.match


def _add_field(match: re.Match, negate: bool, terms: list, filters: list[Filter]) -> None:
    name = match.group("field").lower()
    value = (match.group("fphrase") or match.group("fword") or "").strip()
    negated = negate or bool(match.group("fneg"))
    if name in DATE_FIELDS:
        value = check_date(value, f"{name}:")
    elif not re.search(r"\w", value):
        raise QueryError(f"'{name}:{value}': the {name} filter needs a word to look for")
    if name in COLUMN_FIELDS:
        terms.append(Term(value.rstrip("*"), value.endswith("*"), COLUMN_FIELDS[name], negated))
        return
    filters.append(Filter(name, value, negated))


def _term(match: re.Match, negate: bool) -> Term | None:
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
    return Term(text, prefix, negated=negate)


def _quoted(text: str, prefix: bool) -> str:
    return '"' + text.replace('"', '""') + '"' + ("*" if prefix else "")


def _phrase_words(text: str, prefix: bool) -> list[str]:
    """A phrase's words, each quoted for FTS5; empty for a single word.

    Each part is a run of the phrase between spaces, so its tokens are a run of the phrase's
    tokens whatever the tokenizer does with punctuation: a row matching the phrase always
    matches every part."""
    parts = [part for part in text.split() if re.search(r"\w", part)]
    if len(parts) < 2:
        return []
    return [_quoted(part, False) for part in parts[:-1]] + [_quoted(parts[-1], prefix)]


def _groups(terms: list[Term | str]) -> tuple[tuple[tuple[Term, ...], ...], tuple[Term, ...]]:
    """The terms as an AND of OR-groups, and the negated terms: ``a OR b c -d`` is ((a, b),
    (c,)) and (d,). A term or group given twice is kept once."""
    clauses: list[list[Term]] = []
    negatives: list[Term] = []
    join_next = False
    for term in terms:
        if term == "OR":
            join_next = bool(clauses)
        elif term.negated:
            negatives.append(term)
        elif join_next:
            clauses[-1].append(term)
            join_next = False
        else:
            clauses.append([term])
    if not clauses and negatives:
        raise QueryError("only excluded words: give at least one word to find")
    groups = tuple(dict.fromkeys(tuple(dict.fromkeys(clause)) for clause in clauses))
    return groups, tuple(dict.fromkeys(negatives))


def _expression(
    groups: tuple[tuple[Term, ...], ...], excluded: tuple[Term, ...], loose: bool = False
) -> str | None:
    """The FTS5 expression ((a OR b) AND c) NOT d. ``loose`` puts phrases as their words
    (negated ones stay phrases, so the result still matches more)."""
    if not groups:
        return None
    expression = " AND ".join(
        _alternatives(tuple(dict.fromkeys((loose and term.loose) or term.fts for term in group)))
        for group in groups
    )
    negatives = [term.fts for term in excluded]
    return " NOT ".join([f"({expression})", *negatives]) if negatives else expression


def _alternatives(clause: tuple[str, ...]) -> str:
    return clause[0] if len(clause) == 1 else "(" + " OR ".join(clause) + ")"


def check_date(value: str | None, option: str) -> str | None:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD; anything else is a QueryError naming the option."""
    if value is None:
        return None
    text = value.strip()
    if not _DATE.match(text) or not _real_date(text):
        raise QueryError(f"{option} {value!r}: not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return text


def _real_date(text: str) -> bool:
    """2024-02-30 and 2024-13 have the right shape but name no day."""
    try:
        date.fromisoformat((text + "-01-01")[:10])
    except ValueError:
        return False
    return True
