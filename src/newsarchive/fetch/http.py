"""Downloading a page: ``fetch_url`` and the session it uses.

This is the only module that touches the network. Every limit (time, size, redirects, retries)
is enforced here, so later stages can trust what they are given.
"""

from __future__ import annotations

import email.utils
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from http import HTTPStatus
from importlib import metadata
from urllib.parse import quote, urljoin

import requests
from requests.utils import get_auth_from_url
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError

from newsarchive.errors import FetchError, InputError, NotHTMLError, TooLargeError
from newsarchive.fetch.decode import decode_html, looks_binary, looks_like_html
from newsarchive.fetch.limits import MAX_BYTES, Deadline, Limits
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
CHUNK_BYTES = 64 * 1024
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# What requests accepts as ``auth``: a (user, password) pair, a callable, or None for none.
_Auth = tuple[str, str] | Callable[[requests.PreparedRequest], requests.PreparedRequest] | None


class _Session(requests.Session):
    """A session whose redirect targets never raise: requests decodes ``Location`` as UTF-8
    (even for a response it does not follow); other bytes are percent-encoded, as browsers do."""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        try:
            return super().get_redirect_target(resp)
        except UnicodeDecodeError:
            raw = resp.headers["location"].encode("latin-1")
            return quote(raw, safe="/:?#[]@!$&'()*+,;=%~")


def make_session() -> requests.Session:
    """A requests session that names newsarchive and asks for HTML first."""
    session = _Session()
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
    limits = Limits(
        connect_timeout,
        read_timeout,
        deadline,
        max_bytes,
        max_redirects,
        retries,
        backoff,
        max_retry_after,
    )
    return download(url, session, limits, _result_from_response)


# Turns the final response of a download into a FetchResult (the URL given is redacted).
Reader = Callable[[str, requests.Response, Limits, Deadline], FetchResult]


def download(
    url: str, session: requests.Session | None, limits: Limits, read: Reader
) -> FetchResult:
    """Check ``url``, follow its redirects with retries and let ``read`` make the result.

    All of it within ``limits``: the deadline covers every attempt, hop and read.
    """
    url = validate_url(url)
    clock = Deadline(limits.deadline, redact_url(url))
    with _session_for(session) as active:
        response = _follow_redirects(active, url, limits, clock)
        with response:
            return read(redact_url(url), response, limits, clock)


@contextmanager
def _session_for(session: requests.Session | None) -> Iterator[requests.Session]:
    """Use the caller's session as is, or a fresh one that is closed afterwards."""
    if session is not None:
        yield session
        return
    with make_session() as fresh:
        yield fresh


def _follow_redirects(
    session: requests.Session, url: str, limits: Limits, clock: Deadline
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
    session: requests.Session, url: str, auth: _Auth, limits: Limits, clock: Deadline
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
    session: requests.Session, url: str, auth: _Auth, limits: Limits, clock: Deadline
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


def _retry_delay(url: str, response: requests.Response, limits: Limits, attempt: int) -> float:
    asked = _parse_retry_after(response.headers.get("Retry-After"))
    if asked is None:
        return limits.backoff * 2**attempt
    if asked > limits.max_retry_after:
        raise FetchError(
            redact_url(url),
            f"{_status_text(response)}: the server asked to retry after {asked:.0f} s"
            f" (more than the {limits.max_retry_after:g} s this fetch waits)",
            status=response.status_code,
            retry_after=asked,
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


def _timeout_error(clock: Deadline, read_timeout: float, doing: str) -> FetchError:
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
    url: str, response: requests.Response, limits: Limits, clock: Deadline
) -> FetchResult:
    final_url = redact_url(response.url)
    check_status(url, final_url, response)
    content_type = response.headers.get("Content-Type")
    kind = _kind_from_content_type(url, content_type)
    raw = read_body(url, response, limits, clock)
    if not raw.strip():
        raise FetchError(url, f"{_status_text(response)} with an empty body")
    result = http_result(url, final_url, response, raw, kind or "html")
    if looks_binary(raw, result.text):
        raise NotHTMLError(url, f"sent binary data as {content_type or 'an unlabelled page'}")
    if kind is None and not looks_like_html(result.text):
        raise NotHTMLError(url, "no Content-Type and the body does not look like HTML")
    return result


def http_result(
    url: str, final_url: str, response: requests.Response, raw: bytes, kind: str
) -> FetchResult:
    """The FetchResult of a response whose body is ``raw``, decoded as a browser would."""
    text, encoding = decode_html(raw, response.headers.get("Content-Type"))
    return FetchResult(
        url=url,
        final_url=final_url,
        text=text,
        raw=raw,
        kind=kind,
        status=response.status_code,
        headers=dict(response.headers),
        encoding=encoding,
        source="http",
        fetched_at=now(),
    )


def check_status(url: str, final_url: str, response: requests.Response) -> None:
    """Raise a FetchError carrying the status (and any Retry-After) unless it is 2xx."""
    if 200 <= response.status_code < 300:
        return
    _release(response)
    where = f" (at {final_url})" if final_url != url else ""
    raise FetchError(
        url,
        f"{_status_text(response)}{where}",
        status=response.status_code,
        retry_after=_parse_retry_after(response.headers.get("Retry-After")),
    )


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


def read_body(url: str, response: requests.Response, limits: Limits, clock: Deadline) -> bytes:
    """Read the (content-)decoded body in pieces, stopping at ``max_bytes`` or at the deadline.

    ``raw.read1`` returns whatever one socket read (and its decompression, capped at one
    chunk) yields, where ``iter_content`` would block until a whole chunk arrived: a server
    dripping a byte a second could then hold us far past the deadline.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limits.max_bytes:
        raise too_large(url, limits.max_bytes)
    body = bytearray()
    try:
        while chunk := _read_chunk(response, limits, clock):
            body += chunk
            if len(body) > limits.max_bytes:
                raise too_large(url, limits.max_bytes)
    except ReadTimeoutError:
        raise _timeout_error(clock, limits.read_timeout, "while reading the body") from None
    except (Urllib3Error, OSError) as error:
        raise FetchError(url, f"reading the body failed ({_reason(error)})") from None
    return bytes(body)


def _read_chunk(response: requests.Response, limits: Limits, clock: Deadline) -> bytes:
    seconds = clock.timeout(limits.read_timeout)
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(seconds)
    return response.raw.read1(CHUNK_BYTES, decode_content=True)


def too_large(source: str, max_bytes: int) -> TooLargeError:
    """The error for a page, file or stream over ``max_bytes``, the limit said in MiB or bytes."""
    size = f"{max_bytes / 2**20:g} MiB" if max_bytes >= 2**20 else f"{max_bytes} bytes"
    return TooLargeError(source, f"larger than the {size} limit")


def now() -> str:
    """The current UTC time, to the second, as ``FetchResult.fetched_at`` records it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
