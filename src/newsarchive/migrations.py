"""The archive's schema, one migration per change. Applied whenever an archive is opened.

Full-text indexes follow sqlite-utils conventions (``<table>_fts`` with ``_ai``/``_ad``/``_au``
triggers), so ``datasette`` and ``sqlite-utils search`` work on an archive out of the box.
The tokenizer stems English words (``archive`` finds ``archived``) and folds diacritics
(``cafe`` finds ``café``).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

TOKENIZE = "porter unicode61 remove_diacritics 2"
# The columns of the articles' text that searches are matched against (in m003 to m011).
TEXT_SEARCH_COLUMNS = ["headline", "standfirst", "authors", "quote_text", "text"]
# Order matters: search.ARTICLE_WEIGHTS gives one bm25 weight per column, in this order.
ARTICLE_SEARCH_COLUMNS = [*TEXT_SEARCH_COLUMNS, "published_terms"]
QUOTE_SEARCH_COLUMNS = ["text", "speaker"]

MIGRATION_SET = "newsarchive"
# The steps in order. sqlite-utils' Migrations (and with it the whole of sqlite-utils, a third
# of a command's start-up) is imported only when an archive has steps to apply: opening an
# archive that is up to date reads the applied names with plain SQL (applied_names).
_STEPS: list[Callable[[Database], None]] = []


def _migration(step: Callable[[Database], None]) -> Callable[[Database], None]:
    _STEPS.append(step)
    return step


# The full-text indexes that grow with every article saved (see store.tidy_search_indexes).
GROWING_INDEXES = ("articles_fts", "quotes_fts")
NAMES_SQL = "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid"


def step_names() -> list[str]:
    """The names of the migrations in this version, in order."""
    return [step.__name__ for step in _STEPS]


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """The names of the migrations applied to this file, in the order they were applied (what
    sqlite-utils' Migrations.applied reads)."""
    exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    if not conn.execute(exists).fetchone():
        return []
    return [row[0] for row in conn.execute(NAMES_SQL, [MIGRATION_SET])]


@cache
def migration_set() -> Migrations:
    """The steps as sqlite-utils Migrations, which applies them and records each."""
    from sqlite_utils import Migrations

    steps = Migrations(MIGRATION_SET)
    for step in _STEPS:
        steps()(step)
    return steps


def __getattr__(name: str) -> object:
    if name == "migrations":  # the Migrations object, built on first use
        return migration_set()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@_migration
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
    db["articles"].enable_fts(
        ["headline", "standfirst", "authors", "text"], create_triggers=True, tokenize=TOKENIZE
    )
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


@_migration
def m002_failures(db: Database) -> None:
    """Links that could not be archived, with why, so batch work can go on and retry later."""
    db["failures"].create(
        {
            "url_key": str,
            "url": str,
            "reason": str,
            "error_type": str,
            "attempts": int,
            "first_failed_at": str,
            "last_failed_at": str,
        },
        pk="url_key",
    )


@_migration
def m003_quotes_in_search_and_fingerprints(db: Database) -> None:
    """Index each article's quotations with it (ranked above the body), and store a SimHash of
    the body so wire copies of one story can be collapsed in results."""
    from newsarchive.fingerprint import simhash

    db["articles"].add_column("quote_text", str)
    db["articles"].add_column("simhash", int)
    db.execute(
        "UPDATE articles SET quote_text ="
        " (SELECT group_concat(text, ' ') FROM quotes WHERE quotes.article_id = articles.id)"
    )
    for article_id, text in db.execute("SELECT id, text FROM articles").fetchall():
        db.execute(
            "UPDATE articles SET simhash = ? WHERE id = ?", [simhash(text or ""), article_id]
        )
    db["articles"].enable_fts(
        TEXT_SEARCH_COLUMNS, create_triggers=True, tokenize=TOKENIZE, replace=True
    )


@_migration
def m004_tags(db: Database) -> None:
    """Tags brought in by imports (Pocket, Instapaper, bookmarks), one row per article and tag."""
    db["tags"].create(
        {"article_id": int, "tag": str},
        pk=("article_id", "tag"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["tags"].create_index(["tag"])


@_migration
def m005_capture_status(db: Database) -> None:
    """Each capture records what it held (ok, partial, not_article, blocked)."""
    db["captures"].add_column("status", str)
    db.execute("UPDATE captures SET status = 'ok'")


@_migration
def m006_site_paragraphs(db: Database) -> None:
    """Digests of each article's short paragraphs, so a paragraph repeated across many
    articles of one site (a sign-off, an appeal) can be recognised as that site's boilerplate."""
    db.execute(
        "CREATE TABLE paragraph_digests (article_id INTEGER NOT NULL REFERENCES articles(id),"
        " digest INTEGER NOT NULL, PRIMARY KEY (article_id, digest)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX paragraph_digests_digest ON paragraph_digests (digest)")
    db["articles"].create_index(["site"], if_not_exists=True)


# Prefix lengths FTS5 keeps ready-made lists for: a query like ``harb*`` then reads one list
# instead of merging the list of every indexed word that begins with those letters.
ARTICLE_PREFIXES = "2 3 4"


@_migration
def m007_search_prefix_index(db: Database) -> None:
    """Rebuild the articles' full-text index with prefix indexes, so prefix queries on common
    beginnings stay fast at a million articles. Table, columns, tokenizer and the _ai/_ad/_au
    triggers keep sqlite-utils' conventions (the triggers only name the table, so they stay)."""
    db.execute("DROP TABLE articles_fts")
    _create_article_index(db, TEXT_SEARCH_COLUMNS)
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")


def _create_article_index(db: Database, columns: list[str]) -> None:
    names = ", ".join(f'"{column}"' for column in columns)
    db.execute(
        f'CREATE VIRTUAL TABLE "articles_fts" USING FTS5 (\n    {names},\n'
        f"    tokenize='{TOKENIZE}', prefix='{ARTICLE_PREFIXES}',\n"
        '    content="articles"\n)'
    )


@_migration
def m008_search_site_index(db: Database) -> None:
    """Index site and URL together, so ``site:`` filters on common words read the matching ids
    from this index instead of every matching article's row."""
    db["articles"].create_index(["site", "url"], if_not_exists=True)


# FTS5 merges index segments once this many of one size have piled up (its default is 4).
ARTICLE_AUTOMERGE = 16


@_migration
def m009_search_merge_less_often(db: Database) -> None:
    """Merge the articles' full-text segments less eagerly: at 100,000 articles the default
    spends more time re-merging old segments than indexing new articles. Kept in the index's
    own config table, so it holds for every writer."""
    _set_article_index_option(db, "automerge", ARTICLE_AUTOMERGE)


def _set_article_index_option(db: Database, name: str, value: int) -> None:
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES (?, ?)", [name, value])


# Bytes of new index entries FTS5 holds in memory before writing them out as a segment (its
# default is 1 MiB). It writes them out at every commit anyway, so this only matters for bulk
# saves in one transaction, where it means one segment per batch instead of several.
ARTICLE_HASHSIZE = 16 * 1024 * 1024


@_migration
def m010_search_bigger_write_batches(db: Database) -> None:
    """Let a bulk save write the articles' new index entries as one segment: fewer, larger
    segments leave less merging to do, about a fifth of the indexing work of a batch of 500."""
    _set_article_index_option(db, "hashsize", ARTICLE_HASHSIZE)


def url_host(column: str) -> str:
    """SQL for the host of the URL in ``column``, lower-cased ('' for a URL without one)."""
    rest = f"substr({column}, instr({column}, '//') + 2)"
    host = f"substr({rest}, 1, instr({rest} || '/', '/') - 1)"
    return f"CASE WHEN instr({column}, '//') THEN lower({host}) ELSE '' END"


@_migration
def m011_search_site_hosts(db: Database) -> None:
    """Keep each pair of site name ('' for none) and URL host found in the archive, so a
    ``site:`` filter is resolved against a few hundred names and hosts, then read from the site
    index, instead of matching a substring against every article. Triggers keep it up to date
    for every writer; pairs no article has any more are harmless and left."""
    db.execute(
        "CREATE TABLE site_hosts (site TEXT NOT NULL, host TEXT NOT NULL,"
        " PRIMARY KEY (site, host)) WITHOUT ROWID"
    )
    db.execute(
        "INSERT OR IGNORE INTO site_hosts"
        f" SELECT DISTINCT coalesce(site, ''), {url_host('url')} FROM articles"
    )
    pair = f"(coalesce(new.site, ''), {url_host('new.url')})"
    for name, event in [("ai", "INSERT"), ("au", "UPDATE OF site, url")]:
        db.execute(
            f"CREATE TRIGGER site_hosts_{name} AFTER {event} ON articles"
            f" BEGIN INSERT OR IGNORE INTO site_hosts VALUES {pair}; END"
        )


# Publication dates are indexed as terms a query can't produce: the year, month and day, each
# after this private-use character (the tokenizer keeps it; nobody types it). See filters.py.
DATE_TERM_MARK = "\ue000"


def published_terms(column: str) -> str:
    """SQL for the date terms of the ISO date in ``column``: for "2024-03-09T10:00", the three
    terms "\ue000y2024 \ue000m202403 \ue000d20240309"; NULL for a value not of that shape."""
    mark = f"char({ord(DATE_TERM_MARK)})"
    year, month, day = (f"substr({column}, {start}, {size})" for start, size in _DATE_PARTS)
    return (
        f"CASE WHEN {column} GLOB '{_ISO_DAY}*' THEN {mark} || 'y' || {year}"
        f" || ' ' || {mark} || 'm' || {year} || {month}"
        f" || ' ' || {mark} || 'd' || {year} || {month} || {day} END"
    )


_DATE_PARTS = [(1, 4), (6, 2), (9, 2)]
_ISO_DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"


@_migration
def m012_search_published_terms(db: Database) -> None:
    """Index each article's publication year, month and day as terms in the full-text index,
    so a date range on a search's words is intersected by the index itself, not checked match
    by match against a set of ids (at a million articles, 40 ms for a six-month range). The
    terms are a generated column, so every writer keeps them; the index is rebuilt with its
    options and sqlite-utils' triggers, which name the new column."""
    db.execute(
        "ALTER TABLE articles ADD COLUMN published_terms TEXT"
        f" GENERATED ALWAYS AS ({published_terms('published')}) VIRTUAL"
    )
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("DROP TABLE articles_fts")
    _create_article_index(db, ARTICLE_SEARCH_COLUMNS)
    _set_article_index_option(db, "automerge", ARTICLE_AUTOMERGE)
    _set_article_index_option(db, "hashsize", ARTICLE_HASHSIZE)
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    _create_article_index_triggers(db, ARTICLE_SEARCH_COLUMNS)


def _create_article_index_triggers(db: Database, columns: list[str]) -> None:
    """The triggers sqlite-utils' ``enable_fts`` writes, for these columns."""
    names = ", ".join(f'"{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    add = f'INSERT INTO "articles_fts" (rowid, {names}) VALUES (new.rowid, {new});'
    remove = (
        f'INSERT INTO "articles_fts" ("articles_fts", rowid, {names})'
        f" VALUES('delete', old.rowid, {old});"
    )
    for name, event, body in [("ai", "INSERT", add), ("ad", "DELETE", remove)]:
        db.execute(f'CREATE TRIGGER "articles_{name}" AFTER {event} ON "articles" BEGIN {body} END')
    db.execute(f'CREATE TRIGGER "articles_au" AFTER UPDATE ON "articles" BEGIN {remove} {add} END')


# Names are matched word for word, without stemming: "ann" must not find "Anne" or "Joanna".
SPEAKER_TOKENIZE = "unicode61 remove_diacritics 2"


@_migration
def m013_quote_speakers_roles_kinds(db: Database) -> None:
    """Quotes get the role the article gives their speaker, their kind (``speech``, or
    ``term`` for a scare quote nobody said) and a link to a row of ``speakers``: one per name
    across the archive, indexed word by word so ``--speaker trump`` finds every form of it.
    Existing quotes are speech with no role; ``reextract --all`` fills in what is new."""
    db["speakers"].create({"id": int, "key": str, "name": str}, pk="id", not_null={"key", "name"})
    db["speakers"].create_index(["key"], unique=True)
    db["speakers"].enable_fts(["name"], create_triggers=True, tokenize=SPEAKER_TOKENIZE)
    db.execute("ALTER TABLE quotes ADD COLUMN speaker_id INTEGER REFERENCES speakers(id)")
    db.execute("ALTER TABLE quotes ADD COLUMN role TEXT")
    db.execute("ALTER TABLE quotes ADD COLUMN kind TEXT NOT NULL DEFAULT 'speech'")
    _link_speakers(db)
    db["quotes"].create_index(["speaker_id", "kind", "article_id"])


def _link_speakers(db: Database) -> None:
    """Give every stored speaker name its row, and each quote the id of its speaker's row."""
    from newsarchive.speakers import speaker_ids

    names = [name for (name,) in db.execute("SELECT DISTINCT speaker FROM quotes")]
    db.execute("CREATE TEMP TABLE speaker_links (name TEXT PRIMARY KEY, id INTEGER NOT NULL)")
    db.conn.executemany(
        "INSERT INTO speaker_links VALUES (?, ?)", speaker_ids(db.conn, names).items()
    )
    db.execute(
        "UPDATE quotes SET speaker_id ="
        " (SELECT id FROM speaker_links WHERE speaker_links.name = quotes.speaker)"
        " WHERE speaker IN (SELECT name FROM speaker_links)"
    )
    db.execute("DROP TABLE temp.speaker_links")


@_migration
def m014_article_notes(db: Database) -> None:
    """Why a capture is as it is, when its status alone does not say: extraction stopped at
    its time budget, or learned boilerplate kept because stripping it would empty the text."""
    db.execute("ALTER TABLE articles ADD COLUMN note TEXT")


@_migration
def m015_user_notes_and_tag_keys(db: Database) -> None:
    """The user's own note on an article, in a table of its own (``articles.note`` is the
    extractor's, rewritten by every re-extraction), indexed for ``note:`` searches; and the
    tags imports brought in, filed under their normalised form (tags.tag_name), so ``Ukraine``
    and `` ukraine`` are one tag. A tag with no usable name is dropped."""
    from newsarchive.tags import tag_name_or_none

    db["notes"].create(
        {"article_id": int, "text": str, "updated_at": str},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"text", "updated_at"},
    )
    db["notes"].enable_fts(["text"], create_triggers=True, tokenize=TOKENIZE)
    rows = db.execute("SELECT article_id, tag FROM tags").fetchall()
    db.execute("DELETE FROM tags")
    named = [(article_id, tag_name_or_none(tag)) for article_id, tag in rows]
    db.conn.executemany(
        "INSERT OR IGNORE INTO tags (article_id, tag) VALUES (?, ?)",
        [(article_id, name) for article_id, name in named if name],
    )


@_migration
def m016_file_content_keys_and_permanent_failures(db: Database) -> None:
    """An article read from a file or stdin is also found by its content key (the SHA-256 of
    its bytes), so the same file added with and without --url is one article; and a failed
    link records whether its cause is permanent (a 404, a 410: a plain rerun of the import
    skips it) or may pass (a timeout, a 5xx: fetched again). Failures recorded before are
    taken as passing, as they were."""
    from newsarchive.records import LOCAL_SOURCES, content_key

    marks = ", ".join("?" for _ in LOCAL_SOURCES)
    rows = db.execute(
        f"SELECT article_id, raw_zlib FROM captures WHERE source IN ({marks})", LOCAL_SOURCES
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO article_urls (url_key, article_id) VALUES (?, ?)",
        [(content_key(zlib.decompress(raw)), article_id) for article_id, raw in rows],
    )
    db.execute("ALTER TABLE failures ADD COLUMN permanent INTEGER NOT NULL DEFAULT 0")


@_migration
def m017_versions(db: Database) -> None:
    """Versions of articles and captures kept once (see versions.py). Each capture gets the
    SHA-256 of its bytes; repeated captures of one article with the same bytes become one
    capture and the times it was fetched again. Every article gets version 1, from the capture
    its stored extraction holds (the newest of those holding the most of it). Superseded
    versions are indexed for ``search --all-versions``; ``refreshes`` remembers an
    interrupted ``refresh`` so running it again resumes."""
    from newsarchive.versions import SHORTFALL_SQL

    db.execute("ALTER TABLE captures ADD COLUMN sha256 TEXT")
    _hash_captures(db)
    _create_version_tables(db)
    _merge_repeated_captures(db)
    db.execute("CREATE UNIQUE INDEX captures_article_sha256 ON captures (article_id, sha256)")
    db.execute(
        "INSERT INTO article_versions (article_id, version, capture_id, created_at, changed)"
        " SELECT a.id, 1, c.id, coalesce(c.fetched_at, a.saved_at), '[]' FROM articles a"
        " LEFT JOIN captures c ON c.id = (SELECT id FROM captures WHERE article_id = a.id"
        f" ORDER BY {SHORTFALL_SQL}, id DESC LIMIT 1)"
    )
    db["article_versions"].enable_fts(TEXT_SEARCH_COLUMNS, create_triggers=True, tokenize=TOKENIZE)


def _hash_captures(db: Database) -> None:
    """Fill in each capture's SHA-256, a thousand captures at a time (bounded memory)."""
    from newsarchive.records import content_hash

    last = 0
    batch = "SELECT id, raw_zlib FROM captures WHERE id > ? ORDER BY id LIMIT 1000"
    while rows := db.execute(batch, [last]).fetchall():
        db.conn.executemany(
            "UPDATE captures SET sha256 = ? WHERE id = ?",
            [(content_hash(zlib.decompress(raw) if raw else b""), id_) for id_, raw in rows],
        )
        last = rows[-1][0]  # a capture without bytes (none is written so) hashes as empty


def _create_version_tables(db: Database) -> None:
    # Rows pointing at captures are checked at commit: deleting an article removes its rows
    # table by table, in whatever order its foreign keys are found (deletion.py).
    capture = "INTEGER REFERENCES captures(id) DEFERRABLE INITIALLY DEFERRED"
    db.execute(
        "CREATE TABLE capture_times (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL"
        f" REFERENCES articles(id), capture_id {capture} NOT NULL, fetched_at TEXT NOT NULL,"
        " http_status INTEGER)"
    )
    db.execute("CREATE INDEX capture_times_article ON capture_times (article_id)")
    db.execute("CREATE INDEX capture_times_capture ON capture_times (capture_id)")
    db.execute(
        "CREATE TABLE article_versions (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL"
        f" REFERENCES articles(id), version INTEGER NOT NULL, capture_id {capture},"
        " created_at TEXT NOT NULL, changed TEXT NOT NULL DEFAULT '[]', superseded_at TEXT,"
        " headline TEXT, standfirst TEXT, authors TEXT, published TEXT, modified TEXT,"
        " text TEXT, html TEXT, quote_text TEXT, quotes TEXT, status TEXT, note TEXT,"
        " extractor_version TEXT, UNIQUE (article_id, version))"
    )
    db.execute("CREATE INDEX article_versions_capture ON article_versions (capture_id)")
    db.execute("CREATE TABLE refreshes (selection TEXT PRIMARY KEY, started_at TEXT NOT NULL)")


def _merge_repeated_captures(db: Database) -> None:
    """Captures of one article with the same bytes: the first is kept, the others become the
    times it was fetched again."""
    first = "SELECT article_id, sha256, min(id) AS kept FROM captures GROUP BY article_id, sha256"
    db.execute(
        "INSERT INTO capture_times (article_id, capture_id, fetched_at, http_status)"
        f" SELECT c.article_id, f.kept, c.fetched_at, c.http_status FROM captures c JOIN ({first})"
        " f ON f.article_id IS c.article_id AND f.sha256 = c.sha256 WHERE c.id != f.kept"
        " ORDER BY c.id"
    )
    db.execute(f"DELETE FROM captures WHERE id NOT IN (SELECT kept FROM ({first}))")


@_migration
def m018_list_by_status(db: Database) -> None:
    """Index each article's status with when it was saved, so the reader's list of one status
    (``serve``: partial, blocked, ...) reads its newest rows instead of scanning every article
    (at 100,000 articles, 250 ms for a status no article has)."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS articles_status_saved_at"
        " ON articles (coalesce(status, 'ok'), saved_at)"
    )


@_migration
def m019_search_merges_pairs(db: Database) -> None:
    """The growing full-text indexes merge the segments of a level as soon as it holds two
    (FTS5's ``usermerge``, 4 by default): each save asks for a little merge work
    (store.tidy_search_indexes), which then keeps an index in a few segments."""
    for table in GROWING_INDEXES:
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('usermerge', 2)")


@_migration
def m020_site_simhash_index(db: Database) -> None:
    """Count a site's articles (``Archive.repeated_paragraphs``, on every save) from an index:
    ``simhash`` comes after the text and HTML in each row, so counting it from the table read
    every article of the site whole, on every save, and an import of one site's crawl (a WARC)
    slowed down as it went (1.5 ms a save at 279 articles of the site, 0.03 ms with the index)."""
    db["articles"].create_index(["site", "simhash"], if_not_exists=True)
