"""Batch import: many links fetched concurrently and politely, extracted beside the fetches.

The shape of a run (``import_links``):

- a reader thread streams the list into an event queue, never more than ``read_ahead`` links
  ahead of what is finished, so memory stays flat however long the list is;
- the calling thread is the scheduler and the only writer: it deduplicates links (within the
  list and against the archive), hands each host's links to the fetch threads one at a time with
  at least ``delay`` seconds between the end of one request and the start of the next, and saves
  every extracted article in its own transaction;
- fetch threads download pages; extraction (CPU-bound) runs in a process pool when there is more
  than one core, in the fetch threads otherwise.

Every link ends as one ``Outcome``; the run yields it with a ``Progress`` snapshot and never
prints. A KeyboardInterrupt stops the run at once: what was saved stays saved, and a rerun skips it.
"""

from __future__ import annotations

import contextlib
import ctypes
import heapq
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import requests

from newsarchive.errors import ExtractionError, FetchError, InputError
from newsarchive.extract import extract
from newsarchive.linklists import BadEntry, Entry, Link
from newsarchive.models import Article, FetchResult
from newsarchive.store import Archive
from newsarchive.urls import normalize_url, redact_url

log = logging.getLogger(__name__)

STATUSES = ("saved", "updated", "skipped", "failed", "invalid", "new")
RATE_LIMITED = ("HTTP 429", "HTTP 503")
LIST_MAX_BYTES = 20 * 1024 * 1024
MAX_IDLE_HOSTS = 4096
M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter number


@dataclass(frozen=True)
class ImportOptions:
    """How an import runs. ``processes=None`` means one extraction process per core (if > 1)."""

    workers: int = 8
    delay: float = 1.0
    refetch: bool = False
    dry_run: bool = False
    processes: int | None = None
    start_method: str | None = None
    read_ahead: int = 2000
    retries: int = 2
    max_retry_after: float = 60.0
    timeout: float = 120.0


@dataclass(frozen=True)
class Outcome:
    """What became of one entry of the list. ``status`` is one of STATUSES."""

    url: str
    status: str
    line: int | None = None
    article_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Progress:
    """Counts so far. ``read`` entries came from the list; ``left`` of them are not finished."""

    read: int = 0
    saved: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    invalid: int = 0
    new: int = 0
    list_done: bool = False
    elapsed: float = 0.0

    @property
    def done(self) -> int:
        return self.saved + self.updated + self.skipped + self.failed + self.invalid + self.new

    @property
    def left(self) -> int:
        return self.read - self.done

    @property
    def rate(self) -> float:
        """Articles written per second."""
        return (self.saved + self.updated) / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True)
class ImportEvent:
    """One finished entry and the counts including it."""

    outcome: Outcome
    progress: Progress


@dataclass(frozen=True)
class ImportSummary:
    """The closing report of an import (``--json`` prints it as is)."""

    source: str
    format: str
    read: int
    saved: int
    updated: int
    skipped: int
    failed: int
    invalid: int
    new: int
    left: int
    list_done: bool
    interrupted: bool
    seconds: float
    articles_per_second: float


def summarize(
    source: str, fmt: str, progress: Progress, interrupted: bool = False
) -> ImportSummary:
    """The summary of a run from its last Progress (an empty one if nothing finished).

    A run that was not interrupted read its whole list, even if its last event came earlier.
    """
    return ImportSummary(
        source=source,
        format=fmt,
        read=progress.read,
        saved=progress.saved,
        updated=progress.updated,
        skipped=progress.skipped,
        failed=progress.failed,
        invalid=progress.invalid,
        new=progress.new,
        left=progress.left,
        list_done=not interrupted or (progress.list_done and progress.left == 0),
        interrupted=interrupted,
        seconds=round(progress.elapsed, 3),
        articles_per_second=round(progress.rate, 2),
    )


@dataclass(frozen=True)
class _Fetched:
    """A fetch thread's report: the page or the error, when it finished, and maybe the article."""

    link: Link
    result: FetchResult | Exception
    finished_at: float
    article: Article | Exception | None = None


@dataclass
class _Host:
    links: deque[Link] = field(default_factory=deque)
    busy: bool = False
    queued: bool = False
    ready_at: float = 0.0
    strikes: int = 0


