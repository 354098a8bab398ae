"""Where an archive lives chooses its engine: a ``postgresql://`` (or ``postgres://``) URL is a
PostgreSQL database, anything else the path of a SQLite file.

This is the seam between the store and the databases. ``store.Archive`` does everything an
archive does (saving, versions, captures, failures, tags, reading) with SQL that both engines
run; an engine holds only what differs between them: connecting and migrating, the statement
that opens a write transaction, locking, the SQL fragments that have no common form, and the
size on disk. Modules that keep their own rows (tags, notes, deletion, ...) write the same
shared SQL through ``archive.conn`` and ``archive.transaction()``.

Shared SQL is written as SQLite reads it, with ``?`` or ``:name`` placeholders. On PostgreSQL
the connection adaptor (``engines.pgconn``) rewrites the placeholders, doubles a literal
``%`` and turns ``INSERT OR IGNORE`` into ``ON CONFLICT DO NOTHING``; nothing else. So shared
SQL keeps to what both databases understand: ``RETURNING id`` rather than ``lastrowid``,
``TRUE`` rather than ``1`` as a condition, no ``json_group_array``/``json_each``, no numbered
``?1`` placeholders. What cannot be said so goes through the engine (``url_host``,
``child_tables``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

T = TypeVar("T")

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# The largest integer either engine stores (SQLite's INTEGER, PostgreSQL's bigint): a larger
# id names no row, and as a LIMIT it means no limit.
MAX_INTEGER = 2**63 - 1
# Values given to one ``IN (?, ...)``: well under SQLite's limit of 32,766 parameters.
VALUES_PER_IN = 1000
SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class Connection(Protocol):
    """What shared code uses of a connection: ``sqlite3.Connection`` has it, and so has
    ``engines.pgconn.PgConnection``."""

    IntegrityError: type[Exception]

    def execute(self, sql: str, params: Any = ..., /) -> Any: ...

    def executemany(self, sql: str, rows: Iterable[Any], /) -> Any: ...

    @property
    def in_transaction(self) -> bool: ...


class Engine(Protocol):
    """What the store needs of a database beyond the SQL both engines share."""

    kind: str  # SQLITE or POSTGRESQL
    name: str  # the archive as messages name it (a URL shown without its password)
    path: Path | None  # the SQLite file; None on PostgreSQL
    conn: Connection
    begin: str  # the statement that opens a write transaction
    # The errors that mean the archive cannot be written now (busy, read-only, disk full):
    # a write that meets one is rolled back and becomes an ArchiveError.
    write_errors: tuple[type[Exception], ...]
    # The errors after which the same transaction, run again, may pass: PostgreSQL ends one
    # of two transactions that wait for each other (a deadlock) and lets the other go on.
    transient_errors: tuple[type[Exception], ...]

    def close(self) -> None: ...

    def schema_version(self) -> str:
        """The name of the last migration applied."""
        ...

    def lock_keys(self, keys: Iterable[str]) -> None:
        """Inside a write transaction: keep other writers off these URL keys until it ends."""
        ...

    def after_save(self, articles: int) -> None:
        """Inside the transaction that saved ``articles`` articles: the engine's upkeep."""
        ...

    def size_bytes(self) -> int: ...

    def url_host(self, column: str) -> str:
        """SQL for the lower-cased host of the URL in ``column`` ('' for a URL without one)."""
        ...

    def columns(self, table: str) -> list[str]:
        """The columns of ``table`` a row is written with (not the generated ones), in order."""
        ...

    def child_tables(self) -> list[tuple[str, str]]:
        """Each (table, column) whose column points at an article's id, by table name."""
        ...

    def insert_rows(
        self, table: str, columns: list[str], rows: list[list[Any]], how: Insert
    ) -> list[tuple]:
        """Insert ``rows`` (values of ``columns``) into ``table`` in one statement, in their
        order; what ``how.returning`` names of each row inserted."""
        ...

    def forbid_writes(self) -> None:
        """Refuse any write on this connection from now on (a read-only reader)."""
        ...

    def bulk_writes(self) -> AbstractContextManager[None]:
        """Many saves in a row (an import, a copy): what the engine does differently for them."""
        ...


def marks(values: Sequence[Any]) -> str:
    """One ``?`` placeholder per value, for ``IN (...)``."""
    return ", ".join("?" for _ in values)


@dataclass(frozen=True)
class Insert:
    """How ``Engine.insert_rows`` inserts: ``ignore_conflicts``, a row that would conflict
    with one the table has is left out (INSERT OR IGNORE); ``returning``, the columns read
    back of each row inserted (none: nothing is read)."""

    ignore_conflicts: bool = False
    returning: tuple[str, ...] = ()

    def clause(self) -> str:
        return f" RETURNING {', '.join(self.returning)}" if self.returning else ""


def chunked(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in runs of at most VALUES_PER_IN, one ``IN (...)`` each."""
    for start in range(0, len(values), VALUES_PER_IN):
        yield values[start : start + VALUES_PER_IN]


def is_postgres_url(location: str | Path) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def connect_engine(
    location: str | Path, *, read_only: bool, create: bool, pool: ConnectionPool | None = None
) -> Engine:
    """The engine for ``location``, connected and migrated. psycopg is imported only for a
    PostgreSQL URL, so the SQLite default starts as fast as before. ``pool``: for a
    PostgreSQL URL, a pool of connections to it (engines.postgres.connection_pool)."""
    if is_postgres_url(location):
        from newsarchive.engines.postgres import PostgresEngine

        return PostgresEngine(str(location), read_only=read_only, create=create, pool=pool)
    from newsarchive.engines.sqlite import SqliteEngine

    return SqliteEngine(Path(location), read_only=read_only, create=create)
