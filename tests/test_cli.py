"""The command line end to end: a real HTTP server on 127.0.0.1, a real archive file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHARED

from newsarchive.cli import cli
from newsarchive.store import Archive

README = Path(__file__).resolve().parent.parent / "README.md"

PARAGRAPHS = [
    "The harbour bridge reopened to traffic on Tuesday morning after a week of repairs"
    " that followed the worst storm the town has seen in decades.",
    "“We never stopped working, not for one night,” said Mina Okafor, the chief engineer,"
    " standing beside the freshly painted railings.",
    "Ferries had carried commuters across the water while the bridge was closed, and the"
    " ferry company said its boats would return to their usual timetable next week.",
    "Okafor said the final inspection had been “completely clean” and that the deck would"
    " be checked again in the spring, when the weather allows a closer look.",
]


def news_page(headline: str = "Harbour bridge reopens after storm", charset: str = "utf-8") -> str:
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    return f"""<!doctype html><html lang="en"><head><meta charset="{charset}">
<title>{headline} | Example News</title>
<meta property="og:site_name" content="Example News">
<meta name="author" content="Mina Okafor">
<meta property="article:published_time" content="2024-05-01T08:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{headline}</h1>{body}</article>
<footer>© Example News</footer></body></html>"""


def run(*args: str, input: str | bytes | None = None, color: bool = False):
    return CliRunner().invoke(cli, list(args), input=input, color=color)


def archived_ids() -> list[int]:
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    return [row["id"] for row in json.loads(result.stdout)]


def test_add_a_url_then_show_search_list_and_quotes(server) -> None:
    url = server.route("/2024/05/01/bridge.html", news_page())
    added = run("add", url)
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("Added 1: Harbour bridge reopens after storm")

    shown = json.loads(run("show", "1", "--format", "json").stdout)
    assert shown["id"] == 1 and shown["url"] == url
    assert shown["headline"] == "Harbour bridge reopens after storm"
    assert shown["authors"] == ["Mina Okafor"]
    assert shown["published"].startswith("2024-05-01")
    assert shown["text"].split("\n") == PARAGRAPHS
    assert shown["word_count"] == sum(len(p.split()) for p in PARAGRAPHS)
    assert {"saved_at", "site", "language", "standfirst", "html", "quotes"} <= shown.keys()

    found = run("search", "ferry company", color=True)
    assert "Harbour bridge reopens after storm" in found.stdout
    assert re.search(r"\x1b\[[0-9;]*m(ferry|company)", found.stdout)

    [hit] = json.loads(run("search", "ferry company", "--json").stdout)
    assert {"id", "url", "headline", "published", "snippet", "score"} <= hit.keys()

    said = json.loads(run("quotes", "--speaker", "okafor", "--json").stdout)
    assert "We never stopped working, not for one night" in [q["text"] for q in said]


def test_show_prints_a_readable_article(server) -> None:
    run("add", server.route("/story", news_page()))
    shown = run("show", "1")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == "Harbour bridge reopens after storm"
    assert lines[1].startswith("By Mina Okafor · Example News · 2024-05-01")
    assert "ferry company said its boats" in " ".join(lines)


def test_redirect_is_followed_and_the_final_url_stored(server) -> None:
    final = server.route("/2024/05/01/bridge.html", news_page())
    short = server.route("/s/abc", b"", status=301, headers={"Location": final})
    assert run("add", short).exit_code == 0
    assert json.loads(run("show", "1", "--format", "json").stdout)["url"] == final
    again = run("add", final + "?utm_source=newsletter")
    assert again.stdout.startswith("Unchanged 1:")
    assert archived_ids() == [1]


def test_a_404_is_one_line_on_stderr_and_nothing_is_written(server, archive_path: Path) -> None:
    run("add", server.route("/good", news_page()))
    before = archived_ids()
    result = run("add", server.url("/missing"))
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "404" in result.stderr and server.url("/missing") in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert archived_ids() == before


def test_non_html_is_refused(server) -> None:
    url = server.route(
        "/report.pdf", b"%PDF-1.7 binary", headers={"Content-Type": "application/pdf"}
    )
    result = run("add", url)
    assert result.exit_code != 0
    assert "report.pdf" in result.stderr and "Traceback" not in result.output
    assert archived_ids() == []


def test_a_slow_server_times_out(server) -> None:
    url = server.route("/slow", news_page(), delay=3)
    result = run("add", url, "--timeout", "0.5")
    assert result.exit_code != 0
    assert "/slow" in result.stderr
    assert archived_ids() == []


def test_an_oversize_page_is_refused(server) -> None:
    chunks = (b"<p>" + b"x" * 65536 + b"</p>" for _ in range(400))
    url = server.route("/huge", chunks, headers={"Content-Type": "text/html"})
    result = run("add", url)
    assert result.exit_code != 0
    assert "/huge" in result.stderr
    assert archived_ids() == []


def test_a_windows_1252_page_without_charset_is_decoded(server) -> None:
    page = news_page("Café owners pay €2 to cheer the bridge", charset="x").replace(
        '<meta charset="x">', ""
    )
    url = server.route("/cafe", page.encode("cp1252"), headers={"Content-Type": "text/html"})
    assert run("add", url).exit_code == 0
    shown = json.loads(run("show", "1", "--format", "json").stdout)
    assert shown["headline"] == "Café owners pay €2 to cheer the bridge"


def test_a_saved_page_and_stdin_with_their_original_url(tmp_path: Path) -> None:
    saved = tmp_path / "saved.html"
    saved.write_text(news_page(), encoding="utf-8")
    result = run("add", str(saved), "--url", "https://example-news.test/2024/05/01/bridge")
    assert result.exit_code == 0, result.output
    piped = run(
        "add", "-", "--url", "https://example-news.test/2024/05/01/bridge", input=news_page()
    )
    assert piped.stdout.startswith("Unchanged 1:")
    assert json.loads(run("show", "1", "--format", "json").stdout)["url"] == (
        "https://example-news.test/2024/05/01/bridge"
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [("no-such-file.html", "no-such-file.html"), ("javascript:alert(1)", "javascript")],
)
def test_bad_sources_are_clear_errors(source: str, message: str) -> None:
    result = run("add", source)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_several_sources_keep_going_past_a_failure(server) -> None:
    good = server.route("/good", news_page())
    result = run("add", server.url("/missing"), good)
    assert result.exit_code != 0
    assert "Added 1:" in result.stdout
    assert "404" in result.stderr


def test_extract_previews_without_writing(tmp_path: Path, archive_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(news_page(), encoding="utf-8")
    result = run("extract", str(page), "--url", "https://example-news.test/x", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["headline"] == "Harbour bridge reopens after storm"
    assert not archive_path.exists()


def test_show_unknown_article(archive_path: Path) -> None:
    Archive(archive_path).close()
    result = run("show", "7")
    assert result.exit_code != 0
    assert result.stderr.startswith("Error: 7: no such article in ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_search_errors_are_one_line(server) -> None:
    run("add", server.route("/story", news_page()))
    assert run("search", "don't \"panic").exit_code == 0
    bad = run("search", "!!!")
    assert bad.exit_code != 0 and "nothing to search for" in bad.stderr
    bad_date = run("search", "bridge", "--since", "yesterday")
    assert bad_date.exit_code != 0 and "--since" in bad_date.stderr


def test_db_option_and_env_choose_the_archive(server, tmp_path: Path, archive_path: Path) -> None:
    other = tmp_path / "other.db"
    url = server.route("/story", news_page())
    assert run("--db", str(other), "add", url).exit_code == 0
    assert run("list", "--db", str(other), "--json").stdout.count('"id"') == 1
    assert not archive_path.exists() or archived_ids() == []


SEED = SHARED / "seed" / "000_462e5a56550a0a15.txt"


@pytest.mark.skipif(not SEED.exists(), reason="the seed article in ../shared is absent")
def test_the_seed_article_is_archived_and_found() -> None:
    added = run("add", str(SEED))
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith(
        "Added 1: President Zelensky posts video from Kyiv street and reassures Ukraine he’s staying put"
    )
    shown = json.loads(run("show", "1", "--format", "json").stdout)
    assert shown["text"].startswith("Ukraine’s president Volodymyr Zelensky has released a video")
    assert shown["text"].endswith("they kill all Europeans.”")
    found = run("search", "threatening for Kyiv", color=True)
    assert "President Zelensky posts video" in found.stdout
    assert re.search(r"\x1b\[[0-9;]*mthreatening", found.stdout)
    said = json.loads(run("quotes", "europeans", "--speaker", "zelensky", "--json").stdout)
    assert [q["text"] for q in said] == ["When missiles kill our people, they kill all Europeans."]


def test_help_names_the_default_archive_location(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsarchive.cli import default_db_path

    assert str(default_db_path()) in " ".join(run("--help").stdout.split())


def test_readme_documents_every_command() -> None:
    documented = set(re.findall(r"^### `newsarchive (\S+)`", README.read_text(), re.M))
    assert documented == set(cli.commands)


def test_the_installed_console_script_runs(tmp_path: Path) -> None:
    script = shutil.which("newsarchive", path=str(Path(sys.executable).parent))
    assert script, "the newsarchive console script is not installed"
    page = tmp_path / "page.html"
    page.write_text(news_page(), encoding="utf-8")
    db = tmp_path / "script.db"
    added = subprocess.run(
        [script, "--db", str(db), "add", str(page), "--url", "https://example-news.test/a"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    listed = subprocess.run(
        [script, "--db", str(db), "list"], capture_output=True, text=True, timeout=60
    )
    assert "Harbour bridge reopens after storm" in listed.stdout
    missing = subprocess.run(
        [script, "--db", str(db), "show", "99"], capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 1 and missing.stderr.startswith("Error: 99: no such article")


def test_stats_counts_by_site_and_year(server) -> None:
    run("add", server.route("/a", news_page()))
    run("add", server.route("/b", news_page("Ferry timetable returns")))
    numbers = json.loads(run("stats", "--json").stdout)
    assert (numbers["articles"], numbers["versions"]) == (2, 2)
    assert numbers["by_site"] == {"Example News": 2}
    assert numbers["by_year"] == {"2024": 2}
    assert numbers["size_bytes"] > 0
    text = run("stats").stdout
    assert text.startswith("2 articles (2 versions)") and "Example News" in text


def test_search_csv_and_sort(server) -> None:
    run("add", server.route("/a", news_page()))
    result = run("search", "ferry", "--csv", "--sort", "published")
    rows = result.stdout.splitlines()
    assert rows[0] == "id,url,headline,site,published,authors,score,snippet"
    assert rows[1].startswith("1,http://127.0.0.1:")


def write_dataset(folder: Path, pages: dict[str, tuple[str, dict]]) -> Path:
    """A tiny dataset in the layout of ../shared/datasets: html/<id>.html.gz + ground-truth.json."""
    import gzip

    (folder / "html").mkdir(parents=True)
    truth = {}
    for page_id, (html, fields) in pages.items():
        (folder / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[page_id] = {"url": f"https://example-news.test/{page_id}", **fields}
    (folder / "ground-truth.json").write_text(json.dumps(truth))
    return folder


def test_eval_scores_a_dataset_and_writes_json(tmp_path: Path) -> None:
    dataset = write_dataset(
        tmp_path / "set",
        {
            "a": (news_page(), {"articleBody": "\n".join(PARAGRAPHS), "date": "2024-05-01"}),
            "b": (news_page("Ferry fares frozen"), {"articleBody": "Nothing like the page at all"}),
        },
    )
    report_file = tmp_path / "report.json"
    result = run("eval", str(dataset), "--json", str(report_file))
    assert result.exit_code == 0, result.output
    assert "body F1" in result.stdout and "worst pages" in result.stdout
    report = json.loads(report_file.read_text())
    assert report["pages"] == 2
    assert 0.4 < report["body"]["f1"] < 0.9
    assert report["dates"]["accuracy"] == 1.0


def test_eval_on_a_folder_without_ground_truth_is_a_clear_error(tmp_path: Path) -> None:
    result = run("eval", str(tmp_path))
    assert result.exit_code != 0
    assert "ground-truth.json" in result.stderr


def test_show_prints_the_standfirst_once(tmp_path: Path) -> None:
    page = news_page().replace(
        "<h1>Harbour bridge reopens after storm</h1>",
        "<h1>Harbour bridge reopens after storm</h1><p class='standfirst'>Engineers worked"
        " through the night to finish the repairs before the morning rush began</p>",
    )
    saved = tmp_path / "page.html"
    saved.write_text(page, encoding="utf-8")
    run("add", str(saved), "--url", "https://example-news.test/bridge")
    assert run("show", "1").stdout.count("Engineers worked through the night") == 1
