"""Politeness per host across every worker on every machine.

A request to a host is made under the host's lease: a row of ``newsarchive_hosts`` claimed
with one conditional UPDATE (``busy_until`` in the future, ``holder`` the claimant) once the
host is free and its pause is over, and released right after the answer, when the host's
next pause starts (``next_allowed_at``). Times are the database's clock (machines' clocks
need not agree). No transaction stays open while the request runs: a worker that dies or
freezes mid-request holds its host only until its lease runs out, which is longer than a
fetch may take (its deadline), so a live worker's request always ends before its lease.

The queue also runs one job per host at a time (procrastinate's job ``lock`` is the host),
which hands free workers the jobs of hosts nobody is fetching from; the lease is what keeps
two requests to a host from overlapping when a job is taken over from a worker presumed dead.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from psycopg_pool import ConnectionPool

from newsarchive.importer.hosts import pause_after

# How often a worker asks again for a host another worker is fetching from (seconds).
BUSY_HOST_POLL = 0.2
# Seconds a lease outlasts the fetch's deadline: time to release it after the answer.
LEASE_MARGIN = 10.0

CLAIM = """
UPDATE newsarchive_hosts
   SET busy_until = clock_timestamp() + make_interval(secs => %(lease)s), holder = %(holder)s
 WHERE host = %(host)s
   AND (busy_until IS NULL OR busy_until < clock_timestamp())
   AND next_allowed_at <= clock_timestamp()
RETURNING strikes
"""
# Seconds until the host's pause is over, and whether another worker holds its lease.
WAIT = """
SELECT greatest(0, extract(epoch FROM next_allowed_at - clock_timestamp()))::float8,
       coalesce(busy_until > clock_timestamp(), false)
  FROM newsarchive_hosts WHERE host = %s
"""
# Only by its holder: a lease that ran out may be another worker's now.
RELEASE = """
UPDATE newsarchive_hosts
   SET busy_until = NULL, holder = NULL, strikes = %(strikes)s,
       next_allowed_at = clock_timestamp() + make_interval(secs => %(pause)s)
 WHERE host = %(host)s AND holder = %(holder)s
"""


@dataclass
class HostTurn:
    """The caller's turn at a host: its "slow down" answers in a row so far (``strikes``);
    the caller sets ``slowed_down`` when this answer said so too."""

    strikes: int
    slowed_down: bool = False


@contextmanager
def host_turn(
    pool: ConnectionPool, host: str, delay: float, max_pause: float, lease: float
) -> Iterator[HostTurn]:
    """Wait until ``host`` is free and its pause is over, hold its lease (``lease`` seconds
    at most) while the caller's request runs, then start its next pause: ``delay``, doubled
    for each "slow down" in a row. Each statement borrows a connection from ``pool`` (which
    lends them in autocommit) and gives it back at once."""
    holder = uuid.uuid4().hex
    with pool.connection() as conn:
        conn.execute(
            "INSERT INTO newsarchive_hosts (host) VALUES (%s) ON CONFLICT DO NOTHING", [host]
        )
    turn = HostTurn(_claim(pool, host, lease, holder))
    try:
        yield turn
    finally:
        strikes = turn.strikes + 1 if turn.slowed_down else 0
        pause = pause_after(delay, max_pause, strikes)
        arguments = {"strikes": strikes, "pause": pause, "host": host, "holder": holder}
        with pool.connection() as conn:
            conn.execute(RELEASE, arguments)


def _claim(pool: ConnectionPool, host: str, lease: float, holder: str) -> int:
    """Take the host's lease as soon as it is free and its pause over; return its strikes."""
    arguments = {"lease": lease, "holder": holder, "host": host}
    while True:
        with pool.connection() as conn:
            claimed = conn.execute(CLAIM, arguments).fetchone()
            if claimed is not None:
                return claimed[0]
            pause_left, busy = conn.execute(WAIT, [host]).fetchone() or (0.0, False)
        time.sleep(BUSY_HOST_POLL if busy else max(pause_left, 0.01))
