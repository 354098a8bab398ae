"""The archive: articles, quotes, raw captures and removed blocks, in one SQLite file (the
default) or a PostgreSQL database, chosen by where the archive is (engines/__init__.py).

``Archive`` is the store's one implementation: its SQL runs on both engines, and what differs
between them (connecting, migrations, locking, a few SQL fragments) is its ``engine``'s.
Every save is one write transaction, so a crash or Ctrl-C leaves the archive either unchanged
or fully updated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.batchsave import clear_failures, filed_keys, fresh_runs, save_new
from newsarchive.engines import (
    MAX_INTEGER,
    Connection,
    Engine,
    chunked,
    connect_engine,
    marks,
)
from newsarchive.errors import ArchiveError, NotFoundError, is_permanent
from newsarchive.extract.sitewide import (
    MIN_ARTICLES,
    counted_lines,
    is_repeated,
    paragraph_digest,
)
from newsarchive.extract.status import OK
from newsarchive.models import Article, FetchResult, Quote, RemovedBlock, StoredArticle
from newsarchive.records import (
    CONTENT_KEY_PREFIX,
    ArchiveStats,
    ArticleSummary,
    Capture,
    CaptureFacts,
    Failure,
    SaveOutcome,
    article_from_record,
    article_row,
    article_url,
    capture_facts,
    capture_from_row,
    content_hash,
    now_iso,
    url_keys,
)
from newsarchive.speakers import speaker_ids
from newsarchive.tags import tag_name_or_none
from newsarchive.urls import normalize_url
from newsarchive.versions import (
    SHORTFALL,
    SHORTFALL_SQL,
    changed_fields,
    latest_version_capture,
    record_capture,
    rewrite_latest,
    supersede,
)

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool
    from sqlite_utils import Database

__all__ = [
    "Archive",
    "ArchiveStats",
    "ArticleSummary",
    "Capture",
    "Failure",
    "SaveOutcome",
    "article_url",
    "open_archive",
]

log = logging.getLogger(__name__)


def open_archive(
    location: str | Path,
    *,
    read_only: bool = False,
    create: bool = True,
    pool: ConnectionPool | None = None,
) -> Archive:
    """The archive at ``location``: a ``postgresql://`` URL or the path of a SQLite file;
    ``pool`` (PostgreSQL only): take its connection from this engines.postgres.connection_pool."""
    return Archive(location, read_only=read_only, create=create, pool=pool)


class Archive:
    """An archive. Opening it creates it if needed and applies pending migrations."""

    def __init__(
        self,
        location: str | Path,
        *,
        read_only: bool = False,
        create: bool = True,
        pool: ConnectionPool | None = None,
    ) -> None:
        """``read_only``: the caller only reads, so an archive on read-only storage (a CD, a
        read-only mount) may be opened as it is. ``create=False``: a missing archive is an
        InputError (a mistyped path must not become a new empty archive with its folders)."""
        self.engine: Engine = connect_engine(
            location, read_only=read_only, create=create, pool=pool
        )
        self.location = location  # as given: what another connection to it is opened with
        self.name = self.engine.name  # as messages show it
        self.path = self.engine.path  # the SQLite file; None on PostgreSQL
        self.conn: Connection = self.engine.conn

    @property
    def db(self) -> Database:
        """A SQLite archive through sqlite-utils (there is none for PostgreSQL)."""
        return self.engine.db  # type: ignore[attr-defined]

    @property
    def schema_version(self) -> str:
        """The name of the last migration applied to this archive."""
        return self.engine.schema_version()

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[Any]:
        """One write transaction, for the modules that keep their own rows (tags, notes,
        deleting): all of it is written, or, on an error, none. It yields the connection."""
        return self._write()

    @contextmanager
    def _write(self) -> Iterator[Any]:
        conn, cannot_write = self.conn, self.engine.write_errors
        try:
            conn.execute(self.engine.begin)
        except cannot_write as error:
            raise ArchiveError(f"{self.name}: cannot write: {_one_line(error)}") from error
        try:
            yield conn
            conn.execute("COMMIT")
        except cannot_write as error:
            # Disk full, read-only file, I/O error: nothing was written; say so in one line.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise ArchiveError(f"{self.name}: cannot write: {_one_line(error)}") from error
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def bulk_writes(self) -> AbstractContextManager[None]:
        """For many saves in a row (an import, a copy): on SQLite, reads that do not grow the
        process's memory; on PostgreSQL nothing differs (see the engine's)."""
        return self.engine.bulk_writes()

    def forbid_writes(self) -> None:
        """Refuse any write through this archive's connection from now on."""
        self.engine.forbid_writes()

    def records(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query as dicts of column name and value."""
        cursor = self.conn.execute(sql, list(params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def save(self, fetched: FetchResult, article: Article) -> SaveOutcome:
        """Store an article and its capture, updating the article already filed under any of its URLs."""
        return self.save_many([(fetched, article)])[0]

    def save_many(self, pages: Iterable[tuple[FetchResult, Article]]) -> list[SaveOutcome]:
        """Store many articles in one transaction: all of them or, on error, none. The pages
        are saved in their order, as ``save`` would save each in turn; the new ones a run at
        a time, in a few statements (batchsave.py)."""
        pages = list(pages)
        keys = [url_keys(*page) for page in pages]
        with self._write() as conn:
            self.engine.lock_keys(key for some in keys for key in some)
            outcomes: list[SaveOutcome] = []
            for new, run in fresh_runs(keys, filed_keys(self, chain(*keys))):
                if new:
                    outcomes += save_new(self, [pages[i] for i in run], [keys[i] for i in run])
                else:
                    outcomes.append(self._save_in(conn, pages[run[0]], keys[run[0]]))
            self.engine.after_save(len(outcomes))
            return outcomes

    def _save_in(
        self, conn: Connection, page: tuple[FetchResult, Article], keys: list[str]
    ) -> SaveOutcome:
        """Save a page over the article filed under one of its URL ``keys`` (fresh_runs
        found one)."""
        fetched, article = page
        existing = self._find_by_keys(keys)
        assert existing is not None, "a page without an article goes to save_new"
        outcome = self._save_again(conn, existing, fetched, article)
        conn.executemany(
            "INSERT OR IGNORE INTO article_urls (url_key, article_id) VALUES (?, ?)",
            [(key, outcome.id) for key in keys],
        )
        clear_failures(self, [page], [keys])
        return outcome

    def _save_again(
        self, conn: Connection, article_id: int, fetched: FetchResult, article: Article
    ) -> SaveOutcome:
        """A new version when the article changed since its latest complete version (in
        VERSION_FIELDS); the latest version rewritten from this capture when that one held less
        of the article (a stub, a wall), only other fields differ (site, markup) or these are
        the latest version's own bytes, extracted differently (an extractor's change is no
        change of the article); only the capture (or, for the same bytes, its time) when
        nothing differs."""
        stored = self._stored_article(article_id)
        number, latest_capture = latest_version_capture(conn, article_id)
        capture = record_capture(conn, article_id, fetched, article.status)
        same = SaveOutcome(article_id, False, number, new_bytes=capture.new)
        if self._keeps_earlier(stored.status, article):
            return replace(same, kept_earlier=True)
        same_bytes = capture.id == latest_capture
        changed = changed_fields(stored, article) if stored.status == OK and not same_bytes else []
        if not changed and stored == replace(article, removed=[]):
            return same
        at = fetched.fetched_at or now_iso()
        if changed:
            version = supersede(conn, article_id, number, capture.id, at, changed, stored.quotes)
        else:
            version = rewrite_latest(conn, article_id, number, capture.id)
        self._update_article(conn, article_id, _keeping_address(article_row(fetched, article)))
        self._replace_children(conn, article_id, article)
        return replace(same, version=version, changed=changed, rewritten=not changed)

    def _stored_article(self, article_id: int) -> Article:
        return article_from_record(self._article_record(article_id), self._quotes(article_id), [])

    def _article_record(self, article_id: int) -> dict[str, Any]:
        return self.records("SELECT * FROM articles WHERE id = ?", [article_id])[0]

    def _keeps_earlier(self, stored_status: str, article: Article) -> bool:
        """A capture never replaces an earlier one that holds more of the article."""
        if article.status not in SHORTFALL:
            return False
        return SHORTFALL[article.status] > SHORTFALL.get(stored_status, 0)

    def article_status(self, article_id: int) -> str:
        """What the stored article's capture holds: ok, partial, not_article, blocked, no_text."""
        row = self.conn.execute("SELECT status FROM articles WHERE id = ?", [article_id]).fetchone()
        return (row[0] if row else None) or "ok"

    def _find_by_keys(self, keys: list[str]) -> int | None:
        row = self.conn.execute(
            f"SELECT article_id FROM article_urls WHERE url_key IN ({marks(keys)}) LIMIT 1", keys
        ).fetchone()
        return row[0] if row else None

    def _update_article(self, conn: Connection, article_id: int, row: dict) -> None:
        row = {name: value for name, value in row.items() if name != "url_key"}
        assignments = ", ".join(f"{name} = :{name}" for name in row)
        conn.execute(f"UPDATE articles SET {assignments} WHERE id = :id", {**row, "id": article_id})

    def _replace_children(self, conn: Connection, article_id: int, article: Article) -> None:
        """Quotes, removed blocks and paragraph digests."""
        for table in ("quotes", "removed_blocks", "paragraph_digests"):
            conn.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
        self._insert_quotes(conn, article_id, article.quotes)
        conn.executemany(
            "INSERT INTO removed_blocks (article_id, position, rule, text) VALUES (?, ?, ?, ?)",
            [(article_id, i, block.rule, block.text) for i, block in enumerate(article.removed)],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO paragraph_digests (article_id, digest) VALUES (?, ?)",
            [(article_id, paragraph_digest(line)) for line in counted_lines(article)],
        )

    def _insert_quotes(self, conn: Connection, article_id: int, quotes: list[Quote]) -> None:
        """Each quote with its role, kind and the id of its speaker's row (see speakers.py)."""
        ids = speaker_ids(conn, dict.fromkeys(quote.speaker for quote in quotes))
        conn.executemany(
            "INSERT INTO quotes (article_id, position, text, speaker, speaker_id, role, kind)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (article_id, i, q.text, q.speaker, ids.get(q.speaker or ""), q.role, q.kind)
                for i, q in enumerate(quotes)
            ],
        )

    def find_id(self, url: str) -> int | None:
        """The id of the article filed under ``url`` (normalised), if any."""
        return self._find_by_keys([normalize_url(url)])

    def resolve(self, reference: str | int) -> int:
        """Turn an id or a URL into an article id, or raise NotFoundError."""
        text = str(reference).strip()
        if text.isdigit() and int(text) <= MAX_INTEGER:
            if self._exists(int(text)):
                return int(text)
        else:
            found = self.find_id(text)
            if found is not None:
                return found
        raise NotFoundError(f"{text}: no such article in {self.name}")

    def require(self, article_ids: Iterable[int]) -> None:
        """Raise NotFoundError naming every id of ``article_ids`` that no article has."""
        missing = [i for i in article_ids if not self._exists(i)]
        if len(missing) == 1:
            raise NotFoundError(f"{missing[0]}: no such article in {self.name}")
        if missing:
            names = ", ".join(map(str, missing))
            raise NotFoundError(f"{names}: no such articles in {self.name}")

    def _exists(self, article_id: int) -> bool:
        if not 0 <= article_id <= MAX_INTEGER:
            return False
        query = "SELECT 1 FROM articles WHERE id = ?"
        return self.conn.execute(query, [article_id]).fetchone() is not None

    def get(self, reference: str | int) -> StoredArticle:
        """The stored article with this id or URL."""
        article_id = self.resolve(reference)
        record = self._article_record(article_id)
        return StoredArticle(
            id=article_id,
            url=record["url"],
            saved_at=record["saved_at"],
            article=article_from_record(
                record, self._quotes(article_id), self.removed_blocks(article_id)
            ),
            tags=self.tags(article_id),
            user_note=self.user_note(article_id),
        )

    def user_note(self, article_id: int) -> str | None:
        """The note the user wrote on this article (``newsarchive note``), if any."""
        row = self.conn.execute("SELECT text FROM notes WHERE article_id = ?", [article_id])
        return next((text for (text,) in row), None)

    def _quotes(self, article_id: int) -> list[Quote]:
        rows = self.conn.execute(
            "SELECT text, speaker, role, kind FROM quotes WHERE article_id = ? ORDER BY position",
            [article_id],
        )
        return [Quote(*row) for row in rows]

    def removed_blocks(self, article_id: int) -> list[RemovedBlock]:
        """The blocks the cleaner removed from this article, with their rules."""
        rows = self.conn.execute(
            "SELECT text, rule FROM removed_blocks WHERE article_id = ? ORDER BY position",
            [article_id],
        )
        return [RemovedBlock(text=text, rule=rule) for text, rule in rows]

    def captures(self, article_id: int) -> list[Capture]:
        """Every raw capture of this article, oldest first."""
        rows = self.records("SELECT * FROM captures WHERE article_id = ? ORDER BY id", [article_id])
        return [capture_from_row(row) for row in rows]

    def repeated_paragraphs(self, site: str | None, lines: list[str]) -> set[str]:
        """Which of ``lines`` recur in many of the site's archived articles (its boilerplate).

        Articles are counted by their text's fingerprint: copies of one story (a wire story
        run on many pages, one page saved under many URLs) count once, so the story's own
        paragraphs do not become the site's furniture."""
        total = self._site_articles(site) if site and lines else 0
        if total < MIN_ARTICLES:
            return set()
        by_digest = {paragraph_digest(line): line for line in lines}
        rows = self.conn.execute(
            "SELECT d.digest, count(DISTINCT a.simhash) FROM paragraph_digests d JOIN articles a"
            f" ON a.id = d.article_id WHERE a.site = ? AND d.digest IN ({marks(list(by_digest))}) GROUP BY d.digest",
            [site, *by_digest],
        )
        return {by_digest[digest] for digest, count in rows if is_repeated(count, total)}

    def _site_articles(self, site: str) -> int:
        query = "SELECT count(DISTINCT simhash) FROM articles WHERE site = ?"
        return self.conn.execute(query, [site]).fetchone()[0]

    def capture_to_reextract(self, article_id: int) -> Capture | None:
        """The capture the article's latest version comes from; for an article without
        versions, the newest of the captures that hold the most of it."""
        rows = self.records(
            "SELECT c.* FROM captures c JOIN article_versions v ON v.capture_id = c.id"
            " WHERE v.article_id = ? ORDER BY v.version DESC LIMIT 1",
            [article_id],
        ) or self.records(
            f"SELECT * FROM captures WHERE article_id = ? ORDER BY {SHORTFALL_SQL}, id DESC"
            " LIMIT 1",
            [article_id],
        )
        return capture_from_row(rows[0]) if rows else None

    def capture_facts(self, article_id: int) -> CaptureFacts | None:
        """The facts of the capture the article was extracted from (see capture_to_reextract)."""
        capture = self.capture_to_reextract(article_id)
        if capture is None:
            return None
        query = "SELECT extractor_version FROM articles WHERE id = ?"
        (version,) = self.conn.execute(query, [article_id]).fetchone()
        return capture_facts(capture, version)

    def has_capture(self, url: str, fetched_at: str, raw: bytes) -> bool:
        """Whether the article filed under ``url`` was fetched at ``fetched_at`` with these
        bytes, as a capture of its own or as a later fetch of a capture's bytes (kept once):
        an import of captures (a WARC) skips what it saved before."""
        article_id = self.find_id(url)
        if article_id is None:
            return False
        query = (
            "SELECT 1 FROM captures c WHERE c.article_id = ? AND c.sha256 = ? AND (c.fetched_at"
            " = ? OR EXISTS (SELECT 1 FROM capture_times t WHERE t.capture_id = c.id"
            " AND t.fetched_at = ?))"
        )
        digest = content_hash(raw)
        found = self.conn.execute(query, [article_id, digest, fetched_at, fetched_at]).fetchone()
        return found is not None

    def update_extraction(self, article_id: int, fetched: FetchResult, article: Article) -> None:
        """Replace an article's extracted fields (a re-extraction), keeping its URL and captures:
        the latest version is rewritten in place, as an extractor fix is no change of the
        article."""
        row = article_row(fetched, article)
        row = {name: row[name] for name in row if name not in ("url", "url_key")}
        with self._write() as conn:
            self._update_article(conn, article_id, row)
            self._replace_children(conn, article_id, article)

    def article_ids(self) -> list[int]:
        return [row[0] for row in self.conn.execute("SELECT id FROM articles ORDER BY id")]

    def list_articles(
        self,
        limit: int | None = None,
        offset: int = 0,
        *,
        site: str | None = None,
        status: str | None = None,
        tag: str | None = None,
    ) -> list[ArticleSummary]:
        """Articles, most recently saved first, with their tags and the user's note; only
        those of this site (its name, exactly), with this status or carrying this tag (its
        normalised name, tags.tag_name), when given."""
        filters = {
            "site = ?": site,
            "coalesce(status, 'ok') = ?": status,
            # "+id": not one row lookup per tagged article (each reads past the body to
            # saved_at) but a walk down the saved_at index, which holds the id.
            "+id IN (SELECT article_id FROM tags WHERE tag = ?)": tag,
        }
        where = {condition: value for condition, value in filters.items() if value is not None}
        rows = self.conn.execute(
            "SELECT id, url, headline, site, published, saved_at, word_count,"
            " coalesce(status, 'ok'), (SELECT text FROM notes WHERE article_id = articles.id)"
            f" FROM articles WHERE {' AND '.join(where) or 'TRUE'}"
            " ORDER BY saved_at DESC, id DESC LIMIT ? OFFSET ?",
            [*where.values(), min(limit or MAX_INTEGER, MAX_INTEGER), min(offset, MAX_INTEGER)],
        ).fetchall()
        tags = self._tags_of([row[0] for row in rows])
        return [
            ArticleSummary(*row[:-1], tags=tags.get(row[0], []), user_note=row[-1]) for row in rows
        ]

    def _tags_of(self, article_ids: list[int]) -> dict[int, list[str]]:
        """The tags of each of these articles, alphabetically (none for an untagged one)."""
        tags: dict[int, list[str]] = {}
        for some in chunked(article_ids):
            rows = self.conn.execute(
                f"SELECT article_id, tag FROM tags WHERE article_id IN ({marks(some)})"
                " ORDER BY article_id, tag",
                some,
            )
            for article_id, tag in rows:
                tags.setdefault(article_id, []).append(tag)
        return tags

    def sites(self) -> list[str]:
        """The names of the sites the archive holds articles of, alphabetically."""
        rows = self.conn.execute("SELECT DISTINCT site FROM site_hosts WHERE site != '' ORDER BY 1")
        return [site for (site,) in rows]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def stats(self) -> ArchiveStats:
        """Counts by site, year and status, and the file's size."""
        count = self.conn.execute
        return ArchiveStats(
            articles=self.count(),
            quotes=count("SELECT count(*) FROM quotes").fetchone()[0],
            captures=count("SELECT count(*) FROM captures").fetchone()[0],
            failures=count("SELECT count(*) FROM failures").fetchone()[0],
            versions=count("SELECT count(*) FROM article_versions").fetchone()[0],
            by_site=self._grouped("coalesce(site, '(unknown)')"),
            by_year=self._grouped("coalesce(substr(published, 1, 4), '(undated)')"),
            by_status=self._grouped("coalesce(status, 'ok')"),
            size_bytes=self.engine.size_bytes(),
        )

    def _grouped(self, expression: str) -> dict[str, int]:
        rows = self.conn.execute(
            f"SELECT {expression} AS key, count(*) AS n FROM articles GROUP BY key ORDER BY n DESC, key"
        )
        return dict(rows.fetchall())

    def record_failure(self, url: str, error: Exception) -> None:
        """Remember that ``url`` failed, why, and whether for good; a later success clears it."""
        now = now_iso()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO failures (url_key, url, reason, error_type, attempts, first_failed_at,"
                " last_failed_at, permanent) VALUES (?, ?, ?, ?, 1, ?, ?, ?)"
                " ON CONFLICT(url_key) DO UPDATE SET reason = excluded.reason,"
                " error_type = excluded.error_type, attempts = failures.attempts + 1,"
                " last_failed_at = excluded.last_failed_at, permanent = excluded.permanent",
                [
                    normalize_url(url),
                    url,
                    str(error),
                    type(error).__name__,
                    now,
                    now,
                    is_permanent(error),
                ],
            )

    def permanent_failure(self, url: str) -> str | None:
        """Why ``url`` failed for good (a 404, a 410, ...) when it did, else None."""
        row = self.conn.execute(
            "SELECT url, reason FROM failures WHERE url_key = ? AND permanent",
            [normalize_url(url)],
        ).fetchone()
        return row[1].removeprefix(f"{row[0]}: ") if row else None

    def failures(self) -> list[Failure]:
        """Links that failed and have not succeeded since, most recent first."""
        rows = self.conn.execute(
            "SELECT url, reason, error_type, attempts, first_failed_at, last_failed_at"
            " FROM failures ORDER BY last_failed_at DESC, url"
        )
        return [Failure(*row) for row in rows]

    def apply_export_metadata(
        self, article_id: int, saved_at: str | None, tags: tuple[str, ...] | list[str]
    ) -> None:
        """Keep what an export knew: when the user saved the link (it becomes ``saved_at``), tags
        (by their normalised names; one with no usable name is left out)."""
        with self._write() as conn:
            if saved_at:
                conn.execute(
                    "UPDATE articles SET saved_at = ? WHERE id = ?", [saved_at, article_id]
                )
            conn.executemany(
                "INSERT OR IGNORE INTO tags (article_id, tag) VALUES (?, ?)",
                [(article_id, name) for tag in tags if (name := tag_name_or_none(tag))],
            )

    def tags(self, article_id: int) -> list[str]:
        """The article's tags, alphabetically."""
        rows = self.conn.execute(
            "SELECT tag FROM tags WHERE article_id = ? ORDER BY tag", [article_id]
        )
        return [tag for (tag,) in rows]


def _keeping_address(row: dict) -> dict:
    """A capture with no address of its own (a file or stdin without --url) leaves the
    article's stored address as it is."""
    if not row["url"].startswith(CONTENT_KEY_PREFIX):
        return row
    return {name: value for name, value in row.items() if name != "url"}


def _one_line(error: Exception) -> str:
    """A database's message in one line (PostgreSQL's may run over several)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
