"""Clean the body HTML readability returns: drop boilerplate it keeps, make the HTML safe, get text.

Every block removed here is recorded as a :class:`RemovedBlock` with the rule that removed it,
so over-stripping can be seen. Text rules live in :mod:`newsarchive.extract.rules`. This works on
lxml trees rather than BeautifulSoup: on the dev sets BeautifulSoup made extraction twice as slow
as readability alone, lxml keeps it faster.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.readable import holders_of, parse_fragment
from newsarchive.extract.rules import SHORT_LINE, Verdict, judge_blocks, line_rule, normalise
from newsarchive.models import RemovedBlock

BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote"}
    | {"pre", "table", "thead", "tbody", "tfoot", "tr", "caption", "div", "section", "article"}
    | {"main", "header", "footer", "aside", "figure", "figcaption", "hr", "address", "details"}
)
CELL_TAGS = frozenset({"td", "th"})
UNSAFE_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "svg",
    "canvas",
    "template",
    "link",
    "meta",
)
KEPT_ATTRIBUTES = frozenset({"href", "src", "alt", "title", "datetime", "colspan", "rowspan"})
# Class words of small boilerplate elements readability keeps. Share bars, newsletter boxes,
# comment threads and the like are pruned before readability runs (prune.py); these are the
# words of what is left in its answer, each met on three dev sites or more.
HINT = re.compile(
    r"(?:^|[-_\s])(advertisement|byline|caption|credits?|copyright|author|autor|bio"
    r"|breadcrumbs?)(?:$|[-_\s])",
    re.IGNORECASE,
)
# Caption classes come in every spelling ("newsCaption", "imageCaption", "wp-caption-text").
CAPTION_HINT = re.compile(r"(caption)", re.IGNORECASE)
TEASER_LINKS = 0.6  # a block after a "Read also" heading this much link text is teasers
HINT_MAX_SHARE = 0.3  # a hinted element holding more of the body than this is kept
LINK_SHARE = 0.9  # a short paragraph this much link text is a pointer to another page
LINK_PARAGRAPH_MAX = 150
REPEAT_MIN = 50  # a line shorter than this met twice is a refrain, never a repeat
REPEAT_PASSAGE = 400  # characters of consecutive repeated lines that make a repeated passage


@dataclass(frozen=True)
class CleanBody:
    """The cleaned body as safe HTML and as text lines, plus what was removed."""

    html: str
    lines: list[str]
    removed: list[RemovedBlock]


def clean_body(fragment: str) -> CleanBody:
    """Clean a body HTML fragment and return its HTML, its paragraphs and the removed blocks."""
    if not fragment.strip():
        return CleanBody("", [], [])
    root = _safe_tree(fragment)
    removed = _drop_hinted(root) + _drop_captions(root) + _drop_link_paragraphs(root)
    removed += _drop_link_columns(root)
    removed += _apply_rules(root)
    _strip_attributes(root)
    lines, loose = _judge_loose_lines(block_lines(root))
    lines, repeated = _drop_repeats(lines)
    return CleanBody(_inner_html(root), lines, removed + loose + repeated)


def safe_body(fragment: str) -> CleanBody:
    """A body fragment made safe and split into lines, no boilerplate rule applied: for an
    answer the rules would empty."""
    if not fragment.strip():
        return CleanBody("", [], [])
    root = _safe_tree(fragment)
    _strip_attributes(root)
    return CleanBody(_inner_html(root), block_lines(root), [])


def _safe_tree(fragment: str) -> HtmlElement:
    root = parse_fragment(fragment)
    for element in [*root.iter(*UNSAFE_TAGS), *root.iter(etree.Comment)]:
        element.drop_tree()
    return root


def _text(element: HtmlElement) -> str:
    return normalise(element.text_content())


def _drop_hinted(root: HtmlElement) -> list[RemovedBlock]:
    """Drop small elements whose class or id names boilerplate (share bars, related links...)."""
    total = max(1, len(_text(root)))
    removed = []
    for element in list(root.iterdescendants()):
        names = f"{element.get('class', '')} {element.get('id', '')}"
        match = HINT.search(names) or CAPTION_HINT.search(names)
        if not match or element.getparent() is None:
            continue
        text = _text(element)
        if len(text) <= HINT_MAX_SHARE * total:
            if text:
                removed.append(RemovedBlock(text, f"class-{match.group(1).lower()}"))
            element.drop_tree()
    return removed


def _drop_captions(root: HtmlElement) -> list[RemovedBlock]:
    """Captions and credits: ``<figcaption>``, and any text in a ``<figure>`` around a picture
    (sites put captions there in ``<p>``s and ``<span>``s too). A figure holding a quotation, a
    table or code is story and stays."""
    removed = []
    for caption in [*root.iter("figcaption"), *filter(_is_picture, root.iter("figure"))]:
        if caption.getparent() is None:
            continue
        text = " ".join(block_lines(caption))
        if text:
            removed.append(RemovedBlock(text, "caption"))
        if caption.tag == "figure":
            _drop_text(caption)
        else:
            caption.drop_tree()
    return removed


def _is_picture(figure: HtmlElement) -> bool:
    return next(figure.iter("img", "picture", "video"), None) is not None and (
        next(figure.iter("blockquote", "table", "pre", "code"), None) is None
    )


def _drop_text(element: HtmlElement) -> None:
    """Keep the pictures of ``element`` and nothing else."""
    pictures = list(element.iter("img"))
    for picture in pictures:
        picture.tail = None
    tail = element.tail
    element.clear()
    element.tail = tail
    element.extend(pictures)


def _drop_link_paragraphs(root: HtmlElement) -> list[RemovedBlock]:
    """A short paragraph that is nothing but a link, set alone between the story's
    paragraphs, points to another story ("SEE THE VIDEO", a teaser headline). A run of them
    is a list the story gives, and a bare address cited as a source (one word) stays."""
    linked = [p for p in root.iter("p") if _is_link_paragraph(p)]
    in_run = set(linked)  # looked up twice a paragraph: a list made that quadratic
    removed = []
    for paragraph in linked:
        neighbours = (paragraph.getprevious(), paragraph.getnext())
        if not any(neighbour in in_run for neighbour in neighbours):
            removed.append(RemovedBlock(_text(paragraph), "link"))
            paragraph.drop_tree()
    return removed


def _drop_link_columns(root: HtmlElement) -> list[RemovedBlock]:
    """A table cell of nothing but several links beside the story's cell is the menu column
    of a table layout (readability keeps the whole row)."""
    removed = []
    for cell in [cell for cell in root.iter(*CELL_TAGS) if _is_link_column(cell)]:
        if cell.getparent() is not None:
            removed.append(RemovedBlock(" | ".join(block_lines(cell)), "link"))
            cell.drop_tree()
    return removed


def _is_link_column(cell: HtmlElement) -> bool:
    links = list(cell.iter("a"))
    after = next(cell.itersiblings(*CELL_TAGS), None)
    before = next(cell.itersiblings(*CELL_TAGS, preceding=True), None)
    if len(links) < 2 or (after is None and before is None):
        return False
    text = _text(cell)
    return bool(text) and sum(len(_text(link)) for link in links) >= LINK_SHARE * len(text)


def _is_link_paragraph(paragraph: HtmlElement) -> bool:
    if next(paragraph.iter("a"), None) is None:  # most paragraphs: no need to read their text
        return False
    text = _text(paragraph)
    links = sum(len(_text(link)) for link in paragraph.iter("a"))
    return " " in text and len(text) <= LINK_PARAGRAPH_MAX and links >= LINK_SHARE * len(text)


def _apply_rules(root: HtmlElement) -> list[RemovedBlock]:
    """Judge each innermost block with the text rules and drop or trim it accordingly."""
    blocks = list(root.iter(*BLOCK_TAGS))
    holders = holders_of(blocks)
    blocks = [block for block in blocks if block not in holders]  # the innermost blocks
    verdicts = judge_blocks([block.text_content() for block in blocks])
    removed: list[RemovedBlock] = []
    for block, verdict in zip(blocks, verdicts, strict=True):
        removed.extend(verdict.removed)
        rule = _list_heading(verdict)
        if rule:
            removed.extend(_drop_headed_list(block, rule))
        _apply_verdict(block, verdict)
    return removed


def _list_heading(verdict: Verdict) -> str | None:
    """The rule, when the whole block went as the heading of a list of links ("Read also",
    "In this article"), else None."""
    if verdict.kept:
        return None
    return next((b.rule for b in verdict.removed if b.rule in _HEADED_LISTS), None)


# What the list after such a heading must be to go with it: after "Read also:", teasers for
# other stories, any list or mostly links; after "In this article", jump links to the story's
# own headings, mostly links (a plain bullet summary stays).
_HEADED_LISTS = {
    "related": lambda element: element.tag in ("ul", "ol") or _link_share(element) >= TEASER_LINKS,
    "contents": lambda element: _link_share(element) >= TEASER_LINKS,
}


def _drop_headed_list(heading: HtmlElement, rule: str) -> list[RemovedBlock]:
    listed = heading.getnext()
    if listed is None or not _text(listed) or not _HEADED_LISTS[rule](listed):
        return []
    text = " | ".join(block_lines(listed))
    listed.drop_tree()
    return [RemovedBlock(text, rule)] if text else []


def _link_share(element: HtmlElement) -> float:
    text = _text(element)
    return sum(len(_text(link)) for link in element.iter("a")) / len(text) if text else 0.0


def _judge_loose_lines(lines: list[str]) -> tuple[list[str], list[RemovedBlock]]:
    """Judge the lines again: text loose in a ``<div>`` beside blocks is no block of its own.

    "Keine Kommentare" or "Print recipe" often sit as bare text next to the story's ``<p>``s,
    where the block rules do not see them alone.
    """
    kept: list[str] = []
    removed: list[RemovedBlock] = []
    for line in lines:
        rule = line_rule(line) if len(line) <= SHORT_LINE else None
        if rule:
            removed.append(RemovedBlock(line, rule))
        else:
            kept.append(line)
    return kept, removed


def _drop_repeats(lines: list[str]) -> tuple[list[str], list[RemovedBlock]]:
    """A passage met again is the story printed twice (a print or mobile copy in the page,
    product cards shown twice); the first telling stays. Only a long passage counts: short
    lines come back legitimately (an interview's questions, a meal plan's days, a chorus)."""
    gone: list[int] = []
    for run in _runs(sorted(_repeats(lines))):
        if sum(len(lines[index]) for index in run) >= REPEAT_PASSAGE:
            gone.extend(run)
    dropped = set(gone)
    kept = [line for index, line in enumerate(lines) if index not in dropped]
    return kept, [RemovedBlock(lines[index], "repeated") for index in gone]


def _runs(indices: list[int]) -> list[list[int]]:
    """Consecutive indices grouped: [1, 2, 5] -> [[1, 2], [5]]."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _repeats(lines: list[str]) -> set[int]:
    """Positions of the lines of at least ``REPEAT_MIN`` characters seen earlier in ``lines``."""
    seen: set[str] = set()
    repeats: set[int] = set()
    for index, line in enumerate(lines):
        key = line.casefold()
        if len(line) >= REPEAT_MIN and key in seen:
            repeats.add(index)
        seen.add(key)
    return repeats


