"""Find an article's authors: JSON-LD people, author meta tags, then the visible byline.

An organisation (a JSON-LD ``Organization``, a byline crediting a group such as "Harbour
Gazette Staff", or a name that is the site's own) is the publisher more often than the
writer: it is used only when no person is named anywhere, and then it is the one author,
whole and as written ("Lakeside Clinic", "Marsh & Fenwick"), never split into people.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import Any

from lxml.html import HtmlElement

from newsarchive.extract.people import clean_authors, group_name, organisation_names

MAX_TEXTS = 3000  # a byline sits near the top of the page, not among its last text nodes
UNREAD = {"script", "style"}  # elements whose text a reader never sees
# "By Jane Doe", "Written by" or "Posted by" starting a text node. Matched as XPath's
# normalize-space() and a lowercasing of just the letters in these labels would.
BY_LABELS = ("by ", "by:", "written by", "posted by")
_XPATH_SPACE = re.compile(r"[ \t\r\n]+")
_LABEL_LOWER = str.maketrans("ABDEGILNOPRSTWY", "abdegilnoprstwy")
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
    marked = _Replay(islice(_byline_elements(doc), MAX_BYLINE_ELEMENTS))
    labelled = _Replay(islice(_labelled_by(doc), MAX_BY_TEXTS))
    sources = (
        lambda: clean_authors(people, trusted=True),
        lambda: clean_authors(meta_names, trusted=True),
        lambda: byline_names(marked),
        lambda: by_text_names(labelled),
        lambda: byline_group(marked, labelled),
        lambda: organisation_names(organisations),
    )
    fallback: list[str] = []
    for source in sources:
        names = source()
        persons = [name for name in names if not is_site(name)]
        if persons:
            return persons
        fallback = fallback or names
    return fallback


class _Replay:
    """Items read from ``items`` only as far as a reader asks, and kept for the next reader:
    the byline passes read the same elements, and none should walk the page again."""

    def __init__(self, items: Iterator[HtmlElement]) -> None:
        self._items = items
        self._seen: list[HtmlElement] = []

    def __iter__(self) -> Iterator[HtmlElement]:
        index = 0
        while index < len(self._seen) or self._read_one():
            yield self._seen[index]
            index += 1

    def _read_one(self) -> bool:
        item = next(self._items, None)
        if item is not None:
            self._seen.append(item)
        return item is not None


def byline_names(marked: Iterable[HtmlElement]) -> list[str]:
    """Names in the first byline element (by class, ``rel``, ``itemprop`` or author link) that
    holds any.

    Each text node is a separate piece ("By", a linked name, a date); reviewers and editors
    named after the writers are left out, and a visible name needs two capitalised words:
    single words and lowercase phrases in byline boxes are labels, topics and blurbs.
    """
    for element in marked:
        names = _names(element)
        if names:
            return names
    return []


def by_text_names(labelled: Iterable[HtmlElement]) -> list[str]:
    """Names after a visible "By": in the element holding it or, for a bare label
    ("Written by" above the name), in the element around that."""
    for element in labelled:
        for holder in (element, element.getparent()):
            names = _names(holder) if holder is not None else []
            if names:
                return names
    return []


def byline_group(marked: Iterable[HtmlElement], labelled: Iterable[HtmlElement]) -> list[str]:
    """The group credited in the first byline that credits one ("By Harbour Gazette Staff"),
    for pages whose bylines name no person."""
    holders = chain(marked, chain.from_iterable((e, e.getparent()) for e in labelled))
    for element in (holder for holder in holders if holder is not None):
        pieces = [" ".join(text.split()) for text in element.itertext()]
        group = group_name(_before_helpers(pieces)) if _is_byline_size(pieces) else None
        if group:
            return [group]
    return []


def _byline_elements(doc: HtmlElement) -> Iterator[HtmlElement]:
    """The elements in the page's body marked as a byline or author (by class, ``rel``,
    ``itemprop``) or linking to an author page, in document order; read lazily because
    the first few usually settle it."""
    body = next(doc.iter("body"), None)
    for element in body.iterdescendants() if body is not None else ():
        if isinstance(element.tag, str) and _marks_author(element.get):
            yield element


def _marks_author(get: Callable[[str], str | None]) -> bool:
    css, href = get("class") or "", get("href") or ""
    return (
        get("rel") == "author"
        or get("itemprop") == "author"
        or "byline" in css
        or "author" in css
        or "/author/" in href
        or "/authors/" in href
    )


def _labelled_by(doc: HtmlElement) -> Iterator[HtmlElement]:
    """The elements holding a text that starts with a "By" label, among the first texts."""
    for element, text in islice(_body_texts(doc), MAX_TEXTS):
        if _starts_by(text):
            yield element


def _body_texts(doc: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """The text nodes of the page's body in document order, outside scripts and styles, each
    with the element it sits in (the text after a child sits in the parent). Lazy: a byline
    near the top is found without reading on."""
    body = next(doc.iter("body"), None)
    opened: list[Any] = []  # the node being read and its ancestors up to the body
    for node in body.iter() if body is not None else ():  # comments too: their tails count
        parent = node.getparent()
        while opened and opened[-1] is not parent:
            yield from _tail(opened.pop(), opened[-1])
        if isinstance(node.tag, str) and node.text and node.tag not in UNREAD:
            yield node, node.text
        opened.append(node)
    while len(opened) > 1:  # the body's own tail is outside it
        yield from _tail(opened.pop(), opened[-1])


def _tail(node: Any, parent: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    if node.tail and parent.tag not in UNREAD:
        yield parent, node.tail


def _starts_by(text: str) -> bool:
    if "y" not in text and "Y" not in text:
        return False
    label = _XPATH_SPACE.sub(" ", text).strip(" \t\r\n").translate(_LABEL_LOWER)
    return label == "by" or label.startswith(BY_LABELS)


def _names(element: HtmlElement) -> list[str]:
    pieces = [" ".join(text.split()) for text in element.itertext()]
    if not _is_byline_size(pieces):
        return []
    return [name for name in clean_authors(_before_helpers(pieces)) if _looks_written(name)]


def _is_byline_size(pieces: list[str]) -> bool:
    return sum(map(len, pieces)) <= MAX_BYLINE_TEXT


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
