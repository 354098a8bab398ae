"""Tags: the user's labels on articles, given by hand (``newsarchive tag``) or by an import.

A tag is filed under its name normalised: Unicode NFC, each run of spaces made one space,
trimmed, case-folded. ``Ukraine War``, `` ukraine  war`` and ``UKRAINE WAR`` are one tag, shown
as ``ukraine war``. A name that is empty, holds a control character (a tab or a line break
too) or is longer than MAX_TAG_CHARS is refused, never cut or cleaned into another tag.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING

from newsarchive.controls import CONTROLS
from newsarchive.errors import InputError

if TYPE_CHECKING:
    from newsarchive.store import Archive

MAX_TAG_CHARS = 100
_LINE_BREAKS = re.compile("[\t\n]")  # what CONTROLS lets through, a tag being one line
_SIGNS = "+-"


@dataclass(frozen=True)
class TagEdit:
    """Tags to add and to remove, by normalised name."""

    add: tuple[str, ...]
    remove: tuple[str, ...]


@dataclass(frozen=True)
class TaggedArticle:
    """An article's id and its tags after an edit, alphabetically."""

    id: int
    tags: list[str]


@dataclass(frozen=True)
class TagCount:
    """One tag listed by ``newsarchive tags``: its name and how many articles carry it."""

    name: str
    articles: int


def tag_name(text: str) -> str:
    """The name ``text`` is filed under; an InputError naming it when it cannot be a tag."""
    if CONTROLS.search(text) or _LINE_BREAKS.search(text):
        raise InputError(f"{text!r}: a tag cannot hold control characters (tabs, line breaks)")
    name = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    if not name:
        raise InputError(f"{text!r}: an empty tag name")
    if len(name) > MAX_TAG_CHARS:
        raise InputError(f"{name[:20]!r}...: a tag is at most {MAX_TAG_CHARS} characters")
    return name


def tag_name_or_none(text: str) -> str | None:
    """``tag_name``, or None for text that cannot be a tag (what an import leaves out)."""
    try:
        return tag_name(text)
    except InputError:
        return None


def split_tag_arguments(words: Sequence[str]) -> tuple[list[str], TagEdit]:
    """``ID... +name -name`` as the articles (ids or URLs, before the first sign) and the edit."""
    first = next((i for i, word in enumerate(words) if word[:1] in _SIGNS and word), len(words))
    references, signed = list(words[:first]), words[first:]
    if not references:
        raise InputError("give the id (or URL) of at least one article before the tags")
    return references, tag_edit(signed)


def tag_edit(signed: Iterable[str]) -> TagEdit:
    """``+name`` adds a tag, ``-name`` removes one; anything else is an InputError."""
    add, remove = [], []
    for word in signed:
        if word[:1] not in _SIGNS or not word:
            raise InputError(f"{word!r}: give tags as +name (add) or -name (remove), after the ids")
        if not word[1:].strip():
            raise InputError(f"{word!r}: give a tag name after the {word[0]}")
        (add if word[0] == "+" else remove).append(tag_name(word[1:]))
    if not add and not remove:
        raise InputError("no tags given: +name adds a tag, -name removes one")
    both = sorted(set(add) & set(remove))
    if both:
        raise InputError(f"{both[0]!r}: both added and removed; give it once")
    return TagEdit(tuple(dict.fromkeys(add)), tuple(dict.fromkeys(remove)))


def edit_tags(archive: Archive, references: Iterable[str], edit: TagEdit) -> list[TaggedArticle]:
    """Apply ``edit`` to every article given, in one transaction: an unknown article is a
    NotFoundError before anything is written. The articles are looked up inside it, so one
    that another process deletes meanwhile is unknown, not a broken row."""
    with archive.transaction() as conn:
        ids = list(dict.fromkeys(archive.resolve(reference) for reference in references))
        conn.executemany(
            "INSERT OR IGNORE INTO tags (article_id, tag) VALUES (?, ?)", product(ids, edit.add)
        )
        conn.executemany(
            "DELETE FROM tags WHERE article_id = ? AND tag = ?", product(ids, edit.remove)
        )
    return [TaggedArticle(article_id, archive.tags(article_id)) for article_id in ids]


def list_tags(archive: Archive) -> list[TagCount]:
    """Every tag in the archive with its number of articles, most used first."""
    rows = archive.conn.execute(
        "SELECT tag, count(*) AS n FROM tags GROUP BY tag ORDER BY n DESC, tag"
    )
    return [TagCount(*row) for row in rows]
