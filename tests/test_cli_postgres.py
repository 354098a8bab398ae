"""The command line end to end on a PostgreSQL archive: a real HTTP server on 127.0.0.1 and a
fresh database of the test's own (conftest.pg_url), named by NEWSARCHIVE_DB or --db."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BRIDGE_STORY, article_page, cli_json, run_cli

QUOTED_STORY = [
    *BRIDGE_STORY,
    "“We never stopped working, not for one night,” said Mina Okafor, the chief engineer.",
]


@pytest.fixture
def pg_archive(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NEWSARCHIVE_DB", pg_url)
    return pg_url


def test_add_show_list_tag_note_history_stats_export_delete(
    server, pg_archive: str, tmp_path: Path
) -> None:
    url = server.route("/2024/05/01/bridge.html", article_page("Bridge reopens", QUOTED_STORY))
    added = run_cli("add", url)
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("Added 1: Bridge reopens")
    assert run_cli("add", url).exit_code == 0  # the same page again: the same article
    shown = cli_json("show", "1", "--format", "json")
    assert shown["headline"] == "Bridge reopens" and "harbour bridge" in shown["text"]
    assert [row["id"] for row in cli_json("list", "--json")] == [1]
    assert cli_json("tag", "1", "+Harbour", "--json")[0]["tags"] == ["harbour"]
    assert run_cli("note", "1", "Check the date").exit_code == 0
    listed = cli_json("list", "--json")[0]
    assert (listed["tags"], listed["user_note"]) == (["harbour"], "Check the date")
    history = cli_json("history", "1", "--json")
    assert [len(history["captures"]), len(history["versions"])] == [1, 1]
    assert len(history["captures"][0]["seen_again"]) == 1
    stats = cli_json("stats", "--json")
    assert (stats["articles"], stats["captures"], stats["by_site"]) == (1, 1, {"Example News": 1})
    exported = run_cli("export", str(tmp_path / "out"), "--format", "json")
    assert exported.exit_code == 0, exported.output
    [written] = (tmp_path / "out").glob("*.json")
    assert json.loads(written.read_text())["headline"] == "Bridge reopens"
    doctor = cli_json("doctor", "--json")
    assert doctor["ok"] and [c["name"] for c in doctor["checks"]] == ["tables", "indexes"]
    assert run_cli("doctor", "--repair").exit_code == 0
    assert cli_json("speakers", "--json") == [{"name": "Mina Okafor", "quotes": 1, "articles": 1}]
    deleted = run_cli("delete", "1")
    assert deleted.exit_code == 0, deleted.output
    assert cli_json("list", "--json") == []


def test_import_records_failures_and_retries_them(server, pg_archive: str, tmp_path: Path):
    flaky = server.route("/flaky", "down for maintenance", status=404)
    links = tmp_path / "links.txt"
    links.write_text(f"{server.route('/fine', article_page('Fine', BRIDGE_STORY))}\n{flaky}\n")
    assert run_cli("import", str(links), "--delay", "0.05", "-q").exit_code == 1
    [failure] = cli_json("failures", "--json")
    assert (failure["url"], failure["attempts"]) == (flaky, 1)
    server.route("/flaky", article_page("Flaky", BRIDGE_STORY[1:]))
    retried = run_cli("import", "--retry-failed", "--delay", "0.05", "-q")
    assert retried.exit_code == 0, retried.output
    assert cli_json("failures", "--json") == []
    assert len(cli_json("list", "--json")) == 2


def test_db_option_names_the_database(server, pg_url: str) -> None:
    url = server.route("/story", article_page("A story", BRIDGE_STORY))
    assert run_cli("add", url, "--db", pg_url).exit_code == 0
    assert [row["id"] for row in cli_json("list", "--json", "--db", pg_url)] == [1]
    assert "no archive there" in run_cli("list").stderr  # NEWSARCHIVE_DB: the SQLite file


def test_backup_points_to_pg_dump_in_one_line(server, pg_archive: str, tmp_path: Path) -> None:
    assert (
        run_cli("add", server.route("/story", article_page("A story", BRIDGE_STORY))).exit_code == 0
    )
    backup = run_cli("backup", str(tmp_path / "copy.db"))
    assert backup.exit_code == 2 and "pg_dump" in backup.stderr
    assert backup.stderr.count("\n") == 1


def test_a_missing_or_unreachable_database_is_one_line(pg_url: str) -> None:
    listed = run_cli("list", "--db", pg_url)
    assert listed.exit_code == 2
    assert listed.stderr.strip().endswith(
        "no archive there (newsarchive add or import creates one)"
    )
    unreachable = run_cli("list", "--db", "postgresql://someone:pw@127.0.0.1:1/news")
    assert unreachable.exit_code == 1 and unreachable.stderr.count("\n") == 1
    assert unreachable.stderr.startswith(
        "Error: postgresql://someone@127.0.0.1:1/news: cannot open"
    )


@pytest.mark.parametrize("command", ["queue", "worker"])
def test_the_queue_on_an_unreachable_server_is_one_line(command: str) -> None:
    result = run_cli(command, "--db", "postgresql://someone:pw@127.0.0.1:1/news")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: postgresql://someone@127.0.0.1:1/news: cannot open")


def test_a_malformed_url_is_one_line_without_its_password() -> None:
    result = run_cli("stats", "--db", "postgresql://someone:pw@[::1/news")
    assert result.exit_code == 2
    assert result.stderr == "Error: postgresql://...: not a valid URL: Invalid IPv6 URL\n"


def test_refresh_makes_a_version_that_diff_history_and_reextract_read(server, pg_archive: str):
    url = server.route("/story", article_page("Bridge reopens", BRIDGE_STORY))
    assert run_cli("add", url).exit_code == 0
    server.route("/story", article_page("Bridge reopens at last", BRIDGE_STORY))
    refreshed = run_cli("refresh", "1", "--delay", "0")
    assert refreshed.exit_code == 0, refreshed.output
    assert [v["version"] for v in cli_json("history", "1", "--json")["versions"]] == [1, 2]
    diff = run_cli("diff", "1")
    assert diff.exit_code == 0 and "at last" in diff.stdout
    assert run_cli("reextract", "--all").exit_code == 0
    assert cli_json("show", "1", "--format", "json")["headline"] == "Bridge reopens at last"
    cited = run_cli("cite", "1", "--format", "bibtex")
    assert cited.exit_code == 0 and url in cited.stdout


def test_refresh_by_site(server, pg_archive: str) -> None:
    """``refresh --site`` picks the site's articles as search's ``site:`` does."""
    run_cli(
        "add", server.route("/one", article_page("Bridge reopens", BRIDGE_STORY, "Harbour Post"))
    )
    run_cli("add", server.route("/two", article_page("Ferry returns", BRIDGE_STORY, "Ferry Times")))

    refreshed = cli_json("refresh", "--all", "--site", "harbour", "--delay", "0", "--json")

    assert refreshed["updated"] == 1
    assert (server.hits("/one"), server.hits("/two")) == (2, 1)
