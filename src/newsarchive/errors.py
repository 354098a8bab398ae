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


class ExtractionError(NewsarchiveError):
    """The page holds no article text to archive.

    ``article``, when given, is what could still be read: the page's metadata with no body.
    """

    def __init__(self, message: str, article: Article | None = None) -> None:
        super().__init__(message)
        self.article = article


class NotFoundError(NewsarchiveError):
    """No archived article matches the given id or URL."""


class QueryError(NewsarchiveError):
    """A search query that cannot mean anything."""


class ArchiveError(NewsarchiveError):
    """The archive file cannot be opened or written (locked, read-only, newer schema)."""
