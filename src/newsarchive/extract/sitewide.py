"""Site-learned boilerplate: a short paragraph that many articles of one site share verbatim
(a sign-off, an appeal, a newsletter line) is the site's furniture, not the story.

The archive counts paragraphs by digest (store.py); this module is the pure part: which
paragraphs are candidates, their digests, and removing the ones the archive says repeat.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from html import escape

from newsarchive.models import Article, RemovedBlock

RULE = "site-repeated"
MAX_CHARS = 200  # boilerplate lines are short; long paragraphs are never counted
MIN_ARTICLES = 4  # a paragraph must recur in at least this many articles of the site...
MIN_SHARE = 0.25  # ...and in at least this share of them


def paragraph_digest(line: str) -> int:
    """A signed 64-bit digest of a paragraph, ignoring case and spacing."""
    folded = " ".join(line.split()).casefold().encode()
    return int.from_bytes(hashlib.blake2b(folded, digest_size=8).digest(), "big", signed=True)


def counted_lines(article: Article) -> list[str]:
    """The short paragraphs to count for the site, including those already stripped as repeats
    (so a paragraph's count does not fall once it starts being removed)."""
    lines = article.text.split("\n") + [b.text for b in article.removed if b.rule == RULE]
    return [line for line in dict.fromkeys(lines) if line.strip() and len(line) <= MAX_CHARS]


def is_repeated(count: int, site_articles: int) -> bool:
    return count >= max(MIN_ARTICLES, MIN_SHARE * site_articles)


def strip_repeated(article: Article, repeated: set[str]) -> Article:
    """The article without the given paragraphs, each recorded as removed by this rule."""
    if not repeated:
        return article
    kept = [line for line in article.text.split("\n") if line not in repeated]
    gone = [line for line in dict.fromkeys(article.text.split("\n")) if line in repeated]
    return replace(
        article,
        text="\n".join(kept),
        html=_without_blocks(article.html, repeated),
        quotes=[q for q in article.quotes if not any(q.text in line for line in gone)],
        removed=[*article.removed, *(RemovedBlock(line, RULE) for line in gone)],
    )


def _without_blocks(body: str, repeated: set[str]) -> str:
    if not body.strip():
        return body
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(body, create_parent="div")
    for element in list(root.iter("p", "li", "h2", "h3", "h4", "blockquote", "div")):
        if element.getparent() is not None and _text(element) in repeated:
            element.drop_tree()
    lead = escape(root.text or "")
    return lead + "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def _text(element) -> str:  # an lxml element
    return " ".join(element.text_content().split())
