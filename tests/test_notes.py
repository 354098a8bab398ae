"""The user's notes end to end: note, note --clear, note: in searches, notes in show and exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import add_page, cli_json, run_cli, search_ids

BRIDGE = ["The harbour bridge reopened on Tuesday after a week of repairs to its storm damage."]
FERRY = ["The ferry company said its boats would return to the usual harbour timetable."]


def shown(article_id: int) -> dict:
    return cli_json("show", str(article_id), "--format", "json")


@pytest.fixture
def two(tmp_path: Path) -> list[int]:
    return [
        add_page(tmp_path, "https://harbour.example/bridge", "Bridge reopens", BRIDGE),
        add_page(tmp_path, "https://harbour.example/ferry", "Ferries return", FERRY),
    ]


def test_a_note_is_written_shown_replaced_and_cleared(two: list[int]) -> None:
    written = run_cli("note", "1", "  Check the repair costs\nagainst the council minutes ")
    assert (written.exit_code, written.stdout) == (0, "Saved the note of 1.\n")
    assert run_cli("note", "1").stdout == "Check the repair costs\nagainst the council minutes\n"
    assert shown(1)["user_note"] == "Check the repair costs\nagainst the council minutes"
    assert (
        "your note: Check the repair costs\n  against the council minutes"
        in run_cli("show", "1").stdout
    )
    assert shown(2)["user_note"] is None and "your note" not in run_cli("show", "2").stdout

    run_cli("note", "https://harbour.example/bridge", "Costs checked.")
    assert shown(1)["user_note"] == "Costs checked."
    cleared = run_cli("note", "1", "--clear")
    assert (cleared.exit_code, cleared.stdout) == (0, "Removed the note of 1.\n")
    assert shown(1)["user_note"] is None
    assert run_cli("note", "1", "--clear").stdout == "1 had no note.\n"
    asked = run_cli("note", "1")
    assert (asked.exit_code, asked.stdout, asked.stderr) == (0, "", "1 has no note.\n")


def test_the_note_is_the_user_s_own_and_survives_reextraction(two: list[int]) -> None:
    run_cli("note", "1", "Mine.")
    assert run_cli("reextract", "1").exit_code == 0
    assert shown(1)["user_note"] == "Mine."
    assert shown(1)["note"] is None  # the extractor's note stays its own


@pytest.mark.parametrize("ranking", [[], ["--exact"]])
def test_note_filters_searches_and_negates(two: list[int], ranking: list[str]) -> None:
    run_cli("note", "1", "Ask the council about costs")
    run_cli("note", "2", "Timetable from the ferry office")

    assert search_ids("harbour note:council", *ranking) == [1]
    assert search_ids("harbour note:cost", *ranking) == [1]  # stemmed, as every search is
    assert search_ids('harbour note:"ferry office"', *ranking) == [2]
    assert search_ids("harbour -note:council", *ranking) == [2]
    assert search_ids("note:council", *ranking) == [1]
    assert search_ids("bridge note:timetable", *ranking) == []
    run_cli("note", "1", "--clear")
    assert search_ids("harbour note:council", *ranking) == []


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["1", ""], 2, "an empty note"),
        (["1", "   \n "], 2, "an empty note"),
        (["1", "bell\x07"], 2, "control characters"),
        (["1", "x" * 10_001], 2, "at most 10,000"),
        (["1", "text", "--clear"], 2, "not both"),
        (["99", "text"], 1, "99: no such article"),
    ],
)
def test_bad_notes_are_one_line_errors_that_write_nothing(
    two: list[int], args: list[str], code: int, said: str
) -> None:
    run_cli("note", "1", "Kept.")
    result = run_cli("note", *args)
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ") and said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert shown(1)["user_note"] == "Kept."


def test_exports_carry_the_note(two: list[int], tmp_path: Path) -> None:
    run_cli("note", "1", "Costs checked.")
    for fmt, extension in [("markdown", "md"), ("html", "html")]:
        folder = tmp_path / fmt
        assert run_cli("export", str(folder), "--format", fmt, "--id", "1").exit_code == 0
        [written] = folder.glob(f"*.{extension}")
        assert "Note: Costs checked." in written.read_text(encoding="utf-8")
    lines = run_cli("export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["user_note"] for line in lines] == ["Costs checked.", None]


def test_doctor_is_clean_after_notes_change(two: list[int]) -> None:
    run_cli("note", "1", "First words")
    run_cli("note", "1", "Second words")
    run_cli("note", "2", "Other words")
    run_cli("note", "2", "--clear")
    checked = run_cli("doctor")
    assert checked.exit_code == 0, checked.output
    assert "notes_fts index" in checked.stdout
