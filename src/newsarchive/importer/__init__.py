"""Batch import: many links fetched concurrently and politely, extracted beside the fetches.

The shape of a run (``import_links``):

- a reader thread streams the list into an event queue, never more than ``read_ahead`` links
  ahead of what is finished, so memory stays flat however long the list is;
- the calling thread is the scheduler and the only writer: it deduplicates links (within the
  list and against the archive), hands each host's links to the fetch threads one at a time with
  at least ``delay`` seconds between the end of one request and the start of the next, and saves
  every extracted article in its own transaction;
- fetch threads download pages; extraction (CPU-bound) runs in a process pool when there is more
  than one core, in the fetch threads otherwise;
- a link that carries its page already (a WARC record, see warcimport) skips the hosts and the
  fetch threads: it goes to extraction at once, unless that very capture is archived.

Every link ends as one ``Outcome``; the run yields it with a ``Progress`` snapshot and never
prints. A KeyboardInterrupt stops the run at once: what was saved stays saved, and a rerun skips it.

Beside this engine: ``events`` (options, outcomes, progress, summary), ``hosts`` (the per-host
pauses), ``pool`` (the extraction processes) and ``steps`` (one link's fetch, save or failure,
which the queue's workers share).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any

import requests

from newsarchive.errors import ExtractionError, FetchError, InputError
from newsarchive.importer.events import (
    STATUSES,
    ImportEvent,
    ImportOptions,
    ImportSummary,
    Outcome,
    Progress,
    summarize,
)
from newsarchive.importer.hosts import HostQueue, host_of, rate_limited
from newsarchive.importer.pool import (
    extract_job,
    extraction_processes,
    give_back_free_memory,
    return_big_buffers_to_the_os,
    start_pool,
)
from newsarchive.importer.steps import (
    already_archived,
    as_redirected,
    failed_before,
    fetch_link,
    record_failed,
    redirected_to,
    save_extracted,
)
from newsarchive.linklists import BadEntry, Entry, Link, Skipped
from newsarchive.models import Article, FetchResult
from newsarchive.store import Archive
from newsarchive.urls import normalize_url

__all__ = [
    "STATUSES",
    "ImportEvent",
    "ImportOptions",
    "ImportSummary",
    "Outcome",
    "Progress",
    "extraction_processes",
    "failed_links",
    "fetch_list_document",
    "host_of",
    "import_links",
    "summarize",
]


@dataclass(frozen=True)
class _Fetched:
    """A fetch thread's report: the page or the error, when it finished, and maybe the article."""

    link: Link
    result: FetchResult | Exception
    finished_at: float
    article: Article | Exception | None = None


def import_links(
    entries: Iterable[Entry],
    archive: Archive,
    options: ImportOptions | None = None,
    session_factory: Callable[[], requests.Session] | None = None,
) -> Iterator[ImportEvent]:
    """Archive every link of ``entries``; yield one ImportEvent per entry as it finishes."""
    run = _Run(entries, archive, options or ImportOptions(), session_factory)
    try:
        with archive.bulk_writes():
            yield from run.events()
    finally:
        run.stop()


def failed_links(archive: Archive) -> list[Link]:
    """The links recorded as failed, to import again (``--retry-failed``)."""
    return [Link(failure.url) for failure in archive.failures()]


def fetch_list_document(url: str, session: requests.Session | None = None) -> bytes:
    """Download a feed, OPML file or sitemap for the list reader (``open_link_list``).

    A list that cannot be downloaded is a bad input (InputError), like a missing file.
    """
    from newsarchive.fetch import fetch_document

    try:
        return fetch_document(url, session).raw
    except FetchError as error:
        raise InputError(str(error)) from None


