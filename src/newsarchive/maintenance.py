"""Keeping an archive healthy: integrity checks, rebuilding the search index, live backups."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive.engines import Connection
from newsarchive.errors import ArchiveError, InputError
from newsarchive.files import temporary_file
from newsarchive.store import Archive

log = logging.getLogger(__name__)

FTS_TABLES = ("articles_fts", "quotes_fts", "speakers_fts", "notes_fts", "article_versions_fts")


@dataclass(frozen=True)
class Check:
    """One check run on the archive and what it found (``problems`` is empty when it passed)."""

    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Report:
    """The checks run on an archive, in order."""

    path: str
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def check(archive: Archive) -> Report:
    """SQLite's ``integrity_check`` on the file, then FTS5's check that each search index matches
    the rows it indexes. On PostgreSQL, which keeps its foreign keys and search vectors itself:
    that every table of the archive is there and every index usable."""
    if archive.path is None:
        return Report(archive.name, [_tables(archive), _valid_indexes(archive.conn)])
    checks = [_integrity(archive.conn), _foreign_keys(archive.conn)]
    checks += [_fts_integrity(archive.conn, table) for table in FTS_TABLES]
    return Report(str(archive.path), checks)


def _tables(archive: Archive) -> Check:
    present = (
        "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_name = ?"
    )
    missing = [
        table for table in ARCHIVE_TABLES if not archive.conn.execute(present, [table]).fetchone()
    ]
    return Check("tables", [f"table {table} is missing (restore a dump)" for table in missing])


def _valid_indexes(conn: Connection) -> Check:
    """An index left unusable (a CREATE INDEX CONCURRENTLY that failed) is one to rebuild."""
    rows = conn.execute(_INVALID_INDEXES).fetchall()
    return Check("indexes", [f"index {index} of {table} is not usable" for index, table in rows])


ARCHIVE_TABLES = (
    "articles",
    "article_urls",
    "article_versions",
    "capture_times",
    "captures",
    "failures",
    "notes",
    "paragraph_digests",
    "quotes",
    "refreshes",
    "removed_blocks",
    "site_hosts",
    "speakers",
    "tags",
)
_INVALID_INDEXES = (
    "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text FROM pg_index i"
    " JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = current_schema()::regnamespace"
    " AND NOT (i.indisvalid AND i.indisready) ORDER BY 1"
)


def _integrity(conn: sqlite3.Connection) -> Check:
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        return Check("integrity_check", [str(error)])
    return Check("integrity_check", [] if rows == ["ok"] else rows)


def _foreign_keys(conn: sqlite3.Connection) -> Check:
    try:
        rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as error:
        return Check("foreign_key_check", [str(error)])
    return Check(
        "foreign_key_check",
        [f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in rows],
    )


def _fts_integrity(conn: sqlite3.Connection, table: str) -> Check:
    """``rank = 1`` makes FTS5 also compare the index with the content table it mirrors."""
    name = f"{table} index"
    try:
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as error:
        return Check(name, [f"{error} (repair: newsarchive doctor --repair)"])
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    return Check(name)


def repair(archive: Archive, progress: Callable[[int, int], None] | None = None) -> Report:
    """Rebuild the full-text indexes from the rows they mirror, then check again.
    ``progress(done, total)`` is called as each index is rebuilt. On PostgreSQL, the tables
    whose indexes are not usable are reindexed."""
    if archive.path is None:
        return _reindex(archive, progress)
    conn = archive.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        for done, table in enumerate(FTS_TABLES, start=1):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
            if progress:
                progress(done, len(FTS_TABLES))
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise ArchiveError(f"{archive.path}: cannot rebuild the search index: {error}") from error
    log.info("rebuilt %s in %s", ", ".join(FTS_TABLES), archive.path)
    return check(archive)


def _reindex(archive: Archive, progress: Callable[[int, int], None] | None) -> Report:
    tables = sorted({table for _, table in archive.conn.execute(_INVALID_INDEXES)})
    for done, table in enumerate(tables, start=1):
        try:
            archive.conn.execute(f"REINDEX TABLE {table}")
        except archive.engine.write_errors as error:
            raise ArchiveError(
                f"{archive.name}: cannot rebuild {table}'s indexes: {error}"
            ) from error
        if progress:
            progress(done, len(tables))
    return check(archive)


@dataclass(frozen=True)
class Backup:
    """A backup written: where, and how many articles the copy holds."""

    path: Path
    articles: int


def backup(archive: Archive, target: str | Path, *, overwrite: bool = False) -> Backup:
    """Copy the archive, consistently even while others write to it, into ``target``.

    Uses SQLite's online backup API into a temporary file beside ``target``, checks the copy,
    then renames it into place: ``target`` is either the complete copy or untouched. The copy
    is a single self-contained file (rollback journal, not WAL).
    """
    if archive.path is None:
        raise InputError(
            f"{archive.name}: backup copies a SQLite file; back up a PostgreSQL archive with"
            " pg_dump (pg_dump -Fc DBNAME > news.dump)"
        )
    destination = Path(target)
    _check_target(archive, destination, overwrite)
    handle, temporary = temporary_file(destination.parent, ".backup-", ".db")
    os.close(handle)
    try:
        articles = _copy(archive.conn, temporary)
        os.replace(temporary, destination)
    except (OSError, sqlite3.Error) as error:
        raise ArchiveError(f"{destination}: backup failed: {error}") from error
    finally:
        Path(temporary).unlink(missing_ok=True)
    return Backup(destination, articles)


def _check_target(archive: Archive, destination: Path, overwrite: bool) -> None:
    if destination.is_dir():
        raise InputError(f"{destination}: is a folder; give a file name for the backup")
    if destination.exists() and destination.resolve() == archive.path.resolve():
        raise InputError(f"{destination}: is the archive itself; give another file name")
    beside = {Path(f"{archive.path.resolve()}{suffix}") for suffix in ("-wal", "-shm", "-journal")}
    if destination.resolve() in beside:
        raise InputError(f"{destination}: is a file of the archive itself; give another file name")
    if destination.exists() and not overwrite:
        raise InputError(f"{destination}: already exists (use --force to replace it)")
    if not destination.parent.is_dir():
        raise InputError(f"{destination.parent}: no such folder")


def _copy(source: sqlite3.Connection, path: str) -> int:
    """Copy and check the archive; return how many articles the copy holds."""
    copy = sqlite3.connect(path)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(f"the copy fails its integrity check ({result})")
        return copy.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        copy.close()
