"""htmldate's date parser, told the language of the page it reads.

htmldate's extensive search hands texts to dateparser without a language, so dateparser tries
each of its 205 locales in turn until one reads the text, and compiles three regexes for each
the first time it tries it. Most texts it is handed are no date at all: no locale reads them, all
205 are tried, and the first such text costs a process 1.1 s of CPU. Told the page's declared
language, and English, which pages of every language mix in, it tries those two: the first text
costs 0.1 s, and the dates are the same on all 2,961 pages of the four dated sets. A page that
declares no language, or one dateparser does not know, gets htmldate's own parser, all locales.

htmldate offers no way to pass a language: ``use_language`` replaces its ``get_external_parser``
(an internal, looked up on every call) for the block it guards. If a later htmldate moves it,
nothing is replaced and its own parser reads every page, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, partial
from typing import Any

log = logging.getLogger(__name__)

PAGE_LANGUAGE: ContextVar[str | None] = ContextVar("newsarchive_page_language", default=None)
ALSO_TRIED = "en"
_INSTALLED: set[Callable[[], Any]] = set()  # our replacements of htmldate's parser


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """htmldate's date parser tries ``language`` ("de", "pt-BR") and English in the block."""
    token = PAGE_LANGUAGE.set(language.split("-")[0].lower() if language else None)
    try:
        _install()
        yield
    finally:
        PAGE_LANGUAGE.reset(token)


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
    """The parser for the language in context; htmldate's own when there is none."""
    language = PAGE_LANGUAGE.get()
    return _parser_for(language, htmldate_parser) if language else htmldate_parser()


@lru_cache(maxsize=64)
def _parser_for(language: str, htmldate_parser: Callable[[], Any]) -> Any:
    """A parser with htmldate's settings that tries only ``language`` and English, or
    htmldate's own when dateparser does not know ``language``."""
    from dateparser import DateDataParser
    from dateparser.data.languages_info import language_order

    general = htmldate_parser()
    settings = getattr(getattr(general, "_settings", None), "_mod_settings", None)
    if language not in language_order or settings is None:
        return general
    return DateDataParser(languages=list(dict.fromkeys((language, ALSO_TRIED))), settings=settings)
