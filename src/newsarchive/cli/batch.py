"""Importing a list of links, and the failures it recorded: import, failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from typing import Any

import click

from newsarchive.cli import (
    COUNT,
    EXIT_INTERRUPTED,
    cli,
    db_option,
    json_option,
    open_archive,
    print_json,
)
from newsarchive.controls import one_line
from newsarchive.errors import InputError

# The same names as newsarchive.linklists.FORMATS and warcimport.FORMATS, written out so --help
# needs no lxml or warcio import.
LIST_FORMATS = ("text", "bookmarks", "csv", "rss", "atom", "opml", "sitemap", "warc", "arc")


def politeness_options(function: Callable) -> Callable:
    """``--workers`` and ``--delay``: how many fetches at once, and the pause between two
    requests to one host (ImportOptions.workers, .delay)."""
    function = click.option(
        "--delay",
        type=click.FloatRange(min=0),
        default=1.0,
        show_default=True,
        help="Seconds between two requests to one host.",
    )(function)
    return click.option(
        "--workers", type=COUNT, default=8, show_default=True, help="Fetches at once."
    )(function)


@cli.command(name="import")
@click.argument("source", required=False)
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), help="Default: detected.")
@politeness_options
@click.option("--refetch", is_flag=True, help="Fetch links that are already archived again.")
@click.option("--dry-run", is_flag=True, help="Read the list and say what would be fetched.")
@click.option("--retry-failed", is_flag=True, help="Retry the links recorded as failed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress, only the closing summary.")
@click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Queue the links for workers (newsarchive worker) instead; PostgreSQL archives only.",
)
@json_option
@db_option
def import_command(
    source: str | None,
    fmt: str | None,
    quiet: bool,
    as_json: bool,
    queued: bool,
    **settings: Any,
) -> None:
    """Archive every link of a list: a text file, bookmarks, CSV, a feed, OPML, a sitemap, -;
    or every HTML page of a web archive (WARC or ARC, gzipped or not) with its capture time and
    URL, without fetching (other records are skipped and counted).

    Links (and captures) already archived are skipped; failures are recorded (see newsarchive
    failures), and a link that failed for good (404, 410...) is skipped by later imports:
    --retry-failed fetches them again. Ctrl-C stops cleanly: run the same command again to
    resume.

    \b
    newsarchive import links.txt
    newsarchive import pocket-export.csv --workers 16 --delay 2
    newsarchive import https://example-news.com/feed.xml --dry-run
    newsarchive import crawl.warc.gz
    some-command | newsarchive import -
    newsarchive import --retry-failed
    newsarchive import links.txt --queue --db postgresql://archiver@db.example/news
    """
    from newsarchive.importer import ImportOptions, summarize
    from newsarchive.render import import_summary_text
    from newsarchive.warcimport import FORMATS as WEB_ARCHIVE_FORMATS
    from newsarchive.warcimport import PAGES_AHEAD

    retry_failed = settings["retry_failed"]
    if source is None and not retry_failed:
        raise InputError("give a list of links (a file, a feed URL or -), or --retry-failed")
    options = ImportOptions(**settings)
    if queued:
        _enqueue(source, fmt, options, quiet, as_json)
        return
    with open_archive(create=True) as archive:
        name, found_format, entries = _import_entries(archive, source, fmt, retry_failed)
        if found_format in WEB_ARCHIVE_FORMATS:
            options = replace(options, read_ahead=PAGES_AHEAD)
        progress, interrupted = _run_import(entries, archive, options, quiet)
    summary = summarize(name, found_format, progress, interrupted)
    if as_json:
        print_json(asdict(summary))
    else:
        click.echo(import_summary_text(summary))
    if interrupted:
        click.get_current_context().exit(EXIT_INTERRUPTED)
    if summary.failed or summary.invalid:
        click.get_current_context().exit(1)


def _enqueue(source: str | None, fmt: str | None, options: Any, quiet: bool, as_json: bool) -> None:
    """``import --queue``: the list's links go to the archive's job queue (cli.queueing)."""
    from newsarchive.cli.queueing import enqueue, queue_location
    from newsarchive.distributed import ensure_queue_schema

    if options.dry_run:
        raise InputError("--dry-run and --queue do not go together: --dry-run fetches nothing")
    location = queue_location()  # refused before the list is read when not PostgreSQL
    with open_archive(create=True) as archive:
        ensure_queue_schema(location)  # so is a queue that cannot be used
        name, found_format, entries = _import_entries(archive, source, fmt, options.retry_failed)
        enqueue(archive, entries, (name, found_format), options, quiet, as_json)


def _import_entries(archive: Any, source: str | None, fmt: str | None, retry: bool) -> tuple:
    """The list's name, its format and its entries (the recorded failures first, if asked)."""
    import itertools

    from newsarchive.importer import failed_links, fetch_list_document
    from newsarchive.linklists import open_link_list
    from newsarchive.warcimport import FORMATS, open_web_archive, web_archive_format

    retried = failed_links(archive) if retry else []
    if source is None:
        return "recorded failures", "failures", iter(retried)
    web_archive = fmt or web_archive_format(source)
    if web_archive in FORMATS:
        links = open_web_archive(source, web_archive)
    else:
        links = open_link_list(source, fmt, fetch=fetch_list_document)
    return links.name, links.format, itertools.chain(retried, links.entries)


