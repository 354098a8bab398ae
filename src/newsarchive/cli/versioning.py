"""An article's past: history, diff, and refresh (fetch archived articles again)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

import click

from newsarchive.cli import EXIT_INTERRUPTED, cli, db_option, json_option, open_archive, print_json
from newsarchive.cli.batch import politeness_options, run_with_progress
from newsarchive.controls import one_line

DIFF_FORMATS = ("text", "json", "html")


@cli.command()
@click.argument("reference")
@json_option
@db_option
def history(reference: str, as_json: bool) -> None:
    """Every capture of an article (by id or URL) and every version, oldest first: when it was
    fetched, its HTTP status and what it held, and what changed.

    \b
    newsarchive history 1
    newsarchive history https://example-news.com/story --json
    """
    from newsarchive.history import article_history
    from newsarchive.versionview import history_text

    with open_archive(read_only=True) as archive:
        found = article_history(archive, reference)
    if as_json:
        print_json(asdict(found))
    else:
        click.echo(history_text(found))


@cli.command()
@click.argument("reference")
@click.argument("versions", nargs=-1, type=click.IntRange(min=1))
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text")
@db_option
def diff(reference: str, versions: tuple[int, ...], fmt: str) -> None:
    """What changed between two versions of an article: headline, quotes and numbers first,
    then the body sentence by sentence. No versions: the one before the latest against the
    latest; one: that one against the latest.

    \b
    newsarchive diff 1
    newsarchive diff 1 1 3 --format html > changes.html
    """
    from newsarchive.errors import InputError
    from newsarchive.history import compare_versions
    from newsarchive.versionview import diff_html, diff_text, plain_span

    if len(versions) > 2:
        raise InputError("give at most two versions: diff ID [OLD [NEW]]")
    with open_archive(read_only=True) as archive:
        changes = compare_versions(archive, reference, *versions)
    if fmt == "json":
        print_json(asdict(changes))
    elif fmt == "html":
        click.echo(diff_html(changes))
    else:
        click.echo(diff_text(changes, _coloured if _on_terminal() else plain_span))


def _on_terminal() -> bool:
    """Colours only for a terminal: a file or a pipe gets wdiff's plain marks."""
    return sys.stdout.isatty()


def _coloured(op: str, text: str) -> str:
    if op == "delete":
        return click.style(text, fg="red", strikethrough=True)
    if op == "insert":
        return click.style(text, fg="green", underline=True)
    return text


@cli.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="Every archived article (fetched by URL).")
@click.option("--older-than", help="Only articles last fetched longer ago than this (7d, 12h).")
@click.option("--site", help="Only articles whose site name or URL host contains this.")
@politeness_options
@click.option("--quiet", "-q", is_flag=True, help="No progress, only what changed and a summary.")
@json_option
@db_option
def refresh(
    ids: tuple[int, ...],
    every: bool,
    older_than: str | None,
    site: str | None,
    quiet: bool,
    as_json: bool,
    **settings: Any,
) -> None:
    """Fetch archived articles again, politely (as import does), and say which changed: a
    changed article gets a new version, an unchanged one only the time of the fetch. Ctrl-C
    stops cleanly: run the same command again to resume.

    \b
    newsarchive refresh 3 7
    newsarchive refresh --all --older-than 7d
    newsarchive refresh --all --site guardian --workers 4 --delay 2
    """
    from newsarchive.importer import ImportOptions, summarize
    from newsarchive.refresh import RefreshSelection, refresh_articles
    from newsarchive.versionview import refresh_summary_text

    selection = RefreshSelection(ids, every, older_than, site)
    changed: list[Any] = []
    with open_archive() as archive:
        progress, interrupted = run_with_progress(
            lambda: refresh_articles(archive, selection, ImportOptions(**settings)),
            quiet,
            lambda event: changed.append(event.outcome) if event.outcome.changed else None,
        )
    summary = summarize("refresh", "articles", progress, interrupted)
    if as_json:
        print_json({**asdict(summary), "changed": [asdict(outcome) for outcome in changed]})
    else:
        for outcome in changed:
            click.echo(_changed_line(outcome))
        click.echo(refresh_summary_text(summary, len(changed)))
    if interrupted:
        click.get_current_context().exit(EXIT_INTERRUPTED)
    if summary.failed:
        click.get_current_context().exit(1)


def _changed_line(outcome: Any) -> str:
    fields = ", ".join(outcome.changed)
    return one_line(
        f"{outcome.article_id}: new version {outcome.version}: {fields} changed · {outcome.url}"
    )
