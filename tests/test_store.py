"""The archive file: one transaction per article, dedupe by URL, migrations, raw captures kept."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

from newsarchive.errors import ArchiveError, NotFoundError
from newsarchive.migrations import applied_names, migrations, step_names
from newsarchive.models import Article, FetchResult, Quote, RemovedBlock
from newsarchive.searching import search
from newsarchive.store import Archive


def fetched(url: str | None = "https://news.example/2024/05/01/story", **kwargs) -> FetchResult:
    fields = {
        "url": url,
        "final_url": url,
        "text": "<html><p>Body</p></html>",
        "raw": b"<html><p>Body</p></html>",
        "status": 200,
        "headers": {"Content-Type": "text/html"},
        "encoding": "utf-8",
    }
    return FetchResult(**{**fields, **kwargs})


def article(**kwargs) -> Article:
    fields = {
        "headline": "Harbour bridge reopens after storm",
        "standfirst": "Engineers worked through the night",
        "authors": ["Mina Okafor"],
        "published": "2024-05-01T08:00:00+00:00",
        "site": "Example News",
        "text": "The bridge reopened on Tuesday.\nTraffic flowed again by noon.",
        "quotes": [Quote("We never stopped", "Mina Okafor")],
        "removed": [RemovedBlock("Subscribe to our newsletter", "newsletter")],
    }
    return Article(**{**fields, **kwargs})


def test_save_then_get_round_trips_every_field(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        outcome = archive.save(fetched(), article())
        stored = archive.get(outcome.id)
    assert outcome.created
    assert stored.url == "https://news.example/2024/05/01/story"
    assert stored.article == article()
    assert stored.article.word_count == 10


def test_raw_capture_is_kept_compressed_with_headers(archive_path: Path) -> None:
    raw = b"<html>" + b"<p>paragraph</p>" * 1000 + b"</html>"
    with Archive(archive_path) as archive:
        outcome = archive.save(fetched(raw=raw), article())
        [capture] = archive.captures(outcome.id)
        stored_bytes = archive.db.execute("SELECT length(raw_zlib) FROM captures").fetchone()[0]
    assert capture.raw == raw
    assert capture.headers == {"Content-Type": "text/html"}
    assert capture.http_status == 200
    assert stored_bytes < len(raw) / 10


@pytest.mark.parametrize(
    "second_url",
    [
        "HTTPS://NEWS.EXAMPLE/2024/05/01/story?utm_source=twitter&fbclid=abc#comments",
        "https://news.example/2024/05/01/story",
    ],
)
def test_same_article_under_a_normalised_url_is_updated_not_duplicated(
    archive_path: Path, second_url: str
) -> None:
    with Archive(archive_path) as archive:
        first = archive.save(fetched(), article())
        second = archive.save(fetched(second_url), article(headline="Bridge reopens"))
        assert archive.count() == 1
        assert archive.get(first.id).article.headline == "Bridge reopens"
        assert len(archive.captures(first.id)) == 1, "the same bytes are kept once"
        assert archive.conn.execute("SELECT count(*) FROM capture_times").fetchone() == (1,)
    # the same bytes read differently (here: another headline) are no change of the article:
    # its version 1 is rewritten, no version 2 made
    assert second == type(second)(
        id=first.id, created=False, version=1, changed=[], new_bytes=False, rewritten=True
    )


def test_a_redirected_url_finds_the_article_saved_under_its_final_url(archive_path: Path) -> None:
    final = "https://news.example/2024/05/01/story"
    with Archive(archive_path) as archive:
        archive.save(fetched("https://short.example/abc", final_url=final), article())
        again = archive.save(fetched(final), article())
        assert archive.find_id("https://short.example/abc") == again.id
        assert archive.count() == 1


def test_canonical_url_joins_copies_but_a_home_page_canonical_does_not(archive_path: Path) -> None:
    canonical = "https://news.example/story-canonical"
    with Archive(archive_path) as archive:
        archive.save(fetched("https://m.news.example/a"), article(canonical_url=canonical))
        archive.save(fetched("https://amp.news.example/a"), article(canonical_url=canonical))
        assert archive.count() == 1
        archive.save(
            fetched("https://news.example/x"), article(canonical_url="https://news.example/")
        )
        archive.save(
            fetched("https://news.example/y"), article(canonical_url="https://news.example/")
        )
        assert archive.count() == 3


def test_updating_replaces_quotes_and_removed_blocks(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        saved = archive.save(fetched(), article())
        archive.save(fetched(), article(quotes=[Quote("Open again", None)], removed=[]))
        stored = archive.get(saved.id)
    assert stored.article.quotes == [Quote("Open again", None)]
    assert stored.article.removed == []


def test_get_by_url_and_unknown_reference(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        saved = archive.save(fetched(), article())
        assert archive.get("https://news.example/2024/05/01/story?utm_medium=x").id == saved.id
        with pytest.raises(NotFoundError, match="42: no such article"):
            archive.get(42)
        with pytest.raises(NotFoundError):
            archive.get("https://elsewhere.example/")


def test_content_without_url_is_filed_under_its_hash(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        first = archive.save(fetched(None, raw=b"same text"), article())
        second = archive.save(fetched(None, raw=b"same text"), article())
        assert first.id == second.id
        assert archive.get(first.id).url.startswith("urn:sha256:")


def test_failed_write_leaves_the_archive_unchanged(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(fetched(), article())
        archive.db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON captures"
            " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
        )
        with pytest.raises(sqlite3.IntegrityError):
            archive.save(fetched("https://news.example/other"), article(headline="Other"))
        assert archive.count() == 1
        assert archive.db.execute("SELECT count(*) FROM quotes").fetchone()[0] == 1
        assert archive.find_id("https://news.example/other") is None


def test_full_text_index_follows_saves_and_updates(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(fetched(), article())
        archive.save(fetched(), article(text="Ferries replaced the bridge."))
        archive.db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        archive.db.execute("INSERT INTO quotes_fts(quotes_fts) VALUES('integrity-check')")
        matches = archive.db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'ferries'"
        ).fetchall()
        stale = archive.db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'noon'"
        ).fetchall()
    assert matches == [(1,)]
    assert stale == []


def test_a_bulk_save_indexes_every_article_and_keeps_their_children(archive_path: Path) -> None:
    pages = [
        (
            fetched(f"https://news.example/{number}"),
            article(text=f"Story number{number} of the batch.", quotes=[Quote(f"q{number}", "A")]),
        )
        for number in range(40)
    ]
    with Archive(archive_path) as archive:
        outcomes = archive.save_many(pages)
        archive.db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
        found = [
            archive.db.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [f"number{n}"]
            ).fetchall()
            for n in (0, 39)
        ]
        quotes = archive.get(outcomes[39].id).article.quotes
    assert [outcome.created for outcome in outcomes] == [True] * 40
    assert found == [[(outcomes[0].id,)], [(outcomes[39].id,)]]
    assert quotes == [Quote("q39", "A")]


def test_archive_is_in_wal_mode_with_schema_recorded(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        mode = archive.db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert archive.schema_version == migrations_in_code()[-1]


def test_reopening_keeps_data_and_applies_nothing_twice(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(fetched(), article())
    with Archive(archive_path) as archive:
        assert archive.count() == 1
        rows = archive.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert rows == len(migrations_in_code())


def migrations_in_code() -> list[str]:
    return [migration.name for migration in migrations.pending(Database(memory=True))]


def test_applied_names_read_without_sqlite_utils_are_its_own(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.save(fetched(), article())
        by_sqlite_utils = [migration.name for migration in migrations.applied(archive.db)]
        assert applied_names(archive.conn) == by_sqlite_utils == step_names()
        assert archive.conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 1


def test_searching_an_up_to_date_archive_leaves_sqlite_utils_unimported(
    archive_path: Path,
) -> None:
    with Archive(archive_path) as archive:
        archive.save(fetched(), article())
    script = (
        "import sys\n"
        "from newsarchive.cli import cli\n"
        f"sys.argv = ['newsarchive', '--db', {str(archive_path)!r}, 'search', 'body']\n"
        "try:\n    cli()\nexcept SystemExit:\n    pass\n"
        "print('sqlite_utils' in sys.modules, 'platformdirs' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "False False", result.stderr


def test_an_archive_from_the_first_schema_is_migrated_with_its_data(archive_path: Path) -> None:
    old = Database(archive_path)
    migrations.apply(old, stop_before="m002_failures")
    old["articles"].insert(
        {
            "url": "https://news.example/a",
            "url_key": "https://news.example/a",
            "saved_at": "2024",
            "headline": "Old ferry story",
            "text": "word " * 50,
            "authors": "[]",
        }
    )
    old["quotes"].insert(
        {"article_id": 1, "position": 0, "text": "Boats are back", "speaker": "Ana"}
    )
    old.conn.commit()
    old.close()
    with Archive(archive_path) as archive:
        assert archive.schema_version == migrations_in_code()[-1]
        assert archive.get(1).article.headline == "Old ferry story"
        found = archive.db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'boats'"
        ).fetchall()
        assert found == [(1,)]


def test_an_archive_from_before_site_hosts_gets_the_pairs_of_its_articles(
    archive_path: Path,
) -> None:
    old = Database(archive_path)
    migrations.apply(old, stop_before="m011_search_site_hosts")
    for number, site in enumerate(["Harbour Post", None, "Harbour Post"]):
        url = f"https://Port.example/{number}" if site else "https://isle.example:8080/x"
        old["articles"].insert({"url": url, "url_key": url, "saved_at": "2024", "site": site})
    old.conn.commit()
    old.close()
    with Archive(archive_path) as archive:
        pairs = archive.db.execute("SELECT site, host FROM site_hosts ORDER BY site").fetchall()
    assert pairs == [("", "isle.example:8080"), ("Harbour Post", "port.example")]


def test_an_archive_from_before_date_terms_finds_its_articles_by_date_and_keeps_indexing(
    archive_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = Database(archive_path)
    migrations.apply(old, stop_before="m012_search_published_terms")
    url = "https://port.example/old"
    row = {
        "url": url,
        "url_key": url,
        "saved_at": "2024",
        "text": "Ferries",
        "published": "2024-05-02",
    }
    old["articles"].insert(row)
    old.conn.commit()
    old.close()
    with caplog.at_level(logging.WARNING), Archive(archive_path) as archive:
        assert "upgrading the archive" in caplog.text and "m012" in caplog.text
        assert [hit.url for hit in search(archive, "ferries after:2024-05")] == [url]
        assert search(archive, "ferries before:2024-05") == []
        new = "https://port.example/new"
        page = FetchResult(url=new, final_url=new, text="", raw=b"new")
        archive.save(page, Article(headline="Ferries", published="2023-01-09", text="Ferries."))
        assert [hit.url for hit in search(archive, "ferries before:2024-05")] == [new]
        archive.db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")


def test_a_new_archive_is_created_without_an_upgrade_notice(
    archive_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), Archive(archive_path):
        pass
    with caplog.at_level(logging.WARNING), Archive(archive_path):
        pass
    assert caplog.text == ""


def test_an_archive_from_a_newer_version_is_refused_untouched(archive_path: Path) -> None:
    with Archive(archive_path) as archive:
        archive.db.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('newsarchive', 'm999_future', 'x')"
        )
        archive.db.conn.commit()
    before = archive_path.read_bytes()
    with pytest.raises(ArchiveError, match="newer newsarchive"):
        Archive(archive_path)
    assert archive_path.read_bytes() == before


def test_a_file_that_is_not_an_archive_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(ArchiveError, match=r"notes\.db"):
        Archive(path)


def test_two_writers_at_once_both_succeed(archive_path: Path) -> None:
    Archive(archive_path).close()
    errors: list[Exception] = []

    def write_many(prefix: str) -> None:
        try:
            with Archive(archive_path) as archive:
                for number in range(25):
                    url = f"https://news.example/{prefix}/{number}"
                    archive.save(fetched(url), article(headline=f"{prefix} {number}"))
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=write_many, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Archive(archive_path) as archive:
        assert archive.count() == 50


def test_failures_are_recorded_counted_and_cleared_by_a_success(archive_path: Path) -> None:
    url = "https://news.example/2024/05/01/story"
    with Archive(archive_path) as archive:
        archive.record_failure(url, TimeoutError("read timed out"))
        archive.record_failure(url + "?utm_source=x", ConnectionError("reset"))
        [failure] = archive.failures()
        assert (failure.url, failure.reason, failure.attempts) == (url, "reset", 2)
        assert failure.error_type == "ConnectionError"
        archive.save(fetched(url), article())
        assert archive.failures() == []


def test_quotes_keep_their_role_and_kind(archive_path: Path) -> None:
    quotes = [
        Quote("We never stopped", "Mina Okafor", role="the chief engineer"),
        Quote("experts", kind="term"),
    ]
    with Archive(archive_path) as archive:
        outcome = archive.save(fetched(), article(quotes=quotes))
        assert archive.get(outcome.id).article.quotes == quotes
        archive.save(fetched(), article(quotes=quotes[1:]))
        assert archive.get(outcome.id).article.quotes == quotes[1:]
        archive.update_extraction(outcome.id, fetched(), article(quotes=quotes[::-1]))
        assert archive.get(outcome.id).article.quotes == quotes[::-1]


def test_an_archive_from_before_speakers_keeps_its_quotes_as_speech_of_linked_speakers(
    archive_path: Path,
) -> None:
    old = Database(archive_path)
    migrations.apply(old, stop_before="m013_quote_speakers_roles_kinds")
    for number in (1, 2):
        url = f"https://port.example/{number}"
        old["articles"].insert({"url": url, "url_key": url, "saved_at": "2024", "text": "Tides"})
    spoken = [(1, "Donald Trump"), (1, None), (2, "Donald J. Trump"), (2, "Ana Lopes")]
    for position, (article_id, speaker) in enumerate(spoken):
        old["quotes"].insert(
            {"article_id": article_id, "position": position, "text": "Tides", "speaker": speaker}
        )
    old.conn.commit()
    old.close()
    with Archive(archive_path) as archive:
        rows = archive.db.execute(
            "SELECT q.speaker, s.name, q.role, q.kind FROM quotes q"
            " LEFT JOIN speakers s ON s.id = q.speaker_id ORDER BY q.position"
        ).fetchall()
        assert archive.get(1).article.quotes[0] == Quote("Tides", "Donald Trump")
        archive.db.execute("INSERT INTO speakers_fts(speakers_fts) VALUES('integrity-check')")
    assert rows == [
        ("Donald Trump", "Donald J. Trump", None, "speech"),
        (None, None, None, "speech"),
        ("Donald J. Trump", "Donald J. Trump", None, "speech"),
        ("Ana Lopes", "Ana Lopes", None, "speech"),
    ]


def _index_segments(archive: Archive) -> int:
    """How many segments articles_fts is in (a segment's id is in the top bits of its rowids)."""
    sql = "SELECT count(DISTINCT rowid >> 37) FROM articles_fts_data WHERE rowid > 10"
    return archive.conn.execute(sql).fetchone()[0]


def test_saving_keeps_the_search_index_in_few_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each save is a segment of its own; the merge work every save asks for folds them in."""
    words = " ".join(f"word{n}" for n in range(300))

    def save_one_by_one(path: Path) -> int:
        with Archive(path) as archive:
            for n in range(150):
                url = f"https://news.example/{n}"
                page = fetched(url, raw=f"<p>{n}</p>".encode())
                archive.save(page, Article(headline=f"Story {n}", text=f"{words} n{n}"))
            assert search_ids_in(archive, "n149") == [150]
            return _index_segments(archive)

    tidied = save_one_by_one(tmp_path / "tidied.db")
    monkeypatch.setattr("newsarchive.engines.sqlite.TIDY_PAGES_PER_ARTICLE", 0)
    untidied = save_one_by_one(tmp_path / "untidied.db")
    assert tidied <= 4 < 10 <= untidied


def search_ids_in(archive: Archive, query: str) -> list[int]:
    from newsarchive.searching import search

    return [hit.id for hit in search(archive, query)]