def _run_import(entries: Any, archive: Any, options: Any, quiet: bool) -> tuple[Any, bool]:
    """Run the import showing progress; return the last Progress and whether Ctrl-C stopped it."""
    from newsarchive.importer import import_links

    return run_with_progress(lambda: import_links(entries, archive, options), quiet)


def run_with_progress(
    start: Callable[[], Iterator[Any]], quiet: bool, each: Callable[[Any], None] | None = None
) -> tuple[Any, bool]:
    """Run the importer's events (``start`` begins them), showing progress and passing each
    to ``each``; return the last Progress and whether Ctrl-C stopped the run."""
    from contextlib import closing

    from newsarchive.importer import Progress

    display = _ImportDisplay(quiet)
    progress = Progress()
    try:
        with closing(start()) as events:
            for event in events:
                progress = event.progress
                display.show(event)
                if each is not None:
                    each(event)
    except KeyboardInterrupt:
        display.close()
        return progress, True
    display.close()
    return progress, False


class _ImportDisplay:
    """The progress line on a terminal, with failures above it; one plain line per link otherwise."""

    def __init__(self, quiet: bool) -> None:
        from newsarchive.cli.progress import ProgressLine

        self.quiet = quiet
        self.line = ProgressLine(shown=not quiet)

    def show(self, event: Any) -> None:
        from newsarchive.render import outcome_line, progress_text

        if self.quiet:
            return
        outcome = event.outcome
        if not self.line.terminal or outcome.status in ("failed", "invalid"):
            self.line.note(outcome_line(outcome))
        self.line.draw(progress_text(event.progress), last=event.progress.left == 0)

    def close(self) -> None:
        self.line.close()


@cli.command()
@json_option
@db_option
def failures(as_json: bool) -> None:
    """List the links that could not be archived, and why.

    \b
    newsarchive failures
    newsarchive import --retry-failed
    """
    from newsarchive.render import failure_reason

    with open_archive(read_only=True) as archive:
        recorded = archive.failures()
    if as_json:
        print_json([asdict(failure) for failure in recorded])
        return
    if not recorded:
        click.echo("No failures recorded.", err=True)
    for failure in recorded:
        tries = "1 attempt" if failure.attempts == 1 else f"{failure.attempts} attempts"
        reason = failure_reason(failure.url, failure.reason).removeprefix(failure.url + ": ")
        click.echo(one_line(failure.url))
        click.echo(one_line(f"  {reason} ({tries}, last {failure.last_failed_at})"))
