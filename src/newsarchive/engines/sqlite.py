"""The SQLite engine: one file, the default. What the store needs of it beyond shared SQL.

Every write is one ``BEGIN IMMEDIATE`` transaction, so a crash or Ctrl-C leaves the archive
either unchanged or fully updated, and two writers queue on the busy timeout instead of
failing half-way.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.engines import SQLITE, Insert, marks
from newsarchive.errors import ArchiveError, InputError
from newsarchive.migrations import (
    GROWING_INDEXES,
    applied_names,
    migration_set,
    step_names,
    url_host,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 30.0
# Reads go through a memory map of the file's first 2 GiB (SQLite caps it there), not read()
# into SQLite's 2 MB page cache: a search walks long doclists, and copying their pages in again
# and again was a fifth to a quarter of its time (query mix CPU p50, 100k: 8.3 -> 6.1 ms; 1M:
# 39.4 -> 32.4 ms).
MMAP_BYTES = 2**31
# The merge work each save asks of the full-text indexes that grow with every article saved, in
# index pages per article (an article takes about 1.3 pages of articles_fts). FTS5
# leaves an index in more segments as it grows (24 at a million articles), and a word is looked
# up in each: the search benchmark's query mix took 13% less CPU on that index in one or two.
# See ``tidy_search_indexes``.
TIDY_PAGES_PER_ARTICLE = 16


class SqliteEngine:
    """An archive file. Opening it creates it if needed and applies pending migrations."""

    kind = SQLITE
    begin = "BEGIN IMMEDIATE"  # concurrent writers wait for each other, never deadlock
    write_errors = (sqlite3.OperationalError,)
    transient_errors = ()  # one writer at a time: none wait for each other

    def __init__(self, path: Path, *, read_only: bool, create: bool) -> None:
        """``read_only``: the caller only reads, so an archive on read-only storage (a CD, a
        read-only mount) may be opened as it is. ``create=False``: a missing file is an
        InputError (a mistyped path must not become a new empty archive with its folders)."""
        self.path = path
        self.name = str(path)
        if not create and not path.exists():
            raise InputError(f"{path}: no archive there (newsarchive add or import creates one)")
        self.read_only = read_only
        self.unchangeable = False
        self._columns: dict[str, list[str]] = {}
        self.conn = self._connect()
        self._migrate()

    @cached_property
    def db(self) -> Database:
        """The file through sqlite-utils, for migrating. Imported on first use: a command that
        only reads (search, show) goes through ``conn`` and starts faster."""
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False)

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_SECONDS)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA recursive_triggers=on")  # as sqlite-utils' Database sets it
            conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        except (OSError, sqlite3.Error) as error:
            if self.read_only and self.path.is_file() and _read_only_place(self.path):
                return self._connect_unchangeable(error)
            cause = _open_cause(self.path, error)
            raise ArchiveError(f"{self.path}: cannot open archive: {cause}") from error
        return conn

    def _connect_unchangeable(self, error: Exception) -> sqlite3.Connection:
        """On read-only storage SQLite cannot create the WAL's shared-memory file; opening the
        file as immutable needs none, and is safe there because nothing can change it."""
        try:
            uri = f"{self.path.resolve().as_uri()}?immutable=1"
            conn = sqlite3.connect(uri, uri=True)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as second:
            cause = _open_cause(self.path, error)
            raise ArchiveError(f"{self.path}: cannot open archive: {cause}") from second
        self.unchangeable = True
        return conn

    def _migrate(self) -> None:
        known = set(step_names())
        try:
            applied = set(applied_names(self.conn))
            if applied - known:
                raise ArchiveError(
                    f"{self.path}: made by a newer newsarchive (schema {sorted(applied - known)[-1]});"
                    " upgrade newsarchive to open it"
                )
            if known - applied and self.unchangeable:
                raise ArchiveError(
                    f"{self.path}: made by an older newsarchive and read-only here; copy it to"
                    " writable storage once so it can be upgraded"
                )
            if known - applied:
                self._announce_upgrade(sorted(known - applied))
                migration_set().apply(self.db)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.path}: not a usable archive: {error}") from error

    def _announce_upgrade(self, pending: list[str]) -> None:
        """Say so before upgrading an archive that holds articles: rebuilding its full-text index
        takes minutes at a million articles, which would otherwise look like a hang."""
        holds_articles = "SELECT 1 FROM articles LIMIT 1"
        if self.db["articles"].exists() and self.conn.execute(holds_articles).fetchone():
            log.warning(
                "%s: upgrading the archive for this version of newsarchive (%s), once;"
                " a large archive takes a few minutes",
                self.path,
                ", ".join(pending),
            )

    def schema_version(self) -> str:
        applied = applied_names(self.conn)
        return applied[-1] if applied else ""

    def close(self) -> None:
        self.conn.close()

    def lock_keys(self, keys: Iterable[str]) -> None:
        """Nothing to do: BEGIN IMMEDIATE already keeps every other writer out."""

    def after_save(self, articles: int) -> None:
        tidy_search_indexes(self.conn, articles)

    def size_bytes(self) -> int:
        """The file and its write-ahead log."""
        files = (self.path, Path(f"{self.path}-wal"))
        return sum(path.stat().st_size for path in files if path.exists())

    def url_host(self, column: str) -> str:
        return url_host(column)

    def columns(self, table: str) -> list[str]:
        """Read once per connection: the schema changes only as the archive is opened."""
        if table not in self._columns:
            sql = "SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0"
            self._columns[table] = [name for (name,) in self.conn.execute(sql, [table])]
        return self._columns[table]

    def insert_rows(
        self, table: str, columns: list[str], rows: list[list[Any]], how: Insert
    ) -> list[tuple]:
        verb = "INSERT OR IGNORE" if how.ignore_conflicts else "INSERT"
        values = ", ".join(f"({marks(columns)})" for _ in rows)
        cursor = self.conn.execute(
            f"{verb} INTO {table} ({', '.join(columns)}) VALUES {values}{how.clause()}",
            [value for row in rows for value in row],
        )
        return cursor.fetchall()

    def child_tables(self) -> list[tuple[str, str]]:
        sql = (
            'SELECT m.name, f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f'
            " WHERE m.type = 'table' AND f.\"table\" = 'articles' ORDER BY m.name"
        )
        return self.conn.execute(sql).fetchall()

    def forbid_writes(self) -> None:
        self.conn.execute("PRAGMA query_only = ON")

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Read through SQLite's own small page cache instead of the memory map, for a long
        import: every page a save reads (the rows an update replaces, indexes) would otherwise
        stay mapped into the process, and its memory grow with the archive (450 MB of mapped
        pages at 10,000 WARC records, against 20 MB without)."""
        self.conn.execute("PRAGMA mmap_size=0")
        try:
            yield
        finally:
            with suppress(sqlite3.ProgrammingError):  # closed before the import was finished
                self.conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")


