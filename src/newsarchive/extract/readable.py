"""Find the article body in a page: prune the DOM, run readability, fall back to the dense block.

This is the only module that imports readability. Pruning first makes readability both faster
(its passes grow with the tree) and cleaner; the guards keep pruning from taking the article with
it (a wrapper named "sidebar" or a page-wide ``<form>`` may hold the whole story).
"""

from __future__ import annotations

import copy
import html
import logging
import re
from collections import defaultdict
from collections.abc import Iterator

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from readability import Document
from readability.readability import REGEXES, Unparseable
from readability.readability import clean as readability_clean

log = logging.getLogger(__name__)

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
REINSTATED = ("p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table", "pre")
MARK = "data-newsarchive-block"
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


def _named(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?:^|[-_\s])(?:{words})(?:$|[-_\s])", re.IGNORECASE)


BOILERPLATE = _named(_BOILERPLATE_WORDS)
COMMENTS = _named(_COMMENT_WORDS)
NAMED = _named(f"{_BOILERPLATE_WORDS}|{_COMMENT_WORDS}")  # one search settles most elements
# Readability's class-name tests, matched against lower-cased names: re.IGNORECASE is slower.
UNLIKELY = re.compile(REGEXES["unlikelyCandidatesRe"].pattern)
MAYBE_CANDIDATE = re.compile(REGEXES["okMaybeItsACandidateRe"].pattern)
SPARED = "ancestor-or-self::pre or ancestor-or-self::code or descendant-or-self::main"
SPARED += " or descendant-or-self::article or descendant-or-self::math"
DIV_BLOCK = re.compile(r"blockquote|dl|div|img|ol|p|table|ul")  # a tag starting so is a block
INLINE_TAGS = frozenset({"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong"})
INLINE_TAGS |= {"sub", "sup", "u"}
# lxml refuses these (and surrogates) anywhere in a document.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
DOCUMENT_END = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
PROTECTED = "self::article or self::main or @itemprop='articleBody' or self::h1"
LEDE = re.compile(
    r"(?:^|[-_\s])(?:lead|lede|intro|standfirst|excerpt|chapo|perex|summary|subtitle|subheadline"
    r"|sub-headline|teaser-text|dek|deck|abstract|description|einleitung|entradilla)",
    re.IGNORECASE,
)
LEDE_MIN, LEDE_MAX = 40, 700  # characters of a standfirst
LITTLE_TEXT = 0.2  # a boilerplate-named element holding more of the page's paragraphs is kept
GOOD_PARAGRAPH = 60  # characters for a <p> to count as story text in the dense-block test
DENSE_SHARE = 0.7  # the dense block holds at least this much of the page's good paragraph text
TINY_TEXT = 200  # readability's text shorter than this is no article (often just the <h1>)
FRAGMENT_SHARE = 0.3  # readability's text below this share of the dense block is a fragment
ELSEWHERE_SHARE = 0.5  # readability's text outside the dense block, below this: a side block
LEAD_INSIDE = 0.8  # readability's text this much inside the dense block may gain its opening
OPENING_SHARE = 0.75  # ...of at most this share of its size when the dense block is <body>
OUTWEIGHED_SHARE = 0.15  # below this share, readability picked a side block (a bio, an appeal)


# libxml2 drops whatever is nested deeper than 256 elements unless told a tree may be huge;
# real page builders nest that deep.
# lxml.html picks each element's class in Python (forms, inputs...) every time a node is
# touched; nothing here uses those classes, and the plain lookup runs in C.
_PARSER = lxml.html.HTMLParser(huge_tree=True)
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


