"""The reader on a PostgreSQL archive: its pages, its forms, and read-only connections borrowed
from the server's pool (test_serve.py's helpers, on a fresh database)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import psycopg
import pytest
from test_serve import Reader, editing_reader  # noqa: F401 - a fixture, served from here

from newsarchive.engines.postgres import POOL_SIZE


@pytest.fixture(autouse=True)
def archive_path(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """This module's archive, which test_serve's fixtures fill and serve: a fresh database."""
    monkeypatch.setenv("NEWSARCHIVE_DB", pg_url)
    return pg_url


@pytest.fixture
def editor(editing_reader: Reader) -> Reader:  # noqa: F811 - test_serve's fixture
    """test_serve's reader with edits allowed, on this module's database."""
    return editing_reader


def test_the_list_and_an_article_are_served(editor: Reader) -> None:
    status, _, text = editor.get("/")
    assert status == 200 and text.index("Fish market") < text.index("Harbour bridge")
    listed = json.loads(editor.get("/articles.json")[2])
    assert [summary["id"] for summary in listed] == [3, 2, 1]
    assert listed == editor.cli_json("list", "--json")
    assert "<h1>Harbour bridge reopens after storm</h1>" in editor.get("/articles/1")[2]
    assert editor.get("/articles/9")[0] == 404


def test_forms_write_and_pages_read_only(editor: Reader) -> None:
    body = urlencode({"csrf": editor.server.csrf_token, "add": "Ferries"})
    assert editor.post("/articles/2/tags", body)[0] == 303
    assert json.loads(editor.get("/articles/2.json")[2])["tags"] == ["ferries"]
    for _ in range(3):  # connections go back to the pool and come out read-only again
        with (
            editor.server.open_archive() as archive,
            pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
        ):
            archive.conn.execute("DELETE FROM tags")
        with editor.server.open_archive(write=True) as archive:
            assert archive.conn.execute("SELECT count(*) FROM tags").fetchone()[0] == 1
            assert archive.conn.execute("SHOW default_transaction_read_only").fetchone()[0] == "off"


def test_search_quotes_and_speakers_are_served(editor: Reader) -> None:
    """The reader's searches run on the server's pooled, read-only connections."""
    for path, command in [
        ("/search.json?q=bridge", ["search", "bridge", "--json"]),
        ("/quotes.json", ["quotes", "--json"]),
        ("/speakers.json", ["speakers", "--json"]),
    ]:
        status, _, text = editor.get(path)
        assert status == 200, path
        assert json.loads(text) == editor.cli_json(*command), path
    found = json.loads(editor.get("/search.json?q=bridge")[2])
    assert found and found[0]["headline"] == "Harbour bridge reopens after storm"


def terminate_other_connections(url: str) -> int:
    """End every other session on the database at ``url`` (as a server restart does); how many."""
    with psycopg.connect(url, autocommit=True) as conn:
        ended = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(ended)


def test_pages_are_served_after_the_pools_connections_are_ended(
    editor: Reader, archive_path: str
) -> None:
    held = [editor.server.open_archive() for _ in range(POOL_SIZE)]  # the pool at its fullest
    for archive in held:
        archive.close()
    assert terminate_other_connections(archive_path) == POOL_SIZE
    for _ in range(POOL_SIZE + 2):  # as many as the pool holds, and more
        assert editor.get("/")[0] == 200