def host_of(url: str) -> str:
    """The politeness key of a URL: its host and port."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or parts.scheme}"


def import_links(
    entries: Iterable[Entry],
    archive: Archive,
    options: ImportOptions | None = None,
    session_factory: Callable[[], requests.Session] | None = None,
) -> Iterator[ImportEvent]:
    """Archive every link of ``entries``; yield one ImportEvent per entry as it finishes."""
    run = _Run(entries, archive, options or ImportOptions(), session_factory)
    try:
        yield from run.events()
    finally:
        run.stop()


def failed_links(archive: Archive) -> list[Link]:
    """The links recorded as failed, to import again (``--retry-failed``)."""
    return [Link(failure.url) for failure in archive.failures()]


def fetch_list_document(url: str, session: requests.Session | None = None) -> bytes:
    """Download a feed, OPML file or sitemap (XML, which ``fetch_url`` refuses as not HTML)."""
    from newsarchive.fetch import make_session

    shown = redact_url(url)
    try:
        with (session or make_session()).get(url, timeout=(10, 30), stream=True) as response:
            if not 200 <= response.status_code < 300:
                raise InputError(f"{shown}: HTTP {response.status_code} {response.reason or ''}")
            return _read_limited(shown, response)
    except requests.RequestException as error:
        raise InputError(f"{shown}: cannot download ({type(error).__name__})") from None


def _read_limited(shown: str, response: requests.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > LIST_MAX_BYTES:
            raise InputError(f"{shown}: larger than {LIST_MAX_BYTES // 2**20} MiB")
    return bytes(body)


def _extract_job(fetched: FetchResult) -> Article | Exception:
    """Extraction in a worker process: errors come back as values, never as a broken pool."""
    try:
        return extract(fetched)
    except ExtractionError as error:
        return ExtractionError(str(error))
    except Exception as error:  # a bug in extraction must cost one link, not the import
        where = fetched.final_url or fetched.url or "page"
        return ExtractionError(f"{where}: extraction failed ({type(error).__name__}: {error})")


def _init_worker() -> None:
    """Ctrl-C is the parent's business: a worker finishes its page and exits with the pool.

    A parent killed outright (``kill -9``) cannot shut its pool down, so each worker also
    watches for being orphaned and leaves on its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _warm_up() -> None:
    """Run once per worker before the threads start, so 'fork' copies no running threads."""


