"""A time budget for extracting one page: past it, the extraction stops where it is.

Extraction is CPU-bound Python with no natural place to give up, and a hostile page can make
some step slow. ``time_budget`` arms a watchdog thread that, once the budget is spent, raises
``TimeUp`` in the extracting thread (CPython's asynchronous exception: it is raised at the
next bytecode that thread runs, so a long C call, such as one lxml parse, finishes first).
The stages catch it and keep what they had found; the capture is then ``partial``.
It works in any thread (the import extracts in fetch threads on one core) and process.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TIME_BUDGET = 10.0  # seconds for one page: far above any real page, so only a hostile one stops
TIME_UP_NOTE = "extraction stopped at its time budget"


class TimeUp(BaseException):
    """The page's time budget is spent. Not an Exception: libraries that turn any Exception
    into their own error or a default (readability's summary, htmldate, dateparser) must let
    it through, or extraction would go on past its budget with nothing left to stop it."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise TimeUp in this thread if the block is still running after ``seconds``
    (None: no budget). TimeUp is never raised once the block is left."""
    if seconds is None:
        yield
        return
    watchdog = _Watchdog(threading.get_ident())
    timer = threading.Timer(seconds, watchdog.fire)
    timer.daemon = True
    timer.start()
    try:
        watchdog.arm()
        yield
    finally:
        _stop(timer, watchdog)


def _stop(timer: threading.Timer, watchdog: _Watchdog) -> None:
    """Disarm the watchdog; a TimeUp it raised just as the block ended, here, is dropped (the
    block's work is done), one raised inside the block goes on."""
    while True:
        try:
            watchdog.disarm()
            timer.cancel()
            return
        except TimeUp:
            continue


class _Watchdog:
    """Raises TimeUp in its thread only between ``arm`` and ``disarm``: never inside the
    threading code that starts and stops it."""

    def __init__(self, thread_id: int) -> None:
        self.thread_id = thread_id
        self.lock = threading.Lock()
        self.armed = self.expired = self.fired = False

    def arm(self) -> None:
        with self.lock:
            if self.expired:  # the budget ran out before the block began
                raise TimeUp
            self.armed = True

    def fire(self) -> None:
        with self.lock:
            self.expired = True
            if self.armed:
                self.fired = True
                _raise_in(self.thread_id, TimeUp)

    def disarm(self) -> None:
        """No TimeUp after this: one fired but not raised yet is withdrawn."""
        with self.lock:
            self.armed = False
            if self.fired:
                _raise_in(self.thread_id, None)


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )
