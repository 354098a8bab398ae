"""The queue's tables in the archive's PostgreSQL database: procrastinate's jobs and our hosts.

Applied on first use by whoever gets there first (an enqueue, a worker, ``newsarchive queue``),
under a transaction-level advisory lock so that machines starting together apply it once.
"""

from __future__ import annotations

import psycopg
from procrastinate.schema import SchemaManager

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


def ensure_queue_schema(location: str) -> None:
    """Create the queue's tables in the database at ``location`` unless they are there."""
    with psycopg.connect(location) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if found is None or found[0] is None:
            conn.execute(SchemaManager.get_schema())
        conn.execute(HOSTS_TABLE)
