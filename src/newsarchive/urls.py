"""URL checks and the normalised form the archive deduplicates on. Pure functions: no network."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from newsarchive.errors import InputError

MAX_URL_LENGTH = 8192
HTTP_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": "80", "https": "443"}

# Query parameters that only identify a campaign or a click, never the page itself.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "ref_url", "li_fat_id",
        "mkt_tok", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "vero_id", "oly_anon_id",
        "oly_enc_id", "wt.mc_id", "s_kwcid", "ncid", "cmpid", "at_medium", "at_campaign",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

_USERINFO = re.compile(r"^(\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//)[^/?#]*@")
_BAD_HOST_CHARS = re.compile(r"[\s<>\"'{}|\\^`%]")
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def redact_url(url: str) -> str:
    """Return ``url`` without its ``user:password@`` part, for messages and for storage.

    Works on malformed input too (it never raises), so error messages can always use it.
    """
    return _USERINFO.sub(r"\1", url)


def validate_url(url: str) -> str:
    """Check that ``url`` is an absolute http(s) URL with a host; return it stripped.

    Raises ``InputError`` naming the (redacted, shortened) URL and what is wrong with it.
    """
    url = url.strip()
    if not url:
        raise InputError("empty URL: give an http:// or https:// address")
    if len(url) > MAX_URL_LENGTH:
        raise _bad(url, f"URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise _bad(url, f"malformed URL ({error})") from None
    if not parts.scheme or url.startswith("//"):
        raise _bad(url, "not an absolute URL (it needs http:// or https://)")
    if parts.scheme not in HTTP_SCHEMES:
        raise _bad(url, f"unsupported scheme {parts.scheme!r} (only http and https)")
    host = parts.hostname or ""
    if not host or (port == 0):
        raise _bad(url, "the URL has no host" if not host else "port 0 is not valid")
    if _BAD_HOST_CHARS.search(host) or ".." in host:
        raise _bad(url, f"invalid host name {host!r}")
    return url


def _bad(url: str, cause: str) -> InputError:
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in redact_url(url))
    if len(shown) > 100:
        shown = shown[:100] + "…"
    return InputError(f"{shown}: {cause}")


def normalize_url(url: str) -> str:
    """The key the archive deduplicates on: two URLs for the same page give the same key.

    Lowercases scheme and host, decodes punycode hosts for readability, drops userinfo,
    default ports, the fragment and tracking parameters, sorts the remaining query parameters
    (stably, by name) and turns an empty path into ``/``. Idempotent, and never raises: text
    that is not an absolute URL comes back stripped.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if not parts.scheme or not parts.netloc:
        return text
    netloc = _normalize_netloc(parts.scheme, parts.netloc)
    if not netloc:
        return text
    path = _normalize_escapes(parts.path) or "/"
    query = _normalize_query(parts.query)
    return urlunsplit((parts.scheme, netloc, path, query, "")).strip()


def _normalize_netloc(scheme: str, netloc: str) -> str:
    hostport = netloc.rpartition("@")[2].rstrip(":")
    host, colon, port = hostport.rpartition(":")
    if not colon or "]" in port:
        host, port = hostport, ""
    host = _readable_host(host.lower()).rstrip(".") or host
    if port.isascii() and port.isdigit():
        port = str(int(port))
    if port and port != DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def _readable_host(host: str) -> str:
    """Decode ``xn--`` labels so an IDN host has one key however it was written."""
    if "xn--" not in host:
        return host
    labels = []
    for label in host.split("."):
        try:
            decoded = label.encode("ascii").decode("idna") if label.startswith("xn--") else label
        except (UnicodeError, ValueError):
            decoded = label
        labels.append(decoded.lower() if decoded.isprintable() else label)
    return ".".join(labels)


def _normalize_escapes(text: str) -> str:
    """Uppercase percent-escapes and decode the ones that stand for unreserved characters."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PERCENT_ESCAPE.sub(fix, text)


def _normalize_query(query: str) -> str:
    pairs = [_normalize_escapes(pair) for pair in query.split("&") if pair]
    kept = [pair for pair in pairs if not _is_tracking(pair)]
    kept.sort(key=lambda pair: pair.partition("=")[0])
    return "&".join(kept)


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.partition("=")[0]).strip().lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)
