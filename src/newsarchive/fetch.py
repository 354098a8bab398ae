"""The fetch stage: a URL, a saved file or stdin becomes a FetchResult.

This is the only module that touches the network or reads input files. Every limit (time,
size, redirects, retries) is enforced here, so later stages can trust what they are given.
"""

from __future__ import annotations

import codecs
import email.utils
import logging
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from importlib import metadata
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin

import charset_normalizer
import requests
from requests.utils import get_auth_from_url
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError

from newsarchive.errors import FetchError, InputError, NotHTMLError, TooLargeError
from newsarchive.models import FetchResult
from newsarchive.urls import redact_url, validate_url

log = logging.getLogger(__name__)


def _package_version() -> str:
    try:
        return metadata.version("newsarchive")
    except metadata.PackageNotFoundError:
        return "0.1.0"


USER_AGENT = f"newsarchive/{_package_version()} (offline news archiver)"
ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
MAX_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})
_HTTP_URL = re.compile(r"^\s*https?://", re.IGNORECASE)
# What requests accepts as ``auth``: a (user, password) pair, a callable, or None for none.
_Auth = tuple[str, str] | Callable[[requests.PreparedRequest], requests.PreparedRequest] | None


@dataclass(frozen=True)
class _Limits:
    connect_timeout: float
    read_timeout: float
    max_bytes: int
    max_redirects: int
    retries: int
    backoff: float
    max_retry_after: float


class _Deadline:
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


def make_session() -> requests.Session:
    """A requests session that names newsarchive and asks for HTML first."""
    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT, "Accept": ACCEPT})
    return session


def fetch_url(
    url: str,
    session: requests.Session | None = None,
    *,
    connect_timeout: float = 10.0,
    read_timeout: float = 30.0,
    deadline: float = 120.0,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = 10,
    retries: int = 3,
    backoff: float = 0.5,
    max_retry_after: float = 60.0,
) -> FetchResult:
    """Download an HTML (or plain-text) page, within bounded time, size, redirects and retries.

    Connection errors, 429 and 5xx are retried with exponential backoff (``backoff * 2**n``),
    honouring ``Retry-After`` up to ``max_retry_after`` seconds. ``deadline`` bounds the whole
    call; ``max_bytes`` bounds the body after content decoding (so a gzip bomb stops early).
    Raises ``InputError`` for a bad URL and ``FetchError`` (or its subclasses ``NotHTMLError``,
    ``TooLargeError``) for everything that goes wrong on the way.
    """
    url = validate_url(url)
    limits = _Limits(
        connect_timeout, read_timeout, max_bytes, max_redirects, retries, backoff, max_retry_after
    )
    clock = _Deadline(deadline, redact_url(url))
    with _session_for(session) as active:
        response = _follow_redirects(active, url, limits, clock)
        with response:
            return _result_from_response(redact_url(url), response, limits, clock)


@contextmanager
def _session_for(session: requests.Session | None) -> Iterator[requests.Session]:
    """Use the caller's session as is, or a fresh one that is closed afterwards."""
    if session is not None:
        yield session
        return
    with make_session() as fresh:
        yield fresh


def _follow_redirects(
    session: requests.Session, url: str, limits: _Limits, clock: _Deadline
) -> requests.Response:
    """Follow redirects one hop at a time, so each target is checked before it is requested."""
    chain = [url]
    auth = _HopAuth(url)
    for _ in range(limits.max_redirects + 1):
        hop = chain[-1]
        response = _get_with_retries(session, hop, auth.for_hop(session, hop), limits, clock)
        target = session.get_redirect_target(response)
        if target is None:
            return response
        _release(response)
        chain.append(_redirect_target(chain, target))
    raise FetchError(redact_url(url), _redirect_failure(chain, limits.max_redirects))


