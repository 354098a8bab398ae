"""HTML built from templates whose fields are escaped unless they are already markup.

The reader's pages hold text from archived pages, which is untrusted: every value put into a
template is escaped (``&``, ``<``, ``>``, quotes) unless it is ``Markup`` — markup this package
made itself, or a stored body after ``sanitize_html``. So a forgotten escape cannot happen: a
value has to be marked safe on purpose, and only a few places do that.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable
from urllib.parse import urlencode

from newsarchive.controls import html_text


class Markup(str):
    """A string of HTML that is safe to put into a page as it is."""


def escape(value: object) -> Markup:
    """``value`` as HTML text: markup stays, None is empty, anything else is escaped (its
    control characters shown as escapes, as the terminal shows them)."""
    if isinstance(value, Markup):
        return value
    return Markup(html_text("" if value is None else str(value)))


@functools.cache
def _parsed(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """The template's literal text, field names and format specs (parsed once per template)."""
    return tuple(
        (literal, name, spec or "") for literal, name, spec, _ in string.Formatter().parse(template)
    )


def render(template: str, **values: object) -> Markup:
    """``template`` (``str.format`` syntax, fields by name) with each value escaped unless it
    is Markup."""
    pieces = []
    for literal, name, spec in _parsed(template):
        pieces.append(literal)
        if name is not None:
            value = values[name]
            pieces.append(escape(format(value, spec) if spec else value))
    return Markup("".join(pieces))


def join(pieces: Iterable[object], separator: str = "") -> Markup:
    """The pieces, each escaped unless Markup, one after another."""
    return Markup(escape(separator).join(escape(piece) for piece in pieces))


def href(path: str, **params: object) -> str:
    """A same-site link: ``path`` with the parameters that have a value, URL-encoded."""
    kept = {name: value for name, value in params.items() if value not in (None, "", False)}
    return f"{path}?{urlencode(kept)}" if kept else path


def options(choices: Iterable[tuple[str, str]], chosen: str | None) -> Markup:
    """``<option>`` elements of (value, label) pairs, ``chosen`` selected."""
    return join(
        render(
            '<option value="{value}"{selected}>{label}</option>',
            value=value,
            label=label,
            selected=Markup(" selected") if value == (chosen or "") else "",
        )
        for value, label in choices
    )


LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="color-scheme" content="light dark">
<title>{title} · newsarchive</title>
<link rel="stylesheet" href="/static/reader.css">
</head>
<body>
<header class="bar">
<a class="home" href="/">newsarchive</a>
<nav><a href="/">Articles</a> <a href="/speakers">Speakers</a> <a href="/quotes">Quotes</a> <a href="/tags">Tags</a></nav>
<form class="find" action="/search" method="get" role="search">
<input type="search" name="q" value="{query}" placeholder="Search the archive" aria-label="Search">
<button type="submit">Search</button>
</form>
</header>
<main>
{body}
</main>
</body>
</html>
"""


def page(title: str, body: Markup, query: str = "") -> Markup:
    """A whole page: the bar with the search box (holding ``query``), then ``body``."""
    return render(LAYOUT, title=title, body=body, query=query)


def csrf_field(token: str) -> Markup:
    """The hidden field every form that writes must carry (the server checks it on POST)."""
    return render('<input type="hidden" name="csrf" value="{token}">', token=token)
