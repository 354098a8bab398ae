"""Tags end to end: tag, tags, tag: in searches, tags in show, list and exports."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import LocalServer, add_page, article_page, cli_json, run_cli, search_ids

from newsarchive.errors import QueryError
from newsarchive.searching import search
from newsarchive.store import Archive

BRIDGE = ["The harbour bridge reopened on Tuesday after a week of repairs to its storm damage."]
FERRY = ["The ferry company said its boats would return to the usual harbour timetable."]
GRID = ["The power grid held through the cold snap, the operator said on Monday morning."]


@pytest.fixture
def three(tmp_path: Path) -> list[int]:
    """Three archived articles: two on one site, one on another."""
    return [
        add_page(tmp_path, "https://harbour.example/bridge", "Bridge reopens", BRIDGE),
        add_page(tmp_path, "https://harbour.example/ferry", "Ferries return", FERRY),
        add_page(tmp_path, "https://grid.example/cold", "Grid holds", GRID, site="Grid Daily"),
    ]


def tags_of(article_id: int) -> list[str]:
    return cli_json("show", str(article_id), "--format", "json")["tags"]


def test_tag_adds_and_removes_normalised_tags_on_many_articles(three: list[int]) -> None:
    tagged = run_cli("tag", "1", "2", "+Harbour", "+  Storm   Damage ", "+HARBOUR")
    assert tagged.exit_code == 0, tagged.output
    assert tagged.stdout.splitlines() == ["1: harbour, storm damage", "2: harbour, storm damage"]
    removed = run_cli("tag", "https://harbour.example/ferry", "-storm damage", "-not-there")
    assert removed.stdout.splitlines() == ["2: harbour"]
    assert [tags_of(i) for i in three] == [["harbour", "storm damage"], ["harbour"], []]
    assert cli_json("tag", "3", "+Grid", "--json") == [{"id": 3, "tags": ["grid"]}]


def test_tags_are_shown_by_show_and_list(three: list[int]) -> None:
    assert run_cli("tag", "1", "+storm", "+Harbour").exit_code == 0
    shown = run_cli("show", "1").stdout
    assert "tags: harbour, storm" in shown
    assert "tags:" not in run_cli("show", "2").stdout
    listed = {row["id"]: row["tags"] for row in cli_json("list", "--json")}
    assert listed == {1: ["harbour", "storm"], 2: [], 3: []}
    lines = run_cli("list").stdout.splitlines()
    assert [line for line in lines if "[harbour, storm]" in line] == [
        line for line in lines if "Bridge reopens" in line
    ]


def test_tags_lists_each_tag_with_its_number_of_articles(three: list[int]) -> None:
    empty = run_cli("tags")
    assert (empty.exit_code, empty.stdout) == (0, "")
    assert "No tags yet" in empty.stderr
    run_cli("tag", "1", "2", "3", "+news")
    run_cli("tag", "1", "2", "+harbour")
    run_cli("tag", "3", "+energy")
    assert cli_json("tags", "--json") == [
        {"name": "news", "articles": 3},
        {"name": "harbour", "articles": 2},
        {"name": "energy", "articles": 1},
    ]
    assert run_cli("tags").stdout.split() == ["3", "news", "2", "harbour", "1", "energy"]


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["1", "+"], "give a tag name after the +"),
        (["1", "-  "], "give a tag name after the -"),
        (["1", "+good", "+bad\ttab"], "control characters"),
        (["1", "+good", "+bell\x07"], "control characters"),
        (["1", "+line\nbreak"], "control characters"),
        (["1", "+good", "harbour"], "give tags as +name (add) or -name (remove)"),
        (["+good"], "give the id (or URL) of at least one article"),
        (["1", "+Good", "-good"], "both added and removed"),
        (["1", "+" + "x" * 101], "at most 100 characters"),
    ],
)
def test_bad_tags_are_one_line_errors_that_write_nothing(
    three: list[int], words: list[str], said: str
) -> None:
    assert run_cli("tag", "1", "+kept").exit_code == 0
    result = run_cli("tag", *words)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert tags_of(1) == ["kept"]


def test_an_unknown_article_is_named_and_no_article_is_tagged(three: list[int]) -> None:
    result = run_cli("tag", "1", "99", "+harbour")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 99: no such article")
    assert tags_of(1) == []


@pytest.mark.parametrize("ranking", [[], ["--exact"]])
def test_tag_filters_searches_and_negates(three: list[int], ranking: list[str]) -> None:
    run_cli("tag", "1", "+Storm Damage")
    run_cli("tag", "2", "3", "+later")

    assert sorted(search_ids("harbour", *ranking)) == [1, 2]
    assert search_ids('harbour tag:"storm damage"', *ranking) == [1]
    assert search_ids('harbour tag:"STORM  damage"', *ranking) == [1]
    assert search_ids('harbour -tag:"storm damage"', *ranking) == [2]
    assert search_ids("harbour NOT tag:later", *ranking) == [1]
    assert search_ids("said tag:later site:grid", *ranking) == [3]
    assert sorted(search_ids("tag:later", *ranking)) == [2, 3]
    assert search_ids("harbour tag:nothing", *ranking) == []


def test_exports_carry_the_tags(three: list[int], tmp_path: Path) -> None:
    run_cli("tag", "1", "+harbour", "+storm")
    for fmt, extension in [("markdown", "md"), ("html", "html"), ("json", "json")]:
        folder = tmp_path / fmt
        assert run_cli("export", str(folder), "--format", fmt, "--id", "1").exit_code == 0
        [written] = folder.glob(f"*.{extension}")
        text = written.read_text(encoding="utf-8")
        if fmt == "json":
            assert json.loads(text)["tags"] == ["harbour", "storm"]
        else:
            assert "Tags: harbour, storm" in text
        if fmt == "markdown":
            assert 'tags: ["harbour", "storm"]' in text.split("---")[1]
    lines = run_cli("export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["tags"] for line in lines] == [["harbour", "storm"], [], []]


def test_an_import_files_its_tags_under_their_normalised_names(
    server: LocalServer, tmp_path: Path
) -> None:
    url = server.route("/story", article_page("Bridge reopens", BRIDGE))
    links = tmp_path / "pocket.csv"
    links.write_text(f'title,url,time_added,tags\nOne,{url},1650000000,"Rivers, rivers ,Council"\n')
    assert run_cli("import", str(links), "--delay", "0").exit_code == 0
    assert cli_json("tags", "--json") == [
        {"name": "council", "articles": 1},
        {"name": "rivers", "articles": 1},
    ]


def test_opening_an_older_archive_normalises_its_imported_tags(
    three: list[int], archive_path: Path
) -> None:
    conn = sqlite3.connect(archive_path)
    with conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm015%'")
        for table in ("notes_fts", "notes"):  # their triggers go with them
            conn.execute(f"DROP TABLE {table}")
        conn.executemany(
            "INSERT INTO tags VALUES (?, ?)",
            [(1, " Rivers"), (1, "rivers"), (2, "RIVERS "), (2, "bad\ttag"), (3, "Council")],
        )
    conn.close()
    with Archive(archive_path) as archive:
        assert [archive.tags(i) for i in three] == [["rivers"], ["rivers"], ["council"]]
    assert run_cli("doctor").exit_code == 0


@pytest.mark.parametrize("value", ["x" * 101, '"a\x07b"'])
def test_a_search_for_a_tag_that_cannot_be_one_is_a_query_error(
    three: list[int], archive_path: Path, value: str
) -> None:
    with Archive(archive_path) as archive, pytest.raises(QueryError, match=r"^tag:"):
        search(archive, f"harbour tag:{value}")
    result = run_cli("search", f"tag:{value}")
    assert result.exit_code != 0 and result.stderr.startswith("Error: tag:")
    assert len(result.stderr.strip().splitlines()) == 1
