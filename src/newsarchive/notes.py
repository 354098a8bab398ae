"""The user's own note on an article (``newsarchive note``), searchable with ``note:``.

Notes live in their own table, indexed by ``notes_fts``: ``articles.note`` is the extractor's
note on a capture, which every re-extraction rewrites.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsarchive.controls import CONTROLS
from newsarchive.errors import InputError
from newsarchive.records import now_iso

if TYPE_CHECKING:
    from newsarchive.store import Archive

MAX_NOTE_CHARS = 10_000


def note_text(text: str) -> str:
    """``text`` trimmed, or an InputError when it is empty, too long or holds control
    characters (line breaks and tabs are kept)."""
    text = text.replace("\r\n", "\n")
    if CONTROLS.search(text):
        raise InputError("a note cannot hold control characters (line breaks and tabs can)")
    trimmed = text.strip()
    if not trimmed:
        raise InputError("an empty note: give its text, or --clear to remove the note")
    if len(trimmed) > MAX_NOTE_CHARS:
        raise InputError(f"the note is {len(trimmed):,} characters (at most {MAX_NOTE_CHARS:,})")
    return trimmed


def set_note(archive: Archive, reference: str, text: str) -> int:
    """Write the note of the article ``reference`` names (an id or URL), replacing any it had;
    return the article's id."""
    kept = note_text(text)
    with archive.transaction() as conn:  # looked up inside it: see tags.edit_tags
        article_id = archive.resolve(reference)
        conn.execute(
            "INSERT INTO notes (article_id, text, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (article_id) DO UPDATE SET text = excluded.text,"
            " updated_at = excluded.updated_at",
            [article_id, kept, now_iso()],
        )
    return article_id


def clear_note(archive: Archive, reference: str) -> tuple[int, bool]:
    """Remove the article's note; return its id and whether it had one."""
    with archive.transaction() as conn:
        article_id = archive.resolve(reference)
        removed = conn.execute("DELETE FROM notes WHERE article_id = ?", [article_id]).rowcount
    return article_id, removed > 0
