"""htmldate's date parser, told which languages the text it reads may be in.

htmldate's extensive search hands texts to dateparser without a language, so dateparser tries
each of its 205 locales in turn until one reads the text, and compiles three regexes for each
the first time it tries it. Most texts it is handed are no date at all: no locale reads them, all
205 are tried, and the first such text costs a process 1.1 s of CPU. Inside ``use_language``
each text is read in the page's declared language, the languages whose month or weekday names
the text holds ("15 августа 2016": Russian), and English, which pages of every language mix in:
a few locales, compiled once each (0.1 s). Only a text of a page declaring no language, with no
such name and letters beyond ASCII (a script whose words are not split by spaces) is read in
every locale, as htmldate would. The dates are the same on all 2,961 pages of the four dated sets.

htmldate offers no way to pass a language: ``use_language`` replaces its ``get_external_parser``
(an internal, looked up on every call) for the block it guards. If a later htmldate moves it,
nothing is replaced and its own parser reads every text, as before.
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

# The languages a page declares, inside ``use_language``; None outside, where htmldate's own
# parser is used (trafilatura's htmldate calls, say).
PAGE_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar(
    "newsarchive_page_languages", default=None
)
ALSO_TRIED = "en"
NAME_KEYS = (
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
    *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
)
LETTERS = re.compile(r"[^\W\d_]+")
_INSTALLED: set[Callable[[], Any]] = set()  # our replacements of htmldate's parser


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """htmldate's date parser reads texts in ``language`` ("de", "pt-BR"), the languages of
    the month and weekday names in them, and English, in the block."""
    token = PAGE_LANGUAGES.set((language.split("-")[0].lower(),) if language else ())
    try:
        _install()
        yield
    finally:
        PAGE_LANGUAGES.reset(token)


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
    """A reader of the page in context; htmldate's own parser outside one."""
    declared = PAGE_LANGUAGES.get()
    return htmldate_parser() if declared is None else PageDates(declared, htmldate_parser)


@dataclass(frozen=True)
class PageDates:
    """What htmldate's date parser is inside ``use_language``: ``get_date_data`` as
    dateparser's, in the languages ``languages`` gives."""

    declared: tuple[str, ...]
    htmldate_parser: Callable[[], Any]

    def get_date_data(self, text: str) -> Any:
        return _parser_for(self.languages(text), self.htmldate_parser).get_date_data(text)

    def languages(self, text: str) -> tuple[str, ...] | None:
        """The page's declared language, those whose month or weekday names ``text`` holds,
        and English, as dateparser names them; None (every language) when the page declares
        none, ``text`` names none and holds letters beyond ASCII."""
        named = _named_languages(text)
        if not self.declared and not named and not text.isascii():
            return None
        order = _language_order()
        chosen = (*self.declared, *named, ALSO_TRIED)
        return tuple(language for language in dict.fromkeys(chosen) if language in order)


def _named_languages(text: str) -> list[str]:
    """The languages with a month or weekday name among the words of ``text``."""
    names = _month_and_day_names()
    found: set[str] = set()
    for word in LETTERS.findall(text.casefold()):
        found |= names.get(word, frozenset())
    order = _language_order()
    return sorted(found, key=lambda language: order.get(language, len(order)))


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
        return general
    return DateDataParser(languages=list(languages), settings=settings)
