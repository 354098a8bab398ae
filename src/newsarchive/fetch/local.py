"""Local input: a saved page or a plain-text article, from a file or a stream such as stdin."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from newsarchive.errors import InputError
from newsarchive.fetch.decode import decode_html, looks_binary, looks_like_html
from newsarchive.fetch.http import MAX_BYTES, now, too_large
from newsarchive.models import FetchResult
from newsarchive.urls import redact_url, validate_url

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})


def read_file(
    path: str | Path, url: str | None = None, *, max_bytes: int = MAX_BYTES
) -> FetchResult:
    """Read a saved page (``kind="html"``) or a plain-text article (``kind="text"``).

    The suffix decides (.html/.htm/.xhtml versus .txt); otherwise the content does. ``url`` is
    where the page came from, if known. Raises ``InputError`` naming the path for a missing,
    unreadable, empty or binary file.
    """
    file = Path(path)
    try:
        with file.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{file}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{file}: permission denied") from None
    except OSError as error:
        raise InputError(f"{file}: cannot read ({error.strerror or error})") from None
    return _local_result(raw, str(file), url, "file", file.suffix.lower(), max_bytes)


def read_stream(
    stream: BinaryIO, url: str | None = None, name: str = "-", *, max_bytes: int = MAX_BYTES
) -> FetchResult:
    """Read a page or a plain-text article from a binary stream such as ``sys.stdin.buffer``."""
    label = "standard input" if name == "-" else name
    try:
        raw = stream.read(max_bytes + 1)
    except OSError as error:
        raise InputError(f"{label}: cannot read ({error.strerror or error})") from None
    return _local_result(raw, label, url, "stdin", "", max_bytes)


def _local_result(
    raw: bytes, name: str, url: str | None, source: str, suffix: str, max_bytes: int
) -> FetchResult:
    if len(raw) > max_bytes:
        raise too_large(name, max_bytes)
    shown = redact_url(validate_url(url)) if url is not None else None
    text, encoding = decode_html(raw)
    if looks_binary(raw, text):
        raise InputError(f"{name}: a binary file, not an HTML page or text")
    if not text.strip():
        raise InputError(f"{name}: empty, there is nothing to archive")
    return FetchResult(
        url=shown,
        final_url=shown,
        text=text,
        raw=raw,
        kind=_local_kind(suffix, text),
        status=None,
        headers={},
        encoding=encoding,
        source=source,
        fetched_at=now(),
    )


def _local_kind(suffix: str, text: str) -> str:
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "html" if looks_like_html(text) else "text"
