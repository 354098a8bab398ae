"""Import spread over worker processes on any number of machines, through a job queue kept
in the archive's PostgreSQL database (procrastinate).

``enqueue_links`` puts one job per new link in the queue (``newsarchive import --queue``);
``run_worker`` takes jobs and fetches, extracts and saves each link as the batch import does
(``importer.steps``), one request at a time per host and the host's pause honoured across
every worker (``hosts``); ``queue_counts`` says where the queue stands, host by host. Beside
them: ``jobs`` (the queue), ``schema`` (its tables) and ``worker`` (the worker).
"""

from newsarchive.distributed.jobs import HostCounts, enqueue_links, queue_counts
from newsarchive.distributed.schema import ensure_queue_schema
from newsarchive.distributed.worker import WorkerOptions, run_worker

__all__ = [
    "HostCounts",
    "WorkerOptions",
    "enqueue_links",
    "ensure_queue_schema",
    "queue_counts",
    "run_worker",
]
