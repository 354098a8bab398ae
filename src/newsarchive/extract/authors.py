"""Find an article's authors: JSON-LD people, author meta tags, then the visible byline.

An organisation (a JSON-LD ``Organization``, or a name that is the site's own) is the
publisher more often than the writer: it is used only when no person is named anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.people import clean_authors

BYLINE = etree.XPath(
    "//body//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')"
    " or contains(@class, 'author') or contains(@href, '/author/')"
    " or contains(@href, '/authors/')]"
)
MAX_TEXTS = 3000  # a byline sits near the top of the page, not among its last text nodes
# "By Jane Doe", "Written by" or "Posted by" starting a text node, outside scripts.
_LOWER = "translate(normalize-space(), 'ABDEGILNOPRSTWY', 'abdegilnoprstwy')"
BY_TEXT = etree.XPath(
    f"(//body//text()[not(parent::script) and not(parent::style)])[position() <= {MAX_TEXTS}]"
    f"[starts-with({_LOWER}, 'by ') or starts-with({_LOWER}, 'by:')"
    f" or {_LOWER} = 'by' or starts-with({_LOWER}, 'written by')"
    f" or starts-with({_LOWER}, 'posted by')]"
)
MAX_BY_TEXTS = 5
MAX_BYLINE_ELEMENTS = 40  # author boxes further down are comments and teasers
MAX_BYLINE_TEXT = 200  # a longer element is a biography or a comment, not a byline
HELPERS = re.compile(
    r"\b(?:reviewed|edited|fact[- ]?checked|researched|verified|illustrat\w*|photo\w*)\b",
    re.IGNORECASE,
)
PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "du", "del", "la", "le", "bin", "al"}
ORGANISATIONS = {"organization", "newsmediaorganization", "corporation", "educationalorganization"}


def find_authors(
    ld_author: Any, meta_names: list[str], doc: HtmlElement, is_site: Callable[[str], bool]
) -> list[str]:
    """Author names, from the most deliberate source that names a person."""
    people, organisations = _split_ld(ld_author)
    sources = (
        lambda: clean_authors(people, trusted=True),
        lambda: clean_authors(meta_names, trusted=True),
        lambda: byline_names(doc),
        lambda: by_text_names(doc),
        lambda: clean_authors(organisations, trusted=True),
    )
    fallback: list[str] = []
    for source in sources:
        names = source()
        persons = [name for name in names if not is_site(name)]
        if persons:
            return persons
        fallback = fallback or names
    return fallback


def byline_names(doc: HtmlElement) -> list[str]:
    """Names in the first byline element (by class, ``rel``, ``itemprop`` or author link) that
    holds any.

    Each text node is a separate piece ("By", a linked name, a date); reviewers and editors
    named after the writers are left out, and a visible name needs two capitalised words:
    single words and lowercase phrases in byline boxes are labels, topics and blurbs.
    """
    for element in BYLINE(doc)[:MAX_BYLINE_ELEMENTS]:
        names = _names(element)
        if names:
            return names
    return []


def by_text_names(doc: HtmlElement) -> list[str]:
    """Names after a visible "By": in the element holding it or, for a bare label
    ("Written by" above the name), in the element around that."""
    for text in BY_TEXT(doc)[:MAX_BY_TEXTS]:
        element = text.getparent()
        if text.is_tail:
            element = element.getparent()
        for holder in (element, element.getparent() if element is not None else None):
            names = _names(holder) if holder is not None else []
            if names:
                return names
    return []


def _names(element: HtmlElement) -> list[str]:
    pieces = [" ".join(text.split()) for text in element.itertext()]
    if sum(map(len, pieces)) > MAX_BYLINE_TEXT:
        return []
    return [name for name in clean_authors(_before_helpers(pieces)) if _looks_written(name)]


def _before_helpers(pieces: list[str]) -> list[str]:
    """The pieces before a "Reviewed by" / "Edited by" label: what follows names helpers."""
    for index, piece in enumerate(pieces):
        if HELPERS.search(piece):
            return pieces[:index]
    return pieces


def _looks_written(name: str) -> bool:
    words = name.split()
    return len(words) > 1 and all(w[0].isupper() or w in PARTICLES for w in words)


def _split_ld(value: Any) -> tuple[list[str], list[str]]:
    """JSON-LD author names split into people and organisations."""
    people: list[str] = []
    organisations: list[str] = []
    for kind, name in _ld_names(value):
        (organisations if kind & ORGANISATIONS else people).append(name)
    return people, organisations


def _ld_names(value: Any) -> Iterator[tuple[set[str], str]]:
    if isinstance(value, list):
        for item in value:
            yield from _ld_names(item)
    elif isinstance(value, dict):
        kinds = value.get("@type", [])
        kinds = {str(kind).lower() for kind in (kinds if isinstance(kinds, list) else [kinds])}
        for _, name in _ld_names(value.get("name")):
            yield kinds, name
    elif isinstance(value, str):
        yield set(), value
