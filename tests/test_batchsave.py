"""Saving a batch (``Archive.save_many``): new pages written set-based (batchsave.py), on both
engines, with the rows that saving each page in turn writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pg import fresh_database

from newsarchive import batchsave
from newsarchive.batchsave import fresh_runs
from newsarchive.engines import POSTGRESQL
from newsarchive.extract.status import NO_TEXT
from newsarchive.models import Article, FetchResult, Quote, RemovedBlock
from newsarchive.store import Archive

# Enough words for a SimHash (fingerprint.MIN_WORDS), different for each story.
BODY = "The harbour wall was mended over the winter by a crew of {n} from the town. " * 6


def page(path: str, raw: str = "<p>one</p>", **fields: Any) -> FetchResult:
    url = f"https://port.example/{path}"
    values = {"url": url, "final_url": url, "text": "", "raw": raw.encode(), "status": 200}
    return FetchResult(**{"fetched_at": "2025-03-01T10:00:00+00:00", **values, **fields})


def story(n: int, *speakers: str, **fields: Any) -> Article:
    return Article(
        headline=f"Harbour story {n}",
        text=BODY.format(n=n) + f"\nA paragraph of its own, number {n}.",
        site="Port News",
        language="en",
        quotes=[Quote(f"We said {n} things", speaker) for speaker in speakers],
        removed=[RemovedBlock(f"Subscribe {n}", "appeal")],
        **fields,
    )


def mixed_batch() -> list[tuple[FetchResult, Article]]:
    """New pages, a page saved before (changed), a page twice in the batch (new bytes),
    one filed by its canonical URL under an earlier page's, a page without its text, and
    one speaker's name in two spellings of one length (the first one seen is kept)."""
    return [
        (page("a"), story(1, "José Ramos", "Ann Lee")),
        (page("b"), story(3, "Jose Ramos")),
        (page("old", raw="<p>new</p>"), story(2, "Ann Lee", standfirst="Changed")),
        (page("a", raw="<p>two</p>", fetched_at="2025-03-02T10:00:00+00:00"), story(4)),
        (page("c"), story(5, canonical_url="https://port.example/b")),
        (page("d"), Article(status=NO_TEXT)),
        (page("e"), story(6, "Mina Okafor")),
    ]


def prepared(archive: Archive) -> Archive:
    """The archive with a page saved already and failures recorded for two links."""
    archive.save(page("old"), story(2, "Ann Lee"))
    for path in ("d", "e"):
        archive.record_failure(f"https://port.example/{path}", ValueError("timed out"))
    return archive


# Columns holding the time a row was written (not the page's own times), and the speakers'
# ids: PostgreSQL's sequence skips one for each name filed again, the quotes name the speaker.
_UNCOMPARED = {"saved_at", "updated_at", "last_failed_at", "first_failed_at", "speaker_id"}
_SOURCES = {
    "speakers": "SELECT key, name FROM speakers",
    "quotes": "SELECT q.*, s.key FROM quotes q LEFT JOIN speakers s ON s.id = q.speaker_id",
}


def contents(archive: Archive) -> dict[str, list[tuple]]:
    """Every row of every table an article's save writes, without the save's clock."""
    tables = ["articles", "article_urls", "speakers", "quotes", "captures", "capture_times"]
    tables += ["removed_blocks", "paragraph_digests", "article_versions", "failures"]
    found = {}
    for table in tables:
        rows = archive.records(_SOURCES.get(table, f"SELECT * FROM {table}"))
        found[table] = sorted(
            tuple(str(value) for name, value in row.items() if name not in _UNCOMPARED)
            for row in rows
        )
    return found


def test_a_batch_writes_what_saving_each_page_in_turn_writes(
    archive: Archive, tmp_path: Path
) -> None:
    with _another(archive, tmp_path) as location, Archive(location) as one_by_one:
        prepared(one_by_one)
        expected = [one_by_one.save(*item) for item in mixed_batch()]
        expected_rows = contents(one_by_one)
    outcomes = prepared(archive).save_many(mixed_batch())
    assert outcomes == expected
    assert [o.created for o in outcomes] == [True, True, False, False, False, True, True]
    rows = contents(archive)
    assert rows == expected_rows
    assert [name for (_, name) in rows["speakers"]] == ["Ann Lee", "José Ramos", "Mina Okafor"]
    assert [row[0] for row in rows["failures"]] == ["https://port.example/d"]


@contextmanager
def _another(archive: Archive, tmp_path: Path) -> Iterator[str | Path]:
    """Where to make another archive on the same engine as ``archive``."""
    if archive.engine.kind == POSTGRESQL:
        with fresh_database() as url:
            yield url
    else:
        yield tmp_path / "another.db"


