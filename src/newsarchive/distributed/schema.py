"""The queue's tables in the archive's PostgreSQL database: procrastinate's jobs and our hosts.

Applied on first use by whoever gets there first (an enqueue, a worker), under a
transaction-level advisory lock so that machines starting together apply it once. Which
version of procrastinate's schema was applied is recorded (``newsarchive_queue_schema``): a
procrastinate that expects another one (an upgrade brings migrations, which procrastinate
leaves to its users to apply) is refused in one line rather than let loose on tables it does
not know.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from procrastinate.schema import SchemaManager

from newsarchive.engines import postgres
from newsarchive.engines.postgres import display_url
from newsarchive.errors import ArchiveError
from newsarchive.store import open_archive

# Any constant of our own: the lock only has to differ from other users' advisory locks.
SCHEMA_LOCK = 0x6E657773  # "news"

# The version of procrastinate's schema in the database, in one row.
VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS newsarchive_queue_schema (procrastinate_schema text NOT NULL)
"""
# A queue made before versions were recorded (the first newsarchive with a queue) was made
# by procrastinate 3.10, with the schema of this, its newest migration.
UNRECORDED_VERSION = "03.04.00_50_post_add_retry_failed_job_procedure"

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
    conn = postgres.connect(location)
    conn.autocommit = True
    return conn


def has_queue(conn: psycopg.Connection) -> bool:
    """Whether the queue's tables are in the database."""
    found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
    return found is not None and found[0] is not None


def ensure_queue_schema(location: str) -> None:
    """Create the queue's tables in the database at ``location`` unless they are there;
    refuse a queue made with another version of procrastinate's schema than the installed
    procrastinate's."""
    expected = procrastinate_schema_version()
    with connect(location) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        existed = has_queue(conn)
        if not existed:
            conn.execute(SchemaManager.get_schema())
        conn.execute(VERSION_TABLE)
        found = conn.execute("SELECT procrastinate_schema FROM newsarchive_queue_schema").fetchone()
        if found is None:
            applied = UNRECORDED_VERSION if existed else expected
            conn.execute("INSERT INTO newsarchive_queue_schema VALUES (%s)", [applied])
            found = (applied,)
        if found[0] != expected:
            raise ArchiveError(
                f"{display_url(location)}: its job queue has procrastinate's schema {found[0]},"
                f" the installed procrastinate expects {expected}: install the procrastinate"
                " that made it, or apply procrastinate's migrations between the two"
            )
        conn.execute(HOSTS_TABLE)


def procrastinate_schema_version() -> str:
    """The schema the installed procrastinate expects: the name of its newest migration."""
    migrations = Path(SchemaManager.get_migrations_path()).glob("*.sql")
    return max(path.stem for path in migrations)
