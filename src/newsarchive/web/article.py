"""The reader's article page, of the article as it is or as one of its versions was: the
stored body through the sanitiser, with its metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsarchive.history import History, VersionInfo, article_history, version_article
from newsarchive.models import Quote, StoredArticle
from newsarchive.render import byline, status_note, stored_article_json
from newsarchive.sanitize import LINK_REL, safe_url, sanitize_html
from newsarchive.web.history import past_section, version_of
from newsarchive.web.markup import Markup, csrf_field, escape, href, join, render
from newsarchive.web.request import Page, Request, date_of, moment_of, whole_number

if TYPE_CHECKING:
    from newsarchive.store import Archive

ARTICLE = """<article class="story"{lang}>
{notice}<header>
{site}<h1>{headline}</h1>
{standfirst}<p class="byline">{byline}</p>
<p class="meta">{source} · saved {saved} · {words} words · <a href="{json}">JSON</a></p>
{note}{tags}{user_note}</header>
<div class="body">
{body}
</div>
{quotes}{past}{edits}</article>
"""
EDITS = """<section class="edits" id="edit">
<h2>Your tags and note</h2>
<form class="inline" method="post" action="/articles/{id}/tags">{csrf}
<label>Add a tag <input name="add" autocomplete="off"></label> <button type="submit">Add</button>
</form>
{removals}<form method="post" action="/articles/{id}/note">{csrf}
<label for="note">Your note</label>
<textarea id="note" name="note" rows="4">{note}</textarea>
<button type="submit">Save note</button> <button type="submit" name="clear" value="1">Clear note</button>
</form>
<p><a class="danger" href="/articles/{id}/delete">Delete this article…</a></p>
</section>
"""
REMOVAL = """<form class="inline" method="post" action="/articles/{id}/tags">{csrf}
<input type="hidden" name="remove" value="{tag}"><button type="submit">Remove “{tag}”</button>
</form>
"""
QUOTES = """<section class="quoted">
<h2>Quoted</h2>
<ul>
{items}</ul>
</section>
"""
VERSION_BANNER = """<p class="banner" role="note">Version {number} of {count}{latest}, captured {when}.
{links}</p>
"""


def article_page(archive: Archive, request: Request, article_id: str, error: str = "") -> Page:
    """One article: headline, byline, source, tags, the user's note, the sanitised body, its
    quotes and (when it has more than one) its versions and captures; with edits allowed, the
    forms that change its tags and note or delete it. ``error``: why the form just sent
    changed nothing, shown above the article."""
    stored = archive.get(int(article_id))
    notice = render('<p class="alert" role="alert">{error}</p>\n', error=error) if error else ""
    body = _story(
        stored,
        article_history(archive, stored.id),
        notice=notice,
        json=f"/articles/{stored.id}.json",
        edits=edit_forms(stored, request.csrf) if request.csrf else "",
    )
    data = stored_article_json(stored, archive.capture_facts(stored.id))  # as show's JSON
    return Page(stored.article.headline or stored.url, data, body)


def version_page(archive: Archive, _request: Request, article_id: str, number: str) -> Page:
    """The article as it was in version ``number`` (``show ID --version N``), as the article's
    page shows it, under a banner naming the version and linking to the latest."""
    wanted = whole_number("version", number)
    stored = version_article(archive, int(article_id), wanted)
    history = article_history(archive, stored.id)
    version = version_of(history, wanted)
    body = _story(
        stored,
        history,
        notice=_banner(stored.id, version, len(history.versions)),
        json=f"/articles/{stored.id}/versions/{version.version}.json",
    )
    title = f"{stored.article.headline or stored.url} (version {version.version})"
    return Page(title, stored_article_json(stored), body)


def _banner(article_id: int, version: VersionInfo, count: int) -> Markup:
    newer = version.version < count
    links = [render('<a href="/articles/{id}">Read the latest version</a>', id=article_id)]
    if newer:
        link = href(f"/articles/{article_id}/diff", **{"from": version.version, "to": count})
        links.append(render('<a href="{link}">what changed since</a>', link=link))
    return render(
        VERSION_BANNER,
        number=version.version,
        count=count,
        latest="" if newer else " (the latest)",
        when=moment_of(version.created_at),
        links=join(links, " · "),
    )


def _story(
    stored: StoredArticle,
    history: History,
    notice: Markup | str,
    json: str,
    edits: Markup | str = "",
) -> Markup:
    """The article's page (its latest version or an earlier one): ``notice`` above it, links
    to its JSON at ``json``, its versions below, then ``edits``."""
    article = stored.article
    return render(
        ARTICLE,
        notice=notice,
        lang=render(' lang="{code}"', code=article.language) if article.language else "",
        site=render('<p class="site">{site}</p>\n', site=article.site) if article.site else "",
        headline=article.headline or "(no headline)",
        standfirst=_paragraph(article.standfirst, "standfirst"),
        byline=byline(article),
        source=_source_link(stored.url),
        saved=date_of(stored.saved_at),
        words=article.word_count,
        json=json,
        note=_paragraph(status_note(stored.id, article.status, article.note), "note"),
        tags=tag_links(stored.tags),
        user_note=user_note(stored.user_note),
        body=_body(stored),
        quotes=_quotes(article.quotes),
        past=past_section(history),
        edits=edits,
    )


def tag_links(tags: list[str]) -> Markup:
    """The tags, each a link to the list of the articles that carry it ("" for none)."""
    if not tags:
        return Markup("")
    links = join(
        (render('<a href="{link}">{tag}</a>', link=href("/", tag=tag), tag=tag) for tag in tags),
        " ",
    )
    return render('<p class="tags">Tags: {links}</p>\n', links=links)


def user_note(text: str | None) -> Markup:
    """The user's note, its lines kept ("" for none)."""
    return _paragraph(text, "user-note")


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


def edit_forms(stored: StoredArticle, token: str) -> Markup:
    """The forms that add and remove the article's tags, set or clear its note, and lead to
    deleting it; each carries the CSRF token."""
    csrf = csrf_field(token)
    removals = join(render(REMOVAL, id=stored.id, csrf=csrf, tag=tag) for tag in stored.tags)
    return render(EDITS, id=stored.id, csrf=csrf, removals=removals, note=stored.user_note or "")
