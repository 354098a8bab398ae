"""The PostgreSQL engine: an archive shared by many people and processes, on a server.

The database must exist (``createdb news``); opening it applies pending migrations
(engines/pgschema.py) under an advisory lock, so processes opening a new archive together
build it once. A write transaction is a plain ``BEGIN`` at READ COMMITTED: where SQLite's
``BEGIN IMMEDIATE`` lets one writer in at a time, here writers run side by side, and each save
first takes a transaction-level advisory lock on every URL key it files the article under
(``lock_keys``, in sorted order, so two saves never wait on each other in a circle). Two
workers saving the same page then file it once, one after the other.

A process that opens the archive again and again (the reader, one connection per request)
takes its connections from a pool (``connection_pool``) instead of connecting each time: an
archive opened from a pool is not migrated again, since the process migrated it when it
first opened it.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import psycopg.errors
from psycopg_pool import ConnectionPool, PoolTimeout

from newsarchive.engines import POSTGRESQL, Insert
from newsarchive.engines.pgconn import PgConnection
from newsarchive.engines.pgschema import MIGRATIONS_TABLE, STEPS, step_names
from newsarchive.errors import ArchiveError, InputError

# What every connection is opened with: a server that does not answer within 10 s is given
# up on, and a connection whose other end vanished (a machine gone, a network cut) is noticed
# after about a minute of silence rather than the system's two hours.
CONNECTION_SETTINGS = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
POOL_SIZE = 8  # connections a pool keeps open at most: requests served at once
# The advisory lock held while migrating (any number that no other lock of ours uses).
MIGRATION_LOCK = 0x6E61_0001


class PostgresEngine:
    """A PostgreSQL database holding an archive, connected and migrated."""

    kind = POSTGRESQL
    begin = "BEGIN"
    write_errors = (psycopg.OperationalError, psycopg.errors.ReadOnlySqlTransaction)
    transient_errors = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)
    path = None

    def __init__(
        self, url: str, *, read_only: bool, create: bool, pool: ConnectionPool | None = None
    ) -> None:
        """``create=False``: a database without an archive in it is an InputError, as a
        missing file is on SQLite. ``read_only`` changes nothing on a server, which can
        always be written (a reader forbids writes with ``forbid_writes``). ``pool``: take
        the connection from it (and give it back on close) rather than connecting."""
        self.url = url
        self.name = display_url(url)
        self.read_only = read_only
        self.pool = pool
        self._columns: dict[str, dict[str, tuple[str, bool]]] = {}
        if pool is not None:
            self.conn = PgConnection(self._borrow(pool))
            return
        self.conn = PgConnection(connect(url))
        try:
            self._migrate(create)
        except psycopg.Error as error:
            self.close()
            raise ArchiveError(
                f"{self.name}: not a usable archive: {error_cause(error)}"
            ) from error
        except BaseException:
            self.close()
            raise

    def _borrow(self, pool: ConnectionPool) -> psycopg.Connection:
        try:
            return pool.getconn()
        except PoolTimeout as error:
            raise ArchiveError(f"{self.name}: no connection to be had: {error}") from error

    def _migrate(self, create: bool) -> None:
        applied = self._applied()
        if not applied and not create:
            raise InputError(
                f"{self.name}: no archive there (newsarchive add or import creates one)"
            )
        newer = [name for name in applied if name not in step_names()]
        if newer:
            raise ArchiveError(
                f"{self.name}: made by a newer newsarchive (schema {newer[-1]});"
                " upgrade newsarchive to open it"
            )
        if len(applied) < len(STEPS):
            self._apply_pending()

    def _applied(self) -> list[str]:
        exists = self.conn.execute("SELECT to_regclass(?)", [MIGRATIONS_TABLE]).fetchone()[0]
        if exists is None:
            return []
        rows = self.conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY id")
        return [name for (name,) in rows]

    def _apply_pending(self) -> None:
        """Every step not applied yet, with its record, in one transaction; under the lock,
        another process that got there first leaves nothing to do."""
        raw = self.conn.raw
        with raw.transaction():
            raw.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            raw.execute(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (id serial PRIMARY KEY,"
                " name text NOT NULL UNIQUE, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            applied = {name for (name,) in raw.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
            for name, sql in STEPS:
                if name not in applied:
                    raw.execute(sql)
                    raw.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name) VALUES (%s)", [name])

    def schema_version(self) -> str:
        applied = self._applied()
        return applied[-1] if applied else ""

    def close(self) -> None:
        if self.pool is None:
            self.conn.close()
        else:
            self.pool.putconn(self.conn.raw)

    def lock_keys(self, keys: Iterable[str]) -> None:
        """In one statement: the locks are taken in the array's order, which is sorted."""
        self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(key, 0))"
            " FROM unnest(?::text[]) WITH ORDINALITY AS k (key, n) ORDER BY n",
            [sorted(set(keys))],
        )

    def after_save(self, articles: int) -> None:
        """Nothing to do: the search vector and its index follow each row."""

    def size_bytes(self) -> int:
        return self.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]

    def url_host(self, column: str) -> str:
        return f"newsarchive_url_host({column})"

    def columns(self, table: str) -> list[str]:
        return [name for name, (_, generated) in self._catalog(table).items() if not generated]

    def insert_rows(
        self, table: str, columns: list[str], rows: list[list[Any]], how: Insert
    ) -> list[tuple]:
        """An array of each column's values, unnested, sent in binary: a short statement,
        the same for any number of rows, where a VALUES list takes a placeholder a value
        (which psycopg parses, a long statement at a time, uncached) and text arrays are
        escaped by psycopg and parsed by the server, value by value."""
        types = self._catalog(table)
        arrays = ", ".join(f"%b::{types[name][0]}[]" for name in columns)
        conflicts = " ON CONFLICT DO NOTHING" if how.ignore_conflicts else ""
        cursor = self.conn.raw.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"
            f"{conflicts}{how.clause()}",
            [list(values) for values in zip(*rows, strict=True)],
        )
        return cursor.fetchall() if how.returning else []

    def _catalog(self, table: str) -> dict[str, tuple[str, bool]]:
        """Each column of ``table`` in order: its type as SQL names it, and whether it is
        generated. Read once per connection (the schema changes only as it is opened)."""
        if table not in self._columns:
            rows = self.conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod), attgenerated <> ''"
                " FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0"
                " AND NOT attisdropped ORDER BY attnum",
                [table],
            )
            self._columns[table] = {name: (kind, generated) for name, kind, generated in rows}
        return self._columns[table]

    def child_tables(self) -> list[tuple[str, str]]:
        sql = (
            "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " WHERE c.contype = 'f' AND c.confrelid = 'articles'::regclass ORDER BY 1"
        )
        return self.conn.execute(sql).fetchall()

    def forbid_writes(self) -> None:
        self.conn.execute("SET default_transaction_read_only = on")

    def bulk_writes(self) -> AbstractContextManager[None]:
        """Nothing differs. (Letting the search index's pending list grow to 64 MB during a
        copy, and merging it at the end, saved no time: bench/copying.py, 10,000 articles, 20.3 s
        with the 4 MB default against 24.7 s, a loaded machine.)"""
        return nullcontext()