def parse(html: str) -> HtmlElement:
    """Parse a page into an lxml tree (an empty page becomes an empty ``<html>``).

    An XHTML page's ``<?xml ... encoding=...?>`` declaration goes first: lxml refuses a str that
    declares an encoding, and the page would come out empty. So do ``</body>`` and ``</html>``:
    libxml2 drops whatever follows them, and templates that print a second page after the
    first one's end would lose the story (browsers show it).
    """
    html = XML_DECLARATION.sub("", html, count=1)
    html = DOCUMENT_END.sub("", html)
    try:
        return lxml.html.document_fromstring(CONTROL_CHARACTERS.sub("", html), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def parse_fragment(fragment: str) -> HtmlElement:
    """Parse an HTML fragment into a ``<body>``; any fragment works, even "<html></html>"."""
    html = f"<html><body>{fragment}</body></html>"
    return lxml.html.document_fromstring(html, parser=_PARSER).body


def body_html(doc: HtmlElement) -> str:
    """The article body of a parsed page as an HTML fragment ("" when none is found).

    Mutates ``doc`` (pruning): read the metadata first.
    """
    place_streamed_segments(doc)
    prune(doc)
    blocks = _mark_blocks(doc)
    dense, size = dense_block(doc)
    found = _readability(doc)
    summary = _reinstate(found, blocks)
    if dense is not None and _is_fragment(summary, dense, size):
        log.debug("readability returned a fragment; using the dense block")
        return lxml.html.tostring(dense, encoding="unicode")
    lead = _lead(doc, dense, summary)
    if lead is not None:
        summary = _with_opening(summary, _reinstate(found, blocks, lead), dense)
    return _with_lede(summary, doc, blocks)


def _with_opening(summary: str, opened: str, dense: HtmlElement) -> str:
    """On a page whose densest block is the whole body, an opening larger than most of what
    readability kept is more likely the page's other content than the story's start."""
    if dense.tag != "body" or len(_text(opened)) <= (1 + OPENING_SHARE) * len(_text(summary)):
        return opened
    return summary


def _mark_blocks(doc: HtmlElement) -> list[HtmlElement]:
    """Number the blocks readability may drop; the attribute survives its cleaner."""
    blocks = list(doc.iter(*REINSTATED))
    for number, block in enumerate(blocks):
        block.set(MARK, str(number))
    return blocks


def _lead(doc: HtmlElement, dense: HtmlElement | None, found: str) -> int | None:
    """The first block of the dense block after the ``<h1>``, when readability kept only a part
    of the dense block that starts later (it often skips a story's opening section)."""
    if dense is None or not found.strip():
        return None
    numbers = [int(block.get(MARK)) for block in dense.iter(*REINSTATED)]
    heading = next(doc.iter("h1"), None)
    if heading is not None:
        after = heading.xpath(f"following::*[@{MARK}][1]")
        numbers = [n for n in numbers if not after or n >= int(after[0].get(MARK))]
    kept = [int(number) for number in re.findall(rf'{MARK}="(\d+)"', found)]
    if not numbers or not kept or min(numbers) >= min(kept):
        return None
    inside = _inside_share(_text(found), " ".join(dense.text_content().split()))
    return min(numbers) if inside >= LEAD_INSIDE else None


def _reinstate(summary: str, blocks: list[HtmlElement], lead: int | None = None) -> str:
    """Put back blocks readability dropped between the first and the last block it kept,
    or from block number ``lead`` when that comes first.

    Its cleaner drops headings with negative class names, lists in ``<div>``s and link-heavy
    lists; between kept blocks these are nearly always part of the story.
    """
    if not summary.strip():
        return summary
    tree = parse_fragment(summary)
    kept = {int(el.get(MARK)): el for el in tree.iter() if el.get(MARK, "").isdigit()}
    if len(kept) < 2:
        return summary
    added: set[HtmlElement] = set()
    start = min(kept) + 1 if lead is None else min(lead, min(kept) + 1)
    for number in range(start, max(kept)):
        block = blocks[number]
        if number in kept or not _reinstatable(block, kept, added):
            continue
        added.add(block)
        _insert(kept, number, _copy(block))
    if not added:
        return summary
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in tree)


def _insert(kept: dict[int, HtmlElement], number: int, block: HtmlElement) -> None:
    """Place ``block`` after the kept block before it, or before the first kept block."""
    before = [n for n in kept if n < number]
    if before:
        kept[max(before)].addnext(block)
    else:
        kept[min(kept)].addprevious(block)
    kept[number] = block


