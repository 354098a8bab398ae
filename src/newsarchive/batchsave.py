"""Saving many new articles at once: the rows ``Archive.save`` writes for an article it has
not seen, written for a whole run of such articles in a few statements (batchwrite.py) rather
than some twenty a page. On PostgreSQL, where each statement is a round trip to the server,
that is what lets a batch save keep up with an import.

``Archive.save_many`` sends here the pages that are new (none of their URLs filed in the
archive, nor in an earlier page of the batch) and saves the others one by one, in the batch's
order; the rows come out as saving each page in turn would write them (``fresh_runs``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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


def fresh_runs(
    pages: list[Page], keys: list[list[str]], filed: set[str]
) -> Iterator[tuple[bool, list[int]]]:
    """The batch's pages (by index) in runs, in order: (True, a run of new pages) or
    (False, [one page that is not]). A page is new when none of its URL ``keys`` is ``filed``
    in the archive or belongs to an earlier page of the batch, so a run's pages may be written
    together, before the page after it, which may be saved again over one of them."""
    seen = set(filed)
    run: list[int] = []
    for index in range(len(pages)):
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


def save_new(archive: Archive, pages: list[Page], keys: list[list[str]]) -> list[SaveOutcome]:
    """Insert these new articles (``keys``: each one's URL keys) with their URLs, quotes,
    removed blocks, paragraph digests, capture and first version; clear the failures of
    those that hold their text. Inside the caller's transaction."""
    writer = BatchWriter(archive)
    rows = [_article_row(*page) for page in pages]
    ids = writer.insert("articles", rows, "url_key")
    article_ids = [ids[(row["url_key"],)] for row in rows]
    captures = [
        capture_row(article_id, fetched, article.status)
        for article_id, (fetched, article) in zip(article_ids, pages, strict=True)
    ]
    capture_ids = writer.insert("captures", captures, "article_id")
    for article_id, page, row, its_keys in zip(article_ids, pages, rows, keys, strict=True):
        at = page[0].fetched_at or row["updated_at"]
        first = version_row(article_id, 1, capture_ids[(article_id,)], at, [])
        writer.queue("article_versions", [first])
        _queue_children(writer, article_id, page[1])
        writer.queue(
            "article_urls", [{"url_key": key, "article_id": article_id} for key in its_keys]
        )
    writer.flush()
    clear_failures(archive, pages, keys)
    return [SaveOutcome(id=article_id, created=True, version=1) for article_id in article_ids]


def _article_row(fetched: FetchResult, article: Article) -> dict[str, Any]:
    row = article_row(fetched, article)
    return {**row, "saved_at": row["updated_at"]}


def _queue_children(writer: BatchWriter, article_id: int, article: Article) -> None:
    """The article's quotes, removed blocks and paragraph digests."""
    writer.queue(
        "quotes",
        [
            {"article_id": article_id, "position": i, "text": q.text, "speaker": q.speaker}
            | {"role": q.role, "kind": q.kind}
            for i, q in enumerate(article.quotes)
        ],
    )
    writer.queue(
        "removed_blocks",
        [
            {"article_id": article_id, "position": i, "rule": block.rule, "text": block.text}
            for i, block in enumerate(article.removed)
        ],
    )
    digests = [paragraph_digest(line) for line in counted_lines(article)]
    writer.queue("paragraph_digests", [{"article_id": article_id, "digest": d} for d in digests])


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
