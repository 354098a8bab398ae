"""What kind of capture a page is: a whole article, a paywall stub, an index page, a wall.

``ok``: the article. ``partial``: a paywall or registration stub, or a truncated body.
``not_article``: a home, section or listing page. ``blocked``: a cookie wall, bot check or
CAPTCHA stood where the page should be; ``no_text``: no article text was found at all (the
capture is kept so a later extractor can try again). The signals are structured data
(``isAccessibleForFree``, ``og:type``), the amount of text against the page, and phrases such
walls use; a long article that merely mentions cookies stays ``ok``.

A wall is judged by what its reader sees, the title and the visible text: the raw page of a
real article also names captchas and challenges, in a comment form's reCAPTCHA script, a
style sheet's ``captcha-wrap`` class or a bot-check vendor's script URL.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # this module is light (the CLI reads the statuses' meanings from it)
    from lxml import etree

    from newsarchive.models import Article

OK, PARTIAL, NOT_ARTICLE, BLOCKED, NO_TEXT = "ok", "partial", "not_article", "blocked", "no_text"
STATUSES = (OK, PARTIAL, NOT_ARTICLE, BLOCKED, NO_TEXT)
WITHOUT_TEXT = (BLOCKED, NO_TEXT)  # captures that hold no article for a reader
# What each status tells the user about a capture (add, import, show).
MEANINGS = {
    PARTIAL: "a paywall or registration stub: the article is cut short",
    NOT_ARTICLE: "a home, section or listing page, not an article",
    BLOCKED: "blocked by a cookie wall or bot check; save the page from your browser and add"
    " the file",
    NO_TEXT: "no article text found",
}

SHORT_WORDS = 150  # a wall or stub leaves at most this much text
STUB_WORDS = 350  # a paywalled article shows at most a few paragraphs
INDEX_WORDS = 250
SCAN_CHARS = 400_000  # markers sit in the head or the first screens of the page
SCAN_TAIL = 3_000  # characters at the end of the text where a paywall prompt stands

_CHALLENGE_VERBS = ("complete", "solve", "pass")  # "... the security check", "... the captcha"
# What a bot check tells its reader. "captcha" alone counts only in the title: under a real
# article a comment form says "protected by reCAPTCHA" or labels its "Captcha" field.
_CHECK_PHRASES = (
    r"are you a robot",
    r"not a robot",
    r"verify (?:that )?you are (?:a )?human",
    r"confirm you are (?:a )?human",
    r"checking your browser",
    r"checking if the site connection is secure",
    r"just a moment\.\.\.",
    r"unusual traffic from your",
    r"enable javascript and cookies to continue",
    r"access to this page has been denied",
    r"pardon our interruption",
    *(rf"{verb} the (?:security check|captcha|recaptcha|challenge)" for verb in _CHALLENGE_VERBS),
    r"review the security of your connection",
)
_CHECK_TEXT = "|".join(_CHECK_PHRASES)
_CHECK_TITLE = re.compile(rf"captcha|{_CHECK_TEXT}")
_CHECK_VISIBLE = re.compile(_CHECK_TEXT)
# Any of them anywhere in the raw page: a fast test that rules out almost every page before
# the visible text is read. Patterns above are lower case, matched against lower-cased text.
_BOT_CHECK = re.compile(_CHECK_TITLE.pattern, re.IGNORECASE)
# The same, on lower-cased text, one phrase at a time: a pattern starting with a literal skips
# ahead to it in C, while their alternation tries every phrase at every character (3x slower).
_BOT_CHECK_LOWER = tuple(re.compile(phrase) for phrase in ("captcha", *_CHECK_PHRASES))
# Characters that match a letter of the patterns under re.IGNORECASE but lower-case to another.
_ODD_CASE = ("\u0131", "\u017f", "\u0130")  # dotless i, long s, dotted capital I
_CONSENT_WALL = re.compile(
    r"before you continue to|we value your privacy|(accept|reject) (all )?cookies"
    r"|cookie (settings|preferences|consent)|consent to (the use of )?cookies"
    r"|zustimmung|alle akzeptieren|tout accepter|aceptar (todas|cookies)",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"subscribe (now )?to (continue|read|keep reading)|to continue reading"
    r"|(article|story|content) is (only )?(available|reserved) (only )?(for|to) (subscribers|members)"
    r"|already a subscriber\?|sign in to (continue|read)|log in to (continue|read)"
    r"|for subscribers only|this is a premium (article|story)|weiterlesen mit|jetzt abonnieren"
    r"|réservé aux abonnés|exclusivo para (suscriptores|suscriptoras)",
    re.IGNORECASE,
)
_NOT_FREE = re.compile(r'"isAccessibleForFree"\s*:\s*"?(false|no)\b', re.IGNORECASE)
_OG_WEBSITE = re.compile(
    r"<meta[^>]+property=[\"']og:type[\"'][^>]+content=[\"']website[\"']", re.IGNORECASE
)
_ARTICLE_JSON_LD = re.compile(r'"@type"\s*:\s*"(News|Reportage|Analysis)?Article"|"BlogPosting"')


def assess_status(html: str, article: Article, url: str | None = None) -> str:
    """Classify a capture from its page and what was extracted from it."""
    head = html[:SCAN_CHARS]
    words = article.word_count
    if words < SHORT_WORDS and (
        _shows_bot_check(head) or _CONSENT_WALL.search(article.text[:SCAN_CHARS])
    ):
        return BLOCKED
    if _is_stub(head, article, words):
        return PARTIAL
    if _is_index(head, url, words):
        return NOT_ARTICLE
    return OK


def blocked_page(html: str) -> bool:
    """Whether a page with no article text is a bot check or consent wall, by what it shows."""
    head = html[:SCAN_CHARS]
    if not (_is_bot_check(head) or _CONSENT_WALL.search(head)):
        return False
    title, text = _reader_view(head)
    return _is_check_shown(title, text) or bool(_CONSENT_WALL.search(f"{title} {text}"))


def _shows_bot_check(head: str) -> bool:
    """Whether the page's title or visible text is a bot check's."""
    return _is_bot_check(head) and _is_check_shown(*_reader_view(head))


def _is_check_shown(title: str, text: str) -> bool:
    return bool(_CHECK_TITLE.search(title) or _CHECK_VISIBLE.search(text))


def _reader_view(head: str) -> tuple[str, str]:
    """The page's title and visible text, lower-cased with whitespace collapsed. Parsed again
    only for the few pages whose raw markup names a wall at all."""
    from newsarchive.extract.readable import parse

    doc = parse(head)
    title = doc.findtext(".//title") or ""
    text = " ".join(_visible_text()(doc))
    return " ".join(title.split()).lower(), " ".join(text.split()).lower()


@functools.cache
def _visible_text() -> etree.XPath:
    """The text a reader sees: not scripts, styles, templates or hidden elements (comments
    and attribute values are no text nodes)."""
    from lxml import etree

    return etree.XPath(
        "//body//text()[not(ancestor::script or ancestor::style or ancestor::template"
        " or ancestor::*[@hidden])]",
        smart_strings=False,
    )


def _is_bot_check(head: str) -> bool:
    """``_BOT_CHECK.search(head)``, several times faster: a case-insensitive regex tests every
    character's case, a plain one on the lower-cased page skips ahead in C."""
    if any(odd in head for odd in _ODD_CASE):
        return _BOT_CHECK.search(head) is not None
    lowered = head.lower()
    return any(phrase.search(lowered) for phrase in _BOT_CHECK_LOWER)


def _is_stub(head: str, article: Article, words: int) -> bool:
    if words >= STUB_WORDS:
        return False
    ending = article.text[-SCAN_TAIL:]  # the last paragraphs, where a paywall cuts in
    removed = " ".join(block.text for block in article.removed)[:SCAN_CHARS]
    return bool(_NOT_FREE.search(head) or _PAYWALL.search(ending) or _PAYWALL.search(removed))


def _is_index(head: str, url: str | None, words: int) -> bool:
    if url and urlsplit(url).path.strip("/") == "" and not urlsplit(url).query:
        return True
    return (
        words < INDEX_WORDS and bool(_OG_WEBSITE.search(head)) and not _ARTICLE_JSON_LD.search(head)
    )
