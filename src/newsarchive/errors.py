"""One exception hierarchy. The CLI turns each into a one-line message and a non-zero exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsarchive.models import Article


class NewsarchiveError(Exception):
    """Base class for every error a user can cause. ``str(error)`` is the one-line message."""

    exit_code = 1


class InputError(NewsarchiveError):
    """A bad URL, a missing or unreadable file, an unusable argument."""

    exit_code = 2


class DamagedRecordError(NewsarchiveError):
    """A record of a web archive file (WARC, ARC) that cannot be read whole: a fault of the
    file, not of the page at its URL, which may well be fetched (see ``is_permanent``)."""


class FetchError(NewsarchiveError):
    """Retrieving a page failed: network error, HTTP error status, timeout.

    When the server answered with an error, ``status`` is its HTTP status and ``retry_after``
    the seconds its Retry-After header asked for (None when it did not say).
    """

    def __init__(
        self,
        source: str,
        cause: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.source = source
        self.cause = cause
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"{source}: {cause}")


class NotHTMLError(FetchError):
    """The response is not an HTML page (a PDF, an image, JSON...)."""


class TooLargeError(FetchError):
    """The response is bigger than the configured maximum."""


# 4xx statuses that ask the client to try again later rather than say the page is not to be had.
RETRY_LATER_STATUSES = frozenset({408, 425, 429})


def is_permanent(error: BaseException) -> bool:
    """Whether fetching the link again would fail the same way: an HTTP client error (404,
    410, 403, ...; but 408, 425, 429), a bad URL, a response that is not a page or is too
    large. Timeouts, connection errors, 5xx and pages without text may pass another time."""
    if isinstance(error, (NotHTMLError, TooLargeError, InputError)):
        return True
    status = getattr(error, "status", None) if isinstance(error, FetchError) else None
    return status is not None and 400 <= status < 500 and status not in RETRY_LATER_STATUSES


class ExtractionError(NewsarchiveError):
    """The page holds no article text to archive.

    ``article``, when given, is what could still be read: the page's metadata with no body.
    """

    def __init__(self, message: str, article: Article | None = None) -> None:
        super().__init__(message)
        self.article = article


class NotFoundError(NewsarchiveError):
    """No archived article matches the given id or URL."""


class QueryError(InputError):
    """A search query that cannot mean anything (a bad date in a filter, no word to find)."""


class ArchiveError(NewsarchiveError):
    """The archive file cannot be opened or written (locked, read-only, newer schema)."""


class WorkerPresumedDead(NewsarchiveError):
    """A queue worker found itself struck off by another that took it for dead (it froze, or
    lost the database for longer than the other's ``--stalled-after``)."""