def tidy_search_indexes(conn: sqlite3.Connection, articles: int) -> None:
    """Merge work on the growing full-text indexes after ``articles`` were saved: about
    TIDY_PAGES_PER_ARTICLE pages for each (under a millisecond an article).

    FTS5's incremental merge joins the segments of a level when it holds ``usermerge`` of
    them (2 here, migration m019): done a little after every save, an index stays in a few
    segments however it grows (FTS5's own merging leaves up to 15 on a level)."""
    for table in GROWING_INDEXES:
        conn.execute(
            f"INSERT INTO {table}({table}, rank) VALUES ('merge', ?)",
            [articles * TIDY_PAGES_PER_ARTICLE],
        )


def _read_only_place(path: Path) -> Path | None:
    """The file or folder that stops SQLite writing (read-only file, folder or mount), if any."""
    return next(
        (
            place
            for place in (path, path.parent)
            if place.exists() and not os.access(place, os.W_OK)
        ),
        None,
    )


def _open_cause(path: Path, error: Exception) -> str:
    """SQLite says "unable to open database file" for a read-only file or folder: say which."""
    place = _read_only_place(path)
    if place is None:
        return str(error)
    kind = "folder" if place.is_dir() else "file"
    return f"{error} (the {kind} {place} is read-only; SQLite needs to write beside it)"
