"""Find the article body in a page: prune the DOM, run readability, fall back to the dense block.

This is the only module that imports readability; pruning (prune.py) and the dense-block test
(dense.py) work on the parsed tree alone.
"""

from __future__ import annotations

import contextlib
import copy
import html
import logging
import re
from collections.abc import Iterable, Iterator
from itertools import islice

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from readability import Document
from readability.readability import REGEXES, Unparseable

from newsarchive.extract.dense import dense_block, inside_share, is_fragment
from newsarchive.extract.prune import GOOD_PARAGRAPH, place_streamed_segments, prune

log = logging.getLogger(__name__)

REINSTATED = ("p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table", "pre")
MARK = "data-newsarchive-block"
# Readability's class-name tests, matched against lower-cased names: re.IGNORECASE is slower.
UNLIKELY = re.compile(REGEXES["unlikelyCandidatesRe"].pattern)
MAYBE_CANDIDATE = re.compile(REGEXES["okMaybeItsACandidateRe"].pattern)
SPARED = etree.XPath(
    "ancestor-or-self::pre or ancestor-or-self::code or descendant-or-self::main"
    " or descendant-or-self::article or descendant-or-self::math"
)
SPACE_RUN = re.compile(r"\s\s+")
SPACES_AND_TABS = re.compile(r"\t|[ \t]{2,}")  # readability's clean() ends with this one
DIV_BLOCK = re.compile(r"blockquote|dl|div|img|ol|p|table|ul")  # a tag starting so is a block
INLINE_TAGS = frozenset({"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong"})
INLINE_TAGS |= {"sub", "sup", "u"}
# lxml refuses these (and surrogates) anywhere in a document.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
DOCUMENT_END = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
# An opening paragraph set apart in the page header ("lead", "chapo", "entradilla") is the story's
# first paragraph. A summary line (a "standfirst", "dek", "subtitle", "excerpt") is not: it is
# kept as the article's standfirst, and put in the body too it came out twice. The bodies of
# scrapinghub and wcxb leave it out, as trafilatura does: leaving it out was better on every fold
# of both; trafilatura-eval's snippets count it as text (-0.004 snippet F1 there).
LEDE = re.compile(
    r"(?:^|[-_\s])(?:lead|lede|intro|chapo|perex|einleitung|entradilla)", re.IGNORECASE
)
MAX_ELEMENTS = 20_000  # read of one page: 2,949 real pages have at most 10,112
MAX_DEPTH = 400  # elements nested deeper are unwrapped: page builders nest about 300 deep
MAX_ATTRIBUTES = 1_000  # of one tag: libxml2 checks each against all the others (quadratic)
# A tag with 10,000 characters of attributes or more. Each part is matched once in a lookahead
# and taken whole by its backreference (an atomic group, which Python 3.10 lacks): the engine
# gives up on a short tag at its ">" instead of trying every shorter tag name first, a quarter
# of the time on real pages.
_LONG_TAG = re.compile(r"<(?=([A-Za-z][^\s<>/]*))\1(?=([^<>]{10000,}))\2>")
LEDE_MIN, LEDE_MAX = 40, 700  # characters of a standfirst
LEAD_INSIDE = 0.8  # readability's text this much inside the dense block may gain its opening
OPENING_SHARE = 0.75  # ...of at most this share of its size when the dense block is <body>
OWN_ARTICLE_MIN = 300  # characters of good paragraphs the headline's <article> holds to be a story
OTHER_ARTICLES_SHARE = 0.5  # readability's answer this much in other <article>s: other posts


# libxml2 drops whatever is nested deeper than 256 elements unless told a tree may be huge;
# real page builders nest that deep.
# lxml.html picks each element's class in Python (forms, inputs...) every time a node is
# touched; nothing here uses those classes, and the plain lookup runs in C.
def _html_parser(encoding: str | None = None, huge_tree: bool = True) -> lxml.html.HTMLParser:
    parser = lxml.html.HTMLParser(huge_tree=huge_tree, encoding=encoding)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_PARSER = _html_parser()
# readability's own parser (``readability.htmls.utf8_parser``): no huge_tree, UTF-8 forced.
_READABILITY_PARSER = _html_parser("utf-8", huge_tree=False)
# For pages already encoded: the encoding is given, so a <meta charset> cannot override it.
_UTF8_PARSER = _html_parser("utf-8")


