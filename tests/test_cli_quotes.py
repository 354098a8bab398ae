"""Quotes and speakers through the command line: ``quotes``, ``speakers``, quote fields in
``show`` and ``extract``, on an archive file in tmp_path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import save_quoted

from newsarchive.cli import cli
from newsarchive.models import Quote
from newsarchive.store import Archive

# Stored as extraction names them: the fullest form each article uses, titles left out.
STORIES = {
    "rally": [
        Quote("We will build the bridge first", "Donald J. Trump", role="the Republican nominee"),
        Quote("experts", kind="term"),
    ],
    "debate": [Quote("Nobody asked me about the bridge", "Trump")],
    "harbour": [
        Quote("Ferries run on time again", "Donald Trump"),
        Quote("The pier needs paint", "Joanna Ruiz"),
    ],
}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def archived(archive_path: Path) -> Path:
    with Archive(archive_path) as archive:
        save_quoted(archive, STORIES)
    return archive_path


def test_quotes_by_speaker_find_every_form_of_the_name_with_role_and_kind(archived: Path) -> None:
    result = run("quotes", "--speaker", "Trump", "--json")
    assert result.exit_code == 0, result.output
    found = {hit["speaker"]: hit for hit in json.loads(result.stdout)}
    assert sorted(found) == ["Donald J. Trump", "Donald Trump", "Trump"]
    assert found["Donald J. Trump"]["role"] == "the Republican nominee"
    assert {hit["kind"] for hit in found.values()} == {"speech"}
    assert json.loads(run("quotes", "--speaker", "ruiz", "--json").stdout)[0]["speaker"] == (
        "Joanna Ruiz"
    )
    assert run("quotes", "--speaker", "ann", "--json").stdout.strip() == "[]"


def test_quotes_show_speech_unless_all_is_asked_for(archived: Path) -> None:
    text = run("quotes").stdout
    assert "“We will build the bridge first” — Donald J. Trump, the Republican nominee" in text
    assert "experts" not in text
    everything = run("quotes", "--all")
    assert "“experts” [term]" in everything.stdout
    [term] = json.loads(run("quotes", "experts", "--all", "--json").stdout)
    assert (term["speaker"], term["role"], term["kind"]) == (None, None, "term")
    assert run("quotes", "experts").stderr == "No quotes match.\n"


def test_speakers_lists_names_with_their_quotes_and_articles(archived: Path) -> None:
    result = run("speakers", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"name": "Donald J. Trump", "quotes": 2, "articles": 2},
        {"name": "Joanna Ruiz", "quotes": 1, "articles": 1},
        {"name": "Trump", "quotes": 1, "articles": 1},
    ]
    lines = run("speakers", "trump").stdout.splitlines()
    assert lines[0].split() == ["quotes", "articles", "speaker"]
    assert [line.split() for line in lines[1:]] == [
        ["2", "2", "Donald", "J.", "Trump"],
        ["1", "1", "Trump"],
    ]
    assert len(json.loads(run("speakers", "--limit", "1", "--json").stdout)) == 1


def test_speakers_without_a_match_and_with_a_query_of_no_words(archived: Path) -> None:
    none = run("speakers", "nobody")
    assert none.exit_code == 0 and none.stdout == "" and "No speakers match" in none.stderr
    bad = run("speakers", "…")
    assert bad.exit_code != 0
    assert bad.stderr.startswith("Error: ") and len(bad.stderr.strip().splitlines()) == 1


def test_show_and_extract_give_each_quote_its_role_and_kind(archived: Path, tmp_path: Path) -> None:
    shown = json.loads(run("show", "1", "--format", "json").stdout)
    assert shown["quotes"][0] == {
        "text": "We will build the bridge first",
        "speaker": "Donald J. Trump",
        "role": "the Republican nominee",
        "kind": "speech",
    }
    story = tmp_path / "story.txt"
    story.write_text(
        "Harbour bridge reopens\n\n“The deck is sound and the piers are dry,” said Mina Okafor,"
        " the chief engineer, on Tuesday morning beside the railings.\n",
        encoding="utf-8",
    )
    extracted = json.loads(run("extract", str(story), "--format", "json").stdout)
    assert extracted["quotes"] and {"role", "kind"} <= extracted["quotes"][0].keys()


def test_the_installed_console_script_lists_quotes_and_speakers(
    archived: Path, tmp_path: Path
) -> None:
    script = shutil.which("newsarchive", path=str(Path(sys.executable).parent))
    assert script, "the newsarchive console script is not installed"

    def run_script(*args: str) -> subprocess.CompletedProcess:
        command = [script, "--db", str(archived), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    said = run_script("quotes", "--speaker", "trump", "--json")
    assert said.returncode == 0, said.stderr
    assert len(json.loads(said.stdout)) == 3
    listed = run_script("speakers", "--json")
    assert json.loads(listed.stdout)[0] == {"name": "Donald J. Trump", "quotes": 2, "articles": 2}


def test_reextract_rewrites_quotes_with_their_speakers_roles_and_kinds(
    tmp_path: Path, archive_path: Path
) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Harbour bridge reopens\n\n“The deck is sound and the piers are dry,” said Mina Okafor,"
        " the chief engineer, on Tuesday morning beside the freshly painted railings.\n\n"
        "Ferries had carried commuters across the water while the bridge was closed, and the"
        " ferry company said its boats would return to their usual timetable next week.\n",
        encoding="utf-8",
    )
    assert run("add", str(story)).exit_code == 0
    with Archive(archive_path) as archive:  # as an older version would have left them
        archive.db.execute("UPDATE quotes SET speaker = 'Okafor', role = 'stale', kind = 'term'")
        archive.db.conn.commit()
    result = run("reextract", "--all")
    assert result.exit_code == 0, result.output
    assert "quotes" in result.stdout
    shown = json.loads(run("show", "1", "--format", "json").stdout)
    extracted = json.loads(run("extract", str(story), "--format", "json").stdout)
    assert shown["quotes"] == extracted["quotes"] != []
