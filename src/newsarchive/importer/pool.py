"""Extraction beside the fetches: a process pool when there is more than one core.

Workers return errors as values, ignore Ctrl-C (the parent's business) and leave on their own
when the parent dies without shutting the pool down.
"""

from __future__ import annotations

import contextlib
import ctypes
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
from newsarchive.extract import extract
from newsarchive.models import Article, FetchResult

if TYPE_CHECKING:
    from newsarchive.importer import ImportOptions

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter number


def extract_job(fetched: FetchResult) -> Article | Exception:
    """Extraction in a worker process: errors come back as values, never as a broken pool."""
    try:
        return extract(fetched)
    except ExtractionError as error:
        return ExtractionError(str(error))
    except Exception as error:  # a bug in extraction must cost one link, not the import
        where = fetched.final_url or fetched.url or "page"
        return ExtractionError(f"{where}: extraction failed ({type(error).__name__}: {error})")


def extraction_processes(options: ImportOptions) -> int:
    """How many extraction processes to use: 0 means extract in the fetch threads."""
    if options.processes is not None:
        return max(0, options.processes)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores if (cores or 1) > 1 else 0


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
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _warm_up() -> None:
    """Run once per worker before the threads start, so 'fork' copies no running threads."""


def return_big_buffers_to_the_os() -> None:
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
