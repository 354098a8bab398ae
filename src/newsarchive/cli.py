"""The command line: parse options, call one library function, render the result.

The only module that imports click. Library errors (NewsarchiveError) become a one-line
``Error: ...`` on stderr and a non-zero exit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from platformdirs import user_data_dir

from newsarchive import __version__
from newsarchive.errors import InputError, NewsarchiveError

if TYPE_CHECKING:
    from newsarchive.pipeline import AddOutcome

EXIT_INTERRUPTED = 130


def default_db_path() -> Path:
    """The archive used when neither --db nor NEWSARCHIVE_DB is given."""
    return Path(user_data_dir("newsarchive", appauthor=False)) / "archive.db"


class ArchiveGroup(click.Group):
    """Turns library errors into click errors: one line on stderr, the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsarchiveError as error:
            exception = click.ClickException(str(error))
            exception.exit_code = error.exit_code
            raise exception from error
        except KeyboardInterrupt:
            click.echo("Interrupted: what was saved is kept.", err=True)
            ctx.exit(EXIT_INTERRUPTED)


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta["newsarchive.db"] = Path(value)


def db_option(function: Callable) -> Callable:
    """``--db PATH`` on a command, overriding the group's --db and NEWSARCHIVE_DB."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        expose_value=False,
        callback=_remember_db,
        help="Archive file (default: see newsarchive --help).",
    )(function)


def json_option(function: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def open_archive():
    """The archive chosen by --db, NEWSARCHIVE_DB or the default path, opened (and migrated)."""
    from newsarchive.store import Archive

    ctx = click.get_current_context()
    return Archive(ctx.meta.get("newsarchive.db") or default_db_path())


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _highlight(text: str) -> str:
    return click.style(text, fg="yellow", bold=True)


@click.group(
    cls=ArchiveGroup,
    epilog=f"The archive is one SQLite file; by default {default_db_path()}",
)
@click.version_option(__version__, prog_name="newsarchive")
@click.option(
    "--db",
    envvar="NEWSARCHIVE_DB",
    type=click.Path(dir_okay=False),
    expose_value=False,
    callback=_remember_db,
    help="Archive file to use (env NEWSARCHIVE_DB).",
)
def cli() -> None:
    """Archive news articles offline: clean text, metadata, quotes, full-text search."""


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--url", help="Original URL of a saved page, a text file or stdin.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the server to send something.",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Largest page to accept, in MB.",
)
@db_option
def add(sources: tuple[str, ...], url: str | None, timeout: float, max_size: int) -> None:
    """Archive articles from URLs, saved pages (.html), text files or - (stdin).

    \b
    newsarchive add https://www.example-news.com/2024/05/story.html
    newsarchive add saved-page.html --url https://example-news.com/story
    cat page.html | newsarchive add - --url https://example-news.com/story
    """
    from newsarchive.fetch import make_session
    from newsarchive.pipeline import add as add_article

    if url and len(sources) > 1:
        raise InputError("--url applies to one source; give the sources one at a time")
    failures = 0
    with open_archive() as archive:
        session = make_session()
        for source in sources:
            try:
                outcome = add_article(
                    source,
                    archive,
                    url=url,
                    session=session,
                    read_timeout=timeout,
                    max_bytes=max_size * 1_048_576,
                )
            except NewsarchiveError as error:
                if len(sources) == 1:
                    raise
                click.echo(f"Error: {error}", err=True)
                failures += 1
                continue
            _echo_added(outcome)
    if failures:
        raise click.ClickException(f"{failures} of {len(sources)} sources failed")


def _echo_added(outcome: AddOutcome) -> None:
    article = outcome.article
    if outcome.kept_earlier:
        click.echo(
            f"Kept {outcome.id}: this capture is {article.status}; the earlier complete text stays"
        )
        return
    verb = "Added" if outcome.created else "Updated"
    status = "" if article.status == "ok" else f" [{article.status}]"
    click.echo(f"{verb} {outcome.id}{status}: {article.headline or outcome.url}")
    click.echo(f"  {article.word_count} words, {len(article.quotes)} quotes · {outcome.url}")


@cli.command(name="extract")
@click.argument("source")
@click.option("--url", help="Original URL of a saved page, a text file or stdin.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--removed", is_flag=True, help="Also list the blocks the cleaner removed.")
def extract_command(source: str, url: str | None, fmt: str, removed: bool) -> None:
    """Preview what would be archived from SOURCE; writes nothing.

    \b
    newsarchive extract page.html --url https://example-news.com/story --format json
    """
    from newsarchive.pipeline import preview
    from newsarchive.render import article_json, article_text

    fetched, article = preview(source, url=url)
    if fmt == "json":
        print_json(article_json(article))
        return
    click.echo(article_text(article, fetched.final_url or fetched.url))
    if removed:
        _echo_removed(article.removed)


def _echo_removed(blocks: list) -> None:
    click.echo(f"\n--- removed blocks ({len(blocks)}) ---")
    for block in blocks:
        click.echo(f"[{block.rule}] {block.text}")


@cli.command()
@click.argument("reference")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text")
@click.option("--removed", is_flag=True, help="Also list the blocks the cleaner removed.")
@db_option
def show(reference: str, fmt: str, removed: bool) -> None:
    """Print an archived article, by id or URL, readable offline.

    \b
    newsarchive show 1
    newsarchive show https://example-news.com/story --format json
    """
    from newsarchive.render import stored_article_json, stored_article_text

    with open_archive() as archive:
        stored = archive.get(reference)
    if fmt == "json":
        print_json(stored_article_json(stored))
    elif fmt == "html":
        from newsarchive.sanitize import sanitize_html

        click.echo(sanitize_html(stored.article.html))
    else:
        click.echo(stored_article_text(stored))
        if removed:
            _echo_removed(stored.article.removed)


@cli.command(name="list")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option
@db_option
def list_command(limit: int | None, as_json: bool) -> None:
    """List archived articles, most recently saved first.

    \b
    newsarchive list --limit 20
    """
    from newsarchive.render import summary_line

    with open_archive() as archive:
        summaries = archive.list_articles(limit=limit)
    if as_json:
        print_json([asdict(summary) for summary in summaries])
        return
    for summary in summaries:
        click.echo(summary_line(summary))


@cli.command()
@click.argument("query")
@click.option("--site", help="Only articles whose site or URL contains this.")
@click.option("--author", help="Only articles by an author whose name contains this.")
@click.option("--since", help="Published on or after YYYY[-MM[-DD]].")
@click.option("--until", help="Published on or before YYYY[-MM[-DD]].")
@click.option("--sort", type=click.Choice(["rank", "published", "saved"]), default="rank")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--all-copies", is_flag=True, help="Show every copy of a story run by many sites.")
@click.option("--raw", is_flag=True, help="Pass the query to SQLite FTS5 unchanged.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@db_option
def search(query: str, as_json: bool, as_csv: bool, **options: Any) -> None:
    """Full-text search: words, "exact phrases", prefix*, OR, -word, and field filters
    headline: author: site: quote: speaker: lang: before: after: saved-after:

    \b
    newsarchive search "threatening for Kyiv"
    newsarchive search 'ceasefire -rumour site:independent after:2022-02'
    newsarchive search 'speaker:klitschko kyiv' --sort published
    """
    from newsarchive.render import search_hit_text, search_hits_csv
    from newsarchive.search import search as run_search

    with open_archive() as archive:
        hits = run_search(archive, query, **options)
    if as_json:
        print_json([asdict(hit) for hit in hits])
        return
    if as_csv:
        click.echo(search_hits_csv(hits), nl=False)
        return
    if not hits:
        click.echo(f"No articles match {query!r}.", err=True)
    for rank, hit in enumerate(hits, start=1):
        click.echo(search_hit_text(rank, hit, _highlight) + "\n")


@cli.command()
@click.argument("query", required=False)
@click.option("--speaker", help="Only quotes by a speaker whose name contains this.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--raw", is_flag=True, help="Pass the query to SQLite FTS5 unchanged.")
@json_option
@db_option
def quotes(query: str | None, speaker: str | None, limit: int, raw: bool, as_json: bool) -> None:
    """Search quotations and their speakers.

    \b
    newsarchive quotes europe --speaker zelensky
    newsarchive quotes --speaker klitschko
    """
    from newsarchive.render import quote_hit_text
    from newsarchive.search import search_quotes

    with open_archive() as archive:
        hits = search_quotes(archive, query, speaker=speaker, limit=limit, raw=raw)
    if as_json:
        print_json([asdict(hit) for hit in hits])
        return
    if not hits:
        click.echo("No quotes match.", err=True)
    for hit in hits:
        click.echo(quote_hit_text(hit) + "\n")


@cli.command()
@json_option
@db_option
def stats(as_json: bool) -> None:
    """Counts by site, year and status, and the archive's size.

    \b
    newsarchive stats
    """
    from newsarchive.render import stats_text

    with open_archive() as archive:
        numbers = archive.stats()
    if as_json:
        print_json(asdict(numbers))
    else:
        click.echo(stats_text(numbers))


# ---- batch import --------------------------------------------------------------------------

# The same names as newsarchive.linklists.FORMATS, written out so --help needs no lxml import.
LIST_FORMATS = ("text", "bookmarks", "csv", "rss", "atom", "opml", "sitemap")


@cli.command(name="import")
@click.argument("source", required=False)
@click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), help="Default: detected.")
@click.option(
    "--workers", type=click.IntRange(min=1), default=8, show_default=True, help="Fetches at once."
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between two requests to one host.",
)
@click.option("--refetch", is_flag=True, help="Fetch links that are already archived again.")
@click.option("--dry-run", is_flag=True, help="Read the list and say what would be fetched.")
@click.option("--retry-failed", is_flag=True, help="Retry the links recorded as failed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress, only the closing summary.")
@json_option
@db_option
def import_command(
    source: str | None, fmt: str | None, quiet: bool, as_json: bool, **settings: Any
) -> None:
    """Archive every link of a list: a text file, bookmarks, CSV, a feed, OPML, a sitemap, -.

    Links already archived are skipped; failures are recorded (see newsarchive failures).
    Ctrl-C stops cleanly: run the same command again to resume.

    \b
    newsarchive import links.txt
    newsarchive import pocket-export.csv --workers 16 --delay 2
    newsarchive import https://example-news.com/feed.xml --dry-run
    some-command | newsarchive import -
    newsarchive import --retry-failed
    """
    from newsarchive.importer import ImportOptions, summarize

    retry_failed = settings.pop("retry_failed")
    if source is None and not retry_failed:
        raise InputError("give a list of links (a file, a feed URL or -), or --retry-failed")
    options = ImportOptions(**settings)
    with open_archive() as archive:
        name, found_format, entries = _import_entries(archive, source, fmt, retry_failed)
        progress, interrupted = _run_import(entries, archive, options, quiet)
    summary = summarize(name, found_format, progress, interrupted)
    if as_json:
        print_json(asdict(summary))
    else:
        click.echo(_summary_text(summary))
    if interrupted:
        click.get_current_context().exit(EXIT_INTERRUPTED)
    if summary.failed or summary.invalid:
        click.get_current_context().exit(1)


def _import_entries(archive: Any, source: str | None, fmt: str | None, retry: bool) -> tuple:
    """The list's name, its format and its entries (the recorded failures first, if asked)."""
    import itertools

    from newsarchive.importer import failed_links, fetch_list_document
    from newsarchive.linklists import open_link_list

    retried = failed_links(archive) if retry else []
    if source is None:
        return "recorded failures", "failures", iter(retried)
    links = open_link_list(source, fmt, fetch=fetch_list_document)
    return links.name, links.format, itertools.chain(retried, links.entries)