class _HopAuth:
    """Credentials go to the original host only: once a redirect leaves it, no Authorization.

    Cookies need no such care: the session's cookie jar only sends them to their own domain.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.credentials = get_auth_from_url(url)
        self.left_host = False

    def for_hop(self, session: requests.Session, hop: str) -> _Auth:
        self.left_host = self.left_host or session.should_strip_auth(self.url, hop)
        if self.left_host:
            return _drop_authorization
        return self.credentials if any(self.credentials) else None


def _drop_authorization(request: requests.PreparedRequest) -> requests.PreparedRequest:
    request.headers.pop("Authorization", None)
    return request


def _redirect_target(chain: list[str], location: str) -> str:
    target = urljoin(chain[-1], location)
    try:
        return validate_url(target)
    except InputError as error:
        raise FetchError(redact_url(chain[0]), f"refused a redirect to {error}") from None


def _redirect_failure(chain: list[str], max_redirects: int) -> str:
    for index, url in enumerate(chain):
        if url in chain[:index]:
            loop = chain[chain.index(url) : index + 1]
            return "redirect loop: " + " -> ".join(redact_url(hop) for hop in loop)
    return f"too many redirects (more than {max_redirects})"


def _get_with_retries(
    session: requests.Session, url: str, auth: _Auth, limits: _Limits, clock: _Deadline
) -> requests.Response:
    """GET ``url``; retry connection errors, 429 and 5xx until ``limits.retries`` run out.

    A read timeout is not retried: a server too slow to answer once is rarely quicker the
    second time, and waiting again would mostly spend the deadline.
    """
    attempt = 0
    while True:
        try:
            response = _get(session, url, auth, limits, clock)
        except requests.ConnectionError as error:
            if attempt >= limits.retries:
                raise FetchError(redact_url(url), f"cannot connect ({_reason(error)})") from None
            delay = limits.backoff * 2**attempt
        else:
            if not _should_retry(response) or attempt >= limits.retries:
                return response
            _release(response)
            delay = _retry_delay(url, response, limits, attempt)
        attempt += 1
        log.info("retrying %s in %.2f s (attempt %d)", redact_url(url), delay, attempt + 1)
        clock.sleep(delay)


def _get(
    session: requests.Session, url: str, auth: _Auth, limits: _Limits, clock: _Deadline
) -> requests.Response:
    timeout = (clock.timeout(limits.connect_timeout), clock.timeout(limits.read_timeout))
    try:
        return session.get(url, auth=auth, timeout=timeout, stream=True, allow_redirects=False)
    except requests.ReadTimeout:
        raise _timeout_error(clock, limits.read_timeout, "waiting for the response") from None
    except requests.RequestException as error:
        if isinstance(error, requests.ConnectionError):
            raise
        raise FetchError(redact_url(url), f"request failed ({_reason(error)})") from None


def _release(response: requests.Response) -> None:
    """Close a response we will not use, reading a short body first.

    Closing a socket with unread data resets the connection; reading what little is left lets
    it end cleanly. A long or unannounced body is not worth waiting for.
    """
    length = response.headers.get("Content-Length", "")
    if length.isascii() and length.isdigit() and int(length) <= CHUNK_BYTES:
        with suppress(Urllib3Error, OSError):
            response.raw.read(int(length), decode_content=False)
    response.close()


def _should_retry(response: requests.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def _retry_delay(url: str, response: requests.Response, limits: _Limits, attempt: int) -> float:
    asked = _parse_retry_after(response.headers.get("Retry-After"))
    if asked is None:
        return limits.backoff * 2**attempt
    if asked > limits.max_retry_after:
        raise FetchError(
            redact_url(url),
            f"{_status_text(response)}: the server asked to retry after {asked:.0f} s"
            f" (more than the {limits.max_retry_after:g} s this fetch waits)",
        )
    return asked


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _status_text(response: requests.Response) -> str:
    reason = response.reason
    if not reason:
        try:
            reason = HTTPStatus(response.status_code).phrase
        except ValueError:
            reason = ""
    return f"HTTP {response.status_code} {reason}".strip()


def _timeout_error(clock: _Deadline, read_timeout: float, doing: str) -> FetchError:
    if clock.remaining() <= 0.05:
        return clock.expired_error()
    return FetchError(clock.url, f"timed out: no data for {read_timeout:g} s {doing}")


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\"()\[\]]+)")


def _reason(error: BaseException) -> str:
    """A short cause for a network error, without requests' nested reprs."""
    text = str(error)
    match = _ERRNO.search(text)
    if match:
        return match.group(1).strip()
    first_line = text.splitlines()[0] if text else type(error).__name__
    return first_line[:150]


