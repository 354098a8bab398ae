"""The reader's pages: each reads the archive through the library and returns a ``Page``, its
JSON answer (the shapes ``--json`` prints) and its HTML. No HTTP here: see server.py.
"""

from __future__ import annotations

import re

from newsarchive.errors import InputError, NotFoundError, QueryError
from newsarchive.extract.status import STATUSES
from newsarchive.models import QuoteHit, SearchHit
from newsarchive.records import ArticleSummary
from newsarchive.render import highlighted, hit_details, records_json
from newsarchive.searching import LISTING_SORTS, search, search_quotes
from newsarchive.speakers import list_speakers
from newsarchive.store import MAX_INTEGER, Archive
from newsarchive.tags import list_tags, tag_name
from newsarchive.web.article import article_page, tag_links, user_note, version_page
from newsarchive.web.edits import ARTICLE_PATH, confirm_delete_page
from newsarchive.web.history import diff_page, history_page
from newsarchive.web.markup import Markup, escape, href, join, options, render
from newsarchive.web.request import Page, Request, Routes, date_of, error_page

ARTICLES_PER_PAGE = 50
HITS_PER_PAGE = 20
QUOTES_PER_PAGE = 50
SPEAKERS_SHOWN = 200
# Search and quotes find their first page-number x page-size results: past this page, a
# request would ask for more than anyone reads in a browser.
LAST_PAGE = 500


# ---- the archive list --------------------------------------------------------------------------

LIST_HEAD = """<h1>Articles</h1>
<form class="filters" action="/" method="get">
<label>Site <select name="site"><option value="">all sites</option>{sites}</select></label>
<label>Tag <select name="tag"><option value="">any tag</option>{tags}</select></label>
<label>Status <select name="status"><option value="">any status</option>{statuses}</select></label>
<button type="submit">Show</button>
</form>
"""
LIST_ITEM = """<li><a class="headline" href="/articles/{id}">{headline}</a>
<p class="meta">{site}{date} · {words} words{status}</p>
{tags}{note}</li>
"""


def list_page(archive: Archive, request: Request) -> Page:
    """The archive, most recently saved first, a page at a time, by site, tag and status."""
    site, status = request.text("site"), request.choice("status", STATUSES)
    tag = tag_name(request.params["tag"]) if request.text("tag") else None
    number = request.page_number()
    offset = min((number - 1) * ARTICLES_PER_PAGE, MAX_INTEGER)
    found = archive.list_articles(ARTICLES_PER_PAGE + 1, offset, site=site, status=status, tag=tag)
    shown = found[:ARTICLES_PER_PAGE]
    head = render(
        LIST_HEAD,
        sites=options([(name, name) for name in archive.sites()], site),
        tags=options([(t.name, f"{t.name} ({t.articles})") for t in list_tags(archive)], tag),
        statuses=options([(name, name) for name in STATUSES], status),
    )
    items = join(_summary_item(summary) for summary in shown)
    pager = _pager("/", request, number, len(found) > ARTICLES_PER_PAGE)
    body = head + _listing(items, "No articles here.") + pager
    return Page("Articles", records_json(shown), Markup(body))


def _summary_item(summary: ArticleSummary) -> Markup:
    site = (
        render(
            '<a href="{link}">{site}</a> · ', link=href("/", site=summary.site), site=summary.site
        )
        if summary.site
        else ""
    )
    status = (
        "" if summary.status == "ok" else render(' · <b class="status">{s}</b>', s=summary.status)
    )
    return render(
        LIST_ITEM,
        id=summary.id,
        headline=summary.headline or summary.url,
        site=site,
        date=date_of(summary.published) or "undated",
        words=summary.word_count,
        status=status,
        tags=tag_links(summary.tags),
        note=user_note(summary.user_note),
    )


def _listing(items: Markup, empty: str) -> Markup:
    if not items:
        return render('<p class="empty">{empty}</p>', empty=empty)
    return render('<ol class="results">\n{items}</ol>\n', items=items)


