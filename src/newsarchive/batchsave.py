"""Saving many new articles at once: the rows ``Archive.save`` writes for an article it has
not seen, written for a whole run of such articles in a few statements (batchwrite.py) rather
than some twenty a page. On PostgreSQL, where each statement is a round trip to the server
and run by another process, that took the CPU a new article costs from about 4.9 ms to 2.8 ms
(this process's and the server's, bench/search_pg.py --append).

``Archive.save_many`` sends here the pages that are new (none of their URLs filed in the
archive, nor in an earlier page of the batch) and saves the others one by one, in the batch's
order; the rows come out as saving each page in turn would write them (``fresh_runs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsarchive.batchwrite import BatchWriter
from newsarchive.engines import chunked, marks
from newsarchive.extract.sitewide import counted_lines, paragraph_digest
from newsarchive.extract.status import WITHOUT_TEXT
from newsarchive.models import Article, FetchResult
from newsarchive.records import SaveOutcome, article_row
from newsarchive.versions import capture_row, version_row

if TYPE_CHECKING:
    from newsarchive.store import Archive

Page = tuple[FetchResult, Article]


def fresh_runs(keys: list[list[str]], filed: set[str]) -> Iterator[tuple[bool, list[int]]]:
    """The batch's pages (by index) in runs, in order: (True, a run of new pages) or
    (False, [one page that is not]). A page is new when none of its URL ``keys`` is ``filed``
    in the archive or belongs to an earlier page of the batch, so a run's pages may be written
    together, before the page after it, which may be saved again over one of them."""
    seen = set(filed)
    run: list[int] = []
    for index in range(len(keys)):
        if seen.isdisjoint(keys[index]):
            run.append(index)
        else:
            if run:
                yield True, run
                run = []
            yield False, [index]
        seen.update(keys[index])
    if run:
        yield True, run


def filed_keys(archive: Archive, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` the archive files an article under, in one query per thousand."""
    found: set[str] = set()
    for some in chunked(sorted(set(keys))):
        sql = f"SELECT url_key FROM article_urls WHERE url_key IN ({marks(some)})"
        found.update(key for (key,) in archive.conn.execute(sql, some))
    return found


# New articles written per round of statements, while the next ones are prepared.
CHUNK = 100


@dataclass(frozen=True)
class _Prepared:
    """A new page's rows, all but the ids they take when written: its article, its capture,
    and its other rows by table (in the order ``Archive.save`` writes them)."""

    article: dict[str, Any]
    capture: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]
    version_at: str


def save_new(archive: Archive, pages: list[Page], keys: list[list[str]]) -> list[SaveOutcome]:
    """Insert these new articles (``keys``: each one's URL keys) with their URLs, quotes,
    removed blocks, paragraph digests, capture and first version; clear the failures of
    those that hold their text. Inside the caller's transaction.

    A chunk of pages is written while a thread prepares the next chunks' rows (the body's
    SimHash, paragraph digests and compressed bytes: most of this process's work), so the
    two overlap with the database's work (on PostgreSQL, another process's)."""
    chunks = [range(start, min(start + CHUNK, len(pages))) for start in range(0, len(pages), CHUNK)]

    def prepare(run: range) -> list[_Prepared]:
        return [_prepare(pages[i], keys[i]) for i in run]

    outcomes = [
        outcome for chunk in _one_ahead(prepare, chunks) for outcome in _write(archive, chunk)
    ]
    clear_failures(archive, pages, keys)
    return outcomes


def _one_ahead(
    prepare: Callable[[range], list[_Prepared]], chunks: list[range]
) -> Iterator[list[_Prepared]]:
    """Each chunk prepared, the next one in a thread while the caller writes this one: one
    chunk's rows held ahead, not the whole batch's. A single chunk (a save of one page: add,
    import) has nothing to overlap and starts no thread."""
    if len(chunks) == 1:
        yield prepare(chunks[0])
        return
    with ThreadPoolExecutor(1) as preparing:
        coming = preparing.submit(prepare, chunks[0])
        for chunk in chunks[1:]:
            ready = coming.result()
            coming = preparing.submit(prepare, chunk)
            yield ready
        yield coming.result()


def _prepare(page: Page, keys: list[str]) -> _Prepared:
    fetched, article = page
    row = article_row(fetched, article)
    digests = [paragraph_digest(line) for line in counted_lines(article)]
    children = {
        "quotes": [
            {"position": i, "text": q.text, "speaker": q.speaker, "role": q.role, "kind": q.kind}
            for i, q in enumerate(article.quotes)
        ],
        "removed_blocks": [
            {"position": i, "rule": block.rule, "text": block.text}
            for i, block in enumerate(article.removed)
        ],
        "paragraph_digests": [{"digest": digest} for digest in digests],
        "article_urls": [{"url_key": key} for key in keys],
    }
    return _Prepared(
        article={**row, "saved_at": row["updated_at"]},
        capture=capture_row(0, fetched, article.status),
        children=children,
        version_at=fetched.fetched_at or row["updated_at"],
    )


def _write(archive: Archive, pages: list[_Prepared]) -> list[SaveOutcome]:
    """Write the prepared pages: their articles, then captures (which point at the articles),
    then first versions (at the captures) and the other rows."""
    writer = BatchWriter(archive)
    ids = writer.insert("articles", [page.article for page in pages], "url_key")
    article_ids = [ids[(page.article["url_key"],)] for page in pages]
    captures = [
        {**page.capture, "article_id": article_id}
        for page, article_id in zip(pages, article_ids, strict=True)
    ]
    capture_ids = writer.insert("captures", captures, "article_id")
    for page, article_id in zip(pages, article_ids, strict=True):
        capture_id = capture_ids[(article_id,)]
        first = version_row(article_id, 1, capture_id, page.version_at, [])
        writer.queue("article_versions", [first])
        for table, rows in page.children.items():
            writer.queue(table, [{**row, "article_id": article_id} for row in rows])
    writer.flush()
    return [SaveOutcome(id=article_id, created=True, version=1) for article_id in article_ids]


def clear_failures(archive: Archive, pages: list[Page], keys: list[list[str]]) -> None:
    """A page saved with its text is no failure any more, under any of its URLs."""
    done = [
        key
        for (_, article), its_keys in zip(pages, keys, strict=True)
        if article.status not in WITHOUT_TEXT
        for key in its_keys
    ]
    for some in chunked(done):
        archive.conn.execute(f"DELETE FROM failures WHERE url_key IN ({marks(some)})", some)
