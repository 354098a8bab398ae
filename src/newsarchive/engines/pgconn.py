"""A psycopg 3 connection with the face of a ``sqlite3.Connection``, so the SQL both engines
share runs on PostgreSQL unchanged (see engines/__init__.py for what that SQL may use).

The connection is in autocommit mode: a statement outside ``Archive.transaction()`` is a
transaction of its own, and a write transaction is opened and closed with plain ``BEGIN`` and
``COMMIT`` statements, as the store does on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import pq

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT OR IGNORE INTO", re.IGNORECASE)

Params = Sequence[Any] | Mapping[str, Any]
_NO_TRANSACTION = (pq.TransactionStatus.IDLE, pq.TransactionStatus.UNKNOWN)


@lru_cache(maxsize=512)
def postgres_sql(sql: str, named: bool = False) -> str:
    """``sql`` as psycopg takes it: ``%`` doubled, ``?`` (or, with ``named``, ``:name``) made
    a psycopg placeholder, ``INSERT OR IGNORE`` made ``ON CONFLICT DO NOTHING``."""
    text = sql.replace("%", "%%")
    text = _NAMED.sub(r"%(\1)s", text) if named else text.replace("?", "%s")
    if _INSERT_OR_IGNORE.match(text):
        text = _INSERT_OR_IGNORE.sub("INSERT INTO", text) + " ON CONFLICT DO NOTHING"
    return text


class PgConnection:
    """``execute``, ``executemany``, ``in_transaction`` and the DB-API error classes, as the
    store uses them on sqlite3; ``raw`` is the psycopg connection itself."""

    Error = psycopg.Error
    DatabaseError = psycopg.DatabaseError
    OperationalError = psycopg.OperationalError
    IntegrityError = psycopg.IntegrityError
    ProgrammingError = psycopg.ProgrammingError

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