def _pager(path: str, request: Request, number: int, more: bool) -> Markup:
    """Links to the pages before and after this one, keeping the other parameters."""
    newest_first = path == "/"
    links = []
    if number > 1:
        links.append(("prev", "← newer" if newest_first else "← previous", number - 1))
    if more:
        links.append(("next", "older →" if newest_first else "next →", number + 1))
    if not links:
        return Markup("")
    anchors = join(
        render(
            '<a rel="{rel}" href="{link}">{label}</a> ',
            rel=rel,
            link=href(path, **{**request.params, "page": page}),
            label=label,
        )
        for rel, label, page in links
    )
    return render('<nav class="pager">{anchors}</nav>\n', anchors=anchors)


# ---- search ------------------------------------------------------------------------------------

SEARCH_HEAD = """<h1>Search</h1>
<form class="filters" action="/search" method="get">
<input type="search" name="q" value="{query}" aria-label="Query" placeholder='words "a phrase" site:name -word'>
<label>Sort <select name="sort">{sorts}</select></label>
<button type="submit">Search</button>
</form>
"""
HIT_ITEM = """<li><a class="headline" href="/articles/{id}">{headline}</a>
<p class="meta">{details}</p>
<p class="snippet">{snippet}</p>{also}</li>
"""


def search_page(archive: Archive, request: Request) -> Page:
    """Ranked search with the query language of ``newsarchive search``, matched words marked."""
    query = request.text("q")
    sort = request.choice("sort", tuple(LISTING_SORTS), "rank")
    number = request.page_number(LAST_PAGE)
    found = search(archive, query, sort=sort, limit=number * HITS_PER_PAGE + 1) if query else []
    shown = found[(number - 1) * HITS_PER_PAGE : number * HITS_PER_PAGE]
    head = render(
        SEARCH_HEAD, query=query or "", sorts=options([(s, s) for s in LISTING_SORTS], sort)
    )
    items = join(_hit_item(hit) for hit in shown)
    empty = f"No articles match {query!r}." if query else "Type words to look for."
    pager = _pager("/search", request, number, len(found) > number * HITS_PER_PAGE)
    body = head + _listing(items, empty) + pager
    title = f"Search: {query}" if query else "Search"
    return Page(title, records_json(shown), Markup(body), query=query or "")


def _hit_item(hit: SearchHit) -> Markup:
    details = hit_details(hit)
    marked = highlighted(hit.snippet, hit.highlights, _mark, plain=escape)
    also = (
        render('\n<p class="also">also on: {sites}</p>', sites=", ".join(hit.also_on))
        if hit.also_on
        else ""
    )
    return render(
        HIT_ITEM,
        id=hit.id,
        headline=hit.headline or hit.url,
        details=" · ".join(details),
        snippet=Markup(marked),
        also=also,
    )


def _mark(text: str) -> str:
    """A matched word, already escaped, marked."""
    return f"<mark>{text}</mark>"


# ---- quotes and speakers -----------------------------------------------------------------------

QUOTES_HEAD = """<h1>{title}</h1>
<form class="filters" action="/quotes" method="get">
<input type="search" name="q" value="{query}" aria-label="Words of the quote" placeholder="words of the quote">
<input type="search" name="speaker" value="{speaker}" aria-label="Speaker" placeholder="speaker">
<button type="submit">Find quotes</button>
</form>
"""
QUOTE_ITEM = """<li><blockquote>{text}</blockquote>
<p class="meta">{said_by}<a href="/articles/{article_id}">{headline}</a>{date}</p></li>
"""


def quotes_page(archive: Archive, request: Request) -> Page:
    """Quotations, by words and by speaker, as ``newsarchive quotes`` finds them."""
    query, speaker = request.text("q"), request.text("speaker")
    number = request.page_number(LAST_PAGE)
    found = search_quotes(
        archive,
        query,
        speaker=speaker,
        include_terms=request.text("all") is not None,
        limit=number * QUOTES_PER_PAGE + 1,
    )
    shown = found[(number - 1) * QUOTES_PER_PAGE : number * QUOTES_PER_PAGE]
    title = f"Quotes by {speaker}" if speaker else "Quotes"
    head = render(QUOTES_HEAD, title=title, query=query or "", speaker=speaker or "")
    items = join(_quote_item(hit) for hit in shown)
    pager = _pager("/quotes", request, number, len(found) > number * QUOTES_PER_PAGE)
    body = head + _listing(items, "No quotes match.") + pager
    return Page(title, records_json(shown), Markup(body))


