"""PostgreSQL for tests: a fresh database for each test that asks, dropped after it.

Several people run the suite at once on one server, so every test gets a database of its own
with a unique name (``na_<uuid>``), never a shared one. Without a server the PostgreSQL tests
skip, saying why; with ``CI=true`` they fail instead, since CI must run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg
import pytest

# The server the tests use, and a database on it to connect to while creating the others.
PG_HOST, PG_PORT, PG_USER, PG_ADMIN_DB = "127.0.0.1", 5432, "postgres", "test"
SERVER_URL = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}"


def _admin() -> psycopg.Connection:
    """A connection for CREATE and DROP DATABASE (which cannot run in a transaction)."""
    return psycopg.connect(f"{SERVER_URL}/{PG_ADMIN_DB}", autocommit=True, connect_timeout=5)


@cache
def server_problem() -> str | None:
    """Why the test server cannot be used (None when it can); asked once per run."""
    try:
        with _admin() as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def require_server() -> None:
    """Skip the test when there is no server, or fail it in CI, where it must run."""
    problem = server_problem()
    if problem is None:
        return
    message = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {problem}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the PostgreSQL tests must run)")
    pytest.skip(message)


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped (with any connection left to it) afterwards."""
    require_server()
    name = f"na_{uuid.uuid4().hex}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER_URL}/{name}"
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
