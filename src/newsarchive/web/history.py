"""The reader's pages of an article's past: its history (versions, captures, fetches) and
what changed between two versions. They read what ``history`` and ``diff`` read
(newsarchive.history) and answer the same JSON; the changes are the HTML ``diff --format
html`` writes (versionview.changes_html), every text from a page escaped there.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from newsarchive.history import (
    CaptureInfo,
    Fetch,
    History,
    VersionInfo,
    article_history,
    compare_versions,
)
from newsarchive.versionview import changes_html, fetch_outcome, history_counts
from newsarchive.web.markup import Markup, href, join, options, render
from newsarchive.web.request import Page, Request, moment_of

if TYPE_CHECKING:
    from newsarchive.store import Archive

PAST = """<section class="past" id="versions">
<h2>Versions and captures</h2>
{lists}<p class="meta">{counts} · <a href="/articles/{id}/history">every fetch</a></p>
</section>
"""
LISTS = """<h3>Versions</h3>
<ol class="versions">
{versions}</ol>
<h3>Captures</h3>
<ul class="captures">
{captures}</ul>
"""
VERSION_ITEM = """<li><a href="/articles/{id}/versions/{number}">Version {number}</a> · {when} · {what}{diff}
<span class="headline">{headline}</span></li>
"""
CAPTURE_ITEM = """<li>Capture {id} · {when} · HTTP {http} · {status} · {size:,} B{again}</li>
"""
HISTORY = """<h1>History of <a href="/articles/{id}">{headline}</a></h1>
<p class="meta">{url} · {counts} · <a href="/articles/{id}/history.json">JSON</a></p>
{lists}<h3>Fetches</h3>
<ol class="fetches">
{fetches}</ol>
"""
FETCH_ITEM = """<li>{when} · capture {capture} · HTTP {http} · {status} · {outcome}</li>
"""
DIFF = """<h1>What changed in <a href="/articles/{id}">{headline}</a></h1>
<form class="filters" action="/articles/{id}/diff" method="get">
<label>From <select name="from">{olds}</select></label>
<label>to <select name="to">{news}</select></label>
<button type="submit">Compare</button>
</form>
<p class="meta"><a href="/articles/{id}/versions/{old}">Version {old}</a> ({old_when}) →
<a href="/articles/{id}/versions/{new}">version {new}</a> ({new_when})
· <a href="/articles/{id}/history">history</a> · <a href="{json}">JSON</a></p>
{changes}
"""


def history_page(archive: Archive, _request: Request, article_id: str) -> Page:
    """Every version, capture and fetch of the article, oldest first (``history --json``)."""
    history = article_history(archive, article_id)
    changes = {version.version: version.changed for version in history.versions}
    body = render(
        HISTORY,
        id=history.id,
        headline=_headline(history),
        url=history.url,
        counts=history_counts(history),
        lists=_lists(history),
        fetches=join(_fetch_item(fetch, changes) for fetch in history.fetches),
    )
    return Page(f"History: {_headline(history)}", asdict(history), body)


def diff_page(archive: Archive, request: Request, article_id: str) -> Page:
    """What changed from version ``from`` to version ``to`` (``diff ID [FROM [TO]]``: by
    default the version before the latest to the latest), the most telling changes first."""
    old, new = request.version("from"), request.version("to")
    diff = compare_versions(archive, article_id, old, new)
    history = article_history(archive, diff.article_id)
    numbers = [(str(version.version), f"version {version.version}") for version in history.versions]
    body = render(
        DIFF,
        id=diff.article_id,
        headline=_headline(history),
        olds=options(numbers, str(diff.old_version)),
        news=options(numbers, str(diff.new_version)),
        old=diff.old_version,
        new=diff.new_version,
        old_when=_created(history, diff.old_version),
        new_when=_created(history, diff.new_version),
        json=href(f"/articles/{diff.article_id}/diff.json", **{"from": old, "to": new}),
        changes=Markup(changes_html(diff)),
    )
    title = f"Changes: {_headline(history)}"
    return Page(title, asdict(diff), body)


def past_section(history: History) -> Markup:
    """The article page's list of its versions and captures, when it has more than one of
    either ("" otherwise)."""
    if len(history.versions) <= 1 and len(history.captures) <= 1:
        return Markup("")
    return render(PAST, lists=_lists(history), counts=history_counts(history), id=history.id)


def version_of(history: History, number: int) -> VersionInfo:
    """The version with this number (one the history holds)."""
    return next(version for version in history.versions if version.version == number)


def _lists(history: History) -> Markup:
    versions = join(_version_item(history.id, version) for version in history.versions)
    captures = join(_capture_item(capture) for capture in history.captures)
    return render(LISTS, versions=versions, captures=captures)


def _version_item(article_id: int, version: VersionInfo) -> Markup:
    number = version.version
    diff = (
        render(
            ' · <a href="{link}">what changed</a>',
            link=href(f"/articles/{article_id}/diff", **{"from": number - 1, "to": number}),
        )
        if number > 1
        else ""
    )
    return render(
        VERSION_ITEM,
        id=article_id,
        number=number,
        when=moment_of(version.created_at),
        what=_what_changed(version),
        diff=diff,
        headline=version.headline or "(no headline)",
    )


def _what_changed(version: VersionInfo) -> str:
    if version.version == 1:
        return "first version"
    return f"{', '.join(version.changed)} changed" if version.changed else "no field changed"


def _capture_item(capture: CaptureInfo) -> Markup:
    times = len(capture.seen_again)
    again = f" · fetched again {times} time{'s' if times > 1 else ''}" if times else ""
    return render(
        CAPTURE_ITEM,
        id=capture.id,
        when=moment_of(capture.fetched_at),
        http=capture.http_status or "-",
        status=capture.status,
        size=capture.raw_size,
        again=again,
    )


def _fetch_item(fetch: Fetch, changes: dict[int, list[str]]) -> Markup:
    return render(
        FETCH_ITEM,
        when=moment_of(fetch.fetched_at),
        capture=fetch.capture_id,
        http=fetch.http_status or "-",
        status=fetch.status,
        outcome=fetch_outcome(fetch, changes),
    )


def _headline(history: History) -> str:
    """The latest version's headline (the article's own), or its address."""
    return history.versions[-1].headline or history.url if history.versions else history.url


def _created(history: History, number: int) -> Markup:
    return moment_of(version_of(history, number).created_at)
