"""No capture is lost: a page without article text, or a wall, is archived with its status,
for `show` and `list` to say what happened and `reextract` to try again (real local HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BRIDGE_STORY, LocalServer

from newsarchive.cli import cli
from newsarchive.errors import ExtractionError
from newsarchive.pipeline import add
from newsarchive.store import Archive

NO_TEXT_PAGE = (
    "<!doctype html><html lang='en'><head><title>Tide tables for May | Port News</title>"
    "<meta property='og:site_name' content='Port News'>"
    "<meta property='article:published_time' content='2024-05-02T06:00:00Z'></head>"
    "<body><nav><a href='/'>Home</a> <a href='/tides'>Tides</a></nav>"
    "<div id='app'></div><script src='/app.js'></script></body></html>"
)
WALL_PAGE = (
    "<!doctype html><html><head><title>Just a moment...</title></head><body>"
    "<p>Checking your browser before you reach Port News.</p></body></html>"
)


def article_page(paragraphs: list[str] = BRIDGE_STORY) -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        "<!doctype html><html lang='en'><head><title>Harbour bridge reopens</title></head>"
        f"<body><article><h1>Harbour bridge reopens</h1>{body}</article></body></html>"
    )


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def shown(reference: str) -> dict:
    return json.loads(run("show", reference, "--format", "json").stdout)


def test_add_keeps_a_page_without_text_with_its_capture_and_says_so(
    server: LocalServer, archive_path: Path
) -> None:
    final = server.route("/2024/05/tides", NO_TEXT_PAGE, headers={"X-Served-By": "port"})
    server.route("/tides", b"", status=301, headers={"Location": final})

    result = run("add", server.url("/tides"))

    assert result.exit_code == 3
    assert result.stdout.startswith("Added 1 [no_text]: Tide tables for May\n")
    assert result.stderr == (
        f"Error: {final}: no article text found; the page is kept as article 1 (status"
        " no_text) for newsarchive reextract\n"
    )
    article = shown("1")
    assert (article["status"], article["text"]) == ("no_text", "")
    assert article["published"].startswith("2024-05-02") and article["site"] == "Port News"
    assert "status no_text: no article text found; the page is kept: newsarchive reextract 1" in (
        run("show", "1").stdout
    )
    assert "[no_text] Tide tables for May" in run("list").stdout
    with Archive(archive_path) as archive:
        [capture] = archive.captures(1)
    assert capture.raw == NO_TEXT_PAGE.encode()
    assert (capture.final_url, capture.http_status, capture.status) == (final, 200, "no_text")
    assert capture.headers["X-Served-By"] == "port"


def test_reextract_finds_the_text_once_the_extractor_can(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Added while the extractor found nothing in the page; a later one finds the story."""

    def finds_nothing(html: str, url: str | None = None) -> None:
        raise ExtractionError(f"{url}: no article text found")

    url = server.route("/bridge", article_page())
    with monkeypatch.context() as patched:
        patched.setattr("newsarchive.extract.article.extract_article", finds_nothing)
        assert run("add", url).exit_code == 3
    server.routes.clear()  # from the stored capture, not the network

    result = run("reextract", "1")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(", text, status changed")
    article = shown("1")
    assert article["status"] == "ok" and BRIDGE_STORY[0] in article["text"]


def test_add_keeps_a_wall_and_the_article_replaces_it_later(server: LocalServer) -> None:
    url = server.route("/bridge", WALL_PAGE)
    walled = run("add", url)
    assert walled.exit_code == 3
    assert walled.stderr.startswith(f"Error: {url}: blocked by a cookie wall or bot check;")
    assert shown(url)["status"] == "blocked"

    server.route("/bridge", article_page())
    again = run("add", url)

    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("Updated 1: Harbour bridge reopens")
    assert shown(url)["status"] == "ok"


def test_a_capture_without_text_never_replaces_the_article(server: LocalServer) -> None:
    url = server.route("/bridge", article_page())
    assert run("add", url).exit_code == 0
    server.route("/bridge", NO_TEXT_PAGE)

    again = run("add", url)

    assert again.exit_code == 3
    assert again.stdout.startswith("Kept 1: this capture is no_text; the earlier complete text")
    assert shown(url)["status"] == "ok" and BRIDGE_STORY[0] in shown(url)["text"]
    reextracted = run("reextract", "--all")  # from the complete capture, not the newer one
    assert reextracted.stdout.strip() == "Re-extracted 1: 0 changed, 1 unchanged, 0 failed"


def test_reextract_never_empties_an_article_it_now_finds_no_text_in(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = server.route("/bridge", article_page())
    assert run("add", url).exit_code == 0

    def finds_nothing(html: str, url: str | None = None) -> None:
        raise ExtractionError(f"{url}: no article text found")

    monkeypatch.setattr("newsarchive.extract.article.extract_article", finds_nothing)
    result = run("reextract", "1")

    assert result.exit_code == 1
    assert "Error: article 1: no article text found; the stored text is kept" in result.stderr
    assert BRIDGE_STORY[0] in shown("1")["text"]


def test_add_of_several_sources_exits_3_when_one_holds_no_text_and_1_when_one_fails(
    server: LocalServer,
) -> None:
    story, empty = server.route("/bridge", article_page()), server.route("/tides", NO_TEXT_PAGE)
    kept = run("add", story, empty)
    assert kept.exit_code == 3
    assert "Added 1: Harbour bridge reopens" in kept.stdout
    assert "Added 2 [no_text]: Tide tables for May" in kept.stdout
    failed = run("add", story, server.url("/missing"), empty)
    assert failed.exit_code == 1
    assert failed.stderr.endswith("Error: 1 of 3 sources failed\n")


def test_the_library_returns_the_status_of_a_capture_without_text(
    server: LocalServer, archive_path: Path
) -> None:
    with Archive(archive_path) as archive:
        outcome = add(server.route("/tides", NO_TEXT_PAGE), archive)
        assert (outcome.created, outcome.article.status, outcome.article.text) == (
            True,
            "no_text",
            "",
        )
        assert archive.article_status(outcome.id) == "no_text"
