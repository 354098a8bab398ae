"""A throwaway PostgreSQL database for a bench run (bench/copying.py, bench/distributed.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


@contextmanager
def fresh_database(server: str, prefix: str) -> Iterator[str]:
    """The URL of a new database ``PREFIX_<random>`` on ``server`` (a postgresql:// URL
    without a database; created through its database ``postgres``), dropped afterwards with
    any connection left to it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