def _return_big_buffers_to_the_os() -> None:
    """Keep memory flat over a long import on glibc (Linux).

    Pages pass through this process as strings of up to megabytes. glibc raises its mmap
    threshold each time such a block is freed, so later pages land in the thread heaps, which
    fragment and never shrink: peak RSS then grew with the list (360 MB at 10,000 links).
    Pinning the threshold at its initial 128 KiB maps every big block on its own and gives it
    back when freed (90 MB, flat). Elsewhere, or if libc is not glibc, this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, 128 * 1024)


def extraction_processes(options: ImportOptions) -> int:
    """How many extraction processes to use: 0 means extract in the fetch threads."""
    if options.processes is not None:
        return max(0, options.processes)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores if (cores or 1) > 1 else 0


class _Run:
    """The state of one import; see the module docstring for how the parts fit."""

    def __init__(
        self,
        entries: Iterable[Entry],
        archive: Archive,
        options: ImportOptions,
        session_factory: Callable[[], requests.Session] | None,
    ) -> None:
        _return_big_buffers_to_the_os()
        self.archive = archive
        self.options = options
        self.session_factory = session_factory
        self.started = time.monotonic()
        self.counts = Progress()
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.window = threading.Semaphore(max(1, options.read_ahead))
        self.stopping = threading.Event()
        self.claimed: dict[str, int | None] = {}
        self.hosts: dict[str, _Host] = {}
        self.ready: list[tuple[float, int, str]] = []
        self.jobs: queue.Queue[Link | None] = queue.Queue()
        self.fetching = self.extracting = self.pending = self.sequence = 0
        self.processes = 0 if options.dry_run else extraction_processes(options)
        self.pool = self._start_pool()
        self._start_threads(entries)

    # ---- threads and processes ---------------------------------------------------------------

    def _start_pool(self) -> ProcessPoolExecutor | None:
        if self.processes == 0:
            return None
        context = multiprocessing.get_context(self.options.start_method)
        pool = ProcessPoolExecutor(self.processes, mp_context=context, initializer=_init_worker)
        try:
            for future in [pool.submit(_warm_up) for _ in range(self.processes)]:
                future.result()
        except (BrokenProcessPool, OSError) as error:
            log.warning("no extraction processes (%s); extracting in the fetch threads", error)
            pool.shutdown(wait=False, cancel_futures=True)
            self.processes = 0
            return None
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
        from newsarchive.fetch import fetch_url

        try:
            result: FetchResult | Exception = fetch_url(
                link.url,
                session,
                deadline=self.options.timeout,
                retries=self.options.retries,
                backoff=max(self.options.delay, 0.5),
                max_retry_after=self.options.max_retry_after,
            )
        except (FetchError, InputError) as error:
            result = error
        except Exception as error:  # whatever else breaks costs this link, never the import
            result = FetchError(redact_url(link.url), f"{type(error).__name__}: {error}")
        finished = _Fetched(link, result, time.monotonic())
        if self.pool is None and isinstance(result, FetchResult):
            return replace(finished, article=_extract_job(result))
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
        """Seconds until the next host may be asked; short anyway so Ctrl-C is seen quickly."""
        if self.ready and self.fetching < self.options.workers:
            return min(0.5, max(0.0, self.ready[0][0] - time.monotonic()))
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
            elapsed=time.monotonic() - self.started,
        )
        return ImportEvent(outcome, self.counts)

    # ---- stage 1: accept or skip a link ------------------------------------------------------

    def _accept(self, entry: Entry) -> Outcome | None:
        self.counts = replace(self.counts, read=self.counts.read + 1)
        if isinstance(entry, BadEntry):
            return Outcome(entry.text, "invalid", entry.line, reason=entry.reason)
        skipped = self._duplicate(entry, entry.url)
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
            where = f" (line {earlier})" if earlier else ""
            return Outcome(link.url, "skipped", link.line, reason=f"duplicate in the list{where}")
        self.claimed[key] = link.line
        found = None if self.options.refetch else self.archive.find_id(url)
        if found is None:
            return None
        self._keep_export_metadata(found, link)
        return Outcome(link.url, "skipped", link.line, found, "already archived")

    def _keep_export_metadata(self, article_id: int, link: Link) -> None:
        if link.saved_at or link.tags:
            self.archive.apply_export_metadata(article_id, link.saved_at, link.tags)

    # ---- stage 2: per-host scheduling --------------------------------------------------------

    def _enqueue(self, link: Link) -> None:
        self.pending += 1
        host = self.hosts.setdefault(host_of(link.url), _Host())
        host.links.append(link)
        self._mark_ready(host_of(link.url), host)

    def _mark_ready(self, key: str, host: _Host) -> None:
        if host.links and not host.busy and not host.queued:
            host.queued = True
            self.sequence += 1
            heapq.heappush(self.ready, (host.ready_at, self.sequence, key))

    def _dispatch(self) -> None:
        """Start fetches for hosts whose pause is over, while workers and page room allow."""
        now = time.monotonic()
        while self.ready and self.ready[0][0] <= now and self._has_room():
            _ready_at, _sequence, key = heapq.heappop(self.ready)
            host = self.hosts[key]
            host.queued, host.busy = False, True
            self.fetching += 1
            self.jobs.put(host.links.popleft())

    def _has_room(self) -> bool:
        """Bound pages held in memory: fetched pages wait for extraction only so far."""
        if self.fetching >= self.options.workers:
            return False
        return self.fetching + self.extracting < self.options.workers + 2 * self.processes

    def _host_done(self, fetched: _Fetched) -> None:
        key = host_of(fetched.link.url)
        host = self.hosts[key]
        host.busy = False
        self.fetching -= 1
        host.strikes = host.strikes + 1 if _rate_limited(fetched.result) else 0
        pause = self.options.delay
        if host.strikes:
            backoff = max(self.options.delay, 0.5) * 2**host.strikes
            pause = min(self.options.max_retry_after, backoff)
        host.ready_at = fetched.finished_at + pause
        self._mark_ready(key, host)
        if len(self.hosts) > MAX_IDLE_HOSTS:
            self._forget_idle_hosts()

    def _forget_idle_hosts(self) -> None:
        """Drop hosts with nothing queued whose pause is over: they can start afresh."""
        now = time.monotonic()
        for key, host in list(self.hosts.items()):
            if not (host.links or host.busy or host.queued) and host.ready_at <= now:
                del self.hosts[key]

    # ---- stage 3: extraction and saving ------------------------------------------------------

    def _fetched(self, fetched: _Fetched) -> Outcome | None:
        self._host_done(fetched)
        link, result = fetched.link, fetched.result
        if isinstance(result, Exception):
            return self._failed(link, result)
        final = result.final_url or link.url
        if normalize_url(final) != normalize_url(link.url):
            skipped = self._duplicate(link, final)
            if skipped is not None:
                self.pending -= 1
                return replace(skipped, reason=f"{skipped.reason} as {final}")
        if fetched.article is not None:
            return self._extracted(link, result, fetched.article)
        self._submit(link, result)
        return None

    def _submit(self, link: Link, fetched: FetchResult) -> None:
        pool = self.pool
        assert pool is not None
        self.extracting += 1
        try:
            future = pool.submit(_extract_job, fetched)
        except BrokenProcessPool as error:  # handled like a worker dying mid-page
            self.inbox.put(("extracted", (link, fetched, error, pool)))
            return
        future.add_done_callback(lambda done: self._report(link, fetched, done, pool))

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
        if isinstance(article, Article) and article.status == "blocked":
            # A wall's text is no article: record it to retry, keep any earlier capture intact.
            article = ExtractionError(f"{link.url}: blocked by a cookie wall or bot check")
        if isinstance(article, BaseException):
            return self._failed(link, article)
        saved = self.archive.save(fetched, article)
        self._keep_export_metadata(saved.id, link)
        self.pending -= 1
        status = "saved" if saved.created else "updated"
        return Outcome(link.url, status, link.line, saved.id)

    def _failed(self, link: Link, error: BaseException) -> Outcome:
        self.pending -= 1
        self.archive.record_failure(link.url, error)
        return Outcome(link.url, "failed", link.line, reason=str(error))

    def _restart_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._start_pool()


def _rate_limited(result: FetchResult | Exception) -> bool:
    return isinstance(result, FetchError) and result.cause.startswith(RATE_LIMITED)
