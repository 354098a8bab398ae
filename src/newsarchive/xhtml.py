"""Sanitised HTML made into XHTML that an EPUB reader (and epubcheck) accepts.

The sanitiser leaves an allow-list of tags, but nested as the page nested them: a list inside a
paragraph, a ``div`` inside a link, a row outside its table. HTML parsers forgive that; EPUB
XHTML is validated against HTML's content models, so each element is rebuilt here only where
its parent may hold it. Elsewhere it is unwrapped (its content kept, the tag dropped), or, in a
list or a table, wrapped in the child that may stand there (``li``, ``tr``, ``td``). Text goes
through ElementTree, which escapes it, less the characters XML 1.0 cannot hold at all.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from bs4 import NavigableString, Tag

from newsarchive.sanitize import followable_url, parse_flattened

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# Not allowed in an XML 1.0 document (C0 but tab and line breaks, surrogates, U+FFFE/FFFF),
# and C1 and DEL, which HTML forbids in text.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")

# What each element may hold: "flow" (blocks and text), "phrasing" (text and inline tags),
# "link" (phrasing but no link), or, for a list, a table, its parts and rows, their children.
PHRASING = frozenset(
    {
        "a", "abbr", "b", "bdi", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins",
        "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "wbr",
    }
)  # fmt: skip
IN_FLOW = PHRASING | {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "div", "blockquote", "ul", "ol", "table", "hr",
}  # fmt: skip
HOLD_FLOW = frozenset({"div", "blockquote", "li", "td"})
VOID = frozenset({"br", "hr", "img", "wbr"})
# Tags whose own rules (a caption's place, a datetime's syntax, a dl's dt/dd order) are not
# worth checking for an e-book: each becomes the plain tag that holds the same content.
RENAMED = {
    "article": "div", "aside": "div", "section": "div", "header": "div", "footer": "div",
    "figure": "div", "details": "div", "dl": "div", "dd": "div", "figcaption": "p",
    "summary": "p", "dt": "p", "time": "span", "bdo": "span",
}  # fmt: skip
# A list, a table, its parts and rows: the children each holds, the first wrapping anything else.
CONTAINERS = {
    "ul": ("li",),
    "ol": ("li",),
    "table": ("tbody", "caption", "thead", "tfoot"),
    "thead": ("tr",),
    "tbody": ("tr",),
    "tfoot": ("tr",),
    "tr": ("td", "th"),
}
ONCE_IN_TABLE = frozenset({"caption", "thead", "tfoot"})
_TABLE_ORDER = {"caption": 0, "thead": 1, "tbody": 2, "tfoot": 3}
_SPANS = {"colspan": range(1, 1001), "rowspan": range(65535)}
_SCOPES = frozenset({"row", "col", "rowgroup", "colgroup"})


def xml_text(text: str) -> str:
    """``text`` without the characters an XML document cannot hold."""
    return _NOT_XML.sub("", text)


def language_tag(value: object) -> str | None:
    """``value`` when it has the shape of a BCP 47 language tag (en, pt-BR), else None."""
    text = str(value or "").strip()
    return text if _LANGUAGE.match(text) else None


def append_body(parent: ET.Element, markup: str, base_url: str) -> None:
    """Append the sanitised HTML ``markup`` to ``parent`` (a ``div``) as XHTML; relative links
    are read against ``base_url``, and links that cannot be followed from a book unwrapped."""
    builder = _Builder(base_url)
    for child in list(parse_flattened(markup).children):
        builder.place(parent, child, "flow")


class _Builder:
    """Appends to ElementTree elements what each may hold, wrapping or unwrapping the rest."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.wrappers: set[int] = set()

    def place(self, parent: ET.Element, child: object, model: str) -> None:
        """Put ``child`` (a parsed node) into ``parent``, whose content model is ``model``."""
        if model in CONTAINERS:
            self._place_in_container(parent, child, model)
        elif isinstance(child, NavigableString):
            _append_text(parent, str(child))
        elif isinstance(child, Tag):
            self._place_tag(parent, child, _name(child), model)

    def _place_in_container(self, parent: ET.Element, child: object, model: str) -> None:
        if isinstance(child, NavigableString) and not str(child).strip():
            return
        name = _name(child)
        if model == "table" and name in ONCE_IN_TABLE and parent.find(name) is not None:
            name = "tbody" if name != "caption" else ""
        if isinstance(child, Tag) and name in CONTAINERS[model]:
            self._place_tag(parent, child, name, model)
            return
        wrapper = parent[-1] if len(parent) else None
        if wrapper is None or id(wrapper) not in self.wrappers:
            wrapper = ET.SubElement(parent, CONTAINERS[model][0])
            self.wrappers.add(id(wrapper))
        self.place(wrapper, child, _content(wrapper.tag, model))

    def _place_tag(self, parent: ET.Element, tag: Tag, name: str, model: str) -> None:
        href = followable_url(str(tag.get("href") or ""), self.base_url) if name == "a" else None
        if not _allowed(name, model) or (name == "a" and href is None):
            for child in list(tag.children):
                self.place(parent, child, model)
            return
        element = ET.SubElement(parent, name, _attributes(name, tag))
        if href is not None:
            element.set("href", href)
        for child in [] if name in VOID else list(tag.children):
            self.place(element, child, _content(name, model))
        if name == "table":
            element[:] = sorted(element, key=lambda part: _TABLE_ORDER[part.tag])


def _name(node: object) -> str:
    name = (node.name or "").lower() if isinstance(node, Tag) else ""
    return RENAMED.get(name, name)


def _allowed(name: str, model: str) -> bool:
    if model == "flow":
        return name in IN_FLOW
    if model == "link":
        return name in PHRASING and name != "a"
    if model == "phrasing":
        return name in PHRASING
    return name in CONTAINERS[model]


def _content(name: str, model: str) -> str:
    """The content model of a ``name`` element placed where ``model`` holds."""
    if model == "link" or name == "a":
        return "link"
    if name in CONTAINERS:
        return name
    return "flow" if name in HOLD_FLOW else "phrasing"


def _attributes(name: str, tag: Tag) -> dict[str, str]:
    kept = {key: xml_text(str(tag[key])) for key in ("title", "dir") if tag.get(key)}
    language = language_tag(tag.get("lang"))
    if language:
        kept.update({"lang": language, "xml:lang": language})
    if name == "img":
        kept.update(src=str(tag.get("src")), alt=xml_text(str(tag.get("alt") or "")))
    for key, allowed in _SPANS.items():
        value = str(tag.get(key) or "").strip()
        if name in ("td", "th") and value.isdigit() and int(value) in allowed:
            kept[key] = value
    if name == "th" and str(tag.get("scope") or "").lower() in _SCOPES:
        kept["scope"] = str(tag["scope"]).lower()
    if name == "ol":
        kept.update(_list_attributes(tag))
    return kept


def _list_attributes(tag: Tag) -> dict[str, str]:
    kept = {"reversed": "reversed"} if tag.has_attr("reversed") else {}
    start = str(tag.get("start") or "").strip()
    if re.fullmatch(r"-?\d{1,9}", start):
        kept["start"] = start
    return kept


def _append_text(parent: ET.Element, text: str) -> None:
    text = xml_text(text)
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text
