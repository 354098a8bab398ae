"""The store's contract, run on both engines: every test here gets the ``archive`` fixture
once as a SQLite file and once as a fresh PostgreSQL database (conftest.archive_location)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from newsarchive.deletion import delete_articles
from newsarchive.engines.pgschema import step_names
from newsarchive.errors import ArchiveError, InputError, NotFoundError
from newsarchive.extract.sitewide import MIN_ARTICLES
from newsarchive.history import article_history, compare_versions, version_article
from newsarchive.models import Article, FetchResult, Quote, RemovedBlock
from newsarchive.notes import clear_note, set_note
from newsarchive.store import Archive, open_archive
from newsarchive.tags import TagEdit, edit_tags, list_tags

STORY = "https://news.example/2024/05/01/bridge"


def page(url: str | None = STORY, raw: bytes = b"<p>first</p>", **fields) -> FetchResult:
    values = {"url": url, "final_url": url, "text": "", "raw": raw, "status": 200}
    return FetchResult(**{**values, **fields})


def story(
    headline: str = "Bridge reopens", text: str = "The bridge reopened.", **fields
) -> Article:
    return Article(headline=headline, text=text, site="Example News", **fields)


def test_save_then_get_gives_the_article_back(archive: Archive) -> None:
    article = story(
        authors=["Mina Okafor"],
        published="2024-05-01T08:00:00Z",
        quotes=[Quote("We never stopped", "Mina Okafor", "the engineer")],
        removed=[RemovedBlock("Subscribe now", "appeal")],
        standfirst="After the storm.",
    )
    outcome = archive.save(page(), article)
    assert (outcome.id, outcome.created, outcome.version) == (1, True, 1)
    stored = archive.get(STORY)
    assert stored.id == 1 and stored.url == STORY
    assert stored.article == article


def test_a_page_saved_again_under_another_of_its_urls_is_one_article(archive: Archive) -> None:
    first = archive.save(page(), story(canonical_url=STORY))
    again = archive.save(page(f"{STORY}?utm_source=feed", final_url=STORY), story())
    assert (first.id, again.id, again.created) == (1, 1, False)
    assert again.new_bytes is False  # the same bytes: only the time of the fetch is kept
    assert archive.find_id(f"{STORY}#comments") == 1
    assert archive.count() == 1


def test_a_changed_article_gets_a_new_version_and_its_history(archive: Archive) -> None:
    archive.save(page(fetched_at="2024-05-01T09:00:00+00:00"), story())
    changed = archive.save(
        page(raw=b"<p>second</p>", fetched_at="2024-05-02T09:00:00+00:00"),
        story("Bridge reopens at last", quotes=[Quote("At last", "Ann Lee")]),
    )
    assert (changed.version, changed.changed) == (2, ["headline", "quotes"])
    history = article_history(archive, 1)
    assert [v.headline for v in history.versions] == ["Bridge reopens", "Bridge reopens at last"]
    assert [c.raw_size for c in history.captures] == [12, 13]
    assert version_article(archive, 1, 1).article.quotes == []
    assert [c.kind for c in compare_versions(archive, 1).changes][:1] == ["headline"]
    assert archive.capture_to_reextract(1).raw == b"<p>second</p>"


def test_a_capture_of_known_bytes_is_a_time_only(archive: Archive) -> None:
    archive.save(page(fetched_at="2024-05-01T09:00:00+00:00"), story())
    archive.save(page(fetched_at="2024-05-03T09:00:00+00:00"), story())
    assert archive.has_capture(STORY, "2024-05-03T09:00:00+00:00", b"<p>first</p>")
    assert not archive.has_capture(STORY, "2024-05-04T09:00:00+00:00", b"<p>first</p>")
    [capture] = archive.captures(1)
    assert capture.raw == b"<p>first</p>" and capture.http_status == 200
    assert article_history(archive, 1).captures[0].seen_again == ["2024-05-03T09:00:00+00:00"]
    assert archive.capture_facts(1).sha256 == capture.sha256


def test_save_many_writes_all_or_nothing(archive: Archive) -> None:
    good = (page("https://news.example/a"), story())
    broken = (page("https://news.example/b"), story(quotes=["not a Quote"]))  # fails mid-save
    with pytest.raises(AttributeError):
        archive.save_many([good, broken])
    assert archive.count() == 0
    outcomes = archive.save_many([good, (page("https://news.example/b"), story("Other"))])
    assert all(outcome.created for outcome in outcomes) and archive.count() == 2


def test_resolve_and_require_name_what_is_missing(archive: Archive) -> None:
    archive.save(page(), story())
    assert archive.resolve("1") == archive.resolve(STORY) == 1
    with pytest.raises(NotFoundError, match="2: no such article in"):
        archive.resolve(2)
    with pytest.raises(NotFoundError, match="99999999999999999999"):
        archive.resolve("99999999999999999999")
    with pytest.raises(NotFoundError, match=r"^4, 5: no such articles"):
        archive.require([1, 4, 5])


def test_list_articles_newest_first_with_filters_tags_and_notes(archive: Archive) -> None:
    for n in range(3):
        archive.save(page(f"https://news.example/{n}"), story(f"Story {n}", status="ok"))
    edit_tags(archive, ["2", "3"], TagEdit(("harbour",), ()))
    set_note(archive, "3", "check the date")
    listed = archive.list_articles()
    assert [row.id for row in listed] == [3, 2, 1]
    assert listed[0].tags == ["harbour"] and listed[0].user_note == "check the date"
    assert [row.id for row in archive.list_articles(tag="harbour")] == [3, 2]
    assert [row.id for row in archive.list_articles(1, 1)] == [2]
    assert archive.list_articles(site="Nobody") == []
    assert [row.id for row in archive.list_articles(status="ok", limit=None)] == [3, 2, 1]
    assert archive.sites() == ["Example News"]


def test_tags_notes_and_export_metadata(archive: Archive) -> None:
    archive.save(page(), story())
    edit_tags(archive, [STORY], TagEdit(("b", "a"), ()))
    archive.apply_export_metadata(1, "2020-01-01T00:00:00+00:00", ["A", " c ", "\t"])
    assert archive.tags(1) == ["a", "b", "c"]
    assert (list_tags(archive)[0].name, list_tags(archive)[0].articles) == ("a", 1)
    edit_tags(archive, ["1"], TagEdit((), ("b",)))
    assert archive.get(1).tags == ["a", "c"]
    assert archive.get(1).saved_at == "2020-01-01T00:00:00+00:00"
    set_note(archive, "1", "first")
    set_note(archive, "1", "second")
    assert archive.user_note(1) == "second"
    assert clear_note(archive, "1") == (1, True)
    assert clear_note(archive, "1") == (1, False)


def test_failures_are_kept_counted_and_cleared_by_a_success(archive: Archive) -> None:
    from newsarchive.errors import FetchError

    archive.record_failure(STORY, FetchError(STORY, "HTTP 404", status=404))
    archive.record_failure(STORY, FetchError(STORY, "HTTP 404", status=404))
    [failure] = archive.failures()
    assert (failure.attempts, failure.error_type) == (2, "FetchError")
    assert archive.permanent_failure(STORY) == "HTTP 404"
    archive.record_failure("https://news.example/x", FetchError("x", "timed out"))
    assert archive.permanent_failure("https://news.example/x") is None
    archive.save(page(), story())
    assert [f.url for f in archive.failures()] == ["https://news.example/x"]


def test_stats_count_what_the_archive_holds(archive: Archive) -> None:
    archive.save(page(), story(published="2024-05-01", quotes=[Quote("Yes", "Ann Lee")]))
    stats = archive.stats()
    assert (stats.articles, stats.quotes, stats.captures, stats.versions) == (1, 1, 1, 1)
    assert stats.by_year == {"2024": 1} and stats.by_status == {"ok": 1}
    assert stats.by_site == {"Example News": 1} and stats.size_bytes > 0


def test_update_extraction_rewrites_fields_and_keeps_the_url(archive: Archive) -> None:
    archive.save(page(), story())
    archive.update_extraction(1, page("https://elsewhere.example/"), story("Fixed headline"))
    stored = archive.get(1)
    assert (stored.url, stored.article.headline) == (STORY, "Fixed headline")
    assert [v.version for v in article_history(archive, 1).versions] == [1]


def test_delete_takes_every_row_of_the_article(archive: Archive) -> None:
    archive.save(page(), story(quotes=[Quote("Yes", "Ann Lee")]))
    archive.save(page("https://news.example/other"), story("Other"))
    edit_tags(archive, ["1"], TagEdit(("x",), ()))
    report = delete_articles(archive, ["1"])
    assert report.speakers == 1
    assert {"captures", "quotes", "tags", "article_urls"} <= set(report.articles[0].rows)
    assert archive.count() == 1 and archive.find_id(STORY) is None
    assert delete_articles(archive, ["2"], dry_run=True).dry_run
    assert archive.count() == 1


def test_repeated_paragraphs_are_the_sites_furniture(archive: Archive) -> None:
    furniture = "Sign up for our morning newsletter."
    for n in range(MIN_ARTICLES):
        words = " ".join(f"word{n}x{i}" for i in range(40))  # enough for a fingerprint
        text = f"Story {n}: {words}.\n{furniture}"
        archive.save(page(f"https://news.example/{n}", raw=str(n).encode()), story(text=text))
    found = archive.repeated_paragraphs("Example News", [furniture, "A new line."])
    assert found == {furniture}


def test_an_archive_from_a_newer_version_is_refused(archive: Archive, archive_location: str):
    table = "newsarchive_migrations" if archive.path is None else "_sqlite_migrations"
    column = "" if archive.path is None else "migration_set, "
    value = "" if archive.path is None else "'newsarchive', "
    with archive.transaction() as conn:
        conn.execute(f"INSERT INTO {table} ({column}name) VALUES ({value}'z999_future')")
    archive.close()
    with pytest.raises(ArchiveError, match=r"made by a newer newsarchive .*z999_future"):
        open_archive(archive_location)


def test_a_reader_cannot_write(archive: Archive, archive_location: str) -> None:
    archive.save(page(), story())
    with open_archive(archive_location, read_only=True, create=False) as reader:
        reader.forbid_writes()
        with pytest.raises(ArchiveError, match=r"cannot write: .*read.?only"):
            edit_tags(reader, ["1"], TagEdit(("x",), ()))
        assert reader.tags(1) == []


def test_no_archive_there_without_create(pg_url: str) -> None:
    with pytest.raises(InputError, match="no archive there"):
        open_archive(pg_url, create=False)


def test_an_unreachable_server_is_one_line_naming_the_url_without_password() -> None:
    url = "postgresql://someone:secret@127.0.0.1:1/news"
    with pytest.raises(ArchiveError) as raised:
        open_archive(url)
    message = str(raised.value)
    assert message.startswith("postgresql://someone@127.0.0.1:1/news: cannot open archive: ")
    assert "secret" not in message and "\n" not in message


def test_a_write_whose_connection_is_lost_is_one_line_and_writes_nothing(pg_url: str) -> None:
    with open_archive(pg_url) as archive:
        archive.save(page(), story())
        (pid,) = archive.conn.execute("SELECT pg_backend_pid()").fetchone()
        with pytest.raises(ArchiveError) as raised, archive.transaction() as conn:
            conn.execute("INSERT INTO tags (article_id, tag) SELECT id, 'lost' FROM articles")
            with psycopg.connect(pg_url, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            conn.execute("SELECT 1")
    message = str(raised.value)
    assert message.startswith(f"{pg_url}: cannot write: terminating connection")
    assert "\n" not in message
    with open_archive(pg_url) as archive:
        assert archive.conn.execute("SELECT count(*) FROM tags").fetchone()[0] == 0


def test_postgresql_keeps_a_weighted_search_vector(pg_url: str) -> None:
    with open_archive(pg_url) as archive:
        archive.save(page(), story(quotes=[Quote("Harbour", "Ann Lee")], standfirst="Storm"))
        (vector,) = archive.conn.execute("SELECT search::text FROM articles").fetchone()
        extension = archive.conn.execute(
            "SELECT 1 FROM pg_extension WHERE extname = 'unaccent'"
        ).fetchone()
    assert "'bridge':1A" in vector and "'harbour':" in vector and "'storm':" in vector
    # The body weighs D, which a tsvector's text leaves unmarked (pgtextsearch.py).
    assert "'reopened':" in vector and vector.split("'reopened':")[1].split()[0].isdigit()
    assert extension is not None


def test_writers_saving_the_same_pages_at_once_file_each_once(pg_url: str) -> None:
    """Four connections save the same twelve pages, in batches, in different orders: each
    page is one article (the URL-key locks), and no save fails or waits forever."""
    links = [f"https://news.example/{n}" for n in range(12)]
    open_archive(pg_url).close()  # migrated once, before the writers start

    def write(order: int) -> None:
        with open_archive(pg_url) as archive:
            mine = links[order:] + links[:order]
            for start in range(0, len(mine), 4):
                archive.save_many([(page(url), story(url)) for url in mine[start : start + 4]])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, [0, 3, 6, 9]))
    with open_archive(pg_url) as archive:
        assert archive.count() == 12
        assert sorted(row.url for row in archive.list_articles()) == sorted(links)


def test_processes_opening_a_new_archive_at_once_build_it_once(pg_url: str) -> None:
    """Migrations run under a lock: the first to take it builds the schema, the others find
    it built. The postgres:// spelling names the same database."""
    other_spelling = pg_url.replace("postgresql://", "postgres://", 1)

    def open_and_close(location: str) -> str:
        with open_archive(location) as archive:
            return archive.schema_version

    with ThreadPoolExecutor(4) as pool:
        versions = set(pool.map(open_and_close, [pg_url, other_spelling] * 2))
    assert versions == {step_names()[-1]}
    with open_archive(pg_url) as archive:
        applied = archive.conn.execute("SELECT count(*) FROM newsarchive_migrations")
        assert applied.fetchone()[0] == len(step_names())
