"""Loading htmldate's date parser ahead of the first page that needs it, in time otherwise idle.

htmldate's extensive search hands texts to dateparser, which tries each of its 205 locales in
turn and compiles three regexes for each the first time it tries it: the first page of a process
that declares no language (``datelocale`` limits the others to theirs) and whose texts no early
locale reads pays 1-3 s for that. ``warm_up_dates`` does that work beforehand, one locale at a
time, in a daemon thread, only while the process would otherwise wait: while a page downloads
(``warming_dates``), or in an extraction process between pages.
What it compiled stays compiled; a process that ends before it is done does not wait for it.
These are htmldate's and dateparser's internals: if a later version moves them, this does
nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

UNREAD = "zzq"  # a word no locale knows: each locale is tried, and compiled, in turn
STOP_WAIT = 10.0  # seconds at most to wait for the step under way when stopped (a locale: ~10 ms)


def warm_up_dates(go_on: Callable[[], bool] = lambda: True) -> None:
    """Compile what htmldate's date parser compiles on first use, locale by locale, asking
    ``go_on`` before each step (it may block until the process is idle; False ends the warm-up).
    Never raises: a warm-up must not break anything."""
    try:
        _warm_up(go_on)
    except Exception as error:  # internals moved, or a locale failed: the parse will tell
        log.debug("date parser warm-up stopped: %s", error)


def _warm_up(go_on: Callable[[], bool]) -> None:
    from htmldate.extractors import get_external_parser, month_words

    month_words()
    parser = get_external_parser()
    locales = parser._get_locale_loader().get_locales(
        languages=parser.languages, locales=parser.locales, region=parser.region
    )
    for locale in locales:
        if not go_on():
            return
        parser._is_applicable_locale(locale._native, UNREAD)
    if go_on():
        parser.get_date_data(UNREAD)  # the rest in one step (the time zone names: about 0.5 s)


def start_warming_dates(go_on: Callable[[], bool] = lambda: True) -> threading.Thread:
    """``warm_up_dates`` in a daemon thread, started."""
    thread = threading.Thread(
        target=warm_up_dates, args=(go_on,), name="newsarchive-dates", daemon=True
    )
    thread.start()
    return thread


@contextmanager
def warming_dates() -> Iterator[None]:
    """Warm the date parser up while the block runs (a download), and stop at its end: the
    extraction that follows does not share the interpreter with it, and no thread is left
    running for a later fork to copy."""
    stop = threading.Event()
    thread = start_warming_dates(lambda: not stop.is_set())
    try:
        yield
    finally:
        stop.set()
        thread.join(STOP_WAIT)
