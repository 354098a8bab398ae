"""The reader's tags, notes and deleting over real HTTP: seen by everyone, changed only with
--allow-edits, from the reader's own pages, with the CSRF token, through the library."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import cli_json, run_cli
from test_serve import Reader, fill, start

from newsarchive.tags import MAX_TAG_CHARS


@pytest.fixture
def tagged(archive_path: Path) -> Path:
    """The three articles of test_serve, 1 and 3 tagged, 1 with a note of two lines."""
    fill(archive_path)
    assert run_cli("tag", "1", "3", "+Harbour Works").exit_code == 0
    assert run_cli("tag", "1", "+storms").exit_code == 0
    assert run_cli("note", "1", "Check the repair cost\nwith the council").exit_code == 0
    return archive_path


@pytest.fixture
def reader(tagged: Path) -> Iterator[Reader]:
    yield from start(tagged)


@pytest.fixture
def editor(tagged: Path) -> Iterator[Reader]:
    yield from start(tagged, allow_edits=True)


def form(reader: Reader, **fields: str) -> str:
    """A form's body with the reader's CSRF token."""
    from urllib.parse import urlencode

    return urlencode({"csrf": reader.server.csrf_token, **fields})


def written(path: Path) -> list[tuple]:
    """Every row the user wrote: tags, notes, and which articles there are."""
    conn = sqlite3.connect(path)
    try:
        return [
            *conn.execute("SELECT article_id, tag FROM tags ORDER BY 1, 2"),
            *conn.execute("SELECT article_id, text FROM notes ORDER BY 1"),
            *conn.execute("SELECT id FROM articles ORDER BY 1"),
        ]
    finally:
        conn.close()


def shown_json(reader: Reader, article_id: int) -> dict:
    return json.loads(reader.get(f"/articles/{article_id}.json")[2])


# ---- seeing tags and notes ---------------------------------------------------------------------


def test_the_list_filters_by_tag_and_shows_tags_and_notes(reader: Reader) -> None:
    by_tag = json.loads(reader.get("/articles.json?tag=harbour+works")[2])
    assert [summary["id"] for summary in by_tag] == [3, 1]
    assert json.loads(reader.get("/articles.json?tag=HARBOUR++Works")[2]) == by_tag  # normalised
    both = json.loads(reader.get("/articles.json?tag=storms&site=Example+News")[2])
    assert [summary["id"] for summary in both] == [1]
    assert json.loads(reader.get("/articles.json?tag=unknown")[2]) == []
    assert reader.get("/?tag=a%09b")[0] == 400
    status, _, text = reader.get("/?tag=storms")
    assert status == 200 and "Fish market" not in text and "Harbour bridge" in text
    assert '<option value="storms" selected>storms (1)</option>' in text
    assert '<a href="/?tag=harbour+works">harbour works</a>' in text
    assert '<p class="user-note">Check the repair cost\nwith the council</p>' in text


def test_list_json_carries_tags_and_the_note_as_the_command_prints_them(reader: Reader) -> None:
    listed = json.loads(reader.get("/articles.json")[2])
    assert listed == reader.cli_json("list", "--json")
    first = next(summary for summary in listed if summary["id"] == 1)
    assert first["tags"] == ["harbour works", "storms"]
    assert first["user_note"] == "Check the repair cost\nwith the council"


def test_the_tags_page_lists_them_with_counts_as_the_command_does(reader: Reader) -> None:
    assert json.loads(reader.get("/tags.json")[2]) == reader.cli_json("tags", "--json")
    assert json.loads(reader.get("/tags.json")[2])[0] == {"name": "harbour works", "articles": 2}
    status, _, text = reader.get("/tags")
    assert status == 200
    assert '<td><a href="/?tag=harbour+works">harbour works</a></td><td class="n">2</td>' in text
    assert '<a href="/tags">Tags</a>' in reader.get("/")[2]  # in the navigation


def test_the_tags_page_of_an_archive_without_tags(archive_path: Path) -> None:
    fill(archive_path)
    for shown in start(archive_path):
        assert json.loads(shown.get("/tags.json")[2]) == []
        assert "No tags yet" in shown.get("/tags")[2]


def test_the_article_shows_its_tags_and_note_but_no_forms_when_read_only(reader: Reader) -> None:
    text = reader.get("/articles/1")[2]
    assert '<p class="tags">Tags: <a href="/?tag=harbour+works">harbour works</a>' in text
    assert "Check the repair cost\nwith the council" in text
    for editing in ['method="post"', 'name="csrf"', "/articles/1/delete"]:
        assert editing not in text
    assert 'class="tags"' not in reader.get("/articles/2")[2]


# ---- edits refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/articles/1/tags", {"add": "new"}),
        ("/articles/1/tags", {"remove": "storms"}),
        ("/articles/1/note", {"clear": "1"}),
        ("/articles/1/delete", {}),
    ],
)
def test_edits_are_refused_without_allow_edits(
    reader: Reader, tagged: Path, path: str, fields: dict[str, str]
) -> None:
    before = written(tagged)
    status, text = reader.post(path, form(reader, **fields))
    assert status == 403 and "--allow-edits" in text
    assert written(tagged) == before
    assert reader.get("/articles/1/delete")[0] == 403


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_edits_without_the_right_csrf_token_are_refused(
    editor: Reader, tagged: Path, token: str | None
) -> None:
    before = written(tagged)
    for path, fields in [("/articles/1/tags", "add=new"), ("/articles/1/delete", "")]:
        body = fields if token is None else f"{fields}&csrf={token}"
        status, text = editor.post(path, body)
        assert status == 403 and "CSRF" in text
    assert written(tagged) == before


# ---- edits -------------------------------------------------------------------------------------


def test_the_article_page_offers_the_forms_with_the_token(editor: Reader) -> None:
    text = editor.get("/articles/1")[2]
    token = f'<input type="hidden" name="csrf" value="{editor.server.csrf_token}">'
    assert text.count(token) == 4  # add a tag, remove each of the two, the note
    assert '<input type="hidden" name="remove" value="storms">' in text
    assert "Check the repair cost\nwith the council</textarea>" in text
    assert '<a class="danger" href="/articles/1/delete">' in text


def test_tags_are_added_and_removed_through_the_forms(editor: Reader) -> None:
    status, headers, _ = editor.send_form("/articles/2/tags", form(editor, add=" Ferries "))
    assert status == 303 and headers["Location"] == "/articles/2"
    assert shown_json(editor, 2)["tags"] == ["ferries"]
    assert '<a href="/?tag=ferries">ferries</a>' in editor.get("/articles/2")[2]
    assert editor.post("/articles/1/tags", form(editor, remove="Storms"))[0] == 303
    assert shown_json(editor, 1)["tags"] == ["harbour works"]
    assert cli_json("tags", "--json") == [
        {"name": "harbour works", "articles": 2},
        {"name": "ferries", "articles": 1},
    ]


def test_the_note_is_set_and_cleared_through_the_form(editor: Reader) -> None:
    assert editor.post("/articles/3/note", form(editor, note="  Ask the traders\r\n")) == (303, "")
    assert shown_json(editor, 3)["user_note"] == "Ask the traders"
    assert [hit["id"] for hit in cli_json("search", "note:traders", "--json")] == [3]
    assert editor.post("/articles/3/note", form(editor, note="x", clear="1"))[0] == 303
    assert shown_json(editor, 3)["user_note"] is None


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"add": "harbour\tworks"}, "a tag cannot hold control characters"),
        ({"add": "   "}, "an empty tag name"),
        ({"add": "x" * (MAX_TAG_CHARS + 1)}, f"a tag is at most {MAX_TAG_CHARS} characters"),
        ({"remove": "a\nb"}, "a tag cannot hold control characters"),
        ({}, "give a tag to add or to remove"),
    ],
)
def test_a_bad_tag_gives_the_page_back_with_the_error_and_writes_nothing(
    editor: Reader, tagged: Path, fields: dict[str, str], error: str
) -> None:
    before = written(tagged)
    status, text = editor.post("/articles/1/tags", form(editor, **fields))
    assert status == 400
    assert '<p class="alert" role="alert">' in text and error in text
    assert "<h1>Harbour bridge reopens after storm</h1>" in text  # the article's page
    assert written(tagged) == before
    as_json = editor.post("/articles/1/tags", form(editor, **fields), Accept="application/json")
    assert as_json[0] == 400 and error in json.loads(as_json[1])["error"]


def test_an_empty_note_is_refused_and_the_old_one_kept(editor: Reader, tagged: Path) -> None:
    before = written(tagged)
    status, text = editor.post("/articles/1/note", form(editor, note=" \n "))
    assert status == 400 and "an empty note" in text
    assert written(tagged) == before


def test_editing_an_unknown_article_is_404(editor: Reader) -> None:
    assert editor.post("/articles/99/tags", form(editor, add="x"))[0] == 404
    assert editor.post("/articles/99/delete", form(editor))[0] == 404
    assert editor.get("/articles/99/delete")[0] == 404


def test_delete_asks_first_then_deletes_and_doctor_stays_clean(
    editor: Reader, tagged: Path
) -> None:
    status, _, text = editor.get("/articles/1/delete")
    assert status == 200
    assert "<li>Would delete 1: Harbour bridge reopens after storm (" in text
    assert (
        f'<form method="post" action="/articles/1/delete"><input type="hidden" name="csrf" value="{editor.server.csrf_token}">'
        in text
    )
    assert shown_json(editor, 1)["id"] == 1  # asking deleted nothing
    status, headers, _ = editor.send_form("/articles/1/delete", form(editor))
    assert status == 303 and headers["Location"] == "/"
    assert editor.get("/articles/1")[0] == 404
    assert [summary["id"] for summary in json.loads(editor.get("/articles.json")[2])] == [3, 2]
    assert json.loads(editor.get("/tags.json")[2]) == [{"name": "harbour works", "articles": 1}]
    checked = run_cli("doctor")
    assert checked.exit_code == 0, checked.output


def test_pages_read_with_a_read_only_connection_even_when_edits_are_allowed(
    editor: Reader, reader: Reader
) -> None:
    for server, write in [(editor.server, False), (reader.server, True)]:
        with (
            server.open_archive(write) as archive,
            pytest.raises(sqlite3.OperationalError, match="readonly"),
        ):
            archive.conn.execute("DELETE FROM tags")
    with editor.server.open_archive(write=True) as archive:
        archive.conn.execute("SELECT count(*) FROM tags")
        assert not archive.conn.execute("PRAGMA query_only").fetchone()[0]
