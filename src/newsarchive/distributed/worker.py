"""A worker: takes the queue's jobs, fetches politely, extracts and saves, on any machine.

Each job runs in a thread of its own (``concurrency`` at once), with its own HTTP session and
database connections. Every worker sends a heartbeat every HEARTBEAT_SECONDS; a worker
silent for ``stalled_after`` seconds (this worker's judgement of the others) is presumed dead (killed, its machine gone) and any worker puts its running jobs back
in the queue, where another takes them: a job found archived already (its worker died after
saving) ends at once. SIGTERM or Ctrl-C stops taking jobs and lets running ones finish.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import procrastinate
import psycopg
import requests
from psycopg_pool import PoolTimeout

from newsarchive.distributed.hosts import LEASE_MARGIN, host_turn
from newsarchive.distributed.jobs import (
    QUEUE,
    DatabaseUnavailable,
    LinkFailed,
    QueuedLink,
    queue_app,
)
from newsarchive.distributed.schema import ensure_queue_schema, require_archive
from newsarchive.engines.postgres import connection_pool
from newsarchive.errors import ArchiveError, InputError, WorkerPresumedDead
from newsarchive.importer import ImportOptions, Outcome, host_of
from newsarchive.importer.hosts import rate_limited
from newsarchive.importer.pool import extract_job
from newsarchive.importer.steps import (
    already_archived,
    fetch_link,
    record_failed,
    redirected_to,
    save_extracted,
)
from newsarchive.models import Article, FetchResult
from newsarchive.store import Archive, open_archive

log = logging.getLogger(__name__)

# procrastinate wakes idle workers when a job is queued, not when a job ends: a host's next
# job (held back while its previous one ran) is only seen at the next poll. Polling well
# within a host's pause keeps the host busy; a poll is one indexed query.
JOB_POLL_SECONDS = 0.2
# The jobs of workers silent for longer than ``seconds`` go back in the queue, through
# procrastinate's own retry function. One statement finds and retries them, with their rows
# locked: workers doing this at once cannot put back a job another worker has taken since
# (procrastinate's get_stalled_jobs and retry_job, two steps, could).
RETRY_STALLED = """
WITH stalled AS (
    SELECT job.id
      FROM procrastinate_jobs AS job
      LEFT JOIN procrastinate_workers AS worker ON worker.id = job.worker_id
     WHERE job.status = 'doing' AND job.queue_name = %(queue)s
       AND (worker.id IS NULL
            OR worker.last_heartbeat < now() - make_interval(secs => %(seconds)s))
       FOR UPDATE OF job SKIP LOCKED
)
SELECT id, procrastinate_retry_job_v2(id, now(), NULL, NULL, NULL) FROM stalled
"""


# Seconds between a worker's heartbeats: the same for every worker, whatever its
# ``stalled_after``, since each judges the others' heartbeats by its own ``stalled_after``.
HEARTBEAT_SECONDS = 2.0
# No worker presumes another dead before it missed this many heartbeats.
MIN_STALLED_AFTER = 3 * HEARTBEAT_SECONDS


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs: jobs at once, when a silent worker is presumed dead (seconds, at
    least MIN_STALLED_AFTER), and the fetch limits (``fetch``: retries, timeout, Retry-After
    cap; the pause comes with each job)."""

    concurrency: int = 8
    stalled_after: float = 30.0
    fetch: ImportOptions = field(default_factory=ImportOptions)

    def __post_init__(self) -> None:
        if self.stalled_after < MIN_STALLED_AFTER:
            raise InputError(
                f"stalled after {self.stalled_after:g} s: at least {MIN_STALLED_AFTER:g} s,"
                f" three heartbeats of {HEARTBEAT_SECONDS:g} s"
            )


def run_worker(location: str, options: WorkerOptions | None = None) -> None:
    """Work on the queue in the archive at ``location`` (a ``postgresql://`` URL) until
    SIGTERM or Ctrl-C. A database without an archive, or with one from a newer newsarchive,
    is refused before any job is taken."""
    options = options or WorkerOptions()
    require_archive(location)
    ensure_queue_schema(location)
    links = _LinkWorker(location, options.fetch)
    logging.getLogger("procrastinate.worker").addFilter(_without_link_failures)
    try:
        asyncio.run(_serve(queue_app(location, links.archive), options))
    finally:
        links.close()


async def _serve(app: procrastinate.App, options: WorkerOptions) -> None:
    executor = ThreadPoolExecutor(options.concurrency, thread_name_prefix="newsarchive-job")
    asyncio.get_running_loop().set_default_executor(executor)  # where sync jobs run
    async with app.open_async():
        retrier = asyncio.create_task(_retry_stalled_jobs(app, options))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=options.concurrency,
                fetch_job_polling_interval=JOB_POLL_SECONDS,
                update_heartbeat_interval=HEARTBEAT_SECONDS,
                stalled_worker_timeout=options.stalled_after,
            )
        except procrastinate.exceptions.ConnectorException as error:
            if isinstance(error.__cause__, psycopg.errors.ForeignKeyViolation):
                raise WorkerPresumedDead(
                    "this worker was silent too long and presumed dead by another, which gave"
                    " its links to the others; start it again"
                ) from error
            raise
        finally:
            retrier.cancel()


