"""Import spread over machines: import --queue (its body), worker, queue."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict
from typing import Any

import click

from newsarchive.cli import COUNT, cli, db_option, json_option, print_json
from newsarchive.errors import InputError


def queue_location() -> str:
    """The archive's PostgreSQL URL, which holds the queue; refused in one line otherwise."""
    from newsarchive.cli import default_db_path
    from newsarchive.engines import is_postgres_url

    location = click.get_current_context().meta.get("newsarchive.db") or default_db_path()
    if not is_postgres_url(str(location)):
        raise InputError(
            f"{location}: the job queue needs a PostgreSQL archive"
            " (--db postgresql://user@host/dbname)"
        )
    return str(location)


def enqueue(
    archive: Any, entries: Any, source: tuple[str, str], options: Any, quiet: bool, as_json: bool
) -> None:
    """``import --queue``: queue the list's new links and say how many, for the workers;
    ``source`` is the list's name and format."""
    from newsarchive.distributed import enqueue_links
    from newsarchive.render import outcome_line

    counts: Counter[str] = Counter()
    for outcome in enqueue_links(queue_location(), archive, entries, options):
        counts[outcome.status] += 1
        if not quiet and outcome.status != "queued":
            click.echo(outcome_line(outcome), err=True)
    name, fmt = source
    summary = {"source": name, "format": fmt, "read": counts.total()}
    summary |= {status: counts[status] for status in ("queued", "skipped", "invalid")}
    if as_json:
        print_json(summary)
    else:
        click.echo(
            f"{name} ({fmt}): {summary['queued']} queued, {summary['skipped']} skipped,"
            f" {summary['invalid']} invalid. Workers archive them: newsarchive worker"
        )
    if summary["invalid"]:
        click.get_current_context().exit(1)


@cli.command()
@click.option(
    "--concurrency", type=COUNT, default=8, show_default=True, help="Links at once in this worker."
)
@click.option(
    "--stalled-after",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds without a sign of life after which a worker is presumed dead and its links"
    " go back in the queue: at least three of the heartbeats every worker sends.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=120.0,
    show_default=True,
    help="Seconds a page may take to download, retries included. A host being fetched from"
    " is reserved for this long and 10 s more, should its worker stop answering.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings, not every link.")
@db_option
def worker(concurrency: int, stalled_after: float, timeout: float, quiet: bool) -> None:
    """Archive the links queued by import --queue: fetch, extract and save them, politely.

    Run as many workers as you like, on any machines that reach the archive's database: one
    request at a time goes to each host, with the pause the import asked for, across all of
    them. SIGTERM or Ctrl-C stops taking links and finishes those in progress; a worker
    killed outright has its links taken over by the others.

    \b
    newsarchive worker --db postgresql://archiver@db.example/news
    newsarchive worker --concurrency 16
    """
    from newsarchive.distributed import WorkerOptions, run_worker
    from newsarchive.importer import ImportOptions

    location = queue_location()
    _show_outcomes(quiet)
    fetching = ImportOptions(timeout=timeout)
    options = WorkerOptions(concurrency=concurrency, stalled_after=stalled_after, fetch=fetching)
    run_worker(location, options)


def _show_outcomes(quiet: bool) -> None:
    """Each finished link on stderr as import shows it; warnings always."""
    handler = logging.StreamHandler()
    handler.setFormatter(_OutcomeFormatter())
    logger = logging.getLogger("newsarchive.distributed")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if quiet else logging.INFO)


class _OutcomeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from newsarchive.render import outcome_line

        outcome = getattr(record, "outcome", None)
        return outcome_line(outcome) if outcome is not None else record.getMessage()


@cli.command(name="queue")
@json_option
@db_option
def queue_command(as_json: bool) -> None:
    """How the queued links stand, host by host: pending, running, done, failed.

    \b
    newsarchive queue
    newsarchive queue --json
    """
    from newsarchive.distributed import queue_counts

    hosts = queue_counts(queue_location())
    if as_json:
        print_json([asdict(host) for host in hosts])
        return
    if not hosts:
        click.echo("The queue is empty: newsarchive import FILE --queue fills it.", err=True)
        return
    width = max(len("total"), *(len(host.host) for host in hosts))
    click.echo(f"{'host':<{width}}  pending  running     done   failed")
    for row in [*hosts, _total(hosts)]:
        click.echo(
            f"{row.host:<{width}}  {row.pending:>7}  {row.running:>7}  {row.done:>7}  {row.failed:>7}"
        )


def _total(hosts: list) -> Any:
    from newsarchive.distributed import HostCounts

    return HostCounts(
        "total",
        sum(host.pending for host in hosts),
        sum(host.running for host in hosts),
        sum(host.done for host in hosts),
        sum(host.failed for host in hosts),
    )
