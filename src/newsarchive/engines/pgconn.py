"""A psycopg 3 connection with the face of a ``sqlite3.Connection``, so the SQL both engines
share runs on PostgreSQL unchanged (see engines/__init__.py for what that SQL may use).

The connection is in autocommit mode: a statement outside ``Archive.transaction()`` is a
transaction of its own, and a write transaction is opened and closed with plain ``BEGIN`` and
``COMMIT`` statements, as the store does on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import pq

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT OR IGNORE INTO", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
# A string constant or a quoted identifier, its quote doubled inside: no placeholder there.
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_IGNORE_CONFLICTS = "ON CONFLICT DO NOTHING"

Params = Sequence[Any] | Mapping[str, Any]
_NO_TRANSACTION = (pq.TransactionStatus.IDLE, pq.TransactionStatus.UNKNOWN)


@lru_cache(maxsize=512)
def postgres_sql(sql: str, named: bool = False) -> str:
    """``sql`` as psycopg takes it: ``%`` doubled (everywhere: psycopg reads quoted text too),
    ``?`` (or, with ``named``, ``:name``) outside quotes made a psycopg placeholder,
    ``INSERT OR IGNORE`` made ``ON CONFLICT DO NOTHING``."""
    text = _outside_quotes(sql.replace("%", "%%"), _named_placeholders if named else _placeholders)
    return _ignoring_conflicts(text) if _INSERT_OR_IGNORE.match(text) else text


def _placeholders(sql: str) -> str:
    return sql.replace("?", "%s")


def _named_placeholders(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql)


def _outside_quotes(sql: str, rewrite: Callable[[str], str]) -> str:
    """``sql`` with ``rewrite`` applied to each stretch of it outside quotes."""
    parts, start = [], 0
    for quoted in _QUOTED.finditer(sql):
        parts += [rewrite(sql[start : quoted.start()]), quoted.group()]
        start = quoted.end()
    return "".join([*parts, rewrite(sql[start:])])


def _ignoring_conflicts(sql: str) -> str:
    """An ``INSERT OR IGNORE`` as PostgreSQL says it: ON CONFLICT DO NOTHING before any
    RETURNING clause, or at the end (with a trailing semicolon dropped: the clause must follow
    the statement, and psycopg runs one statement either way)."""
    text = _INSERT_OR_IGNORE.sub("INSERT INTO", sql, count=1).rstrip().removesuffix(";").rstrip()
    clause = f"{_IGNORE_CONFLICTS} RETURNING"
    placed = _outside_quotes(text, lambda part: _RETURNING.sub(clause, part, count=1))
    return placed if placed != text else f"{text} {_IGNORE_CONFLICTS}"


class PgConnection:
    """``execute``, ``executemany``, ``in_transaction`` and ``IntegrityError``, as shared code
    uses them on sqlite3 (engines.Connection); ``raw`` is the psycopg connection itself."""

    IntegrityError = psycopg.IntegrityError

    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw
        raw.autocommit = True

    def execute(self, sql: str, params: Params = ()) -> psycopg.Cursor:
        named = isinstance(params, Mapping)
        return self.raw.execute(postgres_sql(sql, named), params if named else tuple(params))

    def executemany(self, sql: str, rows: Iterable[Params]) -> psycopg.Cursor:
        """No rows, no round trip to the server (a save's empty lists of quotes, blocks...)."""
        cursor = self.raw.cursor()
        values = [tuple(row) for row in rows]
        if values:
            cursor.executemany(postgres_sql(sql), values)
        return cursor

    @property
    def in_transaction(self) -> bool:
        """False on a lost connection (status UNKNOWN): the server ended its transaction, and
        there is nothing left to roll back (a ROLLBACK would only raise)."""
        return self.raw.info.transaction_status not in _NO_TRANSACTION

    def close(self) -> None:
        self.raw.close()