async def _retry_stalled_jobs(app: procrastinate.App, options: WorkerOptions) -> None:
    """Put the running jobs of workers presumed dead back in the queue, now and then."""
    while True:
        try:
            stalled = await app.connector.execute_query_all_async(
                query=RETRY_STALLED, queue=QUEUE, seconds=options.stalled_after
            )
        except procrastinate.exceptions.ConnectorException as error:  # try again next time
            log.warning("could not look for the jobs of silent workers: %s", error.__cause__)
            stalled = []
        for job in stalled:
            log.warning("job %s of a silent worker goes back in the queue", job["id"])
        await asyncio.sleep(HEARTBEAT_SECONDS)


def _without_link_failures(record: logging.LogRecord) -> bool:
    """A link that failed is recorded in the archive (and logged by us): procrastinate need
    not print its traceback."""
    error = record.exc_info[1] if record.exc_info else None
    return not isinstance(error, LinkFailed)


class _LinkWorker:
    """What one job does. Each job thread has its own HTTP session; the archive and the host
    turns take their connections from one pool, for a step at a time, and the pool replaces
    any connection the server dropped."""

    def __init__(self, location: str, options: ImportOptions) -> None:
        self.location = location
        self.options = options
        self.pool = connection_pool(location)
        self.local = threading.local()
        self.sessions: list[requests.Session] = []
        self.lock = threading.Lock()

    def archive(self, **arguments: Any) -> Outcome:
        """Archive one job's link (the arguments ``enqueue_links`` gave it). A lost database
        connection puts the job back in the queue (DatabaseUnavailable); any other error is
        recorded as the link's failure."""
        job = QueuedLink(**{**arguments, "tags": tuple(arguments.get("tags") or ())})
        try:
            outcome = self._archive(job)
        except Exception as error:
            if _connection_lost(error):
                raise DatabaseUnavailable(str(error)) from error
            with self._opened() as archive:
                outcome = record_failed(archive, job.link, error)
        log.info("%s", outcome.status, extra={"outcome": outcome})
        return outcome

    def _opened(self) -> Archive:
        return open_archive(self.location, pool=self.pool)

    def _archive(self, job: QueuedLink) -> Outcome:
        result = self._fetch(job)
        if isinstance(result, Outcome):
            return result
        article = extract_job(result) if isinstance(result, FetchResult) else result
        with self._opened() as archive:
            return self._save(archive, job, result, article)

    def _save(
        self,
        archive: Archive,
        job: QueuedLink,
        fetched: FetchResult | Exception,
        article: Article | Exception,
    ) -> Outcome:
        if isinstance(fetched, Exception):
            return record_failed(archive, job.link, fetched)
        final = redirected_to(job.link, fetched)
        skipped = None if final is None else already_archived(archive, job.link, final, job.refetch)
        return skipped or save_extracted(archive, job.link, fetched, article)

    def _fetch(self, job: QueuedLink) -> FetchResult | Exception | Outcome:
        """Fetch in the host's turn, which no other worker anywhere has at the same time; the
        host is free again as soon as the answer is in. A link archived meanwhile (by a
        worker presumed dead that was not) is not fetched again."""
        options = replace(self.options, delay=job.delay)
        lease = options.timeout + LEASE_MARGIN
        host = host_of(job.url)
        with host_turn(self.pool, host, job.delay, options.max_retry_after, lease) as turn:
            with self._opened() as archive:
                skipped = already_archived(archive, job.link, job.url, job.refetch)
            if skipped is not None:
                return skipped
            result = fetch_link(job.link, self._thread_session(), options)
            turn.slowed_down = rate_limited(result)
        return result

    def _thread_session(self) -> requests.Session:
        from newsarchive.fetch import make_session

        if not hasattr(self.local, "session"):
            self.local.session = self._keep(make_session())
        return self.local.session

    def _keep(self, session: requests.Session) -> requests.Session:
        with self.lock:
            self.sessions.append(session)
        return session

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        self.pool.close()


def _connection_lost(error: BaseException) -> bool:
    """Whether ``error`` (or the database error behind an ArchiveError) is the connection to
    the database failing: worth trying again later, not the link's fault."""
    if isinstance(error, (psycopg.OperationalError, PoolTimeout)):
        return True
    cause = error.__cause__ if isinstance(error, ArchiveError) else None
    return cause is not None and _connection_lost(cause)
