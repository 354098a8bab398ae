"""delete end to end: every row of the article goes, in one transaction; doctor stays clean."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import add_page, cli_json, run_cli

from newsarchive.deletion import delete_articles
from newsarchive.notes import clear_note, set_note
from newsarchive.store import Archive
from newsarchive.tags import edit_tags, tag_edit

BRIDGE = [
    "The harbour bridge reopened on Tuesday after a week of repairs to its storm damage.",
    "“We never stopped working, not for one night,” said Petra Lindqvist, the chief engineer.",
]
FERRY = [
    "The ferry company said its boats would return to the usual harbour timetable.",
    "“The boats are ready and the crews are rested,” said Omar Haddad, the ferry captain.",
]
STORM = [
    "Storm damage to the harbour wall will take a month to mend, the council said.",
    "“The boats are safe in the inner basin,” said Omar Haddad, who runs the ferries.",
]


@pytest.fixture
def three(tmp_path: Path) -> list[int]:
    """Three articles, tagged and noted; the speaker of the first is quoted nowhere else."""
    ids = [
        add_page(tmp_path, "https://bridge.example/reopens", "Bridge reopens", BRIDGE),
        add_page(tmp_path, "https://harbour.example/ferry", "Ferries return", FERRY),
        add_page(tmp_path, "https://harbour.example/storm", "Storm damage", STORM),
    ]
    assert run_cli("tag", "1", "2", "+harbour").exit_code == 0
    assert run_cli("note", "1", "Lindqvist interview").exit_code == 0
    assert run_cli("note", "2", "Timetable").exit_code == 0
    return ids


def counts(archive_path: Path) -> dict[str, int]:
    """Rows in every table of the archive (the FTS5 shadow tables among them)."""
    conn = sqlite3.connect(archive_path)
    names = [
        name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    found = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    conn.close()
    return found


def test_delete_removes_every_row_of_the_article_and_doctor_stays_clean(
    three: list[int], archive_path: Path
) -> None:
    with Archive(archive_path) as archive:
        archive.record_failure("https://bridge.example/reopens", OSError("timed out"))
        archive.record_failure("https://elsewhere.example/", OSError("timed out"))
    assert "Petra Lindqvist" in run_cli("speakers").stdout

    deleted = run_cli("delete", "1")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.stdout.startswith("Deleted 1: Bridge reopens (")
    assert "1 captures" in deleted.stdout and "1 quotes" in deleted.stdout
    assert "1 failures" in deleted.stdout and "1 notes" in deleted.stdout

    conn = sqlite3.connect(archive_path)
    for table, column in [
        ("articles", "id"),
        *[(t, "article_id") for t in ("quotes", "captures", "tags", "notes", "article_urls")],
        *[(t, "article_id") for t in ("removed_blocks", "paragraph_digests")],
    ]:
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = 1").fetchone() == (0,)
    assert conn.execute("SELECT url FROM failures").fetchall() == [("https://elsewhere.example/",)]
    assert conn.execute("SELECT host FROM site_hosts").fetchall() == [("harbour.example",)]
    assert conn.execute("SELECT name FROM speakers").fetchall() == [("Omar Haddad",)]
    conn.close()
    assert cli_json("search", "bridge", "--json") == []
    assert cli_json("search", "note:Lindqvist", "--json") == []
    assert cli_json("quotes", "stopped working", "--json") == []
    assert (
        "Lindqvist" not in run_cli("speakers").stdout
        and "Omar Haddad" in run_cli("speakers").stdout
    )
    assert cli_json("tags", "--json") == [{"name": "harbour", "articles": 1}]
    assert [row["id"] for row in cli_json("list", "--json")] == [3, 2]
    checked = run_cli("doctor")
    assert checked.exit_code == 0, checked.output


def test_a_speaker_quoted_elsewhere_is_kept_until_their_last_article_goes(
    three: list[int],
) -> None:
    deleted = run_cli("delete", "2")
    assert deleted.exit_code == 0 and "speakers quoted in no other article" not in deleted.stdout
    assert [
        quote["article_id"] for quote in cli_json("quotes", "--speaker", "haddad", "--json")
    ] == [3]
    said = run_cli("delete", "https://harbour.example/storm")
    assert "Deleted 1 speakers quoted in no other article" in said.stdout
    assert cli_json("quotes", "--speaker", "haddad", "--json") == []
    assert run_cli("doctor").exit_code == 0


def test_a_dry_run_says_what_would_go_and_changes_nothing(
    three: list[int], archive_path: Path
) -> None:
    before = counts(archive_path)
    tried = run_cli("delete", "1", "2", "--dry-run")
    assert tried.exit_code == 0, tried.output
    lines = tried.stdout.splitlines()
    assert lines[0].startswith("Would delete 1: Bridge reopens (") and "1 tags" in lines[0]
    assert lines[1].startswith("Would delete 2: Ferries return (")
    assert lines[-1] == "Nothing was deleted (--dry-run)."
    assert counts(archive_path) == before


def test_an_unknown_article_is_named_and_nothing_is_deleted(
    three: list[int], archive_path: Path
) -> None:
    before = counts(archive_path)
    result = run_cli("delete", "1", "99")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 99: no such article")
    assert len(result.stderr.strip().splitlines()) == 1
    assert counts(archive_path) == before


def test_a_delete_that_fails_part_way_deletes_nothing(three: list[int], archive_path: Path) -> None:
    conn = sqlite3.connect(archive_path)
    conn.execute(
        "CREATE TRIGGER refuse BEFORE DELETE ON articles WHEN old.id = 2"
        " BEGIN SELECT RAISE(ABORT, 'kept by a test'); END"
    )
    conn.commit()
    conn.close()
    before = counts(archive_path)
    result = run_cli("delete", "1", "2")
    assert result.exit_code == 1
    assert "kept by a test" in result.stderr
    assert counts(archive_path) == before
    assert cli_json("search", "bridge", "--json")[0]["id"] == 1


def test_rows_of_a_table_added_later_that_point_at_the_article_go_too(
    three: list[int], archive_path: Path
) -> None:
    conn = sqlite3.connect(archive_path)
    conn.execute(
        "CREATE TABLE versions (id INTEGER PRIMARY KEY, article_id REFERENCES articles(id))"
    )
    conn.executemany("INSERT INTO versions (article_id) VALUES (?)", [(1,), (1,), (2,)])
    conn.commit()
    conn.close()
    assert "2 versions" in run_cli("delete", "1").stdout
    conn = sqlite3.connect(archive_path)
    assert conn.execute("SELECT article_id FROM versions").fetchall() == [(2,)]
    conn.close()
    assert run_cli("doctor").exit_code == 0


@pytest.mark.parametrize(
    "change",
    [
        lambda archive: edit_tags(archive, ["1"], tag_edit(["+late"])),
        lambda archive: set_note(archive, "1", "Late note"),
        lambda archive: clear_note(archive, "1"),
        lambda archive: delete_articles(archive, ["1"]),
    ],
)
def test_a_change_looks_its_article_up_inside_its_transaction(
    three: list[int], archive_path: Path, monkeypatch: pytest.MonkeyPatch, change
) -> None:
    """Another shell may delete the article until the write lock is held: looked up before,
    the change would write rows pointing at nothing."""
    with Archive(archive_path) as archive:
        looked_up_in: list[bool] = []
        resolve = archive.resolve

        def watched(reference: str) -> int:
            looked_up_in.append(archive.conn.in_transaction)
            return resolve(reference)

        monkeypatch.setattr(archive, "resolve", watched)
        change(archive)
    assert looked_up_in == [True]