def parse(html: str) -> HtmlElement:
    """Parse a page into an lxml tree (an empty page becomes an empty ``<html>``).

    An XHTML page's ``<?xml ... encoding=...?>`` declaration goes first: lxml refuses a str that
    declares an encoding, and the page would come out empty. So do ``</body>`` and ``</html>``:
    libxml2 drops whatever follows them, and templates that print a second page after the
    first one's end would lose the story (browsers show it).
    """
    html = XML_DECLARATION.sub("", html, count=1)
    html = DOCUMENT_END.sub("", without_crowded_tags(html))
    try:
        return _parse_clean(html)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def _parse_clean(html: str) -> HtmlElement:
    """Parse ``CONTROL_CHARACTERS.sub("", html)``, the regex skipped when there are none: it
    walks the page character by character, while encoding it and deleting the control bytes
    run in C (UTF-8 writes those characters as single bytes found nowhere else; surrogates
    fail). The UTF-8 is what gets parsed then: libxml2 reads UTF-8 faster than the UTF-16 or
    UCS-4 that lxml hands it for most pages, and builds the same tree. A page still starting
    with an XML declaration stays a str, for lxml to refuse as before."""
    with contextlib.suppress(UnicodeEncodeError):
        data = html.encode()
        if len(data.translate(None, CONTROL_BYTES)) == len(data):
            if html.startswith("<?xml"):
                return lxml.html.document_fromstring(html, parser=_PARSER)
            return lxml.html.document_fromstring(data, parser=_UTF8_PARSER)
    return lxml.html.document_fromstring(CONTROL_CHARACTERS.sub("", html), parser=_PARSER)


def without_crowded_tags(html: str) -> str:
    """The page with the attributes of any tag holding more than MAX_ATTRIBUTES dropped: no
    real tag has that many, and libxml2 spends minutes on a tag with 100,000 (in C, where no
    time budget can stop it)."""
    return _LONG_TAG.sub(_uncrowded_tag, html)


def _uncrowded_tag(match: re.Match[str]) -> str:
    crowded = len(match.group(2).split()) > MAX_ATTRIBUTES
    return f"<{match.group(1)}>" if crowded else match.group(0)


def cut_after(doc: HtmlElement, limit: int = MAX_ELEMENTS) -> bool:
    """Drop every element after the first ``limit`` of the page's head and of its body, in
    document order, so that no page costs more than that many elements' work, and unwrap those nested deeper than
    MAX_DEPTH (their text stays) so that no walk over the tree runs out of stack. True when
    elements were dropped."""
    cut = [_cut_after(section, limit) for section in doc.iterchildren()]
    for element in _deeper_than(doc, MAX_DEPTH):
        element.drop_tag()
    return any(cut)


def _cut_after(section: HtmlElement, limit: int) -> bool:
    """``cut_after`` within the head or the body: a head of 20,000 meta tags costs the
    story nothing."""
    last = next(islice(section.iter(), limit, None), None)
    if last is None:
        return False
    for element in [last, *last.iterancestors()]:
        if element is section:
            break
        while (following := element.getnext()) is not None:
            element.getparent().remove(following)
    last.getparent().remove(last)
    return True


def _deeper_than(doc: HtmlElement, depth: int) -> list[HtmlElement]:
    found, level = [], 0
    for event, element in etree.iterwalk(doc, events=("start", "end")):
        level += 1 if event == "start" else -1
        if event == "start" and level > depth:
            found.append(element)
    return found


def parse_fragment(fragment: str) -> HtmlElement:
    """Parse an HTML fragment into a ``<body>``; any fragment works, even "<html></html>"."""
    html = f"<html><body>{fragment}</body></html>"
    try:
        data = html.encode()  # faster to parse, the same tree (see _parse_clean)
    except UnicodeEncodeError:
        return lxml.html.document_fromstring(html, parser=_PARSER).body
    return lxml.html.document_fromstring(data, parser=_UTF8_PARSER).body


def body_html(doc: HtmlElement) -> str:
    """The article body of a parsed page as an HTML fragment ("" when none is found).

    Mutates ``doc`` (pruning): read the metadata first.
    """
    place_streamed_segments(doc)
    prune(doc)
    blocks = _mark_blocks(doc)
    dense, size = dense_block(doc)
    found = _readability(doc)
    own = _headline_article(doc, found, blocks)
    if own is not None:
        log.debug("readability kept other posts beside the story; using the headline's article")
        return lxml.html.tostring(own, encoding="unicode")
    summary = _reinstate(found, blocks)
    if dense is not None and is_fragment(_text(summary), dense, size):
        log.debug("readability returned a fragment; using the dense block")
        return lxml.html.tostring(dense, encoding="unicode")
    lead = _lead(doc, dense, summary)
    if lead is not None:
        summary = _with_opening(summary, _reinstate(found, blocks, lead), dense)
    return _with_lede(summary, doc, blocks)


