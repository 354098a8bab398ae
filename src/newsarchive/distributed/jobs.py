"""The queue itself: one procrastinate job per link, in the archive's PostgreSQL database.

A job's ``lock`` is its link's host, so procrastinate never runs two jobs of one host at once
and hands a free worker the oldest job of a host nobody is fetching from. Its
``queueing_lock`` is the normalised URL, so a link waits in the queue once however often it
is enqueued. A job ends ``succeeded`` when its link was archived (or found archived already)
and ``failed`` when it was recorded as failed (``newsarchive failures``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import procrastinate
import psycopg
from procrastinate.jobs import Status

from newsarchive.distributed.schema import connect, ensure_queue_schema, has_queue, require_archive
from newsarchive.engines.postgres import CONNECTION_SETTINGS
from newsarchive.importer import ImportOptions, Outcome, host_of
from newsarchive.importer.steps import already_archived, failed_before
from newsarchive.linklists import BadEntry, Entry, Link, Skipped
from newsarchive.store import Archive
from newsarchive.urls import normalize_url

QUEUE = "newsarchive-links"
TASK = "newsarchive.archive_link"
ENQUEUE_BATCH = 500  # links checked against the queue in one query


class DatabaseUnavailable(Exception):
    """The worker lost its connection to the archive's database in the middle of a job."""


# procrastinate's job states, every one, as ``newsarchive queue`` names them
STATES = {
    Status.TODO: "pending",
    Status.DOING: "running",
    Status.ABORTING: "running",  # no longer set by procrastinate 3, but in its enum
    Status.SUCCEEDED: "done",
    Status.FAILED: "failed",
    Status.CANCELLED: "failed",
    Status.ABORTED: "failed",
}


# A job whose worker lost its database connection goes back in the queue, to be tried
# again after 2, 4, 8 ... seconds: some 34 minutes in all before it ends failed.
RETRY_ON_LOST_DATABASE = procrastinate.RetryStrategy(
    max_attempts=10, exponential_wait=2, retry_exceptions=[DatabaseUnavailable]
)


class LinkFailed(Exception):
    """A job's link could not be archived; why is recorded in the archive's failures."""


# What a worker runs for one job: the job's arguments in, the link's Outcome out.
LinkRunner = Callable[..., Outcome]


def queue_app(location: str, runner: LinkRunner | None = None) -> procrastinate.App:
    """A procrastinate app on the database at ``location``; a worker passes the ``runner``
    its jobs call (enqueuing needs none). The pool stays small: a worker uses it only to
    take jobs, end them and send heartbeats."""
    connector = procrastinate.PsycopgConnector(
        conninfo=location, min_size=1, max_size=4, kwargs=CONNECTION_SETTINGS
    )
    app = procrastinate.App(connector=connector)

    def archive_link(**arguments: Any) -> str:
        if runner is None:
            raise RuntimeError("this app only enqueues links")
        outcome = runner(**arguments)
        if outcome.status == "failed":
            raise LinkFailed(outcome.reason)
        return outcome.status

    app.task(name=TASK, queue=QUEUE, retry=RETRY_ON_LOST_DATABASE)(archive_link)
    return app


@dataclass(frozen=True)
class QueuedLink:
    """A job's arguments: the link, and the pause its host gets after each request."""

    url: str
    delay: float
    refetch: bool = False
    line: int | None = None
    saved_at: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def link(self) -> Link:
        return Link(self.url, self.line, self.saved_at, self.tags)


def enqueue_links(
    location: str, archive: Archive, entries: Iterable[Entry], options: ImportOptions
) -> Iterator[Outcome]:
    """Queue one job per new link of ``entries``; yield each entry's Outcome (``queued``,
    ``skipped`` or ``invalid``). A link waiting or running in the queue, archived already
    or (without ``retry_failed``) failed for good is skipped, as ``import`` skips it. A
    database whose queue cannot be used is refused here, before ``entries`` is read."""
    ensure_queue_schema(location)
    return _enqueue_entries(location, archive, entries, options)


