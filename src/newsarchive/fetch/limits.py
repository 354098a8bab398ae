"""The bounds of one download: how long, how big, how many redirects and retries."""

from __future__ import annotations

import time
from dataclasses import dataclass

from newsarchive.errors import FetchError

MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """``fetch_url``'s keyword arguments, which ``fetch_document`` takes too."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 120.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 10
    retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 60.0


class Deadline:
    """One time budget shared by every attempt, redirect and read of a fetch."""

    def __init__(self, seconds: float, url: str) -> None:
        self.seconds = seconds
        self.url = url
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expired_error(self) -> FetchError:
        return FetchError(self.url, f"gave up: the {self.seconds:g} s deadline passed")

    def timeout(self, seconds: float) -> float:
        """``seconds``, shortened so that no single wait can outlast the deadline."""
        remaining = self.remaining()
        if remaining <= 0:
            raise self.expired_error()
        return min(seconds, remaining)

    def sleep(self, seconds: float) -> None:
        if seconds >= self.remaining():
            cause = f"gave up: retrying in {seconds:g} s would pass the {self.seconds:g} s deadline"
            raise FetchError(self.url, cause)
        time.sleep(seconds)