def _result_from_response(
    url: str, response: requests.Response, limits: _Limits, clock: _Deadline
) -> FetchResult:
    final_url = redact_url(response.url)
    _check_status(url, final_url, response)
    content_type = response.headers.get("Content-Type")
    kind = _kind_from_content_type(url, content_type)
    raw = _read_body(url, response, limits, clock)
    if not raw.strip():
        raise FetchError(url, f"{_status_text(response)} with an empty body")
    text, encoding = decode_html(raw, content_type)
    if kind is None and not looks_like_html(text):
        raise NotHTMLError(url, "no Content-Type and the body does not look like HTML")
    return FetchResult(
        url=url,
        final_url=final_url,
        text=text,
        raw=raw,
        kind=kind or "html",
        status=response.status_code,
        headers=dict(response.headers),
        encoding=encoding,
        source="http",
        fetched_at=_now(),
    )


def _check_status(url: str, final_url: str, response: requests.Response) -> None:
    if 200 <= response.status_code < 300:
        return
    _release(response)
    where = f" (at {final_url})" if final_url != url else ""
    raise FetchError(url, f"{_status_text(response)}{where}")


def _kind_from_content_type(url: str, content_type: str | None) -> str | None:
    """``"html"`` or ``"text"`` from the header; None when it is missing (the body decides)."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if not mime:
        return None
    if mime in HTML_TYPES:
        return "html"
    if mime == "text/plain":
        return "text"
    raise NotHTMLError(url, f"not an HTML page (Content-Type: {mime})")


def _read_body(url: str, response: requests.Response, limits: _Limits, clock: _Deadline) -> bytes:
    """Read the decoded body in pieces, stopping at ``max_bytes`` or at the deadline.

    ``raw.read1`` returns whatever one socket read (and its decompression, capped at one
    chunk) yields, where ``iter_content`` would block until a whole chunk arrived: a server
    dripping a byte a second could then hold us far past the deadline.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_large(url, limits.max_bytes)
    body = bytearray()
    try:
        while chunk := _read_chunk(response, limits, clock):
            body += chunk
            if len(body) > limits.max_bytes:
                raise _too_large(url, limits.max_bytes)
    except ReadTimeoutError:
        raise _timeout_error(clock, limits.read_timeout, "while reading the body") from None
    except (Urllib3Error, OSError) as error:
        raise FetchError(url, f"reading the body failed ({_reason(error)})") from None
    return bytes(body)


def _read_chunk(response: requests.Response, limits: _Limits, clock: _Deadline) -> bytes:
    seconds = clock.timeout(limits.read_timeout)
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(seconds)
    return response.raw.read1(CHUNK_BYTES, decode_content=True)


def _too_large(source: str, max_bytes: int) -> TooLargeError:
    size = f"{max_bytes / 2**20:g} MiB" if max_bytes >= 2**20 else f"{max_bytes} bytes"
    return TooLargeError(source, f"larger than the {size} limit")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---- decoding -------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:+-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w.:+-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:+-]+)", re.IGNORECASE)
_PRESCAN_BYTES = 8192
_LABEL_ALIASES = {"x-sjis": "cp932", "windows-31j": "cp932", "ms_kanji": "cp932", "x-gbk": "gbk"}
# What browsers decode these labels as (the WHATWG Encoding Standard): supersets, mostly.
_BROWSER_CODECS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
_REFUSED_CODECS = frozenset({"utf-7"})
_CHAOS_MARGIN = 0.15