def _run_import(entries: Any, archive: Any, options: Any, quiet: bool) -> tuple[Any, bool]:
    """Run the import showing progress; return the last Progress and whether Ctrl-C stopped it."""
    from contextlib import closing

    from newsarchive.importer import Progress, import_links

    display = _ImportDisplay(quiet)
    progress = Progress()
    try:
        with closing(import_links(entries, archive, options)) as events:
            for event in events:
                progress = event.progress
                display.show(event)
    except KeyboardInterrupt:
        display.close()
        return progress, True
    display.close()
    return progress, False


class _ImportDisplay:
    """A progress line on a terminal (stderr), one plain line per link otherwise."""

    def __init__(self, quiet: bool) -> None:
        import sys

        self.quiet = quiet
        self.terminal = sys.stderr.isatty()
        self.drawn_at = 0.0

    def show(self, event: Any) -> None:
        import time

        if self.quiet:
            return
        outcome = event.outcome
        if not self.terminal:
            click.echo(_outcome_line(outcome), err=True)
            return
        if outcome.status in ("failed", "invalid"):
            click.echo("\r\x1b[K" + _outcome_line(outcome), err=True)
        if time.monotonic() - self.drawn_at > 0.1 or event.progress.left == 0:
            click.echo("\r\x1b[K" + _progress_text(event.progress), err=True, nl=False)
            self.drawn_at = time.monotonic()

    def close(self) -> None:
        if self.terminal and not self.quiet and self.drawn_at:
            click.echo("", err=True)


