"""The reader's pages of an article's past over real HTTP: its history, a version as it was,
and what changed, each answering the JSON the matching command prints."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_serve import PLANTED, Reader, start

from newsarchive.cli import cli
from newsarchive.history import compare_versions
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.store import Archive
from newsarchive.versionview import changes_html

URL = "https://tabloid.test/ferry"
HOSTILE = "Ferry halted <script>window.pwned = true</script>"
EDITED = "Ferry service halted for 3 days"
OPENING = "The ferry service was halted on Tuesday after 2 crossings were cancelled."
CLOSING = "Tap here for the timetable, which will be printed again next week."
SAID = "We will sail again when it is safe"
CORRECTED = "We will sail again only when it is safe"
# Each version of the article, oldest first: the first one planted scripts in every way a page
# can; the second edits the headline, a number and a quote; the third drops a paragraph.
VERSIONS = [
    (HOSTILE, [OPENING, CLOSING], PLANTED, SAID),
    (EDITED, [OPENING.replace("2 crossings", "4 crossings"), CLOSING], "", CORRECTED),
    (EDITED, [OPENING.replace("2 crossings", "4 crossings")], "", CORRECTED),
]


def version_article(headline: str, paragraphs: list[str], html: str, said: str) -> Article:
    return Article(
        headline=headline,
        site="Tabloid",
        published="2024-05-02",
        text="\n".join(paragraphs),
        html=html or "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs),
        quotes=[Quote(said, "Mina Okafor", "the harbour master")],
    )


def fill_versions(path: Path) -> None:
    """Article 1 in three versions from three captures, the last fetched twice; article 2
    in one."""
    with Archive(path) as archive:
        for number, version in enumerate([*VERSIONS, VERSIONS[-1]], start=1):
            raw = f"capture {min(number, 3)}".encode()
            fetched = FetchResult(url=URL, final_url=URL, text="", raw=raw, status=200)
            archive.save(fetched, version_article(*version))
        one = "https://tabloid.test/market"
        fetched = FetchResult(url=one, final_url=one, text="", raw=b"market")
        archive.save(fetched, Article(headline="Market moves", text="The market moved."))


@pytest.fixture
def versioned(archive_path: Path) -> Iterator[Reader]:
    fill_versions(archive_path)
    yield from start(archive_path)


def get_json(reader: Reader, path: str) -> object:
    status, headers, text = reader.get(path)
    assert (status, headers["Content-Type"]) == (200, "application/json; charset=utf-8"), text
    return json.loads(text)


def test_the_article_page_lists_its_versions_and_captures(versioned: Reader) -> None:
    status, _, text = versioned.get("/articles/1")
    assert status == 200
    assert '<a href="/articles/1/versions/1">Version 1</a>' in text
    assert "headline, text, quotes changed" in text and "text changed" in text
    assert '<a href="/articles/1/diff?from=2&amp;to=3">what changed</a>' in text
    assert "Capture 3 · " in text and "fetched again 1 time<" in text
    assert '<a href="/articles/1/history">every fetch</a>' in text
    assert "3 captures, 4 fetches, 3 versions" in text
    assert get_json(versioned, "/articles/1.json") == versioned.cli_json(
        "show", "1", "--format", "json"
    )
    assert "Versions and captures" not in versioned.get("/articles/2")[2]


def test_the_history_page_and_its_json(versioned: Reader) -> None:
    status, _, text = versioned.get("/articles/1/history")
    assert status == 200
    assert "History of" in text and "same bytes again: time recorded" in text
    assert "version 2: headline, text, quotes changed" in text
    history = versioned.cli_json("history", "1", "--json")
    assert get_json(versioned, "/articles/1/history.json") == history
    assert [len(history[part]) for part in ("captures", "versions", "fetches")] == [3, 3, 4]


def test_a_version_page_shows_the_article_as_it_was(versioned: Reader) -> None:
    status, _, text = versioned.get("/articles/1/versions/2")
    assert status == 200
    assert 'Version 2 of 3, captured <time datetime="' in text
    assert '<a href="/articles/1">Read the latest version</a>' in text
    assert '<a href="/articles/1/diff?from=2&amp;to=3">what changed since</a>' in text
    assert f"<h1>{EDITED}</h1>" in text and CLOSING in text
    assert '<a href="/articles/1/versions/2.json">JSON</a>' in text
    for number in ("1", "2", "3"):
        shown = get_json(versioned, f"/articles/1/versions/{number}.json")
        assert shown == versioned.cli_json("show", "1", "--version", number, "--format", "json")
    latest = versioned.get("/articles/1/versions/3")[2]
    assert "Version 3 of 3 (the latest)" in latest and "what changed since" not in latest
    assert CLOSING not in latest


@pytest.mark.parametrize(
    ("query", "versions"), [("", []), ("?from=1", ["1"]), ("?from=1&to=2", ["1", "2"])]
)
def test_the_diff_page_answers_what_diff_answers(
    versioned: Reader, query: str, versions: list[str]
) -> None:
    changes = versioned.cli_json("diff", "1", *versions, "--format", "json")
    assert get_json(versioned, f"/articles/1/diff.json{query}") == changes
    status, _, text = versioned.get(f"/articles/1/diff{query}")
    assert status == 200
    document = CliRunner().invoke(
        cli, ["--db", str(versioned.path), "diff", "1", *versions, "--format", "html"]
    )
    with Archive(versioned.path, read_only=True) as archive:
        fragment = changes_html(compare_versions(archive, 1, *map(int, versions)))
    assert fragment in text and fragment in document.stdout  # one rendering for both


def test_the_diff_page_puts_headline_quote_and_number_changes_first(versioned: Reader) -> None:
    text = versioned.get("/articles/1/diff?from=1&to=2")[2]
    kinds = ["headline changed", "quote changed", "number changed", "sentence changed"]
    places = [text.index(f"<b>{kind}</b>") for kind in kinds]
    assert places == sorted(places)
    assert "<ins>only </ins>" in text and "<del>2</del> → <ins>4</ins>" in text
    assert "selected>version 1</option>" in text and "<style" not in text
    assert "style=" not in text  # the strict CSP: insertions are styled by reader.css
    css = versioned.get("/static/reader.css")[2]
    assert "\nins {" in css and "\ndel {" in css


def test_a_script_planted_in_an_old_version_never_reaches_the_output(versioned: Reader) -> None:
    paths = ["/articles/1", "/articles/1/history", "/articles/1/versions/1"]
    paths += ["/articles/1/diff?from=1&to=3", "/articles/1/diff?from=1"]
    for path in paths:
        status, _, text = versioned.get(path)
        assert status == 200
        lowered = text.lower()
        for planted in ["<script", "onerror", "onclick", "javascript:", "<iframe", "<svg"]:
            assert planted not in lowered, (path, planted)
        assert "<style" not in lowered
    old = versioned.get("/articles/1/versions/1")[2]
    assert "The ferry service was halted on Tuesday." in old
    assert "Ferry halted &lt;script&gt;window.pwned = true&lt;/script&gt;" in old
    diff = versioned.get("/articles/1/diff?from=1")[2]
    assert "<del>&lt;script&gt;window.pwned</del>" in diff


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/articles/1/versions/4", 404),
        ("/articles/1/versions/4.json", 404),
        ("/articles/9/versions/1", 404),
        ("/articles/9/history", 404),
        ("/articles/9/diff", 404),
        ("/articles/1/diff?from=7", 404),
        ("/articles/1/diff?to=9", 404),
        ("/articles/1/versions/0", 400),
        ("/articles/1/versions/x", 400),
        ("/articles/1/versions/-1", 400),
        ("/articles/1/versions/%C2%B2", 400),
        ("/articles/1/versions/99999999999999999999", 400),
        ("/articles/1/diff?from=one", 400),
        ("/articles/1/diff.json?to=0", 400),
        ("/articles/2/diff", 400),  # one version: nothing to compare, as diff says
        ("/articles/1/versions/1/more", 404),
    ],
)
def test_unknown_versions_are_404_and_malformed_ones_400(
    versioned: Reader, path: str, status: int
) -> None:
    answered, _, text = versioned.get(path)
    assert answered == status, text
    if ".json" in path:
        assert "error" in json.loads(text)
