"""Writing many rows in a few statements, on either engine: what ``newsarchive copy`` and a
batch of new articles saved at once (``Archive.save_many``, batchsave.py) both write with.

Rows are written a table at a time, one INSERT per PARAMETERS_PER_INSERT parameters (the
engine's ``insert_rows``: a VALUES list on SQLite, an array per column on PostgreSQL). A table
whose rows others point at (articles, captures) is written at once, the new ids read back by
the columns that identify a row; the rows of the other tables are queued and written by
``flush``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from newsarchive.engines import Connection, Insert
from newsarchive.speakers import speaker_ids_in_order

if TYPE_CHECKING:
    from newsarchive.store import Archive

# Rows that may be in the archive already: kept as they are there (INSERT OR IGNORE).
KEPT_IF_PRESENT = {"article_urls", "tags", "notes", "paragraph_digests"}
# Parameters of one INSERT of many rows: under SQLite's limit of 32,766. (PostgreSQL takes an
# array per column, so its statements have one parameter a column whatever the rows.)
PARAMETERS_PER_INSERT = 30_000


class BatchWriter:
    """Rows inserted many at a time into ``target``, inside a transaction of the caller's."""

    def __init__(self, target: Archive) -> None:
        self.target = target
        self.conn: Connection = target.conn
        self.queued: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def columns(self, table: str) -> list[str]:
        """The archive's columns a batch writes (not ids, not generated ones; the engine
        reads them once per connection)."""
        return [name for name in self.target.engine.columns(table) if name != "id"]

    def _written(self, table: str, row: dict[str, Any]) -> list[str]:
        """The columns of ``table`` that ``row`` has (the others take their defaults)."""
        return [name for name in self.columns(table) if name in row]

    def insert(self, table: str, rows: list[dict[str, Any]], *key: str) -> dict[tuple, int]:
        """Insert ``rows`` (their ``id`` left out) and return each one's new id by the values
        of its ``key`` columns, which identify a row of the table."""
        found = self._insert(table, rows, Insert(returning=("id", *key)))
        return {tuple(row[1:]): row[0] for row in found}

    def _insert(self, table: str, rows: list[dict[str, Any]], how: Insert) -> list[tuple]:
        """Insert ``rows`` in as few statements as the parameters allow; what they return."""
        columns = self._written(table, rows[0]) if rows else []
        if not columns:
            return []
        found: list[tuple] = []
        size = max(1, PARAMETERS_PER_INSERT // len(columns))
        for start in range(0, len(rows), size):
            values = [[row.get(name) for name in columns] for row in rows[start : start + size]]
            found += self.target.engine.insert_rows(table, columns, values, how)
        return found

    def queue(self, table: str, rows: list[dict[str, Any]]) -> None:
        self.queued[table] += rows

    def flush(self) -> None:
        """Write every queued row, quotes with the archive's speaker ids."""
        self._file_speakers(self.queued.get("quotes", []))
        for table, rows in self.queued.items():
            self._insert(table, rows, Insert(ignore_conflicts=table in KEPT_IF_PRESENT))
        self.queued.clear()

    def _file_speakers(self, quotes: list[dict[str, Any]]) -> None:
        """Give each quote its speaker's id, the speakers filed as saving the quotes'
        articles one after the other would file them."""
        by_article: dict[int, list[str | None]] = defaultdict(list)
        for quote in quotes:
            by_article[quote["article_id"]].append(quote["speaker"])
        speakers = speaker_ids_in_order(self.conn, list(by_article.values()))
        for quote in quotes:
            quote["speaker_id"] = speakers.get(quote["speaker"] or "")