def _outcome_line(outcome: Any) -> str:
    where = f"line {outcome.line}: " if outcome.line is not None else ""
    if outcome.status == "invalid":
        return f"{where}skipped: {outcome.reason}"
    if outcome.status == "failed":
        return f"failed {_reason(outcome.url, outcome.reason)}"
    if outcome.status == "skipped":
        return f"skipped {outcome.url} ({outcome.reason})"
    number = f" {outcome.article_id}" if outcome.article_id else ""
    return f"{outcome.status}{number} {outcome.url}"


def _reason(url: str, reason: str) -> str:
    """``url: reason``, without saying the URL twice (library messages start with it)."""
    return reason if reason.startswith(url) else f"{url}: {reason}"


def _progress_text(progress: Any) -> str:
    total = f"{progress.read}" if progress.list_done else f"{progress.read}+"
    text = (
        f"{progress.done}/{total} · ok {progress.saved + progress.updated + progress.new}"
        f" · skipped {progress.skipped} · failed {progress.failed + progress.invalid}"
        f" · {progress.rate:.1f}/s"
    )
    if progress.list_done and progress.rate > 0:
        text += f" · ETA {_duration(progress.left / progress.rate)}"
    return text


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def _summary_text(summary: Any) -> str:
    if summary.format == "failures" and summary.read == 0:
        return "No recorded failures to retry."
    counts = (
        f"{summary.new} to fetch, {summary.skipped} skipped, {summary.invalid} invalid"
        if summary.new
        else f"{summary.saved} saved, {summary.updated} updated, {summary.skipped} skipped,"
        f" {summary.failed} failed, {summary.invalid} invalid"
    )
    rate = f", {summary.articles_per_second:.1f} articles/s" if summary.saved else ""
    lines = [f"{summary.source} ({summary.format}): {counts} ({_duration(summary.seconds)}{rate})."]
    if summary.failed:
        lines.append("List them: newsarchive failures; retry: newsarchive import --retry-failed")
    if summary.interrupted:
        rest = "" if summary.list_done else ", and the rest of the list"
        lines.append(
            f"Interrupted: {summary.left} links in progress were not finished{rest}."
            " Run the same command again to resume."
        )
    return "\n".join(lines)


