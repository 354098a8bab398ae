"""One link's steps, shared by the batch import (``import_links``) and the queue's workers
(``newsarchive.distributed``): fetch it, find it archived already, save what was extracted,
record why it failed. The callers decide when and where each step runs."""

from __future__ import annotations

import requests

from newsarchive.errors import ExtractionError, FetchError, InputError
from newsarchive.extract.status import MEANINGS, NO_TEXT, WITHOUT_TEXT
from newsarchive.importer.events import ImportOptions, Outcome
from newsarchive.linklists import Link
from newsarchive.models import Article, FetchResult
from newsarchive.pipeline import without_site_boilerplate
from newsarchive.store import Archive
from newsarchive.urls import normalize_url, redact_url


def fetch_link(
    link: Link, session: requests.Session, options: ImportOptions
) -> FetchResult | Exception:
    """Download ``link`` within the import's limits; what went wrong comes back as a value."""
    from newsarchive.fetch import fetch_url

    try:
        return fetch_url(
            link.url,
            session,
            deadline=options.timeout,
            retries=options.retries,
            backoff=max(options.delay, 0.5),
            max_retry_after=options.max_retry_after,
        )
    except (FetchError, InputError) as error:
        return error
    except Exception as error:  # whatever else breaks costs this link, never the import
        return FetchError(redact_url(link.url), f"{type(error).__name__}: {error}")


def archived_id(archive: Archive, url: str) -> int | None:
    """The id of the article archived for ``url``, if it holds the article's text: a page
    kept without it (no text, a wall) is fetched again."""
    found = archive.find_id(url)
    if found is None or archive.article_status(found) in WITHOUT_TEXT:
        return None
    return found


def redirected_to(link: Link, fetched: FetchResult) -> str | None:
    """The page a redirect took ``link`` to, when it is another page than the link's own."""
    final = fetched.final_url or link.url
    return final if normalize_url(final) != normalize_url(link.url) else None


def as_redirected(link: Link, url: str) -> str:
    """What a skip reason about ``url`` adds when ``url`` is where ``link`` was redirected."""
    return "" if url == link.url else f" as {url}"


def already_archived(archive: Archive, link: Link, url: str, refetch: bool) -> Outcome | None:
    """A skip outcome when the page at ``url`` (the link's own, or where a redirect took it)
    is archived with its text; the link's save time and tags go to that article. With
    ``refetch`` nothing is skipped."""
    found = None if refetch else archived_id(archive, url)
    if found is None:
        return None
    keep_export_metadata(archive, found, link)
    reason = f"already archived{as_redirected(link, url)}"
    return Outcome(link.url, "skipped", link.line, found, reason)


def failed_before(archive: Archive, link: Link, retry: bool) -> Outcome | None:
    """A skip outcome when ``link`` failed for good in an earlier import (a 404, a 410):
    fetching it again would fail again. ``retry`` (--retry-failed, --refetch) fetches it all
    the same."""
    reason = None if retry else archive.permanent_failure(link.url)
    if reason is None:
        return None
    why = f"failed before: {reason}; --retry-failed retries it"
    return Outcome(link.url, "skipped", link.line, reason=why, failed_before=True)


def save_extracted(
    archive: Archive, link: Link, fetched: FetchResult, article: Article | Exception
) -> Outcome:
    """Save an extracted page. One without the article's text, or whose extraction failed
    (``article`` is the error: a bug, a dead extraction process), is saved too, as a page
    without text that ``reextract`` can try again, and recorded failed: what was fetched is
    never thrown away."""
    crash = article if isinstance(article, Exception) else None
    read = Article(status=NO_TEXT) if crash is not None else article
    saved = archive.save(fetched, without_site_boilerplate(archive, read))
    keep_export_metadata(archive, saved.id, link)
    if crash is not None or read.status in WITHOUT_TEXT:
        why = str(crash) if crash is not None else f"{link.url}: {MEANINGS[read.status]}"
        reason = f"{why} (the page is kept as article {saved.id})"
        failed = record_failed(archive, link, ExtractionError(reason))
        return Outcome(link.url, "failed", link.line, saved.id, reason=failed.reason)
    status = "saved" if saved.created else "updated"
    changed = tuple(saved.changed)
    return Outcome(link.url, status, link.line, saved.id, changed=changed, version=saved.version)


def record_failed(archive: Archive, link: Link, error: BaseException) -> Outcome:
    """Record why ``link`` could not be archived (``newsarchive failures`` lists it)."""
    archive.record_failure(link.url, error)
    return Outcome(link.url, "failed", link.line, reason=str(error))


def keep_export_metadata(archive: Archive, article_id: int, link: Link) -> None:
    """Keep the save time and tags an exported list gave the link."""
    if link.saved_at or link.tags:
        archive.apply_export_metadata(article_id, link.saved_at, link.tags)
