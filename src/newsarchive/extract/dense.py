"""The dense block: the tightest element holding most of a page's good paragraph text.

It checks readability's pick: when readability keeps only a fragment of it, or a side block
beside it, the dense block is the better body.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from newsarchive.extract.prune import paragraph_sizes

DENSE_SHARE = 0.7  # the dense block holds at least this much of the page's good paragraph text
TINY_TEXT = 200  # readability's text shorter than this is no article (often just the <h1>)
FRAGMENT_SHARE = 0.3  # readability's text below this share of the dense block is a fragment
ELSEWHERE_SHARE = 0.5  # readability's text outside the dense block, below this: a side block
OUTWEIGHED_SHARE = 0.15  # below this share, readability picked a side block (a bio, an appeal)


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


def is_fragment(found: str, dense: HtmlElement, size: int) -> bool:
    """Readability's text ``found`` is a small part of the dense block, or a block beside it.

    A small part: its text is a small share of the dense block and mostly inside it. A block
    beside it (an author box, an appeal, a teaser, an event list): its text is mostly outside
    the dense block, which holds far more story text, unless that is a list (a comment thread
    or teasers laid out as ``<li>``s).
    """
    if len(found) >= ELSEWHERE_SHARE * size:
        return False
    if len(found) < TINY_TEXT or len(found) < OUTWEIGHED_SHARE * size:
        return True
    inside = inside_share(found, " ".join(dense.text_content().split()))
    if inside < 0.2:
        return dense.tag not in ("ul", "ol")  # a list beside the story: comments, teasers
    return len(found) < FRAGMENT_SHARE * size and inside >= 0.8


def inside_share(found: str, dense_text: str) -> float:
    """The share of the sentences of ``found`` that also occur in ``dense_text``."""
    pieces = [piece for piece in re.split(r"(?<=[.!?])\s+", found) if len(piece) > 20]
    total = sum(len(piece) for piece in pieces)
    return sum(len(piece) for piece in pieces if piece in dense_text) / total if total else 1.0