@cli.command()
@json_option
@db_option
def failures(as_json: bool) -> None:
    """List the links that could not be archived, and why.

    \b
    newsarchive failures
    newsarchive import --retry-failed
    """
    with open_archive() as archive:
        recorded = archive.failures()
    if as_json:
        print_json([asdict(failure) for failure in recorded])
        return
    if not recorded:
        click.echo("No failures recorded.", err=True)
    for failure in recorded:
        tries = "1 attempt" if failure.attempts == 1 else f"{failure.attempts} attempts"
        reason = _reason(failure.url, failure.reason).removeprefix(failure.url + ": ")
        click.echo(f"{failure.url}\n  {reason} ({tries}, last {failure.last_failed_at})")


@cli.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="Re-extract every archived article.")
@db_option
def reextract(ids: tuple[int, ...], every: bool) -> None:
    """Extract articles again from their stored raw pages (no network) with this version's
    extractor, and say which fields changed.

    \b
    newsarchive reextract 3 7
    newsarchive reextract --all
    """
    from newsarchive.pipeline import reextract as run_reextract

    if bool(ids) == every:
        raise InputError("give article ids or --all (not both)")
    changed = failed = total = 0
    with open_archive() as archive:
        for outcome in run_reextract(archive, archive.article_ids() if every else ids):
            total += 1
            if outcome.error:
                failed += 1
                click.echo(f"Error: article {outcome.id}: {outcome.error}", err=True)
            elif outcome.changed:
                changed += 1
                click.echo(f"{outcome.id}: {', '.join(outcome.changed)} changed")
    click.echo(
        f"Re-extracted {total}: {changed} changed, {total - changed - failed} unchanged, {failed} failed"
    )
    if failed:
        raise click.ClickException(f"{failed} of {total} articles could not be re-extracted")


