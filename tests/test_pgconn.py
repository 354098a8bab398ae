"""The rewriting of the SQL both engines share into what psycopg and PostgreSQL take."""

from __future__ import annotations

import pytest

from newsarchive.engines.pgconn import postgres_sql
from newsarchive.store import open_archive


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        ("SELECT id FROM tags WHERE tag = ?", "SELECT id FROM tags WHERE tag = %s"),
        ("SELECT '?', \"a?\" FROM t WHERE x = ?", "SELECT '?', \"a?\" FROM t WHERE x = %s"),
        ("SELECT 'it''s ?' WHERE x = ?", "SELECT 'it''s ?' WHERE x = %s"),
        ("SELECT 'say \"?\"', ?", "SELECT 'say \"?\"', %s"),
        ("SELECT x LIKE '50%' AND y LIKE ?", "SELECT x LIKE '50%%' AND y LIKE %s"),
    ],
)
def test_question_marks_outside_quotes_become_placeholders(sqlite: str, postgres: str) -> None:
    assert postgres_sql(sqlite) == postgres


def test_names_outside_quotes_become_named_placeholders() -> None:
    sql = "SELECT ':label', x::text FROM t WHERE id = :id AND note = ' :id '"
    expected = "SELECT ':label', x::text FROM t WHERE id = %(id)s AND note = ' :id '"
    assert postgres_sql(sql, named=True) == expected


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        (
            "INSERT OR IGNORE INTO tags (tag) VALUES (?)",
            "INSERT INTO tags (tag) VALUES (%s) ON CONFLICT DO NOTHING",
        ),
        (
            "INSERT OR IGNORE INTO tags (tag) VALUES (?);",
            "INSERT INTO tags (tag) VALUES (%s) ON CONFLICT DO NOTHING",
        ),
        (
            "insert or ignore into tags (tag) VALUES (?) RETURNING id",
            "INSERT INTO tags (tag) VALUES (%s) ON CONFLICT DO NOTHING RETURNING id",
        ),
        (
            "INSERT OR IGNORE INTO t (a) VALUES ('returning') RETURNING id ;",
            "INSERT INTO t (a) VALUES ('returning') ON CONFLICT DO NOTHING RETURNING id",
        ),
    ],
)
def test_insert_or_ignore_does_nothing_on_conflict(sqlite: str, postgres: str) -> None:
    assert postgres_sql(sqlite) == postgres


def test_the_rewritten_sql_runs_on_the_server(pg_url: str) -> None:
    with open_archive(pg_url) as archive:
        conn = archive.conn
        conn.execute("CREATE TABLE marks (id serial PRIMARY KEY, mark text UNIQUE)")
        insert = "INSERT OR IGNORE INTO marks (mark) VALUES (?) RETURNING id;"
        assert conn.execute(insert, ["what?"]).fetchall() == [(1,)]
        assert conn.execute(insert, ["what?"]).fetchall() == []
        query = "SELECT mark, '?', '100%' FROM marks WHERE mark LIKE ? AND id = ?"
        found = conn.execute(query, ["wh%", 1]).fetchall()
        assert found == [("what?", "?", "100%")]
        named = conn.execute("SELECT ':id', mark FROM marks WHERE id = :id", {"id": 1})
        assert named.fetchall() == [(":id", "what?")]