def _reinstatable(
    block: HtmlElement, kept: dict[int, HtmlElement], added: set[HtmlElement]
) -> bool:
    """Not already there (itself, a part of it, or a block around it) and not a list of links."""
    if any(ancestor in added for ancestor in block.iterancestors()):
        return False
    if any(int(inner.get(MARK)) in kept for inner in block.iterdescendants(*REINSTATED)):
        return False
    text = " ".join(block.text_content().split())
    links = sum(len(link.text_content()) for link in block.iter("a"))
    return bool(text) and links < 0.3 * len(text)


def _with_lede(summary: str, doc: HtmlElement, blocks: list[HtmlElement]) -> str:
    """Put back the standfirst readability left in the page header.

    It sits between the ``<h1>`` and the first block readability kept, in an element named for
    what it is ("lead", "intro", "standfirst", "chapo"...).
    """
    if not summary.strip():
        return summary
    tree = parse_fragment(summary)
    kept = [int(el.get(MARK)) for el in tree.iter() if el.get(MARK, "").isdigit()]
    ledes = _ledes(doc, blocks[min(kept)]) if kept else []
    found = " ".join(tree.text_content().split())
    ledes = [text for text in ledes if text not in found]
    if not ledes:
        return summary
    paragraphs = "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in ledes)
    return paragraphs + summary


def _ledes(doc: HtmlElement, first: HtmlElement) -> list[str]:
    """Texts of lede-named elements after the ``<h1>`` and before ``first``."""
    heading = next(doc.iter("h1"), None)
    if heading is None:
        return []
    texts: list[str] = []
    outer = set(first.iterancestors())
    for element in _between(doc, heading, first):
        if element in outer or not LEDE.search(_names(element)):
            continue
        text = " ".join(element.text_content().split())
        if any(text in taken or taken in text for taken in texts):
            continue
        links = sum(len(link.text_content()) for link in element.iter("a"))
        if LEDE_MIN <= len(text) <= LEDE_MAX and links < 0.3 * len(text):
            texts.append(text)
    return texts


