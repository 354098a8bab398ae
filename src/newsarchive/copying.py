"""Copying one archive into another (``newsarchive copy``), between any two engines: a SQLite
file into PostgreSQL to grow up, a slice of a PostgreSQL archive into a file to take offline.

An article is matched by its URLs (the normalised keys it is filed under, as a save matches
it). One the destination lacks is copied whole: its row, URLs, quotes (with speakers filed
under the destination's rows), removed blocks, paragraph digests, captures with their bytes,
the times they were fetched again, versions, tags and note. One both hold keeps the
destination's extraction and versions, and gains what the source knows that it lacks: its
other URLs, the captures whose bytes it has not got, fetches at other times, tags, and the note
when it has none. So a second run copies nothing, and an interrupted one is resumed by running
it again. Failed links are not copied: an import into the destination tries them again.

Articles go over in batches of BATCH_ARTICLES, each batch read with one query per table and
written in one transaction of the destination.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from newsarchive.engines import chunked, marks
from newsarchive.errors import InputError
from newsarchive.speakers import speaker_ids
from newsarchive.store import Archive

BATCH_ARTICLES = 500
# The tables holding an article's own rows, copied as they are (with the article's new id).
PLAIN_CHILDREN = ("removed_blocks", "paragraph_digests")


@dataclass(frozen=True)
class CopyReport:
    """What a copy did: articles copied whole, articles the destination had already, and the
    captures (sets of bytes) and later fetches of them written for either."""

    copied: int = 0
    present: int = 0
    captures: int = 0
    fetches: int = 0

    def __add__(self, other: CopyReport) -> CopyReport:
        return CopyReport(
            self.copied + other.copied,
            self.present + other.present,
            self.captures + other.captures,
            self.fetches + other.fetches,
        )


def copy_archive(
    source: Archive,
    target: Archive,
    ids: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CopyReport:
    """Copy the articles ``ids`` of ``source`` (all when None) into ``target``, batch by batch;
    ``progress(done, total)`` after each batch."""
    if _same(source, target):
        raise InputError(f"{target.name}: is the source itself; give another destination")
    total = len(ids) if ids is not None else source.count()
    report, done = CopyReport(), 0
    for batch in _batches(source, ids):
        report += _copy_batch(source, target, batch)
        done += len(batch)
        if progress:
            progress(done, total)
    return report


def _same(source: Archive, target: Archive) -> bool:
    if source.path is not None and target.path is not None:
        return source.path.resolve() == target.path.resolve()
    return source.name == target.name


def _batches(source: Archive, ids: list[int] | None) -> Iterator[list[int]]:
    if ids is not None:
        for start in range(0, len(ids), BATCH_ARTICLES):
            yield ids[start : start + BATCH_ARTICLES]
        return
    last = 0
    query = "SELECT id FROM articles WHERE id > ? ORDER BY id LIMIT ?"
    while batch := [row[0] for row in source.conn.execute(query, [last, BATCH_ARTICLES])]:
        yield batch
        last = batch[-1]


@dataclass
class _Batch:
    """A batch of the source's articles, each table's rows grouped by article id."""

    articles: list[dict[str, Any]]
    rows: dict[str, dict[int, list[dict[str, Any]]]]

    def of(self, table: str, article_id: int) -> list[dict[str, Any]]:
        return self.rows[table].get(article_id, [])


def _read(source: Archive, ids: list[int]) -> _Batch:
    articles = _records(source, "articles", "id", ids)
    tables = ("article_urls", "quotes", "captures", "capture_times", "article_versions")
    tables += ("tags", "notes", *PLAIN_CHILDREN)
    rows = {}
    for table in tables:
        grouped = defaultdict(list)
        for row in _records(source, table, "article_id", ids):
            grouped[row["article_id"]].append(row)
        rows[table] = grouped
    return _Batch(articles, rows)


def _records(archive: Archive, table: str, column: str, ids: list[int]) -> list[dict[str, Any]]:
    found = []
    for some in chunked(ids):
        sql = f"SELECT * FROM {table} WHERE {column} IN ({marks(some)}) ORDER BY {column}"
        found += archive.records(f"{sql}, {_ORDER.get(table, '1')}", some)
    return found


# The order rows keep within an article (their ids follow it in the destination).
_ORDER = {
    "quotes": "position",
    "removed_blocks": "position",
    "captures": "id",
    "capture_times": "id",
    "article_versions": "version",
}


def _copy_batch(source: Archive, target: Archive, ids: list[int]) -> CopyReport:
    batch = _read(source, ids)
    keys = {
        article["id"]: [
            article["url_key"],
            *(row["url_key"] for row in batch.of("article_urls", article["id"])),
        ]
        for article in batch.articles
    }
    with target.transaction():
        target.engine.lock_keys(key for some in keys.values() for key in some)
        writer = _Writer(target)
        found = writer.existing(keys)
        report = CopyReport()
        for article in batch.articles:
            report += writer.article(batch, article, keys[article["id"]], found.get(article["id"]))
        writer.flush()
        target.engine.after_save(report.copied)
    return report


# Rows that may be in the destination already: kept as they are there.
_KEPT_IF_PRESENT = {"article_urls", "tags", "notes", "paragraph_digests"}


class _Writer:
    """Writes a batch into the destination: article rows and captures one at a time (their new
    ids are needed at once), the rows of every other table queued and written with one
    ``executemany`` per table (``flush``)."""

    def __init__(self, target: Archive) -> None:
        self.target = target
        self.conn = target.conn
        self.queued: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._columns: dict[str, list[str]] = {}

    def columns(self, table: str) -> list[str]:
        """The destination's columns a copy writes (not ids, not generated ones)."""
        if table not in self._columns:
            found = self.target.engine.columns(table)
            self._columns[table] = [name for name in found if name != "id"]
        return self._columns[table]

    def existing(self, keys: dict[int, list[str]]) -> dict[int, int]:
        """The destination's article for each source article it holds, by their URL keys."""
        every = sorted({key for some in keys.values() for key in some})
        owners: dict[str, int] = {}
        for some in chunked(every):
            sql = f"SELECT url_key, article_id FROM article_urls WHERE url_key IN ({marks(some)})"
            owners.update(self.conn.execute(sql, some))
        found = {
            source: next((owners[key] for key in some if key in owners), None)
            for source, some in keys.items()
        }
        return {source: target for source, target in found.items() if target is not None}

    def article(
        self, batch: _Batch, article: dict[str, Any], keys: list[str], existing: int | None
    ) -> CopyReport:
        source_id = article["id"]
        target_id = self._insert("articles", article) if existing is None else existing
        captures, fetches, capture_ids = self._captures(batch, source_id, target_id)
        if existing is None:
            self._queue_own_rows(batch, source_id, target_id, capture_ids)
        self.queue("article_urls", [{"url_key": key, "article_id": target_id} for key in keys])
        for table in ("tags", "notes"):
            self.queue(
                table, [{**row, "article_id": target_id} for row in batch.of(table, source_id)]
            )
        return CopyReport(int(existing is None), int(existing is not None), captures, fetches)

    def _queue_own_rows(
        self, batch: _Batch, source_id: int, target_id: int, capture_ids: dict[int, int]
    ) -> None:
        """What only a newly copied article takes: its quotes, blocks, digests, versions."""
        for table in ("quotes", *PLAIN_CHILDREN):
            self.queue(
                table, [{**row, "article_id": target_id} for row in batch.of(table, source_id)]
            )
        self.queue(
            "article_versions",
            [
                {**row, "article_id": target_id, "capture_id": capture_ids.get(row["capture_id"])}
                for row in batch.of("article_versions", source_id)
            ],
        )

    def _captures(
        self, batch: _Batch, source_id: int, target_id: int
    ) -> tuple[int, int, dict[int, int]]:
        """Copy the captures whose bytes the article lacks, and the fetches at times it has no
        record of; return how many of each, and each source capture's id in the destination."""
        held, seen = self._held_captures(target_id)
        capture_ids, added = {}, 0
        for capture in batch.of("captures", source_id):
            digest = capture["sha256"]
            if digest not in held:
                held[digest] = self._insert("captures", {**capture, "article_id": target_id})
                seen.add((digest, capture["fetched_at"]))
                added += 1
            capture_ids[capture["id"]] = held[digest]
        digests = {capture["id"]: capture["sha256"] for capture in batch.of("captures", source_id)}
        fetches = [
            {"capture_id": capture["id"], **capture} for capture in batch.of("captures", source_id)
        ] + batch.of("capture_times", source_id)
        new = []
        for fetch in fetches:
            event = (digests[fetch["capture_id"]], fetch["fetched_at"])
            if event not in seen:
                seen.add(event)
                new.append(
                    {
                        **fetch,
                        "article_id": target_id,
                        "capture_id": capture_ids[fetch["capture_id"]],
                    }
                )
        self.queue("capture_times", new)
        return added, len(new), capture_ids

    def _held_captures(self, target_id: int) -> tuple[dict[str, int], set[tuple[str, str]]]:
        """The destination article's captures by SHA-256, and every (SHA-256, time) it was
        fetched at."""
        rows = self.conn.execute(
            "SELECT c.id, c.sha256, c.fetched_at FROM captures c WHERE c.article_id = ?"
            " UNION ALL SELECT c.id, c.sha256, t.fetched_at FROM capture_times t"
            " JOIN captures c ON c.id = t.capture_id WHERE t.article_id = ?",
            [target_id, target_id],
        ).fetchall()
        return {digest: id_ for id_, digest, _ in rows}, {(digest, at) for _, digest, at in rows}

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        columns = [name for name in self.columns(table) if name in row]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(columns)}) RETURNING id"
        return int(self.conn.execute(sql, [row[name] for name in columns]).fetchone()[0])

    def queue(self, table: str, rows: list[dict[str, Any]]) -> None:
        self.queued[table] += rows

    def flush(self) -> None:
        """Write every queued row, quotes with the destination's speaker ids."""
        quotes = self.queued.get("quotes", [])
        speakers = speaker_ids(self.conn, dict.fromkeys(quote["speaker"] for quote in quotes))
        for quote in quotes:
            quote["speaker_id"] = speakers.get(quote["speaker"] or "")
        for table, rows in self.queued.items():
            columns = [name for name in self.columns(table) if name in rows[0]] if rows else []
            if not columns:
                continue
            verb = "INSERT OR IGNORE" if table in _KEPT_IF_PRESENT else "INSERT"
            sql = f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({marks(columns)})"
            self.conn.executemany(sql, [[row.get(name) for name in columns] for row in rows])
        self.queued.clear()