def _quote_item(hit: QuoteHit) -> Markup:
    speaker = (
        render(
            '<a href="{link}">{name}</a>',
            link=href("/quotes", speaker=hit.speaker),
            name=hit.speaker,
        )
        if hit.speaker
        else ""
    )
    role = render(", {role}", role=hit.role) if hit.role else ""
    kind = "" if hit.kind == "speech" else render(" [{kind}]", kind=hit.kind)
    said_by = render("— {speaker}{role}{kind} · ", speaker=speaker, role=role, kind=kind)
    published = date_of(hit.published)
    return render(
        QUOTE_ITEM,
        text=hit.text,
        said_by=said_by if speaker or role or kind else "",
        article_id=hit.article_id,
        headline=hit.headline or hit.url,
        date=f" ({published})" if published else "",
    )


SPEAKERS_HEAD = """<h1>Speakers</h1>
<form class="filters" action="/speakers" method="get">
<input type="search" name="q" value="{query}" aria-label="Name" placeholder="a word of the name">
<button type="submit">Find</button>
</form>
"""
SPEAKER_ROW = """<tr><td><a href="{link}">{name}</a></td><td class="n">{quotes}</td><td class="n">{articles}</td></tr>
"""


def speakers_page(archive: Archive, request: Request) -> Page:
    """The people and organisations quoted, most quoted first, each linking to their quotes."""
    query = request.text("q")
    found = list_speakers(archive, query, limit=SPEAKERS_SHOWN)
    rows = join(
        render(SPEAKER_ROW, link=href("/quotes", speaker=speaker.name), **vars(speaker))
        for speaker in found
    )
    table = _counts(("speaker", "quotes", "articles"), rows, "No speakers match.")
    body = render(SPEAKERS_HEAD, query=query or "") + table
    return Page("Speakers", records_json(found), Markup(body))


TAG_ROW = """<tr><td><a href="{link}">{name}</a></td><td class="n">{articles}</td></tr>
"""


def tags_page(archive: Archive, _request: Request) -> Page:
    """The tags, most used first, each linking to the list of its articles."""
    found = list_tags(archive)
    rows = join(render(TAG_ROW, link=href("/", tag=tag.name), **vars(tag)) for tag in found)
    empty = "No tags yet: add some with newsarchive tag ID +name, or here with --allow-edits."
    body = render("<h1>Tags</h1>\n") + _counts(("tag", "articles"), rows, empty)
    return Page("Tags", records_json(found), Markup(body))


def _counts(headings: tuple[str, ...], rows: Markup, empty: str) -> Markup:
    """A table of names and their counts (the first column the name), or ``empty``."""
    if not rows:
        return render('<p class="empty">{empty}</p>', empty=empty)
    cells = join(
        render("<th{n}>{heading}</th>", n=Markup(' class="n"') if i else "", heading=heading)
        for i, heading in enumerate(headings)
    )
    return render(
        '<table class="counts"><thead><tr>{cells}</tr></thead>\n<tbody>\n{rows}</tbody></table>\n',
        cells=cells,
        rows=rows,
    )


# Path patterns (without a ".json" suffix) and their pages.
ROUTES: Routes = [
    (re.compile(r"/(?:articles)?"), list_page),
    (re.compile(ARTICLE_PATH), article_page),
    (re.compile(ARTICLE_PATH + "/delete"), confirm_delete_page),
    (re.compile(ARTICLE_PATH + "/history"), history_page),
    (re.compile(ARTICLE_PATH + "/versions/([^/]+)"), version_page),
    (re.compile(ARTICLE_PATH + "/diff"), diff_page),
    (re.compile(r"/search"), search_page),
    (re.compile(r"/quotes"), quotes_page),
    (re.compile(r"/speakers"), speakers_page),
    (re.compile(r"/tags"), tags_page),
]


def answer(archive: Archive, path: str, request: Request, routes: Routes) -> Page:
    """The page (or form) at ``path`` of ``routes``: a 404 page for no such page or article, a
    400 page for a query or a parameter that cannot mean anything."""
    for pattern, handler in routes:
        found = pattern.fullmatch(path)
        if found:
            try:
                return handler(archive, request, *found.groups())
            except NotFoundError as error:
                return error_page(404, str(error))
            except (InputError, QueryError) as error:
                return error_page(400, str(error))
    return error_page(404, f"{path}: no such page")