def _enqueue_entries(
    location: str, archive: Archive, entries: Iterable[Entry], options: ImportOptions
) -> Iterator[Outcome]:
    app = queue_app(location)
    with app.open(), connect(location) as conn:
        batch: list[Link] = []
        for entry in entries:
            if not isinstance(entry, Link):
                yield _not_a_link(entry)
                continue
            batch.append(entry)
            if len(batch) == ENQUEUE_BATCH:
                yield from _enqueue_batch(app, conn, archive, batch, options)
                batch = []
        yield from _enqueue_batch(app, conn, archive, batch, options)


def _not_a_link(entry: BadEntry | Skipped) -> Outcome:
    if isinstance(entry, BadEntry):
        return Outcome(entry.text, "invalid", entry.line, reason=entry.reason)
    return Outcome(entry.text, "skipped", reason=entry.reason)


def _enqueue_batch(
    app: procrastinate.App,
    conn: psycopg.Connection,
    archive: Archive,
    links: list[Link],
    options: ImportOptions,
) -> Iterator[Outcome]:
    waiting = _waiting(conn, [normalize_url(link.url) for link in links])
    for link in links:
        key = normalize_url(link.url)
        skipped = _skipped(archive, link, options, key in waiting)
        reason = None if skipped is not None else _defer(app, link, key, options)
        waiting.add(key)
        if skipped is not None:
            yield skipped
        else:
            status = "queued" if reason is None else "skipped"
            yield Outcome(link.url, status, link.line, reason=reason or "")


def _waiting(conn: psycopg.Connection, keys: list[str]) -> set[str]:
    """Which of these normalised URLs have a job waiting or running."""
    rows = conn.execute(
        "SELECT queueing_lock FROM procrastinate_jobs"
        " WHERE queueing_lock = ANY(%s) AND status IN ('todo', 'doing')",
        (keys,),
    )
    return {key for (key,) in rows}


def _skipped(archive: Archive, link: Link, options: ImportOptions, waiting: bool) -> Outcome | None:
    """Why ``link`` is not queued, as import says it (None: it is). ``waiting``: it is queued
    already. An archived link's save time and tags go to its article, as import gives them."""
    if waiting:
        return Outcome(link.url, "skipped", link.line, reason="in the queue already")
    if link.capture is not None:
        reason = "a web archive's page is imported without the queue"
        return Outcome(link.url, "skipped", link.line, reason=reason)
    retry = options.retry_failed or options.refetch
    return already_archived(archive, link, link.url, options.refetch) or failed_before(
        archive, link, retry
    )


def _defer(app: procrastinate.App, link: Link, key: str, options: ImportOptions) -> str | None:
    """Queue the link's job; None, or why it was not queued (another enqueue was first)."""
    job = QueuedLink(link.url, options.delay, options.refetch, link.line, link.saved_at, link.tags)
    deferrer = app.configure_task(TASK, lock=host_of(link.url), queueing_lock=key)
    try:
        deferrer.defer(**asdict(job))  # the tags tuple is stored as a JSON list
    except procrastinate.exceptions.AlreadyEnqueued:
        return "in the queue already"
    return None


@dataclass(frozen=True)
class HostCounts:
    """How many of a host's links wait, are being fetched, were archived, failed."""

    host: str
    pending: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0


def queue_counts(location: str) -> list[HostCounts]:
    """The queue's links by host and state, busiest hosts first; it only reads (an archive
    with no queue yet has an empty one)."""
    require_archive(location)
    with connect(location) as conn:
        if not has_queue(conn):
            return []
        rows = conn.execute(
            "SELECT lock, status::text, count(*) FROM procrastinate_jobs"
            " WHERE task_name = %s GROUP BY lock, status",
            (TASK,),
        ).fetchall()
    hosts: dict[str, dict[str, int]] = {}
    for host, status, count in rows:
        counts = hosts.setdefault(host or "", {})
        state = STATES[Status(status)]
        counts[state] = counts.get(state, 0) + count
    found = [HostCounts(host, **counts) for host, counts in hosts.items()]
    return sorted(found, key=lambda row: (-(row.pending + row.running), row.host))
