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
from collections.abc import Callable, Iterable
from functools import cached_property
from itertools import islice

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.datelocale import reading_dates
from newsarchive.extract.dates import (
    SLASHED_TEXT,
    Order,
    date_from_url,
    date_in_text_at,
    renderings,
    shift_day,
    slashed_order,
)
from newsarchive.extract.headlines import fold_marks

log = logging.getLogger(__name__)

# XPaths here say ``/descendant::x[...]`` where ``//x[...]`` finds the same nodes: libxml2 turns
# ``//x`` into one descendant walk only when no predicate follows; with one it first gathers
# every node of the page (``descendant-or-self::node()/child::x``), which is slower. Elements
# with a given attribute value are found faster still through the attribute:
# ``/descendant::*/@name[. = 'value']/..`` (each element has one attribute of a name).
VISIBLE_TEXT = etree.XPath(
    "//body/descendant::text()[not(parent::script) and not(parent::style)]", smart_strings=False
)
TIME_VALUES = etree.XPath("//body//time/@datetime", smart_strings=False)
OG_LOCALE = etree.XPath("/descendant::meta[@property='og:locale']/@content", smart_strings=False)
# A date this close after the headline is the byline's: "By Jane Doe · March 3, 2024".
HEADER_REACH = 100
BYLINE_REACH = 60  # closer still: the date in the byline right under the headline
LEAD_REACH = 40  # a date this close before the headline is its dateline ("March 3, 2024 · Title")
FAR = 400  # characters: a date written this far from the headline is not the byline's
HTMLDATE_MAX_TEXT = 600_000  # characters of visible text: 2,949 real pages have at most 483,212
HTMLDATE_MAX_ELEMENTS = 15_000  # 2,961 real pages have at most 10,112 (the hostile: 20,000)
# "Published on March 3, 2024", "Posted: 3 June 2024", "Veröffentlicht am 3. Juni 2024",
# "Datum: 03.02.2022", "Erschienen am 1.11.2023" ("Date" alone also heads event dates).
PUBLISHED_LABEL = re.compile(
    r"(?<!last )\b(?:published|posted|veröffentlicht|publié|publicado|pubblicato"
    r"|datum|erschienen|erstellt|publiziert)\b"
)
LABEL_GAP = 12  # characters allowed between the label and its date (" on", ": ", " | ")
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
            text = " ".join([*words, *stamps]).casefold()
            # Marks folded, here and in the headline looked for: a page may type its headline
            # with ’ in one place and ' in another.
            self._text = fold_marks(text)
        return self._text

    @cached_property
    def order(self) -> Order | None:
        """How the page orders day and month in "03/01/2017" (see ``slashed_order``)."""
        root = self.doc.getroottree().getroot()
        locale = root.get("lang") or root.get("xml:lang") or next(iter(OG_LOCALE(root)), None)
        return slashed_order(self.text, locale)

    def shows(self, day: str) -> bool:
        """True when the page writes ``day`` (ISO, a time may follow) in a common format."""
        return self.where(day) >= 0

    def where(self, day: str) -> int:
        """Where the page first writes ``day`` in its text, -1 if it does not."""
        found = (_find_number(self.text, form) for form in [day[:10], *renderings(day)])
        return min((index for index in found if index >= 0), default=-1)

    def after(self, headline: str | None, reach: int = HEADER_REACH) -> tuple[int, str] | None:
        """Where the first date written within ``reach`` characters after ``headline`` starts in
        the text, and that date."""
        phrase = fold_marks(headline or "").casefold()
        start = self.text.find(phrase) if phrase else -1
        if start < 0:
            return None
        start += len(phrase)
        found = self._date_at(self.text[start : start + reach])
        return (start + found[0], found[1]) if found else None

    def before(self, headline: str | None) -> str | None:
        """The date written last within ``LEAD_REACH`` characters before ``headline``."""
        phrase = fold_marks(headline or "").casefold()
        end = self.text.find(phrase) if phrase else -1
        lead = self.text[max(0, end - LEAD_REACH) : max(0, end)]
        for index in range(len(lead) - 1, 0, -1):  # from the end, at word starts only
            found = None if lead[index - 1].isalnum() else self._date_at(lead[index:])
            if found and found[0] == 0:
                return found[1]
        return None

    def labelled(self) -> str | None:
        """The first date written right after a "Published" label."""
        for label in PUBLISHED_LABEL.finditer(self.text):
            found = self._date_at(self.text[label.end() : label.end() + LABEL_GAP + 20])
            if found and found[0] <= LABEL_GAP:
                return found[1]
        return None

    def _date_at(self, text: str) -> tuple[int, str] | None:
        """``date_in_text_at(text, self.order)``. The order only matters for a slashed date, and
        working it out reads the whole page: without one in ``text``, it is left alone."""
        return date_in_text_at(text, self.order if SLASHED_TEXT.search(text) else None)

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
    headline: str | None = None,
    others: Callable[[], Iterable[str]] = lambda: (),
) -> str | None:
    """The publication date from the URL, the structured ``published``/``modified`` dates or,
    when there are none, a search of the page: a "Published" label, the byline under the
    headline, a dateline just above it, ``written`` (a date in the page's date
    elements), htmldate's fast search, then its extensive one (slow: it also tries texts
    with dateparser's hundreds of locales, so it comes last). ``others`` are the page's
    other declared publication dates, tried when it shows neither structured date."""
    from_url = date_from_url(url)
    if from_url:
        return published if published and published[:10] == from_url else from_url
    shown = ShownDays(doc)
    if published:
        return _as_shown(shown, published, modified, headline, others)
    return (
        shown.labelled()
        or _day(shown.after(headline))
        or shown.before(headline)
        or written()
        or _htmldate_search(doc, url)
    )


