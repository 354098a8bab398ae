"""htmldate's date parser, reading each text in the few languages it can be in.

htmldate's extensive search hands texts to dateparser without a language, so dateparser tries
each of its 205 locales in turn until one reads the text, and compiles three regexes for each
the first time it tries it. Most texts it is handed are no date at all: no locale reads them, all
205 are tried, and the first such text costs a process 1.1 s of CPU. Inside ``reading_dates``
each text is read in English and the languages whose month or weekday names it holds ("15
августа 2016": Russian), in dateparser's own order: a few locales, compiled once each (0.1 s).
Only a text with no such name and letters beyond ASCII (a script whose words are not split by
spaces) is read in every locale, as htmldate would. The languages depend on the text alone, as
htmldate caches what it found for a text whatever page it came from. The dates are the same
on all 2,961 pages of the four dated sets.

htmldate offers no way to pass a language: ``reading_dates`` replaces its
``get_external_parser`` (an internal, looked up on every call) for the block it guards;
outside (another library's htmldate calls) htmldate's own parser is used. If a later htmldate
moves it, nothing is replaced and its own parser reads every text, as before.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

log = logging.getLogger(__name__)

READING: ContextVar[bool] = ContextVar("newsarchive_reading_dates", default=False)
ALWAYS_TRIED = "en"  # pages of every language write dates in English too
NAME_KEYS = (
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
    *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
)
LETTERS = re.compile(r"[^\W\d_]+")
_INSTALLED: set[Callable[[], Any]] = set()  # our replacements of htmldate's parser


@contextmanager
def reading_dates() -> Iterator[None]:
    """htmldate's date parser reads each text in English and the languages of the month and
    weekday names in it, in the block."""
    token = READING.set(True)
    try:
        _install()
        yield
    finally:
        READING.reset(token)


def _install() -> None:
    """Put ``_parser`` in place of htmldate's, unless it is there already."""
    from htmldate import extractors

    current = getattr(extractors, "get_external_parser", None)
    if current is None:
        log.debug("htmldate has no get_external_parser: its date parser tries every locale")
    elif current not in _INSTALLED:
        ours = partial(_parser, current)
        _INSTALLED.add(ours)
        extractors.get_external_parser = ours


def _parser(htmldate_parser: Callable[[], Any]) -> Any:
    """Our reader inside ``reading_dates``; htmldate's own parser outside."""
    return FewLanguages(htmldate_parser) if READING.get() else htmldate_parser()


@dataclass(frozen=True)
class FewLanguages:
    """What htmldate's date parser is inside ``reading_dates``: ``get_date_data`` as
    dateparser's, in the languages ``languages`` gives."""

    htmldate_parser: Callable[[], Any]

    def get_date_data(self, text: str) -> Any:
        return _parser_for(self.languages(text), self.htmldate_parser).get_date_data(text)

    @staticmethod
    def languages(text: str) -> tuple[str, ...] | None:
        """English and the languages whose month or weekday names ``text`` holds, in
        dateparser's order; None (every language) when it names none and holds letters
        beyond ASCII."""
        named = _named_languages(text)
        if not named and not text.isascii():
            return None
        order = _language_order()
        return tuple(sorted({*named, ALWAYS_TRIED} & order.keys(), key=order.__getitem__))


def _named_languages(text: str) -> set[str]:
    """The languages with a month or weekday name among the words of ``text``."""
    names = _month_and_day_names()
    found: set[str] = set()
    for word in LETTERS.findall(text.casefold()):
        found |= names.get(word, frozenset())
    return found


@lru_cache(maxsize=1)
def _month_and_day_names() -> dict[str, frozenset[str]]:
    """Each month and weekday name (full and short) of dateparser's locales: its languages."""
    from dateparser.languages.loader import default_loader

    languages: defaultdict[str, set[str]] = defaultdict(set)
    for locale in default_loader.get_locales():
        for key in NAME_KEYS:
            for name in locale.info.get(key, []):
                for word in LETTERS.findall(name.casefold()):
                    languages[word].add(locale.shortname)
    return {word: frozenset(found) for word, found in languages.items()}


@lru_cache(maxsize=1)
def _language_order() -> dict[str, int]:
    """dateparser's languages, each with its place in the order it tries them."""
    from dateparser.data.languages_info import language_order

    return {language: place for place, language in enumerate(language_order)}


@lru_cache(maxsize=256)
def _parser_for(languages: tuple[str, ...] | None, htmldate_parser: Callable[[], Any]) -> Any:
    """A parser with htmldate's settings for ``languages``; htmldate's own for None. The
    locales' compiled patterns are shared between parsers, so each is compiled once."""
    from dateparser import DateDataParser

    general = htmldate_parser()
    settings = getattr(getattr(general, "_settings", None), "_mod_settings", None)
    if languages is None or settings is None:
        if settings is None:
            log.debug("htmldate's parser settings moved: its parser reads every text")
        return general
    return DateDataParser(languages=list(languages), settings=settings)