@cli.command(name="eval")
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N pages.")
@click.option("--worst", type=click.IntRange(min=0), default=10, show_default=True)
@click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the whole report to this JSON file.",
)
def eval_command(dataset: Path, limit: int | None, worst: int, json_file: Path | None) -> None:
    """Score the extractor on pages with ground truth (html/<id>.html.gz + ground-truth.json):
    body and snippet precision/recall/F1, date, headline and author accuracy, speed, and the
    worst pages.

    \b
    newsarchive eval ../shared/datasets/scrapinghub --limit 50
    """
    from newsarchive.evaluate import evaluate, format_report

    report = evaluate(dataset, limit=limit, worst=worst)
    click.echo(format_report(report))
    if json_file:
        try:
            json_file.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        except OSError as error:
            raise click.ClickException(f"{json_file}: cannot write ({error.strerror})") from error


# ---- export, doctor, backup ----------------------------------------------------------------

EXPORT_FORMATS = ("markdown", "html", "json", "jsonl")


@cli.command(name="export")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="markdown", show_default=True
)
@click.option("--id", "ids", type=int, multiple=True, help="Only this article (repeatable).")
@db_option
def export_command(folder: Path | None, fmt: str, ids: tuple[int, ...]) -> None:
    """Write each article into FOLDER as Markdown, sanitised HTML or JSON, one file per article
    named <id>-<headline>.<ext>; or, with --format jsonl, JSON lines to standard output.

    \b
    newsarchive export ~/news-export
    newsarchive export ~/news-export --format html --id 3 --id 7
    newsarchive export --format jsonl > archive.jsonl
    """
    from newsarchive.export import export_articles, export_jsonl

    if (fmt == "jsonl") == (folder is not None):
        raise InputError("give a folder to export into, or --format jsonl (standard output)")
    with open_archive() as archive:
        if fmt == "jsonl":
            for line in export_jsonl(archive, ids or None):
                click.echo(line)
            return
        count = sum(1 for _ in export_articles(archive, folder, fmt, ids or None))
    click.echo(f"Exported {count} articles to {folder}", err=True)


@cli.command()
@click.option("--repair", is_flag=True, help="Rebuild the search indexes, then check again.")
@json_option
@db_option
def doctor(repair: bool, as_json: bool) -> None:
    """Check the archive (SQLite integrity, links between tables, search indexes in step with
    the articles); --repair rebuilds the search indexes. Exit code 1 if a problem remains.

    \b
    newsarchive doctor
    newsarchive doctor --repair
    """
    from newsarchive.errors import ArchiveError
    from newsarchive.maintenance import check
    from newsarchive.maintenance import repair as run_repair

    with open_archive() as archive:
        report = run_repair(archive) if repair else check(archive)
    if as_json:
        checks = [{"name": c.name, "ok": c.ok, "problems": c.problems} for c in report.checks]
        print_json({"path": report.path, "ok": report.ok, "checks": checks})
    else:
        for item in report.checks:
            click.echo(f"{'ok' if item.ok else 'FAILED':<6} {item.name}")
            for problem in item.problems[:20]:
                click.echo(f"       {problem}")
    if not report.ok:
        hint = "restore a backup" if repair else "try newsarchive doctor --repair"
        raise ArchiveError(f"{report.path}: the archive has problems ({hint})")


@cli.command(name="backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@db_option
def backup_command(file: Path, force: bool) -> None:
    """Copy the archive into FILE, consistently even while it is in use (SQLite backup API).
    FILE is a complete archive: newsarchive --db FILE list.

    \b
    newsarchive backup ~/archive-backup.db
    """
    from newsarchive.maintenance import backup

    with open_archive() as archive:
        written = backup(archive, file, overwrite=force)
        count = archive.count()
    click.echo(f"Backed up {count} articles to {written}")
