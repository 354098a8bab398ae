"""Copying archives (``newsarchive copy``) between engines: everything an article has goes
over, an article the destination holds gains only what it lacks, and a second run copies
nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from newsarchive.copying import BATCH_ARTICLES, copy_archive
from newsarchive.errors import InputError
from newsarchive.history import article_history
from newsarchive.models import Article, FetchResult, Quote
from newsarchive.notes import set_note
from newsarchive.store import Archive, open_archive
from newsarchive.tags import TagEdit, edit_tags

DIRECTIONS = ["sqlite-postgresql", "postgresql-sqlite", "sqlite-sqlite"]


@pytest.fixture(params=DIRECTIONS)
def ends(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """A source and a destination on the engines the test's direction names."""
    source, destination = request.param.split("-")
    pg = request.getfixturevalue("pg_url") if "postgresql" in request.param else None
    where = {"sqlite": str(tmp_path / "source.db"), "postgresql": pg}
    return where[source], (str(tmp_path / "copy.db") if destination == "sqlite" else pg)


def page(url: str, raw: bytes, at: str) -> FetchResult:
    return FetchResult(url=url, final_url=url, text="", raw=raw, status=200, fetched_at=at)


def fill(location: str, stories: int = 3) -> None:
    """Stories with two versions, a capture fetched twice, quotes, tags and a note."""
    with open_archive(location) as archive:
        for n in range(1, stories + 1):
            url = f"https://news.example/{n}"
            first = Article(headline=f"Story {n}", text=f"Text {n}.", site="Example News")
            archive.save(page(url, b"one", "2024-01-01T00:00:00+00:00"), first)
            archive.save(page(url, b"one", "2024-01-02T00:00:00+00:00"), first)
            quoted = [Quote(f"Said {n}", "Ann Lee", "mayor")]
            second = Article(headline=f"Story {n}!", text=f"Text {n}.", quotes=quoted)
            archive.save(page(url, b"two", "2024-01-03T00:00:00+00:00"), second)
        edit_tags(archive, ["1"], TagEdit(("harbour",), ()))
        set_note(archive, "1", "check this")


def everything(location: str) -> list:
    """What each article holds, by URL, without the ids the copy renumbers."""
    with open_archive(location, read_only=True, create=False) as archive:
        found = []
        for row in sorted(archive.list_articles(), key=lambda row: row.url):
            stored = archive.get(row.url)
            history = article_history(archive, row.url)
            captures = [(c.sha256, c.fetched_at, c.seen_again) for c in history.captures]
            versions = [(v.version, v.changed, v.headline) for v in history.versions]
            raw = [capture.raw for capture in archive.captures(stored.id)]
            found.append((stored.url, stored.article, stored.tags, stored.user_note))
            found.append((captures, versions, raw, stored.saved_at))
        return found


def test_a_copy_holds_everything_and_a_second_run_copies_nothing(ends: tuple[str, str]):
    source, destination = ends
    fill(source)
    with open_archive(source) as origin, open_archive(destination) as target:
        first = copy_archive(origin, target)
        again = copy_archive(origin, target)
    assert (first.copied, first.present, first.captures, first.fetches) == (3, 0, 6, 3)
    assert (again.copied, again.present, again.captures, again.fetches) == (0, 3, 0, 0)
    assert everything(destination) == everything(source)


def test_an_article_both_hold_gains_what_it_lacks(ends: tuple[str, str]) -> None:
    source, destination = ends
    fill(source, stories=1)
    with open_archive(destination) as target:
        kept = Article(headline="Kept headline", text="Kept text.")
        target.save(page("https://news.example/1", b"mine", "2023-12-31T00:00:00+00:00"), kept)
        set_note(target, "1", "my own note")
    with open_archive(source) as origin, open_archive(destination) as target:
        report = copy_archive(origin, target)
        stored = target.get("https://news.example/1")
        history = article_history(target, stored.id)
    assert (report.copied, report.present, report.captures, report.fetches) == (0, 1, 2, 1)
    assert stored.article.headline == "Kept headline" and len(history.versions) == 1
    assert (stored.tags, stored.user_note) == (["harbour"], "my own note")
    assert [c.raw_size for c in history.captures] == [4, 3, 3]


def test_a_copy_cut_short_is_finished_by_running_it_again(tmp_path: Path, pg_url: str) -> None:
    source = str(tmp_path / "source.db")
    fill(source, stories=BATCH_ARTICLES + 2)
    with open_archive(source) as origin, open_archive(pg_url) as target:
        copy_archive(origin, target, ids=list(range(1, BATCH_ARTICLES + 1, 2)))
        rest = copy_archive(origin, target)
        assert target.count() == BATCH_ARTICLES + 2
    assert (rest.copied, rest.present) == (BATCH_ARTICLES + 2 - BATCH_ARTICLES // 2, 250)


def test_copy_command_with_a_query_and_json(tmp_path: Path) -> None:
    source, destination = tmp_path / "source.db", tmp_path / "slice.db"
    fill(str(source))
    copied = run_cli("copy", str(source), str(destination), "--query", "tag:harbour", "--json")
    assert copied.exit_code == 0, copied.output
    assert json.loads(copied.stdout) == {"copied": 1, "present": 0, "captures": 2, "fetches": 1}
    with Archive(destination) as archive:
        assert [row.url for row in archive.list_articles()] == ["https://news.example/1"]
    said = run_cli("copy", str(source), str(destination))
    assert said.stdout.startswith(f"Copied 2 articles into {destination}, 1 there already;")


def test_copying_an_archive_into_itself_or_from_nowhere_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    fill(str(source), stories=1)
    with open_archive(source) as origin, pytest.raises(InputError, match="the source itself"):
        copy_archive(origin, origin)
    missing = run_cli("copy", str(tmp_path / "none.db"), str(tmp_path / "copy.db"))
    assert missing.exit_code == 2 and "no archive there" in missing.stderr
    assert not (tmp_path / "copy.db").exists()


def test_a_copy_whose_query_finds_nothing_creates_no_destination(tmp_path: Path) -> None:
    source, destination = tmp_path / "source.db", tmp_path / "slice.db"
    fill(str(source), stories=1)
    for query in ["tag:nowhere", "published:notadate"]:
        refused = run_cli("copy", str(source), str(destination), "--query", query)
        assert refused.exit_code != 0 and refused.stderr.count("\n") == 1
        assert not destination.exists()
