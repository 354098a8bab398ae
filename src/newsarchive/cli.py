"""The command line: parse options, call one library function, render the result.

The only module that imports click. Library errors (NewsarchiveError) become a one-line
``Error: ...`` on stderr and a non-zero exit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from platformdirs import user_data_dir

from newsarchive import __version__
from newsarchive.errors import InputError, NewsarchiveError

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
@db_option
def add(sources: tuple[str, ...], url: str | None) -> None:
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
                outcome = add_article(source, archive, url=url, session=session)
            except NewsarchiveError as error:
                if len(sources) == 1:
                    raise
                click.echo(f"Error: {error}", err=True)
                failures += 1
                continue
            verb = "Added" if outcome.created else "Updated"
            article = outcome.article
            click.echo(f"{verb} {outcome.id}: {article.headline or outcome.url}")
            click.echo(f"  {article.word_count} words, {len(article.quotes)} quotes · {outcome.url}")
    if failures:
        raise click.ClickException(f"{failures} of {len(sources)} sources failed")


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
        click.echo(stored.article.html)
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
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--raw", is_flag=True, help="Pass the query to SQLite FTS5 unchanged.")
@json_option
@db_option
def search(query: str, as_json: bool, **filters: Any) -> None:
    """Full-text search: words, "exact phrases", prefix*, OR, -word.

    \b
    newsarchive search "threatening for Kyiv"
    newsarchive search 'ceasefire -rumour' --site independent --since 2022-02
    """
    from newsarchive.render import search_hit_text
    from newsarchive.search import search as run_search

    with open_archive() as archive:
        hits = run_search(archive, query, **filters)
    if as_json:
        print_json([asdict(hit) for hit in hits])
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
