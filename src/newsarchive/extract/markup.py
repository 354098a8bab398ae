"""Small readers of page text shared by the metadata modules."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from lxml.html import HtmlElement


def squash(text: str | None) -> str:
    """Whitespace-normalised, with entities decoded (JSON-LD and meta values are often escaped)."""
    return " ".join(html.unescape(text or "").split())


def first_text(elements: Iterable[HtmlElement]) -> str | None:
    """The squashed text of the first element that has any."""
    for element in elements:
        text = squash(element.text_content())
        if text:
            return text
    return None


def first(*values: str | Callable[[], str | None] | None) -> str | None:
    """The first non-empty value; callables are only called when needed (costly lookups)."""
    for value in values:
        found = value() if callable(value) else value
        if found:
            return found
    return None