def test_a_batch_of_new_pages_takes_a_few_statements_not_a_few_per_page(
    archive: Archive,
) -> None:
    pages = [(page(f"p{n}"), story(n, f"Speaker {n % 7} Jones")) for n in range(60)]
    statements = _count_statements(archive)
    outcomes = archive.save_many(pages)
    assert [o.id for o in outcomes] == list(range(1, 61))
    assert len(statements) < 20, statements
    assert archive.get("https://port.example/p59").article == pages[59][1]


def test_saves_one_after_another_read_the_tables_columns_once(tmp_path: Path) -> None:
    """The columns of the tables a save writes are read from the schema by the first save
    only (each save of add or import is a batch of one; PostgreSQL's engine keeps its
    catalog likewise)."""
    with Archive(tmp_path / "archive.db") as archive:
        archive.save(page("p0"), story(0, "Ann Lee"))
        statements: list[str] = []
        archive.engine.conn.set_trace_callback(statements.append)
        archive.save(page("p1"), story(1, "Ann Lee"))
    assert statements and [sql for sql in statements if "pragma_table_xinfo" in sql] == []


def _count_statements(archive: Archive) -> list[str]:
    """The statements the archive's connection runs from now on (a row of executemany each)."""
    conn, statements = archive.conn, []

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(conn, name)

        def execute(self, sql: str, params: Any = ()) -> Any:
            statements.append(sql)
            return conn.execute(sql, params)

        def executemany(self, sql: str, rows: Any) -> Any:
            rows = list(rows)
            statements.extend(sql for _ in rows)
            return conn.executemany(sql, rows)

    archive.conn = Counting()  # type: ignore[assignment]
    return statements


def test_a_batch_failing_after_some_articles_were_written_writes_none(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch is one transaction: articles written by earlier chunks, and the failing
    chunk's articles and captures, are all rolled back; the archive takes the next batch."""
    monkeypatch.setattr(batchsave, "CHUNK", 2)
    written = []

    def version_row(*arguments: Any) -> dict[str, Any]:
        if len(written) == 3:
            raise RuntimeError("the disk is gone")
        written.append(arguments)
        return original(*arguments)

    original = batchsave.version_row
    monkeypatch.setattr(batchsave, "version_row", version_row)
    with pytest.raises(RuntimeError, match="the disk is gone"):
        archive.save_many([(page(f"p{n}"), story(n, "Ann Lee")) for n in range(5)])
    assert all(rows == [] for rows in contents(archive).values())
    monkeypatch.setattr(batchsave, "version_row", original)
    outcomes = archive.save_many([(page("p0"), story(0))])
    assert outcomes[0].created and archive.count() == 1


def test_a_batch_holds_one_chunk_prepared_ahead_of_the_writes(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are prepared a chunk ahead of the chunk being written, not all at once: a long
    batch's memory follows the chunk, not the batch."""
    monkeypatch.setattr(batchsave, "CHUNK", 2)
    prepared, seen_at_writes = [], []
    original_prepare, original_write = batchsave._prepare, batchsave._write

    def prepare(*arguments: Any) -> Any:
        prepared.append(arguments)
        return original_prepare(*arguments)

    def write(archive: Archive, chunk: list) -> Any:
        seen_at_writes.append(len(prepared))
        return original_write(archive, chunk)

    monkeypatch.setattr(batchsave, "_prepare", prepare)
    monkeypatch.setattr(batchsave, "_write", write)
    archive.save_many([(page(f"p{n}"), story(n)) for n in range(9)])
    assert len(seen_at_writes) == 5 and archive.count() == 9
    assert all(count <= 2 * (index + 2) for index, count in enumerate(seen_at_writes))


def test_runs_of_new_pages_end_at_a_page_filed_before_or_earlier_in_the_batch() -> None:
    keys = [["a"], ["b", "b2"], ["old"], ["c"], ["b2"], ["d"]]
    runs = list(fresh_runs(keys, filed={"old"}))
    assert runs == [(True, [0, 1]), (False, [2]), (True, [3]), (False, [4]), (True, [5])]


def test_locking_a_batch_of_keys_keeps_other_writers_off_each(pg_url: str) -> None:
    with Archive(pg_url) as first, Archive(pg_url) as second:
        with first.transaction():
            first.engine.lock_keys(["https://port.example/b", "https://port.example/a"])
            taken = second.conn.execute(
                "SELECT pg_try_advisory_lock(hashtextextended(key, 0))"
                " FROM unnest(?::text[]) AS key",
                [["https://port.example/a", "https://port.example/b", "https://port.example/c"]],
            ).fetchall()
        assert taken == [(False,), (False,), (True,)]