def _between(doc: HtmlElement, start: HtmlElement, end: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after ``start`` (not inside it) and before ``end``, in document order."""
    after = False
    for element in doc.iter(etree.Element):
        if element is end:
            return
        if after and start not in element.iterancestors():
            yield element
        elif element is start:
            after = True


def _names(element: HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _copy(block: HtmlElement) -> HtmlElement:
    duplicate = copy.deepcopy(block)
    duplicate.tail = None
    return duplicate


class _PrunedDocument(Document):
    """Readability over an already pruned tree, its slowest passes rewritten to the same result.

    Readability re-parses and runs lxml's HTML cleaner on every pass; ``prune`` has already done
    that work, so each pass just gets a fresh copy of the pruned tree (readability mutates it).
    Its scoring, unlikely-candidate and div passes ran regexes on every node's text or
    serialised every div's subtree; the overrides give the same article in far less time.
    """

    def _parse(self, input: HtmlElement) -> HtmlElement:
        self.encoding = "utf-8"
        return copy.deepcopy(input)

    def remove_unlikely_candidates(self) -> None:
        """Readability's test, run only on the elements that have a class or an id."""
        for element in self.html.xpath("//*[@class or @id][not(self::html or self::body)]"):
            names = f"{element.get('class', '')} {element.get('id', '')}".lower()
            if (
                UNLIKELY.search(names)
                and not MAYBE_CANDIDATE.search(names)
                and not element.xpath(SPARED)
            ):
                element.drop_tree()

    def score_paragraphs(self) -> dict[HtmlElement, dict]:
        """Readability's scores: each paragraph of 25 characters or more adds one point, one per
        comma and one per 100 characters (at most three) to its parent and half to its
        grandparent; then each score shrinks by the link density. Measured without its
        whitespace regexes where they would change nothing."""
        candidates: dict[HtmlElement, dict] = {}
        for tag in ("p", "pre", "td", "blockquote"):
            for paragraph in self.html.iter(tag):
                self._score_paragraph(paragraph, candidates)
        for element, candidate in candidates.items():
            candidate["content_score"] *= 1 - self.get_link_density(element)
        return candidates

    def _score_paragraph(self, paragraph: HtmlElement, candidates: dict[HtmlElement, dict]) -> None:
        parent = paragraph.getparent()
        if parent is None:
            return
        text = paragraph.text_content()
        length = _clean_length(text)
        if length < self.min_text_length:
            return
        score = 2 + text.count(",") + min(length / 100, 3)
        for holder, share in ((parent, 1.0), (parent.getparent(), 0.5)):
            if holder is None:
                continue
            if holder not in candidates:
                candidates[holder] = self.score_node(holder)
            candidates[holder]["content_score"] += score * share

    def get_link_density(self, elem: HtmlElement) -> float:
        """Readability's link density, skipping its whitespace regexes on texts they leave as
        they are (most link texts)."""
        links = sum(_clean_length(link.text_content()) for link in elem.iterdescendants("a"))
        return links / max(_clean_length(elem.text_content()), 1)

    def transform_misused_divs_into_paragraphs(self) -> None:
        """Turn ``<div>``s holding no block into ``<p>``s, and wrap the loose text and inline
        runs of the other ``<div>``s in ``<p>``s, as readability does.

        Readability serialises every div's subtree to look for block tags, which grows with the
        tree's size times its depth; marking the ancestors of each block once gives the same
        answer.
        """
        holders = _block_holders(self.html)
        for div in list(self.html.iter("div")):
            if div not in holders:
                div.tag = "p"
        for div in list(self.html.iter("div")):
            _wrap_loose_text(div, holders)


def _clean_length(text: str) -> int:
    """``len(readability.clean(text))``: its regexes only change long texts, line breaks, tabs
    and double spaces."""
    if len(text) < 255 and "\n" not in text and "\t" not in text and "  " not in text:
        return len(text.strip())
    return len(readability_clean(text))


def _block_holders(root: HtmlElement) -> set[HtmlElement]:
    """The elements with a block (as readability's ``divToPElementsRe`` sees it) inside."""
    holders: set[HtmlElement] = set()
    for element in root.iter(etree.Element):
        if not DIV_BLOCK.match(element.tag):
            continue
        for ancestor in element.iterancestors():
            if ancestor in holders:
                break  # in document order, its ancestors are marked already
            holders.add(ancestor)
    return holders


def _wrap_loose_text(div: HtmlElement, holders: set[HtmlElement]) -> None:
    """Put the div's own text, each run of inline children and each loose tail in a ``<p>``."""
    children = list(div)
    paragraph = None
    if div.text and div.text.strip():
        paragraph = _paragraph(div.text)  # the inline children after the text join it
        div.insert(0, paragraph)
        div.text = None
    for child in children:
        if child.tag not in INLINE_TAGS or child in holders:
            paragraph = None
            continue
        if paragraph is None:
            paragraph = _paragraph(None)
            child.addprevious(paragraph)
        paragraph.append(child)
    for position, child in reversed(list(enumerate(div))):
        if child.tail and child.tail.strip():
            div.insert(position + 1, _paragraph(child.tail))
            child.tail = None
        if child.tag == "br":
            child.drop_tree()


def _paragraph(text: str | None) -> HtmlElement:
    paragraph = lxml.html.Element("p")
    paragraph.text = text
    return paragraph


def _readability(doc: HtmlElement) -> str:
    try:
        return _PrunedDocument(doc).summary(html_partial=True)
    except Unparseable:
        return ""


def place_streamed_segments(doc: HtmlElement) -> None:
    """Move React streaming segments (``<div hidden id="S:n">``) into their placeholders.

    Readability deletes hidden elements, and on streamed pages the story sits in them. A
    segment replaces a Suspense boundary's ``<template id="B:n">`` or, when it completes a
    pending segment, its ``<template id="P:n">``.
    """
    for segment in doc.xpath("//div[@hidden][starts-with(@id, 'S:')]"):
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
    protected = set(doc.xpath(f"//*[{PROTECTED}]/ancestor-or-self::*"))
    sizes = paragraph_sizes(doc)
    total = max(1, sizes.get(doc, 0))
    stack = list(doc)
    while stack:
        element = stack.pop()
        if _droppable(element, element in protected, sizes.get(element, 0), total):
            element.drop_tree()
        else:
            stack.extend(element)


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
    if "hidden" in attributes or HIDDEN_STYLE.search(attributes.get("style", "")):
        return True
    names = f"{attributes.get('class', '')} {attributes.get('id', '')}"
    return not protected and len(names) > 1 and _is_boilerplate(names, size / total)


def _is_boilerplate(names: str, share: float) -> bool:
    if NAMED.search(names) is None:
        return False
    return COMMENTS.search(names) is not None or (
        share < LITTLE_TEXT and BOILERPLATE.search(names) is not None
    )


def paragraph_sizes(doc: HtmlElement, skip: tuple[str, ...] = ()) -> dict[HtmlElement, int]:
    """Characters of good ``<p>`` text under each element (links excluded), leaving out
    paragraphs inside a ``skip`` tag and inside a link (a teaser for another story)."""
    sizes: dict[HtmlElement, int] = defaultdict(int)
    skip = (*skip, "a")
    for paragraph in doc.iter("p", "div"):
        size = _good_length(paragraph) if paragraph.tag == "p" else _text_div_length(paragraph)
        ancestors = list(paragraph.iterancestors())
        if size and not any(element.tag in skip for element in ancestors):
            for element in (paragraph, *ancestors):
                sizes[element] += size
    return sizes


def _good_length(paragraph: HtmlElement, links_share: float = 0.5) -> int:
    text = " ".join(paragraph.text_content().split())
    links = sum(len(link.text_content()) for link in paragraph.iter("a"))
    return len(text) if len(text) >= GOOD_PARAGRAPH and links < links_share * len(text) else 0


def _text_div_length(div: HtmlElement) -> int:
    """A ``<div>`` holding only text and inline elements is a paragraph written without
    ``<p>`` (readability reads it so too); one with links in it is more often a teaser.
    Such a div starts with its text, which settles most divs (wrappers) at once."""
    if not div.text or len(div.text.strip()) < TEXT_DIV_START:
        return 0
    if next(div.iterchildren(*TEXT_DIV_BREAKERS), None) is not None:
        return 0
    return _good_length(div, links_share=0.1)


def dense_block(doc: HtmlElement) -> tuple[HtmlElement | None, int]:
    """The tightest element holding most of the page's good paragraph text, and that text's size.

    Text in a ``<footer>`` does not count: a long legal notice there is never the story.
    """
    sizes = paragraph_sizes(doc, skip=("footer",))
    total = sizes.get(doc, 0)
    if not total:
        return None, 0
    holders = [el for el, size in sizes.items() if size >= DENSE_SHARE * total]
    dense = max(holders, key=lambda el: sum(1 for _ in el.iterancestors()))
    return dense, sizes[dense]


def _is_fragment(summary: str, dense: HtmlElement, size: int) -> bool:
    """Readability kept only a small part of the dense block, or a smaller block beside it.

    A small part: its text is a small share of the dense block and mostly inside it. A block
    beside it (an author box, an appeal, a teaser, an event list): its text is mostly outside
    the dense block, which holds far more story text, unless that is a list (a comment thread
    or teasers laid out as ``<li>``s).
    """
    found = _text(summary)
    if len(found) >= ELSEWHERE_SHARE * size:
        return False
    if len(found) < TINY_TEXT or len(found) < OUTWEIGHED_SHARE * size:
        return True
    inside = _inside_share(found, " ".join(dense.text_content().split()))
    if inside < 0.2:
        return dense.tag not in ("ul", "ol")  # a list beside the story: comments, teasers
    return len(found) < FRAGMENT_SHARE * size and inside >= 0.8


def _inside_share(found: str, dense_text: str) -> float:
    """The share of the sentences of ``found`` that also occur in ``dense_text``."""
    pieces = [piece for piece in re.split(r"(?<=[.!?])\s+", found) if len(piece) > 20]
    total = sum(len(piece) for piece in pieces)
    return sum(len(piece) for piece in pieces if piece in dense_text) / total if total else 1.0


def _text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    return " ".join(parse_fragment(fragment).text_content().split())