def _apply_verdict(block: HtmlElement, verdict: Verdict) -> None:
    if not verdict.removed:
        return
    if verdict.kept or block.getparent() is None:
        for child in list(block):
            block.remove(child)
        block.text = verdict.kept
    else:
        block.drop_tree()


def _strip_attributes(root: HtmlElement) -> None:
    """Keep only harmless attributes; no event handlers, styles or javascript: links."""
    for element in root.iter(etree.Element):
        for key in [key for key in element.attrib if key not in KEPT_ATTRIBUTES]:
            del element.attrib[key]
        for key in ("href", "src"):
            value = element.get(key, "").strip().lower()
            if value.startswith(("javascript:", "data:text", "vbscript:")):
                del element.attrib[key]


def _inner_html(root: HtmlElement) -> str:
    inner = html.escape(root.text or "", quote=False)
    inner += "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return inner.strip()


def paragraphs_html(paragraphs: list[str]) -> str:
    """Plain paragraphs as escaped ``<p>`` elements."""
    return "".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)


def block_lines(root: HtmlElement) -> list[str]:
    """The text of ``root`` with one line per block element, whitespace-normalised, no blanks."""
    writer = _LineWriter()
    writer.walk(root)
    writer.flush()
    return writer.lines


class _LineWriter:
    """Walks a tree, collecting inline text and starting a new line at every block boundary."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        line = normalise("".join(self.buffer))
        if line:
            self.lines.append(line)
        self.buffer = []

    def walk(self, element: HtmlElement) -> None:
        self.buffer.append(element.text or "")
        for child in element:
            self._child(child)
            self.buffer.append(child.tail or "")

    def _child(self, child: HtmlElement) -> None:
        if not isinstance(child.tag, str):
            return
        if child.tag == "br" or child.tag in BLOCK_TAGS:
            self.flush()
            self.walk(child)
            self.flush()
        elif child.tag in CELL_TAGS:
            self.buffer.append(" ")
            self.walk(child)
            self.buffer.append(" ")
        else:
            self.walk(child)
