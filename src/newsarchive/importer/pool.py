"""Extraction beside the fetches: a process pool when there is more than one core.

Workers return errors as values, ignore Ctrl-C (the parent's business) and leave on their own
when the parent dies without shutting the pool down.

Memory: a worker's size does not grow with the list but with what it has met: the modules it
shares with the parent (45 MB), the date tables of the languages its pages were in
(extract/datelocale.py) and the largest page parsed so far. That comes to about 90 MB a worker, so the pool is as small as the machine
allows (one process per core, less the one the fetching and saving process needs) and each
worker hands what it freed back to the OS after every page.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from newsarchive.errors import ExtractionError
from newsarchive.extract import extract_capture
from newsarchive.models import Article, FetchResult

if TYPE_CHECKING:
    from newsarchive.importer import ImportOptions

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter numbers
M_ARENA_MAX = -8


def extract_job(fetched: FetchResult) -> Article | Exception:
    """Extraction in a worker process: errors come back as values, never as a broken pool."""
    try:
        return _extract(fetched)
    finally:
        give_back_free_memory()


def _extract(fetched: FetchResult) -> Article | Exception:
    """A page without article text comes back as an Article too, its status saying so: it
    is archived all the same."""
    try:
        return extract_capture(fetched)
    except Exception as error:  # a bug in extraction must cost one link, not the import
        where = fetched.final_url or fetched.url or "page"
        return ExtractionError(f"{where}: extraction failed ({type(error).__name__}: {error})")


def extraction_processes(options: ImportOptions) -> int:
    """How many extraction processes to use: 0 means extract in the fetch threads.

    One core is left to the importing process, which is busy too (HTTP, decoding, saving with
    full-text indexing); each worker costs its own peak memory (up to 100 MB).
    """
    if options.processes is not None:
        return max(0, options.processes)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) - 1


def start_pool(processes: int, start_method: str | None) -> ProcessPoolExecutor | None:
    """A pool of ``processes`` started workers, or None when they cannot start."""
    context = multiprocessing.get_context(start_method)
    pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_init_worker)
    try:
        for future in [pool.submit(_warm_up) for _ in range(processes)]:
            future.result()
    except (BrokenProcessPool, OSError) as error:
        log.warning("no extraction processes (%s); extracting in the fetch threads", error)
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool


def _init_worker() -> None:
    """Ctrl-C is the parent's business: a worker finishes its page and exits with the pool.

    A parent killed outright (``kill -9``) cannot shut its pool down, so each worker also
    watches for being orphaned and leaves on its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return_big_buffers_to_the_os()
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _warm_up() -> None:
    """A first task for each worker: the pool is started (or known not to start) before
    the import's threads are, so 'fork' copies no running threads."""


def return_big_buffers_to_the_os() -> None:
    """Keep memory flat over a long import on glibc (Linux).

    Pages pass through this process as strings of up to megabytes. glibc raises its mmap
    threshold each time such a block is freed, so later pages land in the thread heaps, which
    fragment and never shrink: peak RSS then grew with the list (360 MB at 10,000 links).
    Pinning the threshold at its initial 128 KiB maps every big block on its own and gives it
    back when freed (90 MB, flat). glibc also gives each thread that allocates at once its own
    heap, up to eight per core; the fetch threads mostly wait, so two heaps are plenty and
    leave fewer half-empty ones behind. Elsewhere, or if libc is not glibc, this does nothing.
    """
    libc = _glibc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        libc.mallopt(M_ARENA_MAX, 2)


def give_back_free_memory() -> None:
    """Return the free pages inside glibc's heaps to the OS (``malloc_trim``).

    A parsed page leaves megabytes free between live blocks that glibc would otherwise keep
    mapped: trimming after each page keeps a worker at its working size between large pages.
    """
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # musl has no malloc_trim