class _Run:
    """The state of one import; see the module docstring for how the parts fit."""

    def __init__(
        self,
        entries: Iterable[Entry],
        archive: Archive,
        options: ImportOptions,
        session_factory: Callable[[], requests.Session] | None,
    ) -> None:
        return_big_buffers_to_the_os()
        self.archive = archive
        self.options = options
        self.session_factory = session_factory
        self.started = time.monotonic()
        self.counts = Progress()
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.window = threading.Semaphore(max(1, options.read_ahead))
        self.stopping = threading.Event()
        self.claimed: dict[str, int | None] = {}
        self.hosts = HostQueue(options.delay, options.max_retry_after)
        self.jobs: queue.Queue[Link | None] = queue.Queue()
        self.fetching = self.extracting = self.pending = 0
        self.processes = 0 if options.dry_run else extraction_processes(options)
        self.pool = self._start_pool()
        self._start_threads(entries)

    # ---- threads and processes ---------------------------------------------------------------

    def _start_pool(self) -> ProcessPoolExecutor | None:
        if self.processes == 0:
            return None
        pool = start_pool(self.processes, self.options.start_method)
        if pool is None:
            self.processes = 0
        return pool

    def _start_threads(self, entries: Iterable[Entry]) -> None:
        reader = threading.Thread(target=self._read, args=(entries,), daemon=True)
        reader.start()
        if self.options.dry_run:
            return
        for number in range(max(1, self.options.workers)):
            name = f"newsarchive-fetch-{number}"
            threading.Thread(target=self._fetch_loop, name=name, daemon=True).start()

    def _read(self, entries: Iterable[Entry]) -> None:
        """Reader thread: stream the list, holding one window slot per unfinished entry."""
        try:
            for entry in entries:
                self.window.acquire()
                if self.stopping.is_set():
                    return
                self.inbox.put(("entry", entry))
        except Exception as error:  # the list broke off: finish what was read, report why
            self.window.acquire()
            self.inbox.put(("entry", BadEntry(None, "", str(error))))
        self.inbox.put(("list-done", None))

    def _fetch_loop(self) -> None:
        """Fetch thread: download (and without a pool, extract) one link at a time."""
        from newsarchive.fetch import make_session

        session = (self.session_factory or make_session)()
        while (link := self.jobs.get()) is not None:
            self.inbox.put(("fetched", self._fetch(link, session)))

    def _fetch(self, link: Link, session: requests.Session) -> _Fetched:
        result = fetch_link(link, session, self.options)
        finished = _Fetched(link, result, time.monotonic())
        if self.pool is None and isinstance(result, FetchResult):
            return replace(finished, article=extract_job(result))
        return finished

    def stop(self) -> None:
        """Stop threads and processes; running extractions finish (workers ignore Ctrl-C)."""
        self.stopping.set()
        self.window.release()
        for _ in range(max(1, self.options.workers)):
            self.jobs.put(None)
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    # ---- the scheduler loop ------------------------------------------------------------------

    def events(self) -> Iterator[ImportEvent]:
        list_done = False
        while not (list_done and self.pending == 0):
            self._dispatch()
            try:
                kind, payload = self.inbox.get(timeout=self._wait())
            except queue.Empty:
                continue
            if kind == "list-done":
                list_done = True
                self.counts = replace(self.counts, list_done=True)
                continue
            yield from self._handle(kind, payload)

    def _wait(self) -> float:
        """Seconds until the next host may be asked; short anyway so Ctrl-C is seen quickly.

        Without room for another page (all fetch threads busy, or pages waiting for
        extraction) the next event is what makes room: waiting for it, not for a host that is
        ready already, keeps this loop from spinning while extraction catches up.
        """
        ready_at = self.hosts.next_ready_at()
        if ready_at is not None and self._has_room():
            return min(0.5, max(0.0, ready_at - time.monotonic()))
        return 0.5

    def _handle(self, kind: str, payload: Any) -> Iterator[ImportEvent]:
        if kind == "entry":
            outcome = self._accept(payload)
        elif kind == "fetched":
            outcome = self._fetched(payload)
        else:
            outcome = self._extracted(*payload)
        if outcome is not None:
            yield self._finish(outcome)

    def _finish(self, outcome: Outcome) -> ImportEvent:
        self.window.release()
        counts = self.counts
        self.counts = replace(
            counts,
            **{outcome.status: getattr(counts, outcome.status) + 1},
            skipped_failed=counts.skipped_failed + outcome.failed_before,
            elapsed=time.monotonic() - self.started,
        )
        return ImportEvent(outcome, self.counts)

    # ---- stage 1: accept or skip a link ------------------------------------------------------

    def _accept(self, entry: Entry) -> Outcome | None:
        self.counts = replace(self.counts, read=self.counts.read + 1)
        if isinstance(entry, BadEntry):
            return Outcome(entry.text, "invalid", entry.line, reason=entry.reason)
        if isinstance(entry, Skipped):
            return Outcome(entry.text, "skipped", reason=entry.reason)
        if entry.capture is not None:
            return self._accept_capture(replace(entry, capture=None), entry.capture)
        retry = self.options.retry_failed or self.options.refetch
        skipped = self._duplicate(entry, entry.url) or failed_before(self.archive, entry, retry)
        if skipped is not None:
            return skipped
        if self.options.dry_run:
            return Outcome(entry.url, "new", entry.line)
        self._enqueue(entry)
        return None

    def _duplicate(self, link: Link, url: str) -> Outcome | None:
        """A skip outcome when ``url`` was seen earlier in this list or is already archived."""
        key = normalize_url(url)
        if key in self.claimed:
            earlier = self.claimed[key]
            where = (f" (line {earlier})" if earlier else "") + as_redirected(link, url)
            return Outcome(link.url, "skipped", link.line, reason=f"duplicate in the list{where}")
        self.claimed[key] = link.line
        return already_archived(self.archive, link, url, self.options.refetch)

    def _accept_capture(self, link: Link, capture: FetchResult | Exception) -> Outcome | None:
        """A page captured already (a WARC record): extracted and saved without fetching,
        unless this very capture (URL, time, bytes) was saved before or earlier in the list."""
        if isinstance(capture, Exception):
            self.pending += 1
            return self._failed(link, capture)
        key = f"{normalize_url(link.url)} {capture.fetched_at} {len(capture.raw)}"
        if key in self.claimed or self.archive.has_capture(
            link.url, capture.fetched_at, capture.raw
        ):
            found = self.archive.find_id(link.url)
            return Outcome(link.url, "skipped", link.line, found, "this capture is archived")
        self.claimed[key] = link.line
        if self.options.dry_run:
            return Outcome(link.url, "new", link.line)
        self.pending += 1
        return self._received(_Fetched(link, capture, time.monotonic()))

    # ---- stage 2: per-host scheduling --------------------------------------------------------

    def _enqueue(self, link: Link) -> None:
        self.pending += 1
        self.hosts.add(link)

    def _dispatch(self) -> None:
        """Start fetches for hosts whose pause is over, while workers and page room allow."""
        now = time.monotonic()
        while self._has_room() and (link := self.hosts.pop_ready(now)) is not None:
            self.fetching += 1
            self.jobs.put(link)

    def _has_room(self) -> bool:
        """Bound pages held in memory: fetched pages wait for extraction only so far."""
        if self.fetching >= self.options.workers:
            return False
        return self.fetching + self.extracting < self.options.workers + 2 * self.processes

    def _host_done(self, fetched: _Fetched) -> None:
        self.fetching -= 1
        self.hosts.done(fetched.link.url, fetched.finished_at, rate_limited(fetched.result))

    # ---- stage 3: extraction and saving ------------------------------------------------------

    def _fetched(self, fetched: _Fetched) -> Outcome | None:
        self._host_done(fetched)
        link, result = fetched.link, fetched.result
        if isinstance(result, Exception):
            return self._failed(link, result)
        final = redirected_to(link, result)
        skipped = None if final is None else self._duplicate(link, final)
        if skipped is not None:
            self.pending -= 1
            return skipped
        return self._received(replace(fetched, result=result))

    def _received(self, fetched: _Fetched) -> Outcome | None:
        """Extract a page fetched or captured already: in a worker process, or here."""
        link, page = fetched.link, fetched.result
        assert isinstance(page, FetchResult)
        if fetched.article is None and self.pool is None:
            fetched = replace(fetched, article=extract_job(page))
        if fetched.article is not None:
            return self._extracted(link, page, fetched.article)
        self._submit(link, page)
        return None

    def _submit(self, link: Link, fetched: FetchResult) -> None:
        """Send the page's text to a worker; keep only its bytes, which the archive stores."""
        pool = self.pool
        assert pool is not None
        self.extracting += 1
        kept = replace(fetched, text="")
        try:
            future = pool.submit(extract_job, replace(fetched, raw=b""))
        except BrokenProcessPool as error:  # handled like a worker dying mid-page
            self.inbox.put(("extracted", (link, kept, error, pool)))
            return
        future.add_done_callback(lambda done: self._report(link, kept, done, pool))

    def _report(
        self, link: Link, fetched: FetchResult, future: Future, pool: ProcessPoolExecutor
    ) -> None:
        if future.cancelled():
            return
        error = future.exception()
        self.inbox.put(("extracted", (link, fetched, error or future.result(), pool)))

    def _extracted(
        self,
        link: Link,
        fetched: FetchResult,
        article: Article | BaseException,
        pool: ProcessPoolExecutor | None = None,
    ) -> Outcome:
        if pool is not None:
            self.extracting -= 1
        if isinstance(article, BrokenProcessPool):
            if pool is self.pool:  # the first of a dead pool's failures replaces it
                self._restart_pool()
            article = ExtractionError(f"{link.url}: the extraction process died ({article})")
        if not isinstance(article, (Article, Exception)):  # KeyboardInterrupt, SystemExit
            return self._failed(link, article)
        self.pending -= 1
        outcome = save_extracted(self.archive, link, fetched, article)
        give_back_free_memory()  # the page and its compressed copy are gone now
        return outcome

    def _failed(self, link: Link, error: BaseException) -> Outcome:
        self.pending -= 1
        return record_failed(self.archive, link, error)

    def _restart_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._start_pool()
