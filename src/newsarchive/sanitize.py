"""Make stored, untrusted HTML safe to render: an allow-list of tags and attributes.

Archived pages come from anywhere, so whatever the project renders as HTML (``show --format
html``, exports) goes through ``sanitize_html`` first. It keeps reading markup (paragraphs,
headings, lists, tables, emphasis, links) and removes everything that runs code or loads
something without the reader asking: scripts, styles, frames, plugins, forms, event handlers,
``javascript:``-like links, and images (each becomes a link to click).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import quote, urljoin

from bs4 import BeautifulSoup, NavigableString, Tag

LINK_REL = "noopener noreferrer nofollow"
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

# Removed with everything inside them: they run code, load things, or only make sense to a script.
DROPPED_TAGS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "param",
        "form", "input", "button", "select", "option", "optgroup", "textarea", "datalist",
        "svg", "math", "template", "noscript", "noembed", "noframes", "base", "link", "meta",
        "title", "head", "audio", "video", "source", "track", "canvas", "portal", "xml",
        "plaintext", "xmp", "dialog", "slot",
    }
)  # fmt: skip

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption",
        "cite", "code", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img",
        "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "section", "small",
        "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "time", "tr", "u", "ul", "wbr",
    }
)  # fmt: skip

GLOBAL_ATTRIBUTES = frozenset({"title", "lang", "dir"})
TAG_ATTRIBUTES = {
    "a": frozenset({"href"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "ol": frozenset({"start", "reversed"}),
    "time": frozenset({"datetime"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
}
URL_ATTRIBUTES = frozenset({"href", "cite"})
_DIRECTIONS = frozenset({"ltr", "rtl", "auto"})

# Browsers ignore these anywhere in a URL (C0 controls, space, DEL) and many invisible
# characters are dropped by some of them: strip all before reading the scheme.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# What may stand in a URL as it is; everything else (spaces, parentheses, quotes, non-ASCII) is
# percent-encoded, and an escape already there is kept.
_URL_SAFE = "!#$%&*+,/:;=?@[]~'"

# Exports walk the tree recursively (markdownify, ElementTree): past this depth only text is kept.
MAX_DEPTH = 100

ImagePolicy = Callable[[str], "str | None"]
"""Given an image's ``src``, the address to show it from in a document that carries its own
images (an e-book), or None to leave the image out."""


def safe_url(value: str) -> str | None:
    """``value`` when following it cannot run code: http(s), mailto or relative; else None.

    Entities are decoded until nothing changes (``&#106;avascript:``, double encodings) and
    ignored characters removed (``java\\tscript:``) before the scheme is judged.
    """
    decoded = value
    for _ in range(5):
        unescaped = html.unescape(decoded)
        if unescaped == decoded:
            break
        decoded = unescaped
    match = _SCHEME.match(_IGNORED_IN_URL.sub("", decoded).lower())
    if match and match.group(1) not in SAFE_SCHEMES:
        return None
    return value.strip()


def quoted_url(url: str) -> str:
    """``url`` with whatever a URL may not hold as it is percent-encoded: valid in XML and
    as a Markdown link target, which a space or a parenthesis would end."""
    return quote(url.strip(), safe=_URL_SAFE)


def followable_url(href: str, base_url: str) -> str | None:
    """Where a link in an exported copy should lead: ``href`` read against the article's
    address, percent-encoded, when that is an http(s) or mailto address; None for a link to
    the page itself (``#...``), one unsafe or one that leads nowhere outside the archive."""
    if not href.strip() or href.strip().startswith("#") or safe_url(href) is None:
        return None
    absolute = urljoin(base_url, href.strip()) if base_url.startswith("http") else href.strip()
    if not absolute.lower().startswith(("http://", "https://", "mailto:")):
        return None
    return quoted_url(absolute)


def parse_flattened(markup: str) -> BeautifulSoup:
    """``markup`` parsed, with whatever is nested deeper than MAX_DEPTH reduced to its text, so
    that a recursive walk over it cannot overflow the stack (a hostile page nests thousands)."""
    soup = BeautifulSoup(markup, "html.parser")
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        for child in node.find_all(True, recursive=False):
            if depth < MAX_DEPTH:
                stack.append((child, depth + 1))
            else:
                child.replace_with(NavigableString(child.get_text()))
    return soup


def sanitize_html(
    markup: str, base_url: str | None = None, embed_image: ImagePolicy | None = None
) -> str:
    """Return ``markup`` reduced to the allow-list, safe to open in a browser; with
    ``base_url`` (the page's address), relative links are made absolute against it, so they
    lead where they led on the page rather than into wherever the HTML is shown.

    Images become links to click; with ``embed_image`` each is kept from the address it
    returns, or left out (see ImagePolicy)."""
    soup = BeautifulSoup(markup or "", "html.parser")
    # Comments (IE ran conditional ones), CDATA, doctypes, processing instructions.
    for node in soup.find_all(string=lambda text: type(text) is not NavigableString):
        node.extract()
    for tag in soup.find_all(_is_dropped):
        if not tag.decomposed:
            tag.decompose()
    for tag in soup.find_all(True):
        _clean_tag(tag, base_url, embed_image)
    return str(soup)


def _is_dropped(tag: Tag) -> bool:
    name = (tag.name or "").lower()
    return name in DROPPED_TAGS or ":" in name


def _clean_tag(tag: Tag, base_url: str | None, embed_image: ImagePolicy | None) -> None:
    name = (tag.name or "").lower()
    if name not in ALLOWED_TAGS:
        tag.unwrap()
        return
    if name == "img" and embed_image is not None:
        _embed_image(tag, embed_image)
        return
    if name == "img":
        link = _clean_image(tag)
        if link is None:
            return
        tag = link
    else:
        _clean_attributes(tag, name)
    for attribute in URL_ATTRIBUTES & set(tag.attrs):
        tag[attribute] = _absolute(str(tag[attribute]), base_url)
    if tag.name == "a" and tag.get("href"):
        tag["rel"] = LINK_REL


def _absolute(url: str, base_url: str | None) -> str:
    """A safe URL made absolute against the page's http(s) address, when there is one."""
    if not base_url or not base_url.lower().startswith(("http://", "https://")):
        return url
    return urljoin(base_url, url)


def _clean_attributes(tag: Tag, name: str) -> None:
    allowed = GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(name, frozenset())
    kept: dict[str, str] = {}
    for attribute, value in tag.attrs.items():
        attribute = attribute.lower()
        text = " ".join(value) if isinstance(value, list) else str(value)
        if attribute not in allowed:
            continue
        if attribute in URL_ATTRIBUTES:
            text = safe_url(text)
        elif attribute == "dir" and text.lower() not in _DIRECTIONS:
            text = None
        if text is not None:
            kept[attribute] = text
    tag.attrs = kept


def _clean_image(tag: Tag) -> Tag | None:
    """An image loads from its server when shown: it becomes a link to click instead (which
    is returned; None when there is nothing to link to)."""
    source = safe_url(str(tag.get("src") or ""))
    alt = " ".join(str(tag.get("alt") or "").split())
    label = f"[image: {alt}]" if alt else "[image]"
    if not source or source.lower().startswith("mailto:"):
        tag.replace_with(NavigableString(label) if alt else "")
        return None
    link = Tag(name="a", attrs={"href": source}, can_be_empty_element=False)
    link.string = label
    tag.replace_with(link)
    return link


def _embed_image(tag: Tag, embed_image: ImagePolicy) -> None:
    source = embed_image(str(tag.get("src") or "").strip())
    if source is None:
        tag.decompose()
        return
    tag.attrs = {"src": source, "alt": " ".join(str(tag.get("alt") or "").split())}