def connect(url: str) -> psycopg.Connection:
    """A connection to the database at ``url``; a server that cannot be reached, a database
    that does not exist or a refused password is an ArchiveError naming the URL and the cause."""
    try:
        return psycopg.connect(url, **CONNECTION_SETTINGS)
    except psycopg.Error as error:
        raise ArchiveError(
            f"{display_url(url)}: cannot open archive: {error_cause(error)}"
        ) from error


def connection_pool(url: str) -> ConnectionPool:
    """Up to POOL_SIZE connections to the database at ``url``, opened as needed and kept for
    reuse; each is given back as it was taken (autocommit, settings reset), and checked before
    it is lent, so one the server closed (a restart) is replaced, not lent. Close it when done."""
    pool: ConnectionPool = ConnectionPool(
        url,
        min_size=1,
        max_size=POOL_SIZE,
        open=True,
        kwargs={"autocommit": True, **CONNECTION_SETTINGS},
        check=lambda conn: _check(pool, conn),
        reset=_reset,
        name=display_url(url),
    )
    return pool


def _check(pool: ConnectionPool, conn: psycopg.Connection) -> None:
    """Raise if ``conn`` no longer works; then check every idle connection of the pool too.
    One the server closed means it probably closed them all (a restart), and the pool would
    otherwise try them one by one with a growing wait between tries (1 s, 2 s, 4 s...): with
    eight closed connections, past its 30 s timeout."""
    try:
        ConnectionPool.check_connection(conn)
    except psycopg.Error:
        pool.check()
        raise


def _reset(conn: psycopg.Connection) -> None:
    """Undo what a borrower set on the connection (``forbid_writes``)."""
    conn.execute("RESET ALL")


def display_url(url: str) -> str:
    """The URL without its password (in the address or as a ``password=`` parameter); a URL
    that is not one (``postgresql://[::1``) is an InputError."""
    try:
        parts = urlsplit(url)
    except ValueError as error:  # shown without what follows the scheme: it may hold a password
        scheme = url.partition("://")[0]
        raise InputError(f"{scheme}://...: not a valid URL: {error}") from error
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def error_cause(error: psycopg.Error) -> str:
    """psycopg's message in one line, without its "connection failed:" preamble."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return first.removeprefix("connection failed: ").replace("FATAL:  ", "")
