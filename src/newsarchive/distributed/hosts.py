"""Politeness per host across every worker on every machine.

The queue already runs one job per host at a time (procrastinate's job ``lock`` is the host).
The pause between two requests to a host lives in the database, as the host's
``next_allowed_at`` on the database's clock (machines' clocks need not agree). A request is
made holding the host's row lock (``SELECT ... FOR UPDATE``): even a worker presumed dead
while it still runs cannot overlap a request with the one that took its job over. If a
worker dies mid-request, its connection closes, the transaction rolls back and the lock is
free again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

from newsarchive.importer.hosts import pause_after


@dataclass
class HostTurn:
    """The caller's turn at a host: its "slow down" answers in a row so far (``strikes``);
    the caller sets ``slowed_down`` when this answer said so too."""

    strikes: int
    slowed_down: bool = False


@contextmanager
def host_turn(
    conn: psycopg.Connection, host: str, delay: float, max_pause: float
) -> Iterator[HostTurn]:
    """Wait for ``host``'s turn (its lock, then its pause), yield while the request runs,
    then start its next pause: ``delay``, doubled for each "slow down" in a row."""
    conn.execute("INSERT INTO newsarchive_hosts (host) VALUES (%s) ON CONFLICT DO NOTHING", (host,))
    conn.commit()
    with conn.transaction():
        wait, strikes = _lock_host(conn, host)
        time.sleep(wait)
        turn = HostTurn(strikes)
        yield turn
        strikes = turn.strikes + 1 if turn.slowed_down else 0
        pause = pause_after(delay, max_pause, strikes)
        conn.execute(
            "UPDATE newsarchive_hosts SET strikes = %s,"
            " next_allowed_at = clock_timestamp() + make_interval(secs => %s) WHERE host = %s",
            (strikes, pause, host),
        )


def _lock_host(conn: psycopg.Connection, host: str) -> tuple[float, int]:
    """Take the host's row lock; return the seconds left of its pause, and its strikes."""
    row = conn.execute(
        "SELECT greatest(0, extract(epoch FROM next_allowed_at - clock_timestamp()))::float8,"
        " strikes FROM newsarchive_hosts WHERE host = %s FOR UPDATE",
        (host,),
    ).fetchone()
    assert row is not None  # inserted just before
    return row[0], row[1]
