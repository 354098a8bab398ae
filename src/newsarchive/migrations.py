"""The archive's schema, one migration per change. Applied whenever an archive is opened.

Full-text indexes follow sqlite-utils conventions (``<table>_fts`` with ``_ai``/``_ad``/``_au``
triggers), so ``datasette`` and ``sqlite-utils search`` work on an archive out of the box.
The tokenizer stems English words (``archive`` finds ``archived``) and folds diacritics
(``cafe`` finds ``café``).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

TOKENIZE = "porter unicode61 remove_diacritics 2"
ARTICLE_SEARCH_COLUMNS = ["headline", "standfirst", "authors", "text"]
QUOTE_SEARCH_COLUMNS = ["text", "speaker"]

migrations = Migrations("newsarchive")


@migrations()
def m001_initial(db: Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "url_key": str,
            "headline": str,
            "standfirst": str,
            "authors": str,
            "published": str,
            "modified": str,
            "site": str,
            "language": str,
            "canonical_url": str,
            "text": str,
            "html": str,
            "word_count": int,
            "status": str,
            "saved_at": str,
            "updated_at": str,
            "extractor_version": str,
        },
        pk="id",
        not_null={"url", "url_key", "saved_at"},
    )
    db["articles"].create_index(["url_key"], unique=True)
    db["articles"].create_index(["published"])
    db["articles"].create_index(["saved_at"])
    db["article_urls"].create(
        {"url_key": str, "article_id": int},
        pk="url_key",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_urls"].create_index(["article_id"])
    _create_child_tables(db)
    db["articles"].enable_fts(ARTICLE_SEARCH_COLUMNS, create_triggers=True, tokenize=TOKENIZE)
    db["quotes"].enable_fts(QUOTE_SEARCH_COLUMNS, create_triggers=True, tokenize=TOKENIZE)


def _create_child_tables(db: Database) -> None:
    db["quotes"].create(
        {"id": int, "article_id": int, "position": int, "text": str, "speaker": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["captures"].create(
        {
            "id": int,
            "article_id": int,
            "url": str,
            "final_url": str,
            "http_status": int,
            "headers": str,
            "encoding": str,
            "kind": str,
            "source": str,
            "fetched_at": str,
            "raw_size": int,
            "raw_zlib": bytes,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["removed_blocks"].create(
        {"id": int, "article_id": int, "position": int, "rule": str, "text": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    for table in ("quotes", "captures", "removed_blocks"):
        db[table].create_index(["article_id"])
