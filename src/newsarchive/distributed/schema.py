"""The queue's tables in the archive's PostgreSQL database: procrastinate's jobs and our hosts.

Applied on first use by whoever gets there first (an enqueue, a worker, ``newsarchive queue``),
under a transaction-level advisory lock so that machines starting together apply it once.
"""

from __future__ import annotations

import psycopg
from procrastinate.schema import SchemaManager

from newsarchive.engines.postgres import CONNECTION_SETTINGS, display_url, error_cause
from newsarchive.errors import ArchiveError
from newsarchive.store import open_archive

# Any constant of our own: the lock only has to differ from other users' advisory locks.
SCHEMA_LOCK = 0x6E657773  # "news"

# When each host may next be asked, how many of its answers in a row said "slow down", and
# who holds its lease until when (distributed/hosts.py). The ALTER brings a table made before
# leases up to date.
HOSTS_TABLE = """
CREATE TABLE IF NOT EXISTS newsarchive_hosts (
    host text PRIMARY KEY,
    next_allowed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    strikes integer NOT NULL DEFAULT 0
);
ALTER TABLE newsarchive_hosts
    ADD COLUMN IF NOT EXISTS busy_until timestamptz,
    ADD COLUMN IF NOT EXISTS holder text
"""


def require_archive(location: str) -> None:
    """Refuse in one line a database that holds no archive, or one from a newer newsarchive:
    the queue goes only into an archive."""
    open_archive(location, create=False).close()


def connect(location: str) -> psycopg.Connection:
    """An autocommit connection to the database at ``location``; one that cannot be opened is
    an ArchiveError naming the database (never its password) and why, in one line."""
    try:
        return psycopg.connect(location, autocommit=True, **CONNECTION_SETTINGS)
    except psycopg.Error as error:
        raise ArchiveError(f"{display_url(location)}: cannot open: {error_cause(error)}") from error


def has_queue(conn: psycopg.Connection) -> bool:
    """Whether the queue's tables are in the database."""
    found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
    return found is not None and found[0] is not None


def ensure_queue_schema(location: str) -> None:
    """Create the queue's tables in the database at ``location`` unless they are there."""
    with connect(location) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        if not has_queue(conn):
            conn.execute(SchemaManager.get_schema())
        conn.execute(HOSTS_TABLE)
