"""Plain-text articles: headline on the first line, maybe a standfirst, then the paragraphs."""

from __future__ import annotations

from dataclasses import replace

from newsarchive.errors import ExtractionError
from newsarchive.extract.budget import TIME_UP_NOTE, TimeUp
from newsarchive.extract.clean import paragraphs_html
from newsarchive.extract.quotes import find_quotes
from newsarchive.extract.rules import clean_paragraphs, line_rule, normalise
from newsarchive.extract.status import PARTIAL
from newsarchive.models import Article

STANDFIRST_MAX = 300
SENTENCE_ENDINGS = (".", "!", "?", ".”", '."', "?”", "!”", ".’")


def extract_text_article(text: str, url: str | None = None) -> Article:
    """Turn a plain-text article into an Article, dropping the boilerplate it carries."""
    lines = [normalise(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    headline = lines.pop(0) if lines else None
    standfirst = lines.pop(0) if lines and _is_standfirst(lines[0]) else None
    paragraphs, removed = clean_paragraphs(lines)
    if not paragraphs:
        raise ExtractionError(f"{url or 'page'}: no article text found")
    article = Article(
        headline=headline,
        standfirst=standfirst,
        canonical_url=url,
        text="\n".join(paragraphs),
        html=paragraphs_html(paragraphs),
        removed=removed,
    )
    try:
        quotes = find_quotes([standfirst, *paragraphs] if standfirst else paragraphs)
    except TimeUp:  # the time budget ran out (budget.py): the text is kept
        return replace(article, status=PARTIAL, note=f"{TIME_UP_NOTE}, while finding quotes")
    return replace(article, quotes=quotes)


def _is_standfirst(line: str) -> bool:
    """A short line that does not end like a body paragraph and is not itself boilerplate."""
    return (
        len(line) < STANDFIRST_MAX
        and not line.endswith(SENTENCE_ENDINGS)
        and line_rule(line) is None
    )
