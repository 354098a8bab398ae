"""Find an article's headline: what the page shows as its title, without the furniture around it.

A page's only ``<h1>`` is what readers see; without one, the JSON-LD headline, Open Graph title,
an ``<h1>`` the ``<title>`` confirms, then the ``<title>``. Titles carry the site's and section's
names ("Headline | Section | Site"): the part the page shows as a heading, or the part that is
not the site's name, is kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsarchive.extract.markup import first, first_text, squash

TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")
CUT_HEADLINE = 100  # a JSON-LD headline this long may have been cut to fit 110 characters
GENERIC_LABELS = {"www", "com", "org", "net", "co", "ac", "gov", "edu", "info"}
# "Acme Blog: Headline": a name or section before a colon.
LABEL_COLON = re.compile(r"(?<=\w):\s+")
MAX_HEADINGS = 20  # headings further down are teasers and section titles
# A blog's name set as its logo in an <h1>: "Blog", "Our Blog", "Jane's Blog", "The Acme Blog"
# (capitalised words only: "Why I Blog" and "Wie man fürs Blog schreibt" are headlines).
BLOG_NAME = re.compile(r"^(?:(?!(?:I|We|You|They|To)\s)[A-Z][\w.’'-]*\s+){0,3}(?i:blog)$")


@dataclass(frozen=True)
class TitleSources:
    """The titles a page declares for itself in its markup."""

    ld_headline: str | None  # JSON-LD ``headline``
    ld_name: str | None  # JSON-LD ``name``
    meta_title: str | None  # ``og:title`` or ``twitter:title``


def find_headline(
    doc: HtmlElement, sources: TitleSources, site: str | None, url: str | None
) -> str | None:
    """The headline of the page ``doc`` of ``site`` (its name), found at ``url``."""
    headline = first(
        lambda: _single_h1(doc, site),
        lambda: _uncut(sources.ld_headline, sources.meta_title),
        sources.ld_name,
        sources.meta_title,
        lambda: _titled_h1(doc, site),
        lambda: first_text(doc.xpath("//title")),
    )
    shown = _shown_part(headline, doc)
    return tidy_headline(_strip_site(_strip_site(shown, site), _domain_name(url)))


# What pages wrap around a headline: a date in front, "Posted on <date> by <name>" or a source
# domain behind, quote marks around it, a short section name after a pipe.
_LEADING_DATE = re.compile(
    r"^(?:[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}|\d{4}-\d{2}-\d{2})\s+(?=\S)"
)
_TRAILING_BYLINE = re.compile(r"\s+Posted (?:on|by) .*$")
_TRAILING_DOMAIN = re.compile(r"\s+\((?:[\w-]+\.)+[a-z]{2,}\)$")
_WRAPPING_QUOTES = re.compile(r'^(["“«])(.+)(["”»])$')
_QUOTE_MARK = re.compile(r'["“”«»]')
_SECTION_SUFFIX = re.compile(r"^(.+?\S(?:\s+\S+){2,}) \| [^|]{1,30}$")


def fold_marks(text: str) -> str:
    """Typographic quote marks as plain ones, for comparing only: "Beginner’s" and
    "Beginner's" are one headline, but a headline is stored as the page publishes it.
    (``str.replace`` runs in C; ``str.translate`` with a table looks up every character in
    Python, 0.7 ms a page.)"""
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def comparable(headline: str) -> str:
    """A headline as compared with another: marks folded, case folded."""
    return fold_marks(headline).casefold()


def tidy_headline(headline: str | None) -> str | None:
    """The headline without the furniture pages put around it (and with HTML entities that
    were escaped twice decoded). Its words and marks stay as published."""
    if not headline:
        return headline
    text = html.unescape(headline) if "&" in headline else headline
    for pattern in (_LEADING_DATE, _TRAILING_BYLINE, _TRAILING_DOMAIN):
        text = pattern.sub("", text)
    text = _WRAPPING_QUOTES.sub(
        lambda m: m.group(0) if _QUOTE_MARK.search(m.group(2)) else m.group(2), text
    )
    return _SECTION_SUFFIX.sub(r"\1", text).strip() or headline


def _uncut(headline: str | None, title: str | None) -> str | None:
    """A JSON-LD headline, or the page ``title`` it was cut from (search engines want at most
    110 characters, so some sites cut the headline mid-sentence)."""
    if headline and len(headline) >= CUT_HEADLINE and title and title.startswith(headline):
        return title
    return headline


def _domain_name(url: str | None) -> str | None:
    """The registered name in a URL's host: "promotions.shop.co.uk" -> "shop"."""
    labels = (urlsplit(url).hostname or "").split(".")[:-1] if url else []
    while labels and labels[-1] in GENERIC_LABELS:
        labels.pop()
    return labels[-1] if labels else None


def _shown_part(title: str | None, doc: HtmlElement) -> str | None:
    """The part of a "Headline | Section | Site" title that the page shows as a heading."""
    cuts = [match.start() for match in TITLE_SEPARATORS.finditer(title or "")]
    labels = [match.end() for match in LABEL_COLON.finditer(title or "")]
    if not title or not (cuts or labels):
        return title
    headings = {
        comparable(squash(heading.text_content()))
        for heading in doc.xpath("//body//h1 | //body//h2")[:MAX_HEADINGS]
    }
    parts = [title[:cut] for cut in reversed(cuts)] + TITLE_SEPARATORS.split(title)
    parts += [title[label:] for label in labels]
    return next((part for part in parts if comparable(part) in headings), title)


def _single_h1(doc: HtmlElement, site: str | None) -> str | None:
    """The page's only <h1>: what readers see as the headline (SEO titles often differ).

    Not when it is the site's name (a logo in an <h1>).
    """
    headings = doc.xpath("//body//h1")
    text = squash("".join(_text_with_breaks(headings[0]))) if len(headings) == 1 else ""
    if not text or _names_site(text, site):
        return None
    return text


def _titled_h1(doc: HtmlElement, site: str | None) -> str | None:
    """Of several <h1>s, the first that the page's <title> starts with (the others are logos
    and section names), else the first that is not the site's name."""
    title = comparable(first_text(doc.xpath("//title")) or "")
    texts = [text for text in (squash(h.text_content()) for h in doc.xpath("//body//h1")) if text]
    confirmed = (text for text in texts if title.startswith(comparable(text)))
    return next(confirmed, None) or next((t for t in texts if not _names_site(t, site)), None)


def _names_site(text: str, site: str | None) -> bool:
    """True when a heading's ``text`` is the site's name or a blog's."""
    return bool((site and site_key(text) == site_key(site)) or BLOG_NAME.match(text))


def _text_with_breaks(element: HtmlElement) -> Iterator[str]:
    """An element's text with a space for each ``<br>`` (a headline set on two lines)."""
    if element.tag == "br":
        yield " "
    yield element.text or ""
    for child in element:
        if isinstance(child.tag, str):  # not a comment
            yield from _text_with_breaks(child)
        yield child.tail or ""


def _strip_site(title: str | None, site: str | None) -> str | None:
    """Remove a " | Site" or "Site - " part from a title when it names the site."""
    if not title or not site:
        return title
    parts = TITLE_SEPARATORS.split(title)
    key = site_key(site)
    if len(parts) > 1 and site_key(parts[-1]) == key:
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    if len(parts) > 1 and site_key(parts[0]) == key:
        return parts[-1] if len(parts) == 2 else title
    return title


def site_key(name: str) -> str:
    """A site's name reduced for comparison: "www.Acme-News.com" and "Acme News" -> "acmenews"."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return re.sub(r"^(?:www)|(?:com|couk|org|net)$", "", key)
