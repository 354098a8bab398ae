"""Bytes to text the way a browser decodes a page, and telling HTML from plain text."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:+-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w.:+-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:+-]+)", re.IGNORECASE)
PRESCAN_BYTES = 8192
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
# Python codecs that name no text encoding of a web page: a label naming one is no label.
_REFUSED_CODECS = frozenset(
    {"utf-7", "undefined", "punycode", "idna", "unicode-escape", "raw-unicode-escape"}
)
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
    utf16 = utf16_without_bom(raw)
    if utf16:
        return _clean(raw.decode(utf16, "replace")), utf16
    labels = [(_http_charset(content_type), False), (_meta_charset(raw), True)]
    for label, in_document in labels:
        encoding = _declared_codec(label, raw, in_document)
        text = _strict_decode(raw, encoding)
        if text is not None:
            return _clean(text), encoding
    mixed = _mixed_utf8(raw)
    if mixed is not None:
        return _clean(mixed), "utf-8"
    encoding = _detect(raw)
    return _clean(raw.decode(encoding, "replace")), encoding


def utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for text in UTF-16 without a byte-order mark, told by
    its Latin (mostly ASCII) characters: a NUL in every other byte, always the same one."""
    head = raw[: PRESCAN_BYTES - PRESCAN_BYTES % 2]
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= 0.6 * pairs and even == 0:
        return "utf-16-le"
    if even >= 0.6 * pairs and odd == 0:
        return "utf-16-be"
    return None


def _mixed_utf8(raw: bytes) -> str | None:
    """UTF-8 with a few stray windows-1252 bytes (text pasted from an old editor) — the mixed
    encoding real pages have. Decoded as UTF-8 with the stray bytes read as windows-1252;
    None unless valid multi-byte characters outnumber the stray bytes."""
    text = raw.decode("utf-8", "surrogateescape")
    stray = sum(1 for char in text if "\udc80" <= char <= "\udcff")
    valid = sum(1 for char in text if char > "\x7f" and not "\udc80" <= char <= "\udcff")
    if not stray or valid < stray:
        return None
    return "".join(
        bytes([ord(char) - 0xDC00]).decode("cp1252", "replace")
        if "\udc80" <= char <= "\udcff"
        else char
        for char in text
    )


def _http_charset(content_type: str | None) -> str | None:
    match = _CHARSET_PARAM.search(content_type or "")
    return match.group(1) if match else None


def _meta_charset(raw: bytes) -> str | None:
    """The charset a ``<meta>`` tag or an XML declaration in the first 8 KB names."""
    head = raw[:PRESCAN_BYTES]
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
        codec = codecs.lookup(_LABEL_ALIASES.get(label, label))
    except LookupError:
        return None
    name = _BROWSER_CODECS.get(codec.name, codec.name)
    refused = name in _REFUSED_CODECS or not codec._is_text_encoding  # base64, zlib, rot13
    return None if refused else name


def _strict_decode(raw: bytes, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    try:
        return raw.decode(encoding)
    except (UnicodeError, LookupError):
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


_BINARY_MAGIC = (
    b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
    b"\x7fELF", b"OggS", b"7z\xbc\xaf", b"Rar!\x1a", b"\xd0\xcf\x11\xe0", b"wOFF", b"wOF2",
)  # fmt: skip


def looks_binary(raw: bytes, text: str) -> bool:
    """Known binary signatures, NUL bytes (outside UTF-16), or text that is mostly garbage."""
    if raw.startswith(_BINARY_MAGIC):
        return True
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(raw)
    if b"\x00" in raw[:PRESCAN_BYTES] and not utf16:
        return True
    sample = text[:PRESCAN_BYTES]
    garbage = sum(
        1 for char in sample if char == "\ufffd" or (char < " " and char not in "\t\n\r\f")
    )
    return garbage * 20 > len(sample)
