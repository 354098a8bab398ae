"""The rough edges a new user hits (issue 15), end to end through the CLI on a real archive."""

from __future__ import annotations

import gzip
import json
import shlex
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BRIDGE_STORY, LocalServer

from newsarchive.cli import cli
from newsarchive.importer import Progress, summarize
from newsarchive.maintenance import FTS_TABLES
from newsarchive.render import import_summary_text
from newsarchive.store import Archive


def run(*args: str, input: str | None = None, color: bool = False):
    return CliRunner().invoke(cli, list(args), input=input, color=color)


def page(headline: str, canonical: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in BRIDGE_STORY)
    return (
        f"<!doctype html><html lang='en'><head><title>{headline}</title>{link}</head>"
        f"<body><article><h1>{headline}</h1>{body}</article></body></html>"
    )


def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text("Harbour bridge reopens\n\n" + "\n\n".join(BRIDGE_STORY) + "\n")
    return path


def stored_urls() -> list[str]:
    listed = run("list", "--json")
    assert listed.exit_code == 0, listed.output
    return [row["url"] for row in json.loads(listed.stdout)]


# ---- 1. a missing archive --------------------------------------------------------------------

READ_COMMANDS = [
    ["show", "1"],
    ["list"],
    ["search", "bridge"],
    ["quotes", "bridge"],
    ["speakers"],
    ["stats"],
    ["export", "{tmp}/exported"],
    ["export", "--format", "jsonl"],
    ["failures"],
    ["doctor"],
    ["doctor", "--repair"],
    ["backup", "{tmp}/copy.db"],
    ["reextract", "--all"],
    ["reextract", "1"],
    ["tags"],
    ["tag", "1", "+harbour"],
    ["note", "1"],
    ["note", "1", "Call back"],
    ["delete", "1"],
    ["history", "1"],
    ["diff", "1"],
    ["refresh", "--all"],
    ["cite", "1"],
    ["serve", "--port", "0"],
    ["export", "{tmp}/book.epub", "--format", "epub"],
    ["export", "{tmp}/crawl.warc.gz", "--format", "warc"],
    ["export", "--format", "csl-json"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=[" ".join(a) for a in READ_COMMANDS])
def test_a_command_that_reads_refuses_a_missing_archive_and_creates_nothing(
    args: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "misspelt" / "archive.db"
    result = run("--db", str(missing), *[arg.format(tmp=tmp_path) for arg in args])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and str(missing) in result.stderr
    assert "newsarchive add" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_add_and_import_create_a_missing_archive(tmp_path: Path, server: LocalServer) -> None:
    added_to = tmp_path / "new" / "folder" / "archive.db"
    added = run("--db", str(added_to), "add", str(text_file(tmp_path)))
    assert added.exit_code == 0, added.output
    assert added_to.is_file()

    imported_to = tmp_path / "other" / "archive.db"
    links = tmp_path / "links.txt"
    links.write_text(server.route("/story", page("Harbour bridge reopens")) + "\n")
    imported = run("--db", str(imported_to), "import", str(links), "--delay", "0")
    assert imported.exit_code == 0, imported.output
    assert imported_to.is_file()


# ---- 2. the README's Quick start --------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def quick_start_session() -> list[tuple[list[str], str]]:
    """The Quick start's ``newsarchive`` commands, each with the output the README shows."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    lines = [line[4:] for line in section.splitlines() if line.startswith("    ") or not line]
    session: list[tuple[list[str], str]] = []
    for line in "\n".join(lines).strip().splitlines():
        if line.startswith("$ "):
            session.append((shlex.split(line[2:]), ""))
        elif session:
            command, shown = session[-1]
            session[-1] = (command, shown + line + "\n")
    return [(command[1:], shown) for command, shown in session if command[0] == "newsarchive"]


def test_the_quick_start_runs_offline_and_prints_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the session runs from a checkout, on a page of fixtures/
    monkeypatch.setenv("COLUMNS", "88")
    session = quick_start_session()
    assert [command[0] for command, _ in session] == ["add", "search", "quotes", "speakers", "list"]
    for command, shown in session:
        result = run(*command)
        assert result.exit_code == 0, result.output
        assert result.stdout.rstrip("\n") == shown.rstrip("\n"), command


# ---- 4. tracking parameters and canonical URLs -----------------------------------------------


def test_add_stores_and_shows_the_url_without_tracking_parameters(server: LocalServer) -> None:
    server.route("/story", page("Harbour bridge reopens"))
    added = run("add", server.url("/story?utm_source=x&fbclid=abc&id=7"))
    assert added.exit_code == 0, added.output
    clean = server.url("/story?id=7")
    assert "utm_source" not in added.stdout and clean in added.stdout
    assert stored_urls() == [clean]
    assert json.loads(run("show", "1", "--format", "json").stdout)["url"] == clean
    assert run("show", server.url("/story?id=7&utm_medium=mail")).exit_code == 0


def test_add_stores_the_canonical_url_when_the_page_gives_one(server: LocalServer) -> None:
    canonical = server.url("/2024/05/harbour-bridge")
    server.route("/amp/story", page("Harbour bridge reopens", canonical=canonical))
    added = run("add", server.url("/amp/story?utm_campaign=spring"))
    assert added.exit_code == 0, added.output
    assert stored_urls() == [canonical]
    assert f"· {canonical}" in added.stdout


# ---- 6. messages -----------------------------------------------------------------------------


def add_one(tmp_path: Path) -> None:
    added = run("add", str(text_file(tmp_path)))
    assert added.exit_code == 0, added.output


@pytest.mark.parametrize(
    "args",
    [
        ["search", "bridge after:2024-13"],
        ["search", "bridge before:yesterday"],
        ["search", "bridge", "--since", "2024-02-30"],
        ["search", "bridge", "--until", "soon"],
    ],
)
def test_a_bad_date_in_a_filter_is_bad_input(args: list[str], tmp_path: Path) -> None:
    add_one(tmp_path)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_reextract_of_a_missing_article_prints_one_error(tmp_path: Path, archive_path) -> None:
    add_one(tmp_path)
    result = run("reextract", "999")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: 999: no such article in {archive_path}\n"


def test_reextract_names_every_missing_article_and_changes_nothing(tmp_path: Path) -> None:
    add_one(tmp_path)
    result = run("reextract", "1", "998", "999")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: 998, 999: no such articles in ")


def test_interrupted_with_the_whole_list_read_names_only_the_links_in_progress() -> None:
    progress = Progress(read=40, saved=19, list_done=True, elapsed=3.0)
    text = import_summary_text(summarize("links.txt", "text", progress, interrupted=True))
    assert "21 links in progress were not finished." in text
    assert "rest of the list" not in text
    unread = Progress(read=40, saved=19, list_done=False, elapsed=3.0)
    text = import_summary_text(summarize("links.txt", "text", unread, interrupted=True))
    assert "21 links in progress were not finished, and the rest of the list." in text
    one = Progress(read=40, saved=39, list_done=True, elapsed=3.0)
    text = import_summary_text(summarize("links.txt", "text", one, interrupted=True))
    assert "Interrupted: 1 link in progress was not finished. Run the same" in text


def test_list_on_an_empty_archive_says_so(archive_path: Path) -> None:
    Archive(archive_path).close()
    result = run("list")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No articles in" in result.stderr and "newsarchive add" in result.stderr
    assert json.loads(run("list", "--json").stdout) == []


# ---- 7. reruns of an import and the links that failed ----------------------------------------


def test_a_plain_rerun_skips_permanent_failures_and_retries_transient_ones(
    server: LocalServer, tmp_path: Path
) -> None:
    server.route("/fine", page("Harbour bridge reopens"))
    server.route("/gone", "gone", status=410)
    server.route("/forbidden", "no", status=403)
    server.route("/busy", "later", status=503, headers={"Retry-After": "0"})
    links = tmp_path / "links.txt"
    paths = ["/fine", "/missing", "/gone", "/forbidden", "/busy"]
    links.write_text("".join(server.url(path) + "\n" for path in paths))
    first = run("import", str(links), "--delay", "0", "--json")
    summary = json.loads(first.stdout)
    assert (summary["saved"], summary["failed"], summary["skipped_failed"]) == (1, 4, 0)
    assert server.hits("/busy") == 3  # retried within the run

    rerun = run("import", str(links), "--delay", "0")
    assert rerun.exit_code == 1
    assert [server.hits(path) for path in paths] == [1, 1, 1, 1, 6]
    assert "3 skipped as failed before (newsarchive import --retry-failed retries them)" in (
        rerun.stdout
    )
    as_json = json.loads(run("import", str(links), "--delay", "0", "--json").stdout)
    assert (as_json["skipped"], as_json["skipped_failed"], as_json["failed"]) == (4, 3, 1)

    retried = run("import", str(links), "--delay", "0", "--retry-failed")
    assert retried.exit_code == 1
    assert [server.hits(path) for path in paths] == [1, 2, 2, 2, 12]


def test_a_link_that_cannot_connect_is_fetched_again_on_a_plain_rerun(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}/story"
    links = tmp_path / "links.txt"
    links.write_text(refused + "\n")
    for attempts in (1, 2):
        result = run("import", str(links), "--delay", "0", "--json")
        summary = json.loads(result.stdout)
        assert (summary["failed"], summary["skipped_failed"]) == (1, 0), result.output
        [failure] = json.loads(run("failures", "--json").stdout)
        assert failure["attempts"] == attempts


# ---- 8. one text file, with and without --url -------------------------------------------------


def test_a_text_file_added_without_then_with_url_is_one_article(tmp_path: Path) -> None:
    story = text_file(tmp_path)
    assert run("add", str(story)).stdout.startswith("Added 1:")
    second = run("add", str(story), "--url", "https://www.example-news.com/bridge")
    assert second.exit_code == 0, second.output
    assert second.stdout.startswith("Updated 1:")
    assert stored_urls() == ["https://www.example-news.com/bridge"]


def test_a_text_file_added_with_then_without_url_keeps_its_address(tmp_path: Path) -> None:
    story = text_file(tmp_path)
    url = "https://www.example-news.com/bridge"
    assert run("add", str(story), "--url", url).stdout.startswith("Added 1:")
    again = run("add", "-", input=story.read_text())
    assert again.stdout.startswith("Updated 1:"), again.output
    assert stored_urls() == [url]
    assert run("show", url).exit_code == 0


def test_an_upgraded_archive_finds_file_articles_by_their_content(
    tmp_path: Path, archive_path: Path
) -> None:
    story = text_file(tmp_path)
    run("add", str(story), "--url", "https://www.example-news.com/bridge")
    with Archive(archive_path) as archive:  # as an archive made before m016 holds it
        archive.conn.execute("DELETE FROM article_urls WHERE url_key LIKE 'urn:%'")
        archive.conn.execute("ALTER TABLE failures DROP COLUMN permanent")
        archive.conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE 'm016%'")
        archive.conn.commit()
    assert run("add", str(story)).stdout.startswith("Updated 1:")


# ---- 5. progress for long work ---------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsarchive.cli.progress.stderr_is_terminal", lambda: True)


def two_articles(tmp_path: Path) -> None:
    add_one(tmp_path)
    other = tmp_path / "other.txt"
    other.write_text("Ferry timetable returns\n\n" + "\n\n".join(reversed(BRIDGE_STORY)))
    assert run("add", str(other)).exit_code == 0


def small_dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "dataset"
    (folder / "html").mkdir(parents=True)
    truth = {}
    for number in range(3):
        (folder / "html" / f"p{number}.html.gz").write_bytes(
            gzip.compress(page(f"Story {number}").encode())
        )
        truth[f"p{number}"] = {"articleBody": "\n".join(BRIDGE_STORY)}
    (folder / "ground-truth.json").write_text(json.dumps(truth))
    return folder


@pytest.mark.parametrize(
    "args, shown",
    [
        (["reextract", "--all"], "re-extracted 2/2"),
        (["export", "{tmp}/out"], "exported 2/2"),
        (["doctor", "--repair"], f"rebuilt search index {len(FTS_TABLES)}/{len(FTS_TABLES)}"),
        (["eval", "{tmp}/dataset"], "scored 3/3"),
    ],
)
def test_long_work_shows_progress_on_a_terminal(
    args: list[str], shown: str, tmp_path: Path, terminal: None
) -> None:
    two_articles(tmp_path)
    small_dataset(tmp_path)
    result = run(*[arg.format(tmp=tmp_path) for arg in args], color=True)
    assert result.exit_code == 0, result.output
    assert f"\r\x1b[K{shown}" in result.stderr
    assert shown not in result.stdout


@pytest.mark.parametrize(
    "args", [["reextract", "--all"], ["export", "{tmp}/out"], ["doctor", "--repair"]]
)
def test_no_progress_when_stderr_is_not_a_terminal(args: list[str], tmp_path: Path) -> None:
    two_articles(tmp_path)
    result = run(*[arg.format(tmp=tmp_path) for arg in args], color=True)
    assert result.exit_code == 0, result.output
    assert "\x1b[K" not in result.stderr


def test_import_draws_its_progress_line_through_the_same_display(
    server: LocalServer, tmp_path: Path, terminal: None
) -> None:
    links = tmp_path / "links.txt"
    links.write_text(server.route("/story", page("Harbour bridge reopens")) + "\n")
    result = run("import", str(links), "--delay", "0", color=True)
    assert result.exit_code == 0, result.output
    assert "\r\x1b[K1/1 · ok 1" in result.stderr