def _as_shown(
    shown: ShownDays,
    published: str,
    modified: str | None,
    headline: str | None,
    others: Callable[[], Iterable[str]],
) -> str:
    """``published``, unless the page shows another day for it.

    A page showing its modified date but not its published one presents the modified date as
    its own; a timestamp whose day the page writes one day off was shifted by a time zone;
    another publication date in the page's meta tags that the page shows is the one it presents.
    """
    where = shown.where(published)
    if where >= 0:
        return _far_from_byline(shown.after(headline, BYLINE_REACH), where) or published
    if modified and modified[:10] > published[:10] and shown.shows(modified):
        return published if shown.shows_as_update(modified) else modified
    return (
        _shifted(shown, published)
        or next((day for day in others() if shown.shows(day)), None)
        or shown.labelled()
        or _day(shown.after(headline))
        or shown.before(headline)
        or published
    )


def _shifted(shown: ShownDays, published: str) -> str | None:
    """The day before or after a ``published`` timestamp, when the page shows that day."""
    if len(published) <= 10:
        return None
    days = (shift_day(published, -1), shift_day(published, 1))
    return next((day for day in days if day and shown.shows(day)), None)


def _far_from_byline(byline: tuple[int, str] | None, where: int) -> str | None:
    """The byline's date when the page writes the structured date only far from it (in a
    teaser list or a footer): then the structured date is not this article's."""
    return byline[1] if byline and abs(byline[0] - where) > FAR else None


def _day(found: tuple[int, str] | None) -> str | None:
    return found[1] if found else None


def _htmldate_search(doc: HtmlElement, url: str | None) -> str | None:
    """htmldate's fast search, then its extensive one; none on a page with more than
    HTMLDATE_MAX_TEXT characters of visible text or HTMLDATE_MAX_ELEMENTS elements, since each
    search copies, cleans, serialises and scans the whole page (seconds at megabytes, half a
    second at 20,000 elements, for a date a real article shows earlier)."""
    if sum(map(len, VISIBLE_TEXT(doc))) > HTMLDATE_MAX_TEXT:
        return None
    if next(islice(doc.iter(), HTMLDATE_MAX_ELEMENTS, None), None) is not None:
        return None
    if found := _htmldate(doc, url, extensive=False):
        return found
    with reading_dates():
        return _htmldate(doc, url, extensive=True)


def _htmldate(doc: HtmlElement, url: str | None, extensive: bool) -> str | None:
    try:
        return find_date(doc, extensive_search=extensive, original_date=True, url=url)
    except (ValueError, TypeError) as error:  # a malformed page must not stop extraction
        log.debug("htmldate failed: %s", error)
        return None
