"""Local input: a saved page or a plain-text article, from a file or a stream such as stdin."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO

from newsarchive.errors import InputError
from newsarchive.fetch.decode import PRESCAN_BYTES, decode_html, looks_like_html
from newsarchive.fetch.http import MAX_BYTES, now, too_large
from newsarchive.models import FetchResult
from newsarchive.urls import redact_url, validate_url

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})
_BINARY_MAGIC = (
    b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
    b"\x7fELF", b"OggS", b"7z\xbc\xaf", b"Rar!\x1a", b"\xd0\xcf\x11\xe0", b"wOFF", b"wOF2",
)  # fmt: skip


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
    if _looks_binary(raw, text):
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


def _looks_binary(raw: bytes, text: str) -> bool:
    """Known binary signatures, NUL bytes (outside UTF-16), or text that is mostly garbage."""
    if raw.startswith(_BINARY_MAGIC):
        return True
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in raw[:PRESCAN_BYTES] and not utf16:
        return True
    sample = text[:PRESCAN_BYTES]
    garbage = sum(
        1 for char in sample if char == "\ufffd" or (char < " " and char not in "\t\n\r\f")
    )
    return garbage * 20 > len(sample)


def _local_kind(suffix: str, text: str) -> str:
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "html" if looks_like_html(text) else "text"