def decode_html(raw: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page as a browser would; return the text and the Python codec name used.

    Order: byte-order mark; the HTTP charset; ``<meta charset>`` (or an XML declaration) in
    the first 8 KB; detection. A declaration the bytes do not decode with is skipped, and a
    declared legacy charset loses to bytes that are valid UTF-8 with non-ASCII in them (legacy
    text practically never is; mislabelled UTF-8 is common). NUL characters are removed.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _clean(raw[len(bom) :].decode(encoding, "replace")), encoding
    for label, in_document in ((_http_charset(content_type), False), (_meta_charset(raw), True)):
        encoding = _declared_codec(label, raw, in_document)
        text = _strict_decode(raw, encoding)
        if text is not None:
            return _clean(text), encoding
    encoding = _detect(raw)
    return _clean(raw.decode(encoding, "replace")), encoding


def _http_charset(content_type: str | None) -> str | None:
    match = _CHARSET_PARAM.search(content_type or "")
    return match.group(1) if match else None


def _meta_charset(raw: bytes) -> str | None:
    """The charset a ``<meta>`` tag or an XML declaration in the first 8 KB names."""
    head = raw[:_PRESCAN_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def _declared_codec(label: str | None, raw: bytes, in_document: bool) -> str | None:
    encoding = _codec(label) if label else None
    if encoding is None:
        return None
    if in_document and encoding.startswith("utf-16"):
        return "utf-8"  # a declaration readable as ASCII cannot be in UTF-16
    if encoding != "utf-8" and not raw.isascii() and _strict_decode(raw, "utf-8") is not None:
        return "utf-8"
    return encoding


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    try:
        name = codecs.lookup(_LABEL_ALIASES.get(label, label)).name
    except LookupError:
        return None
    name = _BROWSER_CODECS.get(name, name)
    return None if name in _REFUSED_CODECS else name


def _strict_decode(raw: bytes, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(raw: bytes) -> str:
    """Valid UTF-8 is UTF-8; otherwise ask charset-normalizer, preferring windows-1252.

    Short Latin text fits several single-byte code pages equally well (German in cp1250 reads
    the same as in cp1252); like a browser in a Western locale, take windows-1252 whenever it
    is among the plausible candidates.
    """
    if _strict_decode(raw, "utf-8") is not None:
        return "utf-8"
    matches = charset_normalizer.from_bytes(raw)
    best = matches.best()
    if best is None:
        return "utf-8"
    plausible = (match for match in matches if match.chaos <= best.chaos + _CHAOS_MARGIN)
    if any("cp1252" in match.could_be_from_charset for match in plausible):
        return "cp1252"
    return _codec(best.encoding) or "utf-8"


def _clean(text: str) -> str:
    return text.replace("\x00", "")


_HTML_START = re.compile(
    r"<(?:!doctype\s+html|html|head|body|title|meta|link|script|style|article|div|p|h[1-6]"
    r"|table|!--|\?xml)[\s>/]",
    re.IGNORECASE,
)
_HTML_ANYWHERE = re.compile(r"<(?:!doctype\s+html|html|body)[\s>]", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True when ``text`` starts like an HTML document or has an ``<html>``/``<body>`` tag early."""
    head = text[:4096]
    return bool(_HTML_START.match(head.lstrip()) or _HTML_ANYWHERE.search(head))


# ---- local input ----------------------------------------------------------------------------

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
        raise _too_large(name, max_bytes)
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
        fetched_at=_now(),
    )


def _looks_binary(raw: bytes, text: str) -> bool:
    """Known binary signatures, NUL bytes (outside UTF-16), or text that is mostly garbage."""
    if raw.startswith(_BINARY_MAGIC):
        return True
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in raw[:_PRESCAN_BYTES] and not utf16:
        return True
    sample = text[:_PRESCAN_BYTES]
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
    if "://" in source:
        validate_url(source)  # raises, naming the unsupported scheme
    raise InputError(f"{redact_url(source)}: not a URL or an existing file{_url_hint(source)}")


def _url_hint(source: str) -> str:
    """Suggest the scheme for ``example.com/story``, but not for a mistyped ``story.html``."""
    host = source.partition("/")[0]
    suffix = Path(host).suffix.lower()
    if "." not in host or " " in host or suffix in HTML_SUFFIXES | TEXT_SUFFIXES:
        return ""
    return f" (did you mean https://{source}?)"