def _headline_article(
    doc: HtmlElement, found: str, blocks: list[HtmlElement]
) -> HtmlElement | None:
    """The ``<article>`` holding the ``<h1>``, when most of readability's answer lies in other
    ``<article>``s beside it: a list of other posts ("You may also like"), each an article of
    its own, can outweigh a short story."""
    heading = next(doc.iter("h1"), None)
    own = None if heading is None else next(heading.iterancestors("article"), None)
    if own is None or _good_text(own) < OWN_ARTICLE_MIN:
        return None
    kept = [blocks[int(number)] for number in re.findall(rf'{MARK}="(\d+)"', found)]
    sizes = [(len(block.text_content()), _in_other_article(block, own)) for block in kept]
    total = sum(size for size, _ in sizes)
    elsewhere = sum(size for size, other in sizes if other)
    return own if total and elsewhere >= OTHER_ARTICLES_SHARE * total else None


def _in_other_article(block: HtmlElement, own: HtmlElement) -> bool:
    """``block`` sits in an ``<article>`` that neither holds ``own`` nor lies inside it."""
    other = next(block.iterancestors("article"), None)
    if other is None or other is own:
        return False
    return own not in other.iterancestors() and other not in own.iterancestors()


def _good_text(element: HtmlElement) -> int:
    lengths = (len(" ".join(p.text_content().split())) for p in element.iter("p"))
    return sum(length for length in lengths if length >= GOOD_PARAGRAPH)


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
    inside = inside_share(_text(found), " ".join(dense.text_content().split()))
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


class _FastDocument(Document):
    """Readability with its slowest passes rewritten to the same result.

    Its scoring, unlikely-candidate and div passes ran regexes on every node's text or
    serialised every div's subtree; the overrides give the same article in far less time.
    """

    def remove_unlikely_candidates(self) -> None:
        """Readability's test, run only on the elements that have a class or an id.

        (``/descendant::*[...]`` finds what ``//*[...]`` does, faster: see published.py.)"""
        for element in self.html.xpath(
            "/descendant::*[@class or @id][not(self::html or self::body)]"
        ):
            names = f"{element.get('class', '')} {element.get('id', '')}".lower()
            if UNLIKELY.search(names) and not MAYBE_CANDIDATE.search(names) and not SPARED(element):
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
    """``len(readability.clean(text))`` without building the cleaned text.

    Its regexes only change runs of two or more whitespace characters: a run of 255 or more, or
    one holding a line break, becomes one character; a run of spaces and tabs shrinks as its
    last regex shrinks it. Its ``strip()`` drops the runs at either end.
    """
    text = text.strip()
    return len(text) - sum(len(run) - _run_length(run) for run in SPACE_RUN.findall(text))


def _run_length(run: str) -> int:
    if len(run) >= 255 or "\n" in run:
        return 1
    return len(SPACES_AND_TABS.sub(" ", run))


def _block_holders(root: HtmlElement) -> set[HtmlElement]:
    """The elements with a block (as readability's ``divToPElementsRe`` sees it) inside."""
    return holders_of(e for e in root.iter(etree.Element) if DIV_BLOCK.match(e.tag))


def holders_of(elements: Iterable[HtmlElement]) -> set[HtmlElement]:
    """The ancestors of ``elements`` (given in document order), each element's marked once:
    linear in the tree's size, where asking each element for a descendant is quadratic."""
    holders: set[HtmlElement] = set()
    for element in elements:
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


class _PrunedDocument(_FastDocument):
    """Readability over an already pruned tree.

    Readability re-parses and runs lxml's HTML cleaner on every pass; ``prune`` has already done
    that work, so each pass just gets a fresh copy of the pruned tree (readability mutates it).
    """

    def _parse(self, input: HtmlElement) -> HtmlElement:
        self.encoding = "utf-8"
        return copy.deepcopy(input)


class _PageDocument(_FastDocument):
    """Readability alone on a whole page: its own parse and cleaner, the faster passes.

    The page is parsed as readability's ``build_doc`` parses it, by a parser that differs
    only in looking up element classes in C (see ``_html_parser``), then cleaned by
    readability's own ``_parse``.
    """

    def _parse(self, input: str) -> HtmlElement:
        data = input.encode("utf-8", "replace")
        return super()._parse(lxml.html.document_fromstring(data, parser=_READABILITY_PARSER))


def readability_html(page: str) -> str:
    """Readability's own answer for a page, unpruned and untouched: the floor our body is
    held to ("" when it finds nothing or cannot read the page)."""
    try:
        return _PageDocument(without_crowded_tags(page)).summary(html_partial=True)
    except (ValueError, etree.LxmlError):  # readability's Unparseable is a ValueError
        return ""


def _readability(doc: HtmlElement) -> str:
    try:
        return _PrunedDocument(doc).summary(html_partial=True)
    except Unparseable:
        return ""


def _text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    return " ".join(parse_fragment(fragment).text_content().split())
