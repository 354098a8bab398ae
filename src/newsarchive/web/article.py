"""The reader's article page: the stored body through the sanitiser, with its metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsarchive.models import Quote, StoredArticle
from newsarchive.render import byline, status_note, stored_article_json
from newsarchive.sanitize import LINK_REL, safe_url, sanitize_html
from newsarchive.web.markup import Markup, escape, href, join, render
from newsarchive.web.request import Page, Request, date_of

if TYPE_CHECKING:
    from newsarchive.store import Archive

ARTICLE = """<article class="story"{lang}>
<header>
{site}<h1>{headline}</h1>
{standfirst}<p class="byline">{byline}</p>
<p class="meta">{source} · saved {saved} · {words} words · <a href="/articles/{id}.json">JSON</a></p>
{note}</header>
<div class="body">
{body}
</div>
{quotes}</article>
"""
QUOTES = """<section class="quoted">
<h2>Quoted</h2>
<ul>
{items}</ul>
</section>
"""


def article_page(archive: Archive, _request: Request, article_id: str) -> Page:
    """One article: headline, byline, source, the sanitised body and its quotes."""
    stored = archive.get(int(article_id))
    article = stored.article
    body = render(
        ARTICLE,
        lang=render(' lang="{code}"', code=article.language) if article.language else "",
        site=render('<p class="site">{site}</p>\n', site=article.site) if article.site else "",
        headline=article.headline or "(no headline)",
        standfirst=_paragraph(article.standfirst, "standfirst"),
        byline=byline(article),
        source=_source_link(stored.url),
        saved=date_of(stored.saved_at),
        words=article.word_count,
        id=stored.id,
        note=_paragraph(status_note(stored.id, article.status, article.note), "note"),
        body=_body(stored),
        quotes=_quotes(article.quotes),
    )
    return Page(article.headline or stored.url, stored_article_json(stored), body)


def _paragraph(text: str | None, kind: str) -> Markup:
    return render('<p class="{kind}">{text}</p>\n', kind=kind, text=text) if text else Markup("")


def _source_link(url: str) -> Markup:
    """The article's address, a link when following it cannot run code."""
    if safe_url(url) is None:
        return escape(url)
    return render('<a href="{url}" rel="{rel}">original</a>', url=url, rel=LINK_REL)


def _body(stored: StoredArticle) -> Markup:
    """The stored HTML through the sanitiser; the text's paragraphs when there is no HTML."""
    if stored.article.html.strip():
        return Markup(sanitize_html(stored.article.html, stored.url))
    lines = [line for line in stored.article.text.split("\n") if line.strip()]
    return join(render("<p>{line}</p>\n", line=line) for line in lines)


def _quotes(quotes: list[Quote]) -> Markup:
    spoken = [quote for quote in quotes if quote.kind == "speech"]
    if not spoken:
        return Markup("")
    items = join(_quote_item(quote) for quote in spoken)
    return render(QUOTES, items=items)


def _quote_item(quote: Quote) -> Markup:
    if not quote.speaker:
        return render("<li>“{text}”</li>\n", text=quote.text)
    return render(
        '<li>“{text}” — <a href="{link}">{speaker}</a>{role}</li>\n',
        text=quote.text,
        link=href("/quotes", speaker=quote.speaker),
        speaker=quote.speaker,
        role=f", {quote.role}" if quote.role else "",
    )
