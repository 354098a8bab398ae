"""What a page reads of a request, and what it answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsarchive.errors import InputError
from newsarchive.store import MAX_INTEGER
from newsarchive.web.markup import Markup, render

READ_ONLY = "read-only: start newsarchive serve --allow-edits to edit"


def date_of(timestamp: str | None) -> str:
    """The day of an ISO timestamp ("2024-05-01"), "" for none."""
    return (timestamp or "")[:10]


def moment_of(timestamp: str) -> Markup:
    """An ISO timestamp to the minute, for a page ("2024-05-01 09:30"), the whole of it kept
    for machines in ``<time datetime>``."""
    shown = timestamp[:16].replace("T", " ")
    return render('<time datetime="{iso}">{shown}</time>', iso=timestamp, shown=shown)


@dataclass(frozen=True)
class Request:
    """What a page reads of a request: its query parameters, or a posted form's fields (the
    first value of each), and the CSRF token a form that writes must carry
    (markup.csrf_field), None when the reader is read-only: a page then shows no such form."""

    params: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None

    def text(self, name: str) -> str | None:
        """The parameter's value, None when absent or blank."""
        value = self.params.get(name, "")
        return value if value.strip() else None

    def choice(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
        """The parameter's value, which must be one of ``allowed`` when given."""
        value = self.text(name)
        if value is not None and value not in allowed:
            raise InputError(f"{name}={value!r}: choose one of {', '.join(allowed)}")
        return value or default

    def page_number(self, last: int = MAX_INTEGER) -> int:
        """The ``page`` parameter: 1 when absent, else a whole number from 1 to ``last``."""
        return whole_number("page", self.text("page") or "1", last)

    def version(self, name: str) -> int | None:
        """A version number parameter (``from``, ``to``), None when absent."""
        value = self.text(name)
        return None if value is None else whole_number(name, value)


def whole_number(name: str, value: str, last: int = MAX_INTEGER) -> int:
    """``value`` (a parameter or a part of the path) as a number from 1 to ``last``; a 400
    (InputError) for anything else."""
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= last:
        raise InputError(f"{name}={value!r}: give a whole number from 1 to {last}")
    return int(value)


@dataclass(frozen=True)
class Page:
    """A page's answer: ``data`` as JSON, or ``body`` (the main part of the HTML page); or,
    after a form that wrote, only where to send the browser next (``location``)."""

    title: str
    data: Any
    body: Markup
    query: str = ""
    status: int = 200
    location: str | None = None


def redirect(location: str) -> Page:
    """The answer to a form that wrote: see the page at ``location`` (HTTP 303)."""
    return Page("", {"location": location}, Markup(""), status=303, location=location)


def error_page(status: int, message: str) -> Page:
    """What a failed request answers: the message, as a page or as ``{"error": message}``."""
    title = {403: "Not allowed", 404: "Not found"}.get(status, "Cannot show this")
    body = render(
        '<h1>{title}</h1>\n<p class="error">{message}</p>\n', title=title, message=message
    )
    return Page(title, {"error": message}, body, status=status)


# A page (or a form that writes) by its path: the pattern's groups are passed on as arguments,
# after the archive and the request.
Handler = Callable[..., Page]
Routes = list[tuple[re.Pattern[str], Handler]]
