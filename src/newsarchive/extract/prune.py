"""Prepare a parsed page for readability: put streamed segments in place, then prune.

Pruning removes what cannot be story (scripts, navigation, hidden and boilerplate-named
elements) before readability runs; that makes readability both faster (its passes grow with the
tree) and cleaner. The guards keep pruning from taking the article with it: a wrapper named
"sidebar" or a page-wide ``<form>`` may hold the whole story.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from lxml import etree
from lxml.html import HtmlElement

DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "svg",
    "canvas",
    "template",
    "link",
    "meta",
    "select",
    "textarea",
    "dialog",
)
UNSEEN = ("a", *DROP_TAGS)  # text in these is no page text (a link's is another page's)
TEXT_DIV_BREAKERS = ("div", "p", "ul", "ol", "table", "section", "article", "h1", "h2", "h3", "h4")
TEXT_DIV_BREAKERS += ("h5", "h6", "blockquote", "pre", "form", "header", "footer", "nav", "aside")
TEXT_DIV_BREAKERS += ("li", "dl", "figure", "main")
TEXT_DIV_START = 20  # characters of its own text a <div> written as a paragraph starts with
LAYOUT_TAGS = ("nav", "footer", "aside")  # dropped unless they hold most of the story
SMALL_ONLY_TAGS = ("form", "button", "input", "label")  # dropped when they hold little text
_BOILERPLATE_WORDS = (
    r"share|sharing|social|newsletter|promo|related|comments?|cookie|consent|paywall|subscribe"
    r"|subscription|donate|donation|recirculation|outbrain|taboola"
)
_COMMENT_WORDS = r"comments?|disqus|discussion"


def _named(words: str, flags: re.RegexFlag = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(rf"(?:^|[-_\s])(?:{words})(?:$|[-_\s])", flags)


BOILERPLATE = _named(_BOILERPLATE_WORDS)
COMMENTS = _named(_COMMENT_WORDS)
NAMED = _named(f"{_BOILERPLATE_WORDS}|{_COMMENT_WORDS}")  # one search settles most elements
# The same for lower-case ASCII names: case-insensitive matching is slow.
NAMED_LOWER = _named(f"{_BOILERPLATE_WORDS}|{_COMMENT_WORDS}", re.NOFLAG)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# A folded panel of an accordion or FAQ: hidden until its question is clicked, yet story.
PANEL_ROLES = ("region", "tabpanel")
PANEL_NAME = re.compile(r"accordion|collaps|faq|answer", re.IGNORECASE)
PROTECTED_TAGS = ("article", "main", "h1")  # protected too: @itemprop='articleBody'
PAGE_FORM = 0.5  # a <form> holding this much of the page's text is the page, not a form
LITTLE_TEXT = 0.2  # a boilerplate-named element holding more of the page's paragraphs is kept
GOOD_PARAGRAPH = 60  # characters for a <p> to count as story text in the dense-block test


def place_streamed_segments(doc: HtmlElement) -> None:
    """Move React streaming segments (``<div hidden id="S:n">``) into their placeholders.

    Readability deletes hidden elements, and on streamed pages the story sits in them. A
    segment replaces a Suspense boundary's ``<template id="B:n">`` or, when it completes a
    pending segment, its ``<template id="P:n">``. (``/descendant::x[...]`` finds what
    ``//x[...]`` does, faster: see published.py.)
    """
    for segment in doc.xpath("/descendant::div[@hidden][starts-with(@id, 'S:')]"):
        number = segment.get("id")[2:]
        marks = doc.xpath("//template[@id=$b or @id=$p]", b="B:" + number, p="P:" + number)
        if not marks:
            continue
        del segment.attrib["hidden"]
        segment.drop_tree()
        marks[0].addprevious(segment)
        marks[0].drop_tree()


def prune(doc: HtmlElement) -> None:
    """Remove what cannot be story: scripts, navigation, hidden and boilerplate-named elements.

    One walk from the top that never enters a dropped subtree: most of a page's elements sit
    in its scripts, menus and footers, so this visits far fewer than the whole tree.
    """
    protected = _protected(doc)
    paragraphs = paragraph_sizes(doc)
    sizes = paragraphs or _loose_text_sizes(doc)
    total = max(1, sizes.get(doc, 0))
    stack = list(doc)
    while stack:
        element = stack.pop()
        size = sizes.get(element, 0)
        if _is_folded_panel(element, size):
            _unfold(element)
        if _droppable(element, element in protected, size, total):
            element.drop_tree()
            continue
        if element.tag == "form" and not paragraphs and size >= PAGE_FORM * total:
            # A form holding the page (ASP.NET wraps every page in one) goes with everything in
            # it when readability picks it: it drops each <form> in its answer. With paragraphs
            # the dense block makes up for that; on a page without any, nothing would.
            element.tag = "div"
        stack.extend(element)


def _is_folded_panel(element: HtmlElement, size: int) -> bool:
    """A hidden element holding paragraphs that names itself a panel: by its role, or in its
    class, id or a data attribute (``data-theme-key="collapsible-section-text"``)."""
    attributes = element.attrib
    if not size or not _is_hidden(attributes):
        return False
    names = " ".join(attributes.values())
    return attributes.get("role") in PANEL_ROLES or PANEL_NAME.search(names) is not None


def _unfold(element: HtmlElement) -> None:
    """Show a folded panel, so neither this pass nor readability drops it as hidden."""
    element.attrib.pop("hidden", None)
    element.attrib.pop("style", None)


def _is_hidden(attributes: Mapping[str, str]) -> bool:
    return "hidden" in attributes or HIDDEN_STYLE.search(attributes.get("style", "")) is not None


def _protected(doc: HtmlElement) -> set[HtmlElement]:
    """The protected elements and their ancestors: a walk up from each, which stops where an
    earlier walk went (far faster than the same XPath with ``ancestor-or-self``)."""
    protected: set[HtmlElement] = set()
    for element in [
        *doc.iter(*PROTECTED_TAGS),
        *doc.xpath("/descendant::*/@itemprop[. = 'articleBody']/.."),
    ]:
        for holder in (element, *element.iterancestors()):
            if holder in protected:
                break
            protected.add(holder)
    return protected


def _droppable(element: HtmlElement, protected: bool, size: int, total: int) -> bool:
    """Comments and scripts go; navigation, forms and buttons too unless the story is inside;
    hidden elements, comment threads and small boilerplate-named elements go."""
    tag = element.tag
    if not isinstance(tag, str):
        return True  # a comment or processing instruction
    if not protected and (
        tag in DROP_TAGS
        or (tag in LAYOUT_TAGS and size < 0.5 * total)
        or (tag in SMALL_ONLY_TAGS and size < 200)
    ):
        return True
    attributes = element.attrib
    if not attributes:
        return False
    if _is_hidden(attributes):
        return True
    names = f"{attributes.get('class', '')} {attributes.get('id', '')}"
    return not protected and len(names) > 1 and _is_boilerplate(names, size / total)


def _is_boilerplate(names: str, share: float) -> bool:
    if not _has_boilerplate_name(names):
        return False
    return COMMENTS.search(names) is not None or (
        share < LITTLE_TEXT and BOILERPLATE.search(names) is not None
    )


def _has_boilerplate_name(names: str) -> bool:
    """``NAMED.search(names)``, twice as fast on ASCII names lower-cased first. (Not on others:
    case-insensitive "i", "s" and "k" also match "ı", "İ", "ſ" and the Kelvin sign.)"""
    if names.isascii():
        return NAMED_LOWER.search(names.lower()) is not None
    return NAMED.search(names) is not None


def paragraph_sizes(doc: HtmlElement, skip: tuple[str, ...] = ()) -> dict[HtmlElement, int]:
    """Characters of good ``<p>`` text under each element (links excluded), leaving out
    paragraphs inside a ``skip`` tag and inside a link (a teaser for another story)."""
    sizes: dict[HtmlElement, int] = defaultdict(int)
    skip = (*skip, "a")
    for paragraph in doc.iter("p", "div"):
        size = _good_length(paragraph) if paragraph.tag == "p" else _text_div_length(paragraph)
        if not size:
            continue
        ancestors = list(paragraph.iterancestors())
        if not any(element.tag in skip for element in ancestors):
            for element in (paragraph, *ancestors):
                sizes[element] += size
    return sizes


def _loose_text_sizes(doc: HtmlElement) -> dict[HtmlElement, int]:
    """Characters of text outside links under each element: the measure for a page with no
    good paragraph at all (a table layout, ``<font>`` text split by ``<br>``), where every
    paragraph size is 0 and a page-wide ``<form>`` or a named wrapper would look empty."""
    sizes: dict[HtmlElement, int] = defaultdict(int)
    for element in doc.iter(etree.Element):
        own = len((element.text or "").strip()) if element.tag not in UNSEEN else 0
        own += sum(len((child.tail or "").strip()) for child in element)
        if own and not any(ancestor.tag == "a" for ancestor in element.iterancestors()):
            for holder in (element, *element.iterancestors()):
                sizes[holder] += own
    return sizes


def _good_length(paragraph: HtmlElement, links_share: float = 0.5) -> int:
    text = " ".join(paragraph.text_content().split())
    if len(text) < GOOD_PARAGRAPH:
        return 0
    links = sum(len(link.text_content()) for link in paragraph.iter("a"))
    return len(text) if links < links_share * len(text) else 0


def _text_div_length(div: HtmlElement) -> int:
    """A ``<div>`` holding only text and inline elements is a paragraph written without
    ``<p>`` (readability reads it so too); one with links in it is more often a teaser.
    Such a div starts with its text, which settles most divs (wrappers) at once."""
    if not div.text or len(div.text.strip()) < TEXT_DIV_START:
        return 0
    if next(div.iterchildren(*TEXT_DIV_BREAKERS), None) is not None:
        return 0
    return _good_length(div, links_share=0.1)
