"""The versions goal end to end: a page on a loopback server that changes between fetches."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import article_page, cli_json, run_cli, wait_for_outcomes

QUOTE = "“We are open again, and the ferries can rest,” said Mina Okafor, the harbour master."
CORRECTED = (
    "“We are fully open again, and the ferries can rest,” said Mina Okafor, the harbour master."
)
PARAGRAPHS = [
    "The harbour bridge reopened to traffic on Tuesday morning after 12 days of repairs that"
    " followed the worst storm the town has seen in decades.",
    QUOTE,
    "Engineers said the final inspection had been clean and that the deck would be checked"
    " again in the spring, when the weather allows a closer look at the piers.",
    "The council will meet on Thursday to decide whether the toll, suspended during the"
    " closure, should return before the summer season begins.",
]
HEADLINE = "Harbour bridge reopens after storm"
EDITED = "Harbour bridge reopens after twelve days of repairs"


def stored_bytes(archive_path: Path) -> tuple[int, int]:
    with sqlite3.connect(archive_path) as conn:
        return conn.execute("SELECT count(*), sum(length(raw_zlib)) FROM captures").fetchone()


def test_three_changing_fetches_make_three_versions_and_a_fourth_adds_nothing(
    server, archive_path: Path
) -> None:
    url = server.route("/story", article_page(HEADLINE, PARAGRAPHS))
    assert run_cli("add", url).stdout.startswith("Added 1:")
    server.route("/story", article_page(EDITED, PARAGRAPHS))
    second = run_cli("add", url)
    assert second.stdout.startswith("Updated 1:")
    assert "new version 2: headline changed" in second.stdout
    server.route("/story", article_page(EDITED, [*PARAGRAPHS[:1], CORRECTED, PARAGRAPHS[2]]))
    third = run_cli("add", url)
    assert "new version 3: text, quotes changed" in third.stdout, third.stdout
    before = stored_bytes(archive_path)

    fourth = run_cli("add", url)

    assert fourth.stdout.startswith("Unchanged 1:")
    assert "no change since version 3: only the time recorded" in fourth.stdout
    assert stored_bytes(archive_path) == before
    assert run_cli("doctor").exit_code == 0
    history = cli_json("history", "1", "--json")
    assert (len(history["captures"]), len(history["versions"]), len(history["fetches"])) == (
        3,
        3,
        4,
    )
    assert [v["changed"] for v in history["versions"]] == [[], ["headline"], ["text", "quotes"]]
    changes = cli_json("diff", "1", "1", "--format", "json")["changes"]
    assert [(c["kind"], c["op"]) for c in changes] == [
        ("headline", "changed"),
        ("quote", "changed"),
        ("sentence", "changed"),
        ("paragraph", "removed"),
    ]
    assert changes[3]["old"] == PARAGRAPHS[3]
    quote_words = [(s["op"], s["text"]) for s in changes[1]["words"] if s["op"] != "equal"]
    assert quote_words == [("insert", " fully")]


def test_history_and_diff_print_for_a_reader(server) -> None:
    url = server.route("/story", article_page(HEADLINE, PARAGRAPHS))
    run_cli("add", url)
    server.route("/story", article_page(EDITED, PARAGRAPHS[:3]))
    run_cli("add", url)
    run_cli("add", url)

    history = run_cli("history", "1")
    diff = run_cli("diff", "1")
    page = run_cli("diff", "1", "--format", "html")
    earlier = run_cli("show", "1", "--version", "1")

    assert history.exit_code == 0, history.output
    assert "version 2: headline, text changed" in history.stdout
    assert "same bytes again: time recorded" in history.stdout
    assert "2 captures, 3 fetches, 2 versions" in history.stdout
    assert (
        "headline changed: Harbour bridge reopens after [-storm-]{+twelve days of repairs+}"
        in diff.stdout
    )
    assert f"paragraph removed: [-{PARAGRAPHS[3]}-]" in diff.stdout
    assert "\x1b" not in diff.stdout, "no colour when stdout is not a terminal"
    assert "<del>storm</del><ins>twelve days of repairs</ins>" in page.stdout
    assert earlier.stdout.startswith(HEADLINE)
    assert "before the summer season begins." in earlier.stdout


def test_diff_of_an_article_with_one_version_says_so(server) -> None:
    run_cli("add", server.route("/story", article_page(HEADLINE, PARAGRAPHS)))

    result = run_cli("diff", "1")
    missing = run_cli("show", "1", "--version", "4")

    assert (result.exit_code, result.stderr) == (
        2,
        "Error: article 1 has one version: nothing to compare yet\n",
    )
    assert missing.exit_code != 0
    assert "article 1 has no version 4" in missing.stderr
    assert json.loads(run_cli("show", "1", "--format", "json").stdout)["headline"] == HEADLINE


def test_refresh_fetches_again_and_names_what_changed(server, archive_path: Path) -> None:
    first = server.route("/one", article_page(HEADLINE, PARAGRAPHS))
    second = server.route("/two", article_page("Ferry timetable returns", PARAGRAPHS[:3]))
    run_cli("add", first)
    run_cli("add", second)
    server.route("/one", article_page(EDITED, PARAGRAPHS))

    result = run_cli("refresh", "--all", "--delay", "0")
    again = run_cli("refresh", "--all", "--older-than", "7d", "--delay", "0", "--json")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"1: new version 2: headline changed · {first}"
    assert f"updated 1 {first} (new version 2: headline changed)" in result.stderr
    assert f"updated 2 {second}\n" in result.stderr
    assert "Refreshed 2: 1 changed, 1 unchanged, 0 failed" in result.stdout
    assert json.loads(again.stdout)["updated"] == 0, "both were fetched a moment ago"
    assert (server.hits("/one"), server.hits("/two")) == (2, 2)
    assert len(cli_json("history", "2", "--json")["fetches"]) == 2


def test_refresh_after_an_interrupted_run_skips_what_it_fetched(server, archive_path: Path) -> None:
    for path in ("/one", "/two"):
        run_cli("add", server.route(path, article_page(HEADLINE, PARAGRAPHS)))
    with sqlite3.connect(archive_path) as conn:
        conn.execute("UPDATE captures SET fetched_at = '2001-01-01T00:00:00+00:00' WHERE id = 1")
        key = '{"every": true, "ids": [], "older_than": null, "site": null}'
        conn.execute("INSERT INTO refreshes VALUES (?, '2020-01-01T00:00:00+00:00')", [key])

    resumed = run_cli("refresh", "--all", "--delay", "0", "--quiet")
    whole = run_cli("refresh", "--all", "--delay", "0", "--quiet")

    assert "Refreshed 1: 0 changed, 1 unchanged" in resumed.stdout, resumed.output
    assert (server.hits("/one"), server.hits("/two")) == (3, 2)
    assert "Refreshed 2:" in whole.stdout


def test_refresh_wants_ids_or_all() -> None:
    result = run_cli("refresh")
    assert (result.exit_code, result.stderr) == (2, "Error: give article ids or --all (not both)\n")
    bad_age = run_cli("refresh", "--all", "--older-than", "soon")
    assert bad_age.exit_code == 2
    assert "give an age as a number and m, h, d or w" in bad_age.stderr


def test_search_all_versions_finds_words_an_article_no_longer_holds(server) -> None:
    url = server.route("/story", article_page(HEADLINE, PARAGRAPHS))
    run_cli("add", url)
    server.route("/story", article_page(EDITED, PARAGRAPHS[:3]))
    run_cli("add", url)

    now = cli_json("search", "toll council", "--json")
    ever = cli_json("search", "toll council", "--all-versions", "--json")
    shown = run_cli("search", "toll council", "--all-versions")

    assert now == []
    assert [(hit["id"], hit["version"], hit["headline"]) for hit in ever] == [(1, 1, HEADLINE)]
    assert "[id 1, version 1]" in shown.stdout
    assert [
        hit["version"] for hit in cli_json("search", "harbour", "--all-versions", "--json")
    ] == [None]


def test_refresh_by_site_and_by_id(server) -> None:
    run_cli("add", server.route("/one", article_page(HEADLINE, PARAGRAPHS, site="Harbour Post")))
    run_cli("add", server.route("/two", article_page(EDITED, PARAGRAPHS, site="Ferry Times")))

    by_site = cli_json("refresh", "--all", "--site", "harbour", "--delay", "0", "--json")
    by_id = cli_json("refresh", "2", "--delay", "0", "--json")

    assert (by_site["updated"], by_site["changed"]) == (1, [])
    assert by_id["updated"] == 1
    assert (server.hits("/one"), server.hits("/two")) == (2, 2)


def test_ctrl_c_stops_a_refresh_and_the_same_command_resumes_it(
    server, tmp_path: Path, archive_path: Path
) -> None:
    urls = [
        server.route(f"/{n}", article_page(f"Story {n}", PARAGRAPHS), delay=0.1) for n in range(8)
    ]
    listed = tmp_path / "links.txt"
    listed.write_text("\n".join(urls), encoding="utf-8")
    assert run_cli("import", str(listed), "--delay", "0").exit_code == 0
    with sqlite3.connect(archive_path) as conn:  # fetched long ago, not in the refresh's second
        conn.execute("UPDATE captures SET fetched_at = '2001-01-01T00:00:00+00:00'")
    command = [sys.executable, "-m", "newsarchive", "refresh", "--all", "--delay", "0.1"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    done = wait_for_outcomes(process, 2, "updated")
    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=30)

    resumed = run_cli("refresh", "--all", "--delay", "0")

    assert process.returncode == 130
    assert "Interrupted: run the same command again to resume." in stdout
    assert resumed.exit_code == 0, resumed.output
    assert [server.hits(url.removeprefix(server.url(""))) for url in done] == [2, 2]
    assert all(server.hits(f"/{n}") >= 2 for n in range(8))
    assert run_cli("refresh", "--all", "--delay", "0").stdout.startswith("Refreshed 8:")


def test_refresh_of_an_unknown_article_says_so_and_leaves_nothing_to_resume(
    archive_path: Path,
) -> None:
    from newsarchive.store import Archive

    Archive(archive_path).close()
    result = run_cli("refresh", "999")
    assert result.exit_code == 1 and "999: no such article" in result.stderr
    with sqlite3.connect(archive_path) as conn:
        assert conn.execute("SELECT count(*) FROM refreshes").fetchone() == (0,)
