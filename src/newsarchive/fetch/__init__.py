"""The fetch stage: a URL, a saved file or stdin becomes a FetchResult.

This package is the only code that touches the network or reads input files: ``http`` downloads
within bounded time, size, redirects and retries (``documents`` downloads feeds and sitemaps
the same way); ``local`` reads files and streams; ``decode``
turns bytes into text as a browser would. ``load`` picks the one a source needs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import requests

from newsarchive.errors import InputError
from newsarchive.fetch.decode import decode_html, looks_like_html
from newsarchive.fetch.documents import fetch_document
from newsarchive.fetch.http import MAX_BYTES, USER_AGENT, fetch_url, make_session
from newsarchive.fetch.local import HTML_SUFFIXES, TEXT_SUFFIXES, read_file, read_stream
from newsarchive.models import FetchResult
from newsarchive.urls import redact_url, validate_url

__all__ = [
    "MAX_BYTES",
    "USER_AGENT",
    "decode_html",
    "fetch_document",
    "fetch_url",
    "load",
    "looks_like_html",
    "make_session",
    "read_file",
    "read_stream",
]

_HTTP_URL = re.compile(r"^\s*https?://", re.IGNORECASE)


# Schemes written without "//": a user pasting one means a link, not a file name.
_OTHER_SCHEME = re.compile(r"^(javascript|data|mailto|tel|vbscript|about|blob):", re.IGNORECASE)


def load(
    source: str,
    url: str | None = None,
    session: requests.Session | None = None,
    **fetch_options: float,
) -> FetchResult:
    """Fetch ``source``: ``-`` reads stdin, an http(s) URL is downloaded, a path is read.

    ``url`` records where a file or stdin page came from; a downloaded page knows its own.
    ``fetch_options`` are ``fetch_url``'s limits (``deadline=30``, ``max_bytes=...``);
    ``max_bytes`` bounds files and stdin too.
    """
    max_bytes = int(fetch_options.get("max_bytes", MAX_BYTES))
    if not source.strip():
        raise InputError("empty source: give a URL, a file, or - for standard input")
    if source == "-":
        return read_stream(sys.stdin.buffer, url, max_bytes=max_bytes)
    if _HTTP_URL.match(source):
        return fetch_url(source, session, **fetch_options)
    if Path(source).exists():
        return read_file(source, url, max_bytes=max_bytes)
    if "://" in source or _OTHER_SCHEME.match(source):
        validate_url(source)  # raises, naming the unsupported scheme
    raise InputError(f"{redact_url(source)}: not a URL or an existing file{_url_hint(source)}")


def _url_hint(source: str) -> str:
    """Suggest the scheme for ``example.com/story``, but not for a mistyped ``story.html``."""
    host = source.partition("/")[0]
    suffix = Path(host).suffix.lower()
    if "." not in host or " " in host or suffix in HTML_SUFFIXES | TEXT_SUFFIXES:
        return ""
    return f" (did you mean https://{source}?)"
