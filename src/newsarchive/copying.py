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
written in one transaction of the destination, by WRITERS connections at once into PostgreSQL.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from queue import Queue
from typing import Any

from newsarchive.batchwrite import BatchWriter
from newsarchive.engines import POSTGRESQL, chunked, marks
from newsarchive.errors import InputError
from newsarchive.store import Archive, open_archive

log = logging.getLogger(__name__)

BATCH_ARTICLES = 500
# Connections writing batches at once into a PostgreSQL destination. The server's work for
# each article (its search vector, the index entries) is most of a copy's time, and two server
# processes do it on two cores; SQLite takes one writer at a time.
WRITERS = 2
ATTEMPTS = 5  # of a batch whose transaction was ended by a deadlock
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
    batches = (_read(source, batch) for batch in _batches(source, ids))
    with _writers(target) as writers:
        for part in _written(writers, batches):
            report += part
            done += part.copied + part.present
            if progress:
                progress(done, total)
    return report


@contextmanager
def _writers(target: Archive) -> Iterator[list[Archive]]:
    """The destination, and for PostgreSQL more connections to it (WRITERS in all), each
    ready for bulk writes."""
    extra = WRITERS - 1 if target.engine.kind == POSTGRESQL else 0
    with ExitStack() as stack:
        writers = [
            target,
            *(stack.enter_context(open_archive(target.location)) for _ in range(extra)),
        ]
        for writer in writers:
            stack.enter_context(writer.bulk_writes())
        yield writers


def _written(writers: list[Archive], batches: Iterator[_Batch]) -> Iterator[CopyReport]:
    """Write each batch through one of ``writers``, at most one batch each at a time, while
    the next batches are read; the reports in the batches' order."""
    if len(writers) == 1:
        yield from (_write(writers[0], batch) for batch in batches)
        return
    idle: Queue[Archive] = Queue()
    for writer in writers:
        idle.put(writer)

    def write(batch: _Batch) -> CopyReport:
        writer = idle.get()
        try:
            return _write_again_if_deadlocked(writer, batch)
        finally:
            idle.put(writer)

    with ThreadPoolExecutor(len(writers)) as pool:
        pending: deque[Future[CopyReport]] = deque()
        for batch in batches:
            pending.append(pool.submit(write, batch))
            if len(pending) > len(writers):  # read ahead only as far as the writers go
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


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


def _write_again_if_deadlocked(target: Archive, batch: _Batch) -> CopyReport:
    """Two writers may wait on each other for rows both add (a speaker, a site's host pair):
    the server then ends one transaction, which wrote nothing, and it is run again."""
    for _ in range(ATTEMPTS - 1):
        try:
            return _write(target, batch)
        except target.engine.transient_errors as error:
            log.info("%s: a batch is written again after %s", target.name, error)
    return _write(target, batch)


def _write(target: Archive, batch: _Batch) -> CopyReport:
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
        present = writer.existing(keys)
        new = [article for article in batch.articles if article["id"] not in present]
        new.sort(key=lambda article: (article["site"] or "", article["url"]))  # see _write_again
        added = writer.insert("articles", new, "url_key")
        targets = {**present, **{a["id"]: added[(a["url_key"],)] for a in new}}
        captures, fetches = writer.captures(batch, targets, present)
        for article in batch.articles:
            writer.queue_article(batch, article["id"], targets[article["id"]], keys[article["id"]])
        writer.queue_own_rows(
            batch, {source: targets[source] for source in targets.keys() - present.keys()}
        )
        writer.flush()
        target.engine.after_save(len(new))
    return CopyReport(len(new), len(present), captures, fetches)


class _Writer(BatchWriter):
    """Writes a batch into the destination in a few statements (batchwrite.py): articles and
    captures each as one INSERT of many rows, the rows of every other table queued."""

    def __init__(self, target: Archive) -> None:
        super().__init__(target)
        self.capture_ids: dict[int, int] = {}  # each source capture's id in the destination

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

    def captures(
        self, batch: _Batch, targets: dict[int, int], present: dict[int, int]
    ) -> tuple[int, int]:
        """Copy the captures whose bytes each article lacks, and the fetches at times it has
        no record of; return how many of each. Fills ``capture_ids``."""
        held, seen = self._held(list(present.values()))
        fresh: dict[tuple[int, str], dict[str, Any]] = {}
        for source, target in targets.items():
            for capture in batch.of("captures", source):
                known = (target, capture["sha256"])
                if known not in held and known not in fresh:
                    fresh[known] = {**capture, "article_id": target}
                    seen.add((*known, capture["fetched_at"]))
        held.update(self.insert("captures", list(fresh.values()), "article_id", "sha256"))
        self.capture_ids = {
            capture["id"]: held[(target, capture["sha256"])]
            for source, target in targets.items()
            for capture in batch.of("captures", source)
        }
        fetches = 0
        for source, target in targets.items():
            fetches += self._queue_fetches(batch, source, target, seen)
        return len(fresh), fetches

    def _queue_fetches(
        self, batch: _Batch, source: int, target: int, seen: set[tuple[int, str, str]]
    ) -> int:
        """Queue the article's fetches (first and later) the destination has no record of."""
        captures = batch.of("captures", source)
        digests = {capture["id"]: capture["sha256"] for capture in captures}
        firsts = [{**capture, "capture_id": capture["id"]} for capture in captures]
        new = []
        for fetch in [*firsts, *batch.of("capture_times", source)]:
            event = (target, digests[fetch["capture_id"]], fetch["fetched_at"])
            if event not in seen:
                seen.add(event)
                capture_id = self.capture_ids[fetch["capture_id"]]
                new.append({**fetch, "article_id": target, "capture_id": capture_id})
        self.queue("capture_times", new)
        return len(new)

    def _held(self, targets: list[int]) -> tuple[dict[tuple, int], set[tuple[int, str, str]]]:
        """The captures of these destination articles by (article, SHA-256), and every
        (article, SHA-256, time) they were fetched at."""
        rows = []
        for some in chunked(targets):
            rows += self.conn.execute(
                "SELECT c.id, c.article_id, c.sha256, c.fetched_at FROM captures c"
                f" WHERE c.article_id IN ({marks(some)}) UNION ALL"
                " SELECT c.id, c.article_id, c.sha256, t.fetched_at FROM capture_times t"
                f" JOIN captures c ON c.id = t.capture_id WHERE t.article_id IN ({marks(some)})",
                [*some, *some],
            ).fetchall()
        held = {(article, digest): id_ for id_, article, digest, _ in rows}
        return held, {(article, digest, at) for _, article, digest, at in rows}

    def queue_article(self, batch: _Batch, source: int, target: int, keys: list[str]) -> None:
        """What every article takes, new or present: its URLs, tags and note."""
        self.queue("article_urls", [{"url_key": key, "article_id": target} for key in keys])
        for table in ("tags", "notes"):
            self.queue(table, [{**row, "article_id": target} for row in batch.of(table, source)])

    def queue_own_rows(self, batch: _Batch, new: dict[int, int]) -> None:
        """What only a newly copied article takes: its quotes, blocks, digests, versions."""
        for source, target in new.items():
            for table in ("quotes", *PLAIN_CHILDREN):
                rows = batch.of(table, source)
                self.queue(table, [{**row, "article_id": target} for row in rows])
            self.queue(
                "article_versions",
                [
                    {
                        **row,
                        "article_id": target,
                        "capture_id": self.capture_ids.get(row["capture_id"]),
                    }
                    for row in batch.of("article_versions", source)
                ],
            )
