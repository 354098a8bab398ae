"""Choose a page's publication date: the calendar day the page shows its readers.

Structured dates are precise but not always the day a reader sees: a time stored in UTC can
fall on the next or previous local day, and a page re-dated on update may show only its
modified date. So a structured date is checked against the page's visible text, and the day
the page itself writes wins. A full date in the URL path is the most reliable of all; without
any structured date, htmldate searches the markup.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.dates import date_from_url, renderings, shift_day

log = logging.getLogger(__name__)

VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(parent::script) and not(parent::style)]", smart_strings=False
)
TIME_VALUES = etree.XPath("//body//time/@datetime", smart_strings=False)
UPDATE_LABEL = re.compile(
    r"updated|modified|revised|aktualisiert|geändert|mis à jour|actualizado|actualización"
)


class ShownDays:
    """Which calendar days a page writes out for its readers; the text is read once, lazily."""

    def __init__(self, doc: HtmlElement) -> None:
        self.doc = doc
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            words = " ".join(VISIBLE_TEXT(self.doc)).split()
            stamps = (str(value)[:10] for value in TIME_VALUES(self.doc))
            self._text = " ".join([*words, *stamps]).casefold()
        return self._text

    def shows(self, day: str) -> bool:
        """True when the page writes ``day`` (ISO, a time may follow) in a common format."""
        return self.where(day) >= 0

    def where(self, day: str) -> int:
        """Where the page first writes ``day`` in its text, -1 if it does not."""
        found = (_find_number(self.text, form) for form in [day[:10], *renderings(day)])
        return min((index for index in found if index >= 0), default=-1)

    def shows_as_update(self, day: str) -> bool:
        """True when ``day`` is written right after an "Updated" label."""
        index = self.where(day)
        return index >= 0 and bool(UPDATE_LABEL.search(self.text[max(0, index - 30) : index]))


def _find_number(text: str, form: str) -> int:
    """Where ``form`` occurs not glued to a digit before it ("1.3.2024" is not in "11.3.2024")."""
    index = text.find(form)
    while index > 0 and text[index - 1].isdigit():
        index = text.find(form, index + 1)
    return index


def choose_published(
    doc: HtmlElement,
    url: str | None,
    published: str | None,
    modified: str | None,
    written: Callable[[], str | None] = lambda: None,
) -> str | None:
    """The publication date from the URL, the structured ``published``/``modified`` dates or,
    when there are none, a search of the page: ``written`` (a date in the page's date
    elements), htmldate's fast search, then its extensive one (slow: it also tries texts
    with dateparser's hundreds of locales, so it comes last)."""
    from_url = date_from_url(url)
    if from_url:
        return published if published and published[:10] == from_url else from_url
    if published:
        return _as_shown(ShownDays(doc), published, modified)
    return written() or _htmldate(doc, url, extensive=False) or _htmldate(doc, url, extensive=True)


def _as_shown(shown: ShownDays, published: str, modified: str | None) -> str:
    """``published``, unless the page shows another day for it.

    A page showing its modified date but not its published one presents the modified date as
    its own; a timestamp whose day the page writes one day off was shifted by a time zone.
    """
    if shown.shows(published):
        return published
    if modified and modified[:10] > published[:10] and shown.shows(modified):
        return published if shown.shows_as_update(modified) else modified
    if len(published) > 10:
        for day in (shift_day(published, -1), shift_day(published, 1)):
            if day and shown.shows(day):
                return day
    return published


def _htmldate(doc: HtmlElement, url: str | None, extensive: bool) -> str | None:
    try:
        return find_date(doc, extensive_search=extensive, original_date=True, url=url)
    except (ValueError, TypeError) as error:  # a malformed page must not stop extraction
        log.debug("htmldate failed: %s", error)
        return None
