"""Speakers across the archive: one row per name, matched word by word.

Extraction names a quotation's speaker with the fullest form its article uses ("Donald J.
Trump" in one article, "Trump" in another). The archive files every name under a key that
ignores case, accents, punctuation and middle initials, so "Donald J. Trump" and "Donald Trump"
are one speaker, shown in the fullest form seen. A lone surname stays its own speaker: across
articles "Clinton" may be either of two people. Finding a speaker is word by word in the
``speakers_fts`` index, so ``trump`` finds all three forms and ``ann`` does not find "Joanna";
on PostgreSQL, word by word in each name as ``to_tsvector`` reads it, accents folded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from newsarchive.engines import MAX_INTEGER, POSTGRESQL, Connection, chunked, marks
from newsarchive.errors import QueryError
from newsarchive.models import SpeakerSummary
from newsarchive.pgtextsearch import UNSTEMMED_CONFIG

if TYPE_CHECKING:
    from newsarchive.store import Archive

# Letters and digits, as the unicode61 tokenizer splits names (an underscore separates).
_WORD = re.compile(r"[^\W_]+")

# A longer form of a name replaces the shorter one shown for its speaker.
_UPSERT_SPEAKER = (
    "INSERT INTO speakers (key, name) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
    " SET name = excluded.name WHERE length(excluded.name) > length(speakers.name)"
)

# Speakers that match the query: an id set the quotes' speaker index is read with.
SPEAKER_IDS_SQL = "SELECT rowid FROM speakers_fts WHERE speakers_fts MATCH ?"
# The same on PostgreSQL, its parameter a tsquery of the words ANDed (speaker_ids_sql).
PG_SPEAKER_IDS_SQL = (
    f"SELECT id FROM speakers WHERE to_tsvector('{UNSTEMMED_CONFIG}', name)"
    f" @@ to_tsquery('{UNSTEMMED_CONFIG}', ?)"
)


def _folded_words(text: str) -> list[str]:
    """The words of ``text``, case-folded and without accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain)


def speaker_key(name: str) -> str:
    """The key a name is filed under: its words, folded, without one-letter initials
    ("Donald J. Trump" -> "donald trump"); '' for a name with no words."""
    words = _folded_words(name)
    return " ".join([word for word in words if len(word) > 1] or words)


def speaker_words(query: str) -> list[str]:
    """The words of ``query`` a speaker's name must hold, folded (a QueryError if none)."""
    words = _folded_words(query)
    if not words:
        raise QueryError(f"{query!r}: give a word of the speaker's name")
    return words


def speaker_match(query: str) -> str:
    """The ``speakers_fts`` expression finding names that hold every word of ``query``."""
    return " ".join(f'"{word}"' for word in speaker_words(query))


def speaker_ids_sql(archive: Archive, query: str) -> tuple[str, str]:
    """SQL for the ids of the speakers whose names hold every word of ``query``, on the
    archive's engine, and its parameter."""
    if archive.engine.kind == POSTGRESQL:
        return PG_SPEAKER_IDS_SQL, speaker_tsquery(query)
    return SPEAKER_IDS_SQL, speaker_match(query)


def speaker_tsquery(query: str) -> str:
    """The tsquery text finding names that hold every word of ``query``. Folded words are
    letters and digits: quoted, nothing in them is tsquery syntax."""
    return " & ".join(f"'{word}'" for word in speaker_words(query))


def speaker_ids(conn: Connection, names: Iterable[str | None]) -> dict[str, int]:
    """The id of each name's speaker row, adding the rows that are missing; names without a
    word (None, '', '—') are left out."""
    return speaker_ids_in_order(conn, [names])


def speaker_ids_in_order(conn: Connection, groups: list[Iterable[str | None]]) -> dict[str, int]:
    """``speaker_ids`` of every name in ``groups`` (the speakers of one article each), each
    row's name left as calling it for each group in turn would leave it (new rows' ids may
    come in another order), in one executemany."""
    keys: dict[str, str] = {}
    shown: dict[str, str] = {}  # each key's name, as the upserts one group after another set it
    for names in groups:
        mine = {name: key for name in names if name and (key := speaker_key(name))}
        for key, name in sorted((key, name) for name, key in mine.items()):
            if len(name) > len(shown.get(key, "")):
                shown[key] = name
        keys.update(mine)
    # In the keys' order, so two writers adding the same speakers never wait on each other.
    conn.executemany(_UPSERT_SPEAKER, sorted(shown.items()))
    ids: dict[str, int] = {}
    for some in chunked(sorted(set(keys.values()))):
        ids.update(conn.execute(f"SELECT key, id FROM speakers WHERE key IN ({marks(some)})", some))
    return {name: ids[key] for name, key in keys.items()}


def list_speakers(
    archive: Archive, query: str | None = None, *, limit: int | None = 50
) -> list[SpeakerSummary]:
    """Speakers with their number of quotes and of articles, most quoted first; ``query``
    keeps those whose name holds each of its words. Quotes of kind ``term`` are not counted."""
    where, params = "q.kind = 'speech'", []
    if query is not None:
        speakers, words = speaker_ids_sql(archive, query)
        where += f" AND q.speaker_id IN ({speakers})"
        params.append(words)
    sql = _LISTING_SQL.format(where=where)
    rows = archive.conn.execute(sql, [*params, limit or MAX_INTEGER])
    return [SpeakerSummary(*row) for row in rows]


_LISTING_SQL = """
    SELECT s.name, count(*) AS quotes, count(DISTINCT q.article_id) AS articles
    FROM quotes q JOIN speakers s ON s.id = q.speaker_id
    WHERE {where}
    GROUP BY s.id, s.name ORDER BY quotes DESC, articles DESC, s.name LIMIT ?"""
