"""Downloading a list document: a feed, an OPML file or a sitemap, which ``fetch_url`` refuses.

The same redirects, retries, deadline and size limit as a page, but any Content-Type: servers
label feeds every which way (text/html, text/plain, application/octet-stream), so the list
reader tells the format from the body instead.
"""

from __future__ import annotations

import requests

from newsarchive.fetch.http import check_status, download, http_result, read_body
from newsarchive.fetch.limits import Deadline, Limits
from newsarchive.models import FetchResult
from newsarchive.urls import redact_url


def fetch_document(
    url: str, session: requests.Session | None = None, **limits: float
) -> FetchResult:
    """Download ``url`` whatever its type; ``kind`` is ``"document"``, ``raw`` the body as sent.

    ``limits`` are ``fetch_url``'s keyword arguments (``deadline=``, ``max_bytes=``, ...).
    Raises ``InputError`` for a bad URL and ``FetchError`` for everything else.
    """
    return download(url, session, Limits(**limits), _document_result)


def _document_result(
    url: str, response: requests.Response, limits: Limits, clock: Deadline
) -> FetchResult:
    final_url = redact_url(response.url)
    check_status(url, final_url, response)
    raw = read_body(url, response, limits, clock)
    return http_result(url, final_url, response, raw, "document")
